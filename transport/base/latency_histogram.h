#ifndef TRANSPORT_BASE_LATENCY_HISTOGRAM_H_
#define TRANSPORT_BASE_LATENCY_HISTOGRAM_H_

#include <cstdint>
#include <vector>

#include "transport/units/time_delta.h"

namespace comodal {

// Percentiles of durations in constant memory, however long a run lasts (a relay carrying
// 20 000 packets/s for hours cannot keep one value per packet). Durations below 256 µs are
// counted exactly; above, buckets are 1/256 of their magnitude wide (the relative error of a
// percentile is below 0.4 %). Minimum and maximum are exact. Negative durations count as zero.
class LatencyHistogram {
 public:
  LatencyHistogram();

  void Add(TimeDelta value);
  uint64_t count() const { return count_; }
  // +inf / -inf when empty.
  TimeDelta min() const { return min_; }
  TimeDelta max() const { return max_; }
  // The smallest bucket value at or below which `fraction` (0..1) of the samples lie, clamped
  // to [min, max]; zero when empty.
  TimeDelta Percentile(double fraction) const;

 private:
  static constexpr int kMantissaBits = 8;
  static constexpr size_t kBuckets = (64 - kMantissaBits + 1) << kMantissaBits;
  static size_t BucketOf(uint64_t us);
  static uint64_t BucketUpperBound(size_t bucket);

  std::vector<uint64_t> buckets_;
  uint64_t count_ = 0;
  TimeDelta min_ = TimeDelta::PlusInfinity();
  TimeDelta max_ = TimeDelta::MinusInfinity();
};

}  // namespace comodal

#endif  // TRANSPORT_BASE_LATENCY_HISTOGRAM_H_
