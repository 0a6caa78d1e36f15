#include "transport/base/drop_counter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace comodal {
namespace {

using ::testing::HasSubstr;

TEST(DropCounterTest, CountsByCodeAndRateLimitsSummaries) {
  DropCounter counter("RTP packets", TimeDelta::Seconds(10));
  const Error truncated{ErrorCode::kTruncated, "short"};
  const Error padding{ErrorCode::kBadPadding, "pad"};
  Timestamp t = Timestamp::Seconds(100);

  auto first = counter.Count(truncated, t);
  ASSERT_TRUE(first.has_value());  // The first drop is reported at once.
  EXPECT_THAT(*first, HasSubstr("dropped 1 malformed RTP packets"));

  // A flood within the interval produces no further lines...
  for (int i = 0; i < 1000; ++i) {
    EXPECT_FALSE(counter.Count(i % 2 ? truncated : padding, t + TimeDelta::Millis(i)).has_value());
  }
  // ...and one summary of all of it once the interval has passed.
  auto summary = counter.Count(padding, t + TimeDelta::Seconds(10));
  ASSERT_TRUE(summary.has_value());
  EXPECT_THAT(*summary, HasSubstr("dropped 1001 malformed RTP packets in the last 10 s"));
  EXPECT_THAT(*summary, HasSubstr("truncated: 500"));
  EXPECT_THAT(*summary, HasSubstr("bad_padding: 501"));
  EXPECT_EQ(counter.total(), 1002u);
  EXPECT_EQ(counter.count(ErrorCode::kTruncated), 501u);
  EXPECT_EQ(counter.count(ErrorCode::kBadPadding), 501u);
  EXPECT_EQ(counter.count(ErrorCode::kMalformed), 0u);
}

}  // namespace
}  // namespace comodal
