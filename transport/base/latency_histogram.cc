#include "transport/base/latency_histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace comodal {

LatencyHistogram::LatencyHistogram() : buckets_(kBuckets, 0) {}

// Values below 2^kMantissaBits are their own bucket; above, a bucket is the position of the
// highest set bit (the magnitude) and the kMantissaBits bits below it.
size_t LatencyHistogram::BucketOf(uint64_t us) {
  if (us < (1u << kMantissaBits)) return us;
  const int magnitude = 63 - std::countl_zero(us);  // >= kMantissaBits
  const int shift = magnitude - kMantissaBits;
  const uint64_t mantissa = (us >> shift) & ((1u << kMantissaBits) - 1);
  return (static_cast<size_t>(shift + 1) << kMantissaBits) + mantissa;
}

uint64_t LatencyHistogram::BucketUpperBound(size_t bucket) {
  if (bucket < (1u << kMantissaBits)) return bucket;
  const int shift = static_cast<int>(bucket >> kMantissaBits) - 1;
  const uint64_t mantissa = bucket & ((1u << kMantissaBits) - 1);
  const uint64_t low = ((uint64_t{1} << kMantissaBits) | mantissa) << shift;
  return low + ((uint64_t{1} << shift) - 1);
}

void LatencyHistogram::Add(TimeDelta value) {
  if (value < TimeDelta::Zero()) value = TimeDelta::Zero();
  const uint64_t us = value.IsFinite() ? static_cast<uint64_t>(value.us()) : UINT64_MAX >> 1;
  ++buckets_[BucketOf(us)];
  ++count_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

TimeDelta LatencyHistogram::Percentile(double fraction) const {
  if (count_ == 0) return TimeDelta::Zero();
  fraction = std::clamp(fraction, 0.0, 1.0);
  const uint64_t rank = std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil(fraction * static_cast<double>(count_))));
  uint64_t seen = 0;
  for (size_t bucket = 0; bucket < buckets_.size(); ++bucket) {
    seen += buckets_[bucket];
    if (seen >= rank) {
      const TimeDelta upper = TimeDelta::Micros(static_cast<int64_t>(BucketUpperBound(bucket)));
      return std::clamp(upper, min_, max_);
    }
  }
  return max_;
}

}  // namespace comodal
