#ifndef TRANSPORT_RTP_RTP_RTCP_DEMUXER_H_
#define TRANSPORT_RTP_RTP_RTCP_DEMUXER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>

#include "transport/base/drop_counter.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtp/packet_demux.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/units/timestamp.h"

namespace comodal {

// A datagram after demultiplexing: a parsed RTP packet (a view over the datagram), a parsed RTCP
// compound, or the raw bytes of a DTLS/STUN/ZRTP/TURN message for their own handlers.
struct DemuxedPacket {
  PacketKind kind;
  std::variant<std::monostate, RtpPacket, rtcp::RtcpCompound> parsed;
  std::span<const uint8_t> raw;
};

// The entry point of every datagram on a flow's 5-tuple (RFC 7983, RFC 5761): classifies it,
// parses RTP and RTCP, and drops malformed or unclassifiable datagrams, counting them per kind
// and logging a rate-limited summary (component "transport.demux").
class RtpRtcpDemuxer {
 public:
  RtpRtcpDemuxer();

  // nullopt when the datagram was dropped (and counted).
  std::optional<DemuxedPacket> Demux(std::span<const uint8_t> datagram, Timestamp now);

  const DropCounter& rtp_drops() const { return rtp_drops_; }
  const DropCounter& rtcp_drops() const { return rtcp_drops_; }
  const DropCounter& unknown_drops() const { return unknown_drops_; }
  uint64_t total_drops() const {
    return rtp_drops_.total() + rtcp_drops_.total() + unknown_drops_.total();
  }

 private:
  void Drop(DropCounter& counter, const Error& error, Timestamp now);

  DropCounter rtp_drops_{"RTP packets"};
  DropCounter rtcp_drops_{"RTCP packets"};
  DropCounter unknown_drops_{"datagrams of unknown kind"};
};

}  // namespace comodal

#endif  // TRANSPORT_RTP_RTP_RTCP_DEMUXER_H_
