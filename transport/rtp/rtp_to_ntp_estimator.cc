#include "transport/rtp/rtp_to_ntp_estimator.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "transport/rtp/sequence_number.h"

namespace comodal {
namespace {

constexpr double kNtpUnitsPerSecond = static_cast<double>(NtpTime::kFractionsPerSecond);

// Signed a - b in NTP units; modular, so the 2036 era wrap is harmless.
int64_t NtpDiff(NtpTime a, NtpTime b) { return static_cast<int64_t>(a.value() - b.value()); }

}  // namespace

RtpToNtpEstimator::RtpToNtpEstimator(int clock_rate) : clock_rate_(std::max(clock_rate, 1)) {}

void RtpToNtpEstimator::Fit() {
  const Report& newest = reports_.back();
  double mean_x = 0;
  double mean_y = 0;
  int64_t min_x = std::numeric_limits<int64_t>::max();
  int64_t max_x = std::numeric_limits<int64_t>::min();
  for (const Report& r : reports_) {
    const int64_t x = r.rtp - newest.rtp;
    min_x = std::min(min_x, x);
    max_x = std::max(max_x, x);
    mean_x += static_cast<double>(x);
    mean_y += static_cast<double>(NtpDiff(r.ntp, newest.ntp));
  }
  const double n = static_cast<double>(reports_.size());
  mean_x /= n;
  mean_y /= n;
  slope_ = kNtpUnitsPerSecond / clock_rate_;
  if (static_cast<double>(max_x - min_x) >= kMinFitSpan.seconds_f() * clock_rate_) {
    double sxx = 0;
    double sxy = 0;
    for (const Report& r : reports_) {
      const double dx = static_cast<double>(r.rtp - newest.rtp) - mean_x;
      const double dy = static_cast<double>(NtpDiff(r.ntp, newest.ntp)) - mean_y;
      sxx += dx * dx;
      sxy += dx * dy;
    }
    slope_ = sxy / sxx;
  }
  intercept_ = mean_y - slope_ * mean_x;
}

double RtpToNtpEstimator::RtpAt(double ntp_since_newest) const {
  return (ntp_since_newest - intercept_) / slope_;
}

bool RtpToNtpEstimator::OnSenderReport(NtpTime ntp, uint32_t rtp_timestamp) {
  if (reports_.empty()) {
    reports_.push_back({ntp, rtp_timestamp});
    Fit();
    return true;
  }
  const Report& newest = reports_.back();
  const int64_t since = NtpDiff(ntp, newest.ntp);
  // RTCP may be duplicated by the network (or an SR resent unchanged): not a rejection.
  if (since == 0 && rtp_timestamp == static_cast<uint32_t>(newest.rtp)) return false;
  if (since > 0) {
    // Unwrap next to where the line puts this NTP time, so that any number of wraps between two
    // SRs (an outage of hours) is counted.
    const double predicted = RtpAt(static_cast<double>(since));
    const int64_t predicted_at = newest.rtp + std::llround(predicted);
    const int64_t unwrapped =
        predicted_at + SeqNumDiff<uint32_t>(rtp_timestamp, static_cast<uint32_t>(predicted_at));
    const double error = std::abs(static_cast<double>(unwrapped - newest.rtp) - predicted);
    const double since_seconds = static_cast<double>(since) / kNtpUnitsPerSecond;
    const double tolerance =
        (kMaxPredictionError.seconds_f() + kMaxDriftPpm * 1e-6 * since_seconds) * clock_rate_;
    if (error <= tolerance) {
      rejected_in_a_row_ = 0;
      reports_.push_back({ntp, unwrapped});
      if (reports_.size() > kMaxReports) reports_.pop_front();
      Fit();
      return true;
    }
  }
  // Older, or off the line. One such SR is a reordered or bogus packet; several in a row mean
  // the sender's timeline changed, and the old line would map every frame wrongly from now on.
  if (++rejected_in_a_row_ < kResetAfterRejected) return false;
  rejected_in_a_row_ = 0;
  reports_.clear();
  reports_.push_back({ntp, rtp_timestamp});
  Fit();
  return true;
}

std::optional<NtpTime> RtpToNtpEstimator::Estimate(uint32_t rtp_timestamp) const {
  if (reports_.empty()) return std::nullopt;
  const Report& newest = reports_.back();
  const int64_t x = SeqNumDiff<uint32_t>(rtp_timestamp, static_cast<uint32_t>(newest.rtp));
  const int64_t y = std::llround(intercept_ + slope_ * static_cast<double>(x));
  return NtpTime(newest.ntp.value() + static_cast<uint64_t>(y));
}

std::optional<double> RtpToNtpEstimator::EstimatedClockRate() const {
  if (reports_.empty()) return std::nullopt;
  return kNtpUnitsPerSecond / slope_;
}

}  // namespace comodal
