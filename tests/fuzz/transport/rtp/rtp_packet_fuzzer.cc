// Fuzzes RtpPacket::Parse and every accessor; a parsed packet rebuilt with RtpPacketBuilder must
// parse back to the same fields and extension elements.
#include <array>
#include <cstdlib>
#include <vector>

#include "transport/rtp/rtp_packet.h"

using comodal::RtpPacket;
using comodal::RtpPacketBuilder;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = RtpPacket::Parse(std::span(data, size));
  if (!parsed.ok()) return 0;
  const RtpPacket& packet = *parsed;

  RtpPacketBuilder builder;
  builder.set_marker(packet.marker())
      .set_payload_type(packet.payload_type())
      .set_sequence_number(packet.sequence_number())
      .set_timestamp(packet.timestamp())
      .set_ssrc(packet.ssrc());
  std::vector<uint32_t> csrcs;
  for (size_t i = 0; i < packet.csrc_count(); ++i) csrcs.push_back(packet.csrc(i));
  if (!builder.SetCsrcs(csrcs)) std::abort();

  struct Element {
    uint8_t id;
    std::vector<uint8_t> data;
  };
  std::vector<Element> elements;
  bool rebuildable = true;
  packet.ForEachExtension([&](uint8_t id, std::span<const uint8_t> element) {
    // Duplicate IDs are legal on the wire but the builder keeps one element per ID.
    for (const Element& e : elements) rebuildable &= e.id != id;
    elements.push_back({id, {element.begin(), element.end()}});
    rebuildable &= builder.SetRawExtension(id, element);
    auto found = packet.FindExtension(id);
    if (!found) std::abort();
  });
  for (uint8_t id = 1; id <= 14; ++id) {
    (void)packet.GetExtension<comodal::TransportSequenceNumber>(id);
    (void)packet.GetExtension<comodal::AbsoluteSendTime>(id);
    (void)packet.GetExtension<comodal::AudioLevel>(id);
    (void)packet.GetExtension<comodal::PlayoutDelay>(id);
  }
  (void)packet.extension_profile();
  (void)packet.extension_block();
  if (packet.header_size() + packet.payload().size() + packet.padding_size() != size) std::abort();

  if (!rebuildable || packet.extension_format() == RtpPacket::ExtensionFormat::kOther) return 0;
  std::array<uint8_t, 65536> out;
  auto rebuilt_size = builder.Build(packet.payload(), out, packet.padding_size());
  if (!rebuilt_size.ok()) return 0;  // E.g. a rebuilt two-byte block grew past 64 KiB.
  auto rebuilt = RtpPacket::Parse(std::span(out.data(), *rebuilt_size));
  if (!rebuilt.ok()) std::abort();
  if (rebuilt->sequence_number() != packet.sequence_number() || rebuilt->ssrc() != packet.ssrc() ||
      rebuilt->timestamp() != packet.timestamp() || rebuilt->marker() != packet.marker() ||
      rebuilt->payload_type() != packet.payload_type() ||
      rebuilt->csrc_count() != packet.csrc_count() ||
      rebuilt->payload().size() != packet.payload().size() ||
      rebuilt->padding_size() != packet.padding_size()) {
    std::abort();
  }
  for (const Element& e : elements) {
    auto found = rebuilt->FindExtension(e.id);
    if (!found || std::vector<uint8_t>(found->begin(), found->end()) != e.data) std::abort();
  }
  return 0;
}
