#include "session/activity/version_vector.h"

#include <gtest/gtest.h>

namespace comodal::session {
namespace {

// An operation that overtook an earlier one is held beyond the gap; the gap's filling moves the
// contiguous counter past both.
TEST(VersionVectorTest, OperationsBeyondAGapAreHeldUntilItFills) {
  VersionVector v;
  EXPECT_TRUE(v.Add({2, 1}));
  EXPECT_TRUE(v.Add({2, 3}));
  EXPECT_TRUE(v.Add({2, 4}));
  EXPECT_EQ(v.Contiguous(2), 1u);
  EXPECT_TRUE(v.Contains({2, 3}));
  EXPECT_FALSE(v.Contains({2, 2}));
  EXPECT_FALSE(v.Add({2, 3}));  // Held already.
  EXPECT_TRUE(v.Add({2, 2}));
  EXPECT_EQ(v.Contiguous(2), 4u);
  EXPECT_FALSE(v.Add({2, 0}));  // Counters start at 1.
  EXPECT_EQ(v.Contiguous(7), 0u);
  EXPECT_FALSE(v.Contains({7, 1}));
}

}  // namespace
}  // namespace comodal::session
