// Feeds FlexfecReceiver a stream of arbitrary packets, FlexFEC and Reed-Solomon repair among
// them, plus the repair a FlexfecSender makes for the media among them, with arbitrary losses and
// time steps. Whatever comes in, every packet it
// recovers is a valid RTP packet of the protected stream and its stores stay within bounds.
// comodal-fuzz-runs: 20000
#include <cstdlib>
#include <vector>

#include "transport/fec/fec_encoder.h"
#include "transport/fec/fec_receiver.h"

namespace {

constexpr uint32_t kMediaSsrc = 0x1111;
constexpr uint32_t kFecSsrc = 0x2222;
constexpr uint8_t kFlexfecPt = 118;
constexpr uint8_t kReedSolomonPt = 119;

void Check(const comodal::FlexfecReceiver& receiver,
           const std::vector<std::vector<uint8_t>>& recovered) {
  for (const auto& packet : recovered) {
    auto parsed = comodal::RtpPacket::Parse(packet);
    if (!parsed.ok() || parsed->ssrc() != kMediaSsrc) std::abort();
  }
  if (receiver.stored_media_packets() > 64 || receiver.stored_fec_packets() > 16 ||
      receiver.stored_reed_solomon_packets() > 16) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  comodal::FlexfecReceiver receiver({.fec_ssrc = kFecSsrc,
                                     .protected_ssrc = kMediaSsrc,
                                     .max_age = comodal::TimeDelta::Millis(500),
                                     .max_media_packets = 64,
                                     .max_fec_packets = 16,
                                     .reed_solomon_payload_type = kReedSolomonPt});
  comodal::FlexfecSender sender({.ssrc = kFecSsrc,
                                 .payload_type = kFlexfecPt,
                                 .protected_ssrc = kMediaSsrc,
                                 .reed_solomon_payload_type = kReedSolomonPt});
  // Half the inputs protect with Reed-Solomon (loss at 4 % or more), half with XOR parity.
  sender.SetProtection((data[0] & 0x0F) / 15.0, (data[0] >> 4) / 15.0, (data[0] & 0x0F) / 30.0);
  comodal::Timestamp at = comodal::Timestamp::Seconds(1);

  // Records: control byte (bit 0: repair stream, bit 1: end of frame, or for a repair packet
  // Reed-Solomon, bit 2: keyframe, bit 3: lose the sender's repair, bits 4-7: time step in
  // 10 ms), length byte, that many bytes.
  size_t pos = 1;
  while (pos + 2 <= size) {
    const uint8_t control = data[pos];
    const size_t length = std::min<size_t>(data[pos + 1], size - pos - 2);
    std::vector<uint8_t> packet(data + pos + 2, data + pos + 2 + length);
    pos += 2 + length;
    at += comodal::TimeDelta::Millis(10 * (control >> 4));
    const bool repair_stream = control & 0x01;
    if (packet.size() >= comodal::RtpPacket::kFixedHeaderSize) {
      // Aim most packets at the receiver: version 2, one of its SSRCs, and for repair packets
      // the protected SSRC as first CSRC.
      packet[0] = static_cast<uint8_t>(0x80 | (packet[0] & 0x3F));
      comodal::StoreBE32(&packet[8], repair_stream ? kFecSsrc : kMediaSsrc);
      if (repair_stream && (packet[0] & 0x0F) > 0 && packet.size() >= 16) {
        comodal::StoreBE32(&packet[12], kMediaSsrc);
      }
      if (repair_stream) {
        packet[1] = static_cast<uint8_t>((packet[1] & 0x80) |
                                         ((control & 0x02) ? kReedSolomonPt : kFlexfecPt));
      }
    }
    Check(receiver, receiver.OnPacket(packet, at));
    if (repair_stream) continue;
    for (const auto& repair : sender.OnMediaPacket(packet, control & 0x02, control & 0x04)) {
      if (!(control & 0x08)) Check(receiver, receiver.OnPacket(repair, at));
    }
  }
  const auto& stats = receiver.stats();
  (void)(stats.media_packets + stats.fec_packets + stats.recovered + stats.unrecoverable +
         stats.malformed + stats.unsupported);
  return 0;
}
