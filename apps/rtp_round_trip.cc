// `comodal selfcheck`'s last line: real RTP and RTCP over loopback UDP, through the same parsers
// and demultiplexer as every datagram of a comodal flow.
#include <array>
#include <optional>
#include <string>

#include "apps/selfcheck.h"
#include "transport/net/asio_scheduler.h"
#include "transport/net/udp_socket.h"
#include "transport/rtp/rtp_rtcp_demuxer.h"
#include "transport/time/ntp_time.h"

namespace comodal::apps {
namespace {

constexpr uint8_t kVp8PayloadType = 96;
constexpr uint32_t kHubSsrc = 0x4B1B0001;
constexpr size_t kPayloadSize = 160;

}  // namespace

size_t BuildSelfcheckRtp(uint16_t sequence_number, uint16_t transport_sequence_number,
                         Timestamp now, std::span<uint8_t> out) {
  RtpPacketBuilder builder;
  builder.set_marker(true)
      .set_payload_type(kVp8PayloadType)
      .set_sequence_number(sequence_number)
      .set_timestamp(static_cast<uint32_t>(now.us() * 90 / 1000))  // 90 kHz video clock.
      .set_ssrc(kSelfcheckSsrc);
  (void)builder.SetExtension<TransportSequenceNumber>(kSelfcheckTwccId, transport_sequence_number);
  (void)builder.SetExtension<AbsoluteSendTime>(kSelfcheckAbsSendTimeId,
                                               AbsoluteSendTime::FromTimestamp(now));
  std::array<uint8_t, kPayloadSize> payload{};
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i);
  Result<size_t> size = builder.Build(payload, out);
  return size.ok() ? *size : 0;
}

rtcp::RtcpCompound BuildSelfcheckRtcp(Timestamp now) {
  rtcp::SenderReport sr;
  sr.sender_ssrc = kSelfcheckSsrc;
  sr.ntp = NtpFromTimestamp(now);
  sr.rtp_timestamp = static_cast<uint32_t>(now.us() * 90 / 1000);
  sr.packet_count = 1;
  sr.octet_count = kPayloadSize;

  rtcp::Nack nack;
  nack.sender_ssrc = kSelfcheckSsrc;
  nack.media_ssrc = kHubSsrc;
  nack.lost_sequence_numbers = {998, 999, 1003};

  // Feedback on the hub's packets 40..45 with 42 lost, as a site would send it.
  rtcp::TransportFeedback feedback({kSelfcheckSsrc, kHubSsrc}, /*feedback_packet_count=*/0, 40,
                                   now);
  for (uint16_t seq : {41, 43, 44, 45}) {
    (void)feedback.AddReceivedPacket(seq, now + TimeDelta::Millis(5 * (seq - 40)));
  }

  rtcp::RtcpCompound compound;
  compound.messages = {sr, rtcp::Sdes::WithCname(kSelfcheckSsrc, "site@comodal.selfcheck"), nack,
                       feedback};
  return compound;
}

