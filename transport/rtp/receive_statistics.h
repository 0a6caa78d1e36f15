#ifndef TRANSPORT_RTP_RECEIVE_STATISTICS_H_
#define TRANSPORT_RTP_RECEIVE_STATISTICS_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "transport/rtcp/report_block.h"
#include "transport/time/ntp_time.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// Reception statistics of one received RTP stream, for the report block of our next SR or RR
// (RFC 3550 §6.4.1): loss from the extended highest sequence number (Appendix A.3), interarrival
// jitter (Appendix A.8), and LSR/DLSR so that the sender can measure the round trip.
//
// Sequence numbers are validated as in RFC 3550 Appendix A.1, simplified:
// - the first packet is taken at once (no probation: the stream was announced by signalling and
//   SRTP has authenticated it, so a stray packet cannot start it);
// - a packet up to kMaxDropout ahead of the highest one is in order (a gap is loss);
// - a packet up to kMaxMisorder behind it is late (reordered, or a retransmission), and counts
//   once: a second copy is a duplicate, kept apart so that a retransmitted packet that also
//   arrived late does not hide a loss;
// - anything else is a jump: held back until the next packet confirms it (it follows the jump
//   by one), then the stream is taken to have restarted there. Loss counts carry on across the
//   restart and the extended highest sequence number keeps increasing.
//
// A pure state machine: every input carries its time.
class StreamReceiveStatistics {
 public:
  // RFC 3550 §A.1 uses MAX_DROPOUT = 3000 and MAX_MISORDER = 100. Retransmissions on a 600 ms
  // RTT link come back several hundred packets behind a video stream, so the misorder window is
  // wider here; it stays well inside the dropout so the two cases cannot be confused.
  static constexpr int kMaxDropout = 3000;
  static constexpr int kMaxMisorder = 1000;

  StreamReceiveStatistics(uint32_t ssrc, int clock_rate);

  // `packet_size` is the whole RTP packet (header and payload). A retransmission (RFC 4588,
  // after the caller has restored the original sequence number) counts as received but says
  // nothing about the network's jitter: it left the sender late.
  void OnRtpPacket(uint16_t sequence_number, uint32_t rtp_timestamp, size_t packet_size,
                   Timestamp arrival, bool retransmission = false);
  // An SR from this stream's sender: remembered as LSR (its compact NTP time) and when it came,
  // for DLSR.
  void OnSenderReport(NtpTime ntp, Timestamp arrival);

  // The report block for this stream as of `now`. Fraction lost covers the interval since the
  // previous call (RFC 3550 §A.3), so call it once per RTCP report. RFC 3550 §6.4 reports only
  // on sources heard since the last report: see received_since_last_report().
  rtcp::ReportBlock MakeReportBlock(Timestamp now);
  // True when a packet was counted since the last MakeReportBlock().
  bool received_since_last_report() const { return received_ != received_prior_; }

  // Packets and bytes counted as received: in order, late or retransmitted, each sequence
  // number once (duplicates and unconfirmed jumps are not counted).
  uint64_t packets_received() const { return received_; }
  uint64_t bytes_received() const { return bytes_; }
  uint64_t packets_duplicated() const { return duplicates_; }
  // Expected minus received since the first packet; never negative here, since duplicates are
  // not counted. The report block clamps it to 24 bits.
  int64_t cumulative_lost() const;
  // Interarrival jitter (RFC 3550 §6.4.1) as a duration; in RTP units in the report block.
  TimeDelta jitter() const;
  uint32_t ssrc() const { return ssrc_; }
  // The extended highest sequence number received (RFC 3550 §6.4.1): cycles in the high 16 bits.
  uint32_t extended_highest_sequence() const { return static_cast<uint32_t>(max_); }

 private:
  // Sequence numbers seen recently, by extended number modulo the window: tells a late packet
  // from a duplicate.
  static constexpr int64_t kWindow = 1024;
  static_assert(kWindow > kMaxMisorder);

  int64_t Expected() const { return expected_before_ + (started_ ? max_ - base_ + 1 : 0); }
  bool Seen(int64_t extended) const;
  void MarkSeen(int64_t extended);
  // Moves the highest sequence number forward to `extended`, forgetting the window slots that
  // the move reuses.
  void AdvanceTo(int64_t extended);
  void Restart(uint16_t sequence_number);
  void UpdateJitter(uint32_t rtp_timestamp, Timestamp arrival);

  const uint32_t ssrc_;
  const int clock_rate_;

  bool started_ = false;
  // Extended sequence number of the first packet of the current run; a late packet from before
  // the first one lowers it.
  int64_t base_ = 0;
  int64_t max_ = 0;               // Extended highest sequence number.
  int64_t expected_before_ = 0;   // Packets expected in runs before a restart.
  std::optional<uint16_t> jump_;  // A packet far from the rest, waiting for its successor.
  size_t jump_size_ = 0;
  std::array<uint64_t, kWindow / 64> seen_{};

  uint64_t received_ = 0;
  uint64_t bytes_ = 0;
  uint64_t duplicates_ = 0;
  int64_t expected_prior_ = 0;
  uint64_t received_prior_ = 0;

  // RFC 3550 §A.8: the jitter estimate in RTP units, and the last packet's relative transit
  // time (arrival in RTP units minus its RTP timestamp, modulo 2^32).
  double jitter_ = 0;
  std::optional<uint32_t> last_transit_;

  std::optional<uint32_t> last_sr_;  // Compact NTP.
  Timestamp last_sr_arrival_ = Timestamp::MinusInfinity();
};

}  // namespace comodal

#endif  // TRANSPORT_RTP_RECEIVE_STATISTICS_H_
