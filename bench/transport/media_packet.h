#ifndef BENCH_TRANSPORT_MEDIA_PACKET_H_
#define BENCH_TRANSPORT_MEDIA_PACKET_H_

#include <cstdint>
#include <vector>

#include "transport/rtp/rtp_packet.h"

namespace comodal {

// A typical comodal media packet for the transport benchmarks: 12-byte header, the
// transport-wide sequence number (ID 3) and abs-send-time (ID 2) in one-byte extensions, a
// 1 100-byte payload.
inline std::vector<uint8_t> MakeMediaPacket() {
  RtpPacketBuilder builder;
  builder.set_payload_type(96).set_sequence_number(1234).set_timestamp(90000).set_ssrc(0x5173);
  (void)builder.SetExtension<TransportSequenceNumber>(3, 42);
  (void)builder.SetExtension<AbsoluteSendTime>(2, 0x123456);
  std::vector<uint8_t> payload(1100, 0x5A);
  std::vector<uint8_t> out(kMaxPacketBufferSize);
  out.resize(builder.Build(payload, out).value());
  return out;
}

}  // namespace comodal

#endif  // BENCH_TRANSPORT_MEDIA_PACKET_H_
