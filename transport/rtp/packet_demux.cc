#include "transport/rtp/packet_demux.h"

namespace comodal {

std::string_view ToString(PacketKind kind) {
  switch (kind) {
    case PacketKind::kStun:
      return "stun";
    case PacketKind::kZrtp:
      return "zrtp";
    case PacketKind::kDtls:
      return "dtls";
    case PacketKind::kTurnChannel:
      return "turn_channel";
    case PacketKind::kRtp:
      return "rtp";
    case PacketKind::kRtcp:
      return "rtcp";
    case PacketKind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

PacketKind ClassifyPacket(std::span<const uint8_t> datagram) {
  if (datagram.empty()) return PacketKind::kUnknown;
  const uint8_t first = datagram[0];
  if (first <= 3) return PacketKind::kStun;
  if (first >= 16 && first <= 19) return PacketKind::kZrtp;
  if (first >= 20 && first <= 63) return PacketKind::kDtls;
  if (first >= 64 && first <= 79) return PacketKind::kTurnChannel;
  if (first >= 128 && first <= 191) {
    if (datagram.size() < 2) return PacketKind::kUnknown;
    const uint8_t second = datagram[1];
    return (second >= 192 && second <= 223) ? PacketKind::kRtcp : PacketKind::kRtp;
  }
  return PacketKind::kUnknown;
}

}  // namespace comodal
