// Fuzzes RestoreFromRtx and BuildRtxPacket. An accepted RTX packet, restored and wrapped again
// with its own SSRC, payload type and sequence number, gives back the same bytes; any RTP packet
// wrapped in RTX restores to itself.
#include <cstdlib>
#include <vector>

#include "transport/rtp/rtp_packet.h"
#include "transport/rtp/rtx.h"

using comodal::RtpPacket;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  std::vector<uint8_t> restored(size + comodal::kRtxOverhead);
  std::vector<uint8_t> rtx(size + comodal::kRtxOverhead);

  comodal::RtxPayloadTypeMap map;
  if (size > 1) (void)map.Add(data[1] & 0x7F, 96);
  auto restored_size = comodal::RestoreFromRtx(input, 0x1234, map, restored);
  if (restored_size.ok()) {
    auto packet = RtpPacket::Parse(input);
    auto original = RtpPacket::Parse(std::span(restored.data(), *restored_size));
    if (!packet.ok() || !original.ok() || original->ssrc() != 0x1234 ||
        original->payload_type() != 96 || original->timestamp() != packet->timestamp() ||
        original->marker() != packet->marker() ||
        original->payload().size() + comodal::kRtxOverhead != packet->payload().size()) {
      std::abort();
    }
    auto again = comodal::BuildRtxPacket(original->data(), packet->ssrc(), packet->payload_type(),
                                         packet->sequence_number(), rtx);
    if (!again.ok() || std::vector<uint8_t>(rtx.begin(), rtx.begin() + *again) !=
                           std::vector<uint8_t>(input.begin(), input.end())) {
      std::abort();
    }
  }

  auto rtx_size = comodal::BuildRtxPacket(input, 0x5678, 97, 9, rtx);
  if (rtx_size.ok()) {
    auto packet = RtpPacket::Parse(input);
    if (!packet.ok()) std::abort();
    auto back = comodal::RestoreFromRtx(std::span(rtx.data(), *rtx_size), packet->ssrc(),
                                        packet->payload_type(), restored);
    if (!back.ok() || std::vector<uint8_t>(restored.begin(), restored.begin() + *back) !=
                          std::vector<uint8_t>(input.begin(), input.end())) {
      std::abort();
    }
  }
  return 0;
}
