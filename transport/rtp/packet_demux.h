#ifndef TRANSPORT_RTP_PACKET_DEMUX_H_
#define TRANSPORT_RTP_PACKET_DEMUX_H_

#include <cstdint>
#include <span>
#include <string_view>

namespace comodal {

// What a datagram arriving on the flow's single port is, from its first bytes.
enum class PacketKind : uint8_t { kStun, kZrtp, kDtls, kTurnChannel, kRtp, kRtcp, kUnknown };

std::string_view ToString(PacketKind kind);

// RFC 7983 §7 first-byte ranges (STUN 0-3, ZRTP 16-19, DTLS 20-63, TURN channel 64-79,
// RTP/RTCP 128-191), then RFC 5761 §4 to tell RTCP from RTP: a second byte of 192..223 is an RTCP
// packet type (200..207 today), so RTP payload types 64..95 are never used on a muxed flow.
PacketKind ClassifyPacket(std::span<const uint8_t> datagram);

// True for payload types an RTP stream may use on a flow shared with RTCP (RFC 5761 §4).
constexpr bool IsRtcpMuxSafePayloadType(uint8_t payload_type) {
  return payload_type <= 127 && (payload_type < 64 || payload_type > 95);
}

}  // namespace comodal

#endif  // TRANSPORT_RTP_PACKET_DEMUX_H_
