#include "transport/rtp/rtp_rtcp_demuxer.h"

#include "transport/base/logging.h"

namespace comodal {

RtpRtcpDemuxer::RtpRtcpDemuxer() = default;

void RtpRtcpDemuxer::Drop(DropCounter& counter, const Error& error, Timestamp now) {
  if (auto summary = counter.Count(error, now)) GetLogger("transport.demux")->warn("{}", *summary);
}

std::optional<DemuxedPacket> RtpRtcpDemuxer::Demux(std::span<const uint8_t> datagram,
                                                   Timestamp now) {
  const PacketKind kind = ClassifyPacket(datagram);
  switch (kind) {
    case PacketKind::kRtp: {
      Result<RtpPacket> packet = RtpPacket::Parse(datagram);
      if (!packet.ok()) {
        Drop(rtp_drops_, packet.error(), now);
        return std::nullopt;
      }
      return DemuxedPacket{kind, *packet, datagram};
    }
    case PacketKind::kRtcp: {
      Result<rtcp::RtcpCompound> compound = rtcp::RtcpCompound::Parse(datagram);
      if (!compound.ok()) {
        Drop(rtcp_drops_, compound.error(), now);
        return std::nullopt;
      }
      return DemuxedPacket{kind, std::move(compound).value(), datagram};
    }
    case PacketKind::kUnknown:
      Drop(unknown_drops_,
           Error{ErrorCode::kUnsupported, "first byte is not STUN, ZRTP, DTLS, TURN, RTP or RTCP"},
           now);
      return std::nullopt;
    default:
      return DemuxedPacket{kind, std::monostate{}, datagram};
  }
}

}  // namespace comodal
