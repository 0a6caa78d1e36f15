#include "transport/base/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "transport/link/random.h"

namespace comodal {
namespace {

TEST(LatencyHistogramTest, PercentilesMatchSortedSamplesWithinBucketWidth) {
  link::Random random(5);
  LatencyHistogram histogram;
  std::vector<int64_t> samples;
  for (int i = 0; i < 100'000; ++i) {
    // Spread over five decades: 10 µs to 1 s.
    const int64_t us = static_cast<int64_t>(10 * std::pow(10.0, 5 * random.Uniform()));
    samples.push_back(us);
    histogram.Add(TimeDelta::Micros(us));
  }
  std::sort(samples.begin(), samples.end());
  for (double fraction : {0.01, 0.5, 0.95, 0.99, 0.999}) {
    const int64_t exact = samples[static_cast<size_t>(fraction * samples.size()) - 1];
    const int64_t got = histogram.Percentile(fraction).us();
    EXPECT_GE(got, exact) << fraction;
    EXPECT_LE(got, exact + exact / 256 + 1) << fraction;
  }
  EXPECT_EQ(histogram.min().us(), samples.front());
  EXPECT_EQ(histogram.max().us(), samples.back());
  EXPECT_EQ(histogram.Percentile(1.0).us(), samples.back());
  EXPECT_EQ(histogram.count(), 100'000u);
}

TEST(LatencyHistogramTest, SmallValuesAreExactAndEmptyIsZero) {
  LatencyHistogram histogram;
  EXPECT_EQ(histogram.Percentile(0.5), TimeDelta::Zero());
  for (int us : {3, 3, 7, 200}) histogram.Add(TimeDelta::Micros(us));
  histogram.Add(TimeDelta::Micros(-5));  // Clamped to zero.
  EXPECT_EQ(histogram.Percentile(0.2), TimeDelta::Zero());
  EXPECT_EQ(histogram.Percentile(0.5), TimeDelta::Micros(3));
  EXPECT_EQ(histogram.Percentile(0.8), TimeDelta::Micros(7));
  EXPECT_EQ(histogram.Percentile(0.95), TimeDelta::Micros(200));
}

}  // namespace
}  // namespace comodal