LibraryCheck CheckRtpRoundTrip(const std::string& loopback_ip) {
  LibraryCheck check{"RTP/RTCP", "loopback UDP", false, ""};
  AsioScheduler scheduler;
  auto site = UdpSocket::Open(scheduler, {loopback_ip, 0});
  auto hub = UdpSocket::Open(scheduler, {loopback_ip, 0});
  if (!site.ok() || !hub.ok()) {
    check.detail = !site.ok() ? site.error() : hub.error();
    return check;
  }
  UdpSocket& site_socket = **site;
  UdpSocket& hub_socket = **hub;

  const Timestamp start = scheduler.Now();
  std::array<uint8_t, kMaxPacketBufferSize> rtp_bytes{};
  const size_t rtp_size = BuildSelfcheckRtp(1000, 42, start, rtp_bytes);
  const rtcp::RtcpCompound sent_rtcp = BuildSelfcheckRtcp(start);
  std::array<uint8_t, kMaxPacketBufferSize> rtcp_bytes{};
  Result<size_t> rtcp_size = rtcp::SerializeRtcp(sent_rtcp, rtcp_bytes);
  if (rtp_size == 0 || !rtcp_size.ok()) {
    check.detail = "could not build the RTP/RTCP packets";
    return check;
  }

  std::string problem;
  bool rtp_ok = false;
  bool rtcp_ok = false;
  std::optional<TimeDelta> rtt;
  RtpRtcpDemuxer hub_demuxer;
  hub_socket.StartReceiving(
      [&](std::span<const uint8_t> datagram, const SocketAddress& from, Timestamp arrival) {
        auto packet = hub_demuxer.Demux(datagram, arrival);
        if (!packet) {
          problem = "hub dropped a datagram as malformed";
          return;
        }
        if (const RtpPacket* rtp = std::get_if<RtpPacket>(&packet->parsed)) {
          rtp_ok = rtp->sequence_number() == 1000 && rtp->ssrc() == kSelfcheckSsrc &&
                   rtp->GetExtension<TransportSequenceNumber>(kSelfcheckTwccId) == 42 &&
                   rtp->payload().size() == kPayloadSize;
          if (!rtp_ok) problem = "RTP fields changed on the way";
        } else if (const auto* compound = std::get_if<rtcp::RtcpCompound>(&packet->parsed)) {
          rtcp_ok = *compound == sent_rtcp;
          if (!rtcp_ok) problem = "RTCP compound changed on the way";
          // Answer the SR with an RR from the address it came from (symmetric RTP, RFC 4961).
          const rtcp::SenderReport* sr = compound->Find<rtcp::SenderReport>();
          rtcp::ReceiverReport rr;
          rr.sender_ssrc = kHubSsrc;
          rtcp::ReportBlock block;
          block.source_ssrc = kSelfcheckSsrc;
          block.extended_highest_sequence = 1000;
          block.last_sr = sr ? sr->ntp.ToCompact() : 0;
          block.delay_since_last_sr = TimeDeltaToCompactNtp(scheduler.Now() - arrival);
          rr.report_blocks.push_back(block);
          std::array<uint8_t, 64> rr_bytes{};
          Result<size_t> rr_size = rtcp::SerializeRtcp(rr, rr_bytes);
          if (rr_size.ok()) hub_socket.SendTo(std::span(rr_bytes.data(), *rr_size), from);
        }
      });
  RtpRtcpDemuxer site_demuxer;
  site_socket.StartReceiving([&](std::span<const uint8_t> datagram, const SocketAddress&,
                                 Timestamp arrival) {
    auto packet = site_demuxer.Demux(datagram, arrival);
    const auto* compound = packet ? std::get_if<rtcp::RtcpCompound>(&packet->parsed) : nullptr;
    const rtcp::ReceiverReport* rr = compound ? compound->Find<rtcp::ReceiverReport>() : nullptr;
    if (rr == nullptr || rr->report_blocks.empty()) {
      problem = "site received something other than the hub's RR";
    } else {
      const rtcp::ReportBlock& block = rr->report_blocks[0];
      rtt = RoundTripFromCompactNtp(NtpFromTimestamp(arrival).ToCompact(), block.last_sr,
                                    block.delay_since_last_sr);
    }
    scheduler.Stop();
  });

  site_socket.SendTo(std::span(rtp_bytes.data(), rtp_size), hub_socket.local_address());
  site_socket.SendTo(std::span(rtcp_bytes.data(), *rtcp_size), hub_socket.local_address());
  scheduler.RunFor(TimeDelta::Seconds(3));

  check.ok = rtp_ok && rtcp_ok && rtt.has_value() && problem.empty();
  if (check.ok) {
    check.detail = "RTP (TWCC seq) + RTCP SR/SDES/NACK/TWCC " +
                   site_socket.local_address().ToString() + " -> " +
                   hub_socket.local_address().ToString() + " parsed intact; RR back, RTT " +
                   std::to_string(rtt->us()) + " us";
  } else if (!problem.empty()) {
    check.detail = problem;
  } else {
    check.detail = "no answer within 3 s over " + loopback_ip + " (is UDP on loopback blocked?)";
  }
  return check;
}

}  // namespace comodal::apps
