#ifndef TRANSPORT_RTP_RTP_TO_NTP_ESTIMATOR_H_
#define TRANSPORT_RTP_RTP_TO_NTP_ESTIMATOR_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "transport/time/ntp_time.h"
#include "transport/units/time_delta.h"

namespace comodal {

// Maps one stream's RTP timestamps to its sender's NTP clock, from the (NTP, RTP) pairs of the
// sender reports (RFC 3550 §6.4.1: "the same time as the NTP timestamp, but in the same units
// and with the same random offset as the RTP timestamps"). That common NTP clock is what lets
// a receiver line up the streams of one sender (lip sync, RFC 3550 §6.4.1 and §7.1).
//
// One SR gives the offset, and the nominal clock rate extrapolates from it. From two SRs at
// least kMinFitSpan apart, a least-squares line through the last kMaxReports SRs gives the rate
// as well: a sender's capture clock (a sound card, a camera) drifts from its NTP clock by tens
// of ppm, 3.6 ms per minute at 60 ppm, which would show as lip-sync drift.
//
// RTP timestamps wrap at 2^32: each SR's is placed next to where the line predicts it, so wraps
// and long gaps between SRs are both handled; Estimate() takes the timestamp nearest (within
// half the 32-bit range) the newest SR.
class RtpToNtpEstimator {
 public:
  static constexpr size_t kMaxReports = 10;
  // Below this span of SRs the slope is too noisy (an SR's RTP timestamp is rounded to a tick
  // and may be a few ms off the capture clock): the nominal rate is used.
  static constexpr TimeDelta kMinFitSpan = TimeDelta::Seconds(1);
  // An SR this far from the line (plus kMaxDriftPpm of the time since the newest SR) is
  // inconsistent with the others: the sender restarted its RTP clock or stepped its NTP clock.
  static constexpr TimeDelta kMaxPredictionError = TimeDelta::Millis(40);
  static constexpr double kMaxDriftPpm = 1000;
  // After this many inconsistent or older SRs in a row the history is dropped and the last of
  // them starts a new one: the sender's timeline really changed.
  static constexpr int kResetAfterRejected = 3;

  // `clock_rate`: the stream's RTP clock in Hz (> 0).
  explicit RtpToNtpEstimator(int clock_rate);

  // False when the SR was ignored: a duplicate, older than the newest one, or inconsistent with
  // the others (until kResetAfterRejected in a row restart the estimate from it).
  bool OnSenderReport(NtpTime ntp, uint32_t rtp_timestamp);
  // The sender's NTP time of `rtp_timestamp`; nullopt before the first SR.
  std::optional<NtpTime> Estimate(uint32_t rtp_timestamp) const;

  // RTP ticks per second of the sender's NTP clock: the fitted rate, or the nominal one.
  std::optional<double> EstimatedClockRate() const;
  size_t num_reports() const { return reports_.size(); }
  int clock_rate() const { return clock_rate_; }

 private:
  struct Report {
    NtpTime ntp;
    int64_t rtp = 0;  // Unwrapped.
  };
  // Refits the line through reports_, relative to the newest report.
  void Fit();
  // The fitted RTP position (relative to the newest report) of an NTP time relative to it.
  double RtpAt(double ntp_since_newest) const;

  const int clock_rate_;
  std::deque<Report> reports_;  // Oldest first.
  int rejected_in_a_row_ = 0;
  // ntp - newest.ntp = intercept_ + slope_ * (rtp - newest.rtp), in NTP units (2^-32 s) and
  // RTP ticks.
  double slope_ = 0;
  double intercept_ = 0;
};

}  // namespace comodal

#endif  // TRANSPORT_RTP_RTP_TO_NTP_ESTIMATOR_H_
