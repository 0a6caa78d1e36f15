// Fuzzes FlexfecHeader::Parse on RTP packets and every field. A header whose masks are in their
// shortest form writes back to the same bytes.
#include <cstdlib>
#include <vector>

#include "transport/fec/flexfec_header.h"

using comodal::FlexfecHeader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto packet = comodal::RtpPacket::Parse(std::span(data, size));
  if (!packet.ok()) return 0;
  auto header = FlexfecHeader::Parse(*packet);
  if (!header.ok()) return 0;
  if (header->streams.size() != packet->csrc_count() || header->p_x_cc_recovery > 0x3F) {
    std::abort();
  }
  for (size_t i = 0; i < header->streams.size(); ++i) {
    const FlexfecHeader::ProtectedStream& stream = header->streams[i];
    if (stream.ssrc != packet->csrc(i)) std::abort();
    for (size_t j = 0; j < FlexfecHeader::kMaxMaskBits; ++j) {
      const uint16_t sequence_number = static_cast<uint16_t>(stream.sequence_number_base + j);
      if (stream.Protects(sequence_number) != stream.mask.test(j)) std::abort();
    }
    (void)stream.Protects(static_cast<uint16_t>(stream.sequence_number_base - 1));
    (void)FlexfecHeader::MaskSize(stream.mask);
  }
  const std::span<const uint8_t> payload = packet->payload();
  const size_t header_size = payload.size() - header->repair_payload.size();
  if (header->repair_payload.data() != payload.data() + header_size) std::abort();
  if (header->Size() > header_size) std::abort();  // The shortest form is never longer.
  if (header->Size() != header_size) return 0;     // A mask written longer than needed.

  std::vector<uint8_t> out(header->Size());
  comodal::ByteWriter writer(out);
  if (!header->Write(writer).ok() || writer.size() != out.size() ||
      out != std::vector<uint8_t>(payload.begin(), payload.begin() + header_size)) {
    std::abort();
  }
  return 0;
}
