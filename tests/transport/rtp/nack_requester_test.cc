#include "transport/rtp/nack_requester.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace comodal {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr Timestamp kT0 = Timestamp::Seconds(100);

Timestamp At(int ms) { return kT0 + TimeDelta::Millis(ms); }

// Drives the requester from its own timer until nothing is pending; returns when each request
// for `seq` went out (in ms after kT0).
std::vector<int> RequestTimes(NackRequester& nack, uint16_t seq) {
  std::vector<int> times;
  for (Timestamp next = nack.NextRequestTime(); next.IsFinite(); next = nack.NextRequestTime()) {
    for (uint16_t s : nack.TakeRequests(next)) {
      if (s == seq) times.push_back(static_cast<int>((next - kT0).ms()));
    }
  }
  return times;
}

TEST(NackRequesterTest, GapIsRequestedAfterTheReorderGrace) {
  NackRequester nack;
  EXPECT_TRUE(nack.NextRequestTime().IsPlusInfinity());
  nack.OnPacket(1, At(0));
  nack.OnPacket(2, At(20));
  nack.OnPacket(4, At(40));
  EXPECT_EQ(nack.missing_count(), 1u);
  EXPECT_EQ(nack.NextRequestTime(), At(50));
  EXPECT_THAT(nack.TakeRequests(At(49)), IsEmpty());
  EXPECT_THAT(nack.TakeRequests(At(50)), ElementsAre(3));
  EXPECT_EQ(nack.stats().requested, 1u);
  // Until SetRtt, retries wait the initial (GEO) round trip plus the margin.
  EXPECT_EQ(nack.NextRequestTime(), At(50 + 600 + 20));
  EXPECT_THAT(nack.TakeRequests(At(669)), IsEmpty());
}

TEST(NackRequesterTest, PacketOvertakenWithinTheGraceIsNeverRequested) {
  NackRequester nack;
  nack.OnPacket(1, At(0));
  nack.OnPacket(3, At(20));
  nack.OnPacket(2, At(25));
  EXPECT_THAT(nack.TakeRequests(At(30)), IsEmpty());
  EXPECT_TRUE(nack.NextRequestTime().IsPlusInfinity());
  EXPECT_EQ(nack.stats().requested, 0u);
  EXPECT_EQ(nack.stats().recovered, 0u);  // Nothing was asked for.
  EXPECT_EQ(nack.stats().given_up, 0u);
}

TEST(NackRequesterTest, RetriesEveryRttPlusMarginUntilMaxRetries) {
  NackRequester nack({.max_retries = 3, .max_packet_age = TimeDelta::Seconds(10)});
  nack.SetRtt(TimeDelta::Millis(600));
  nack.OnPacket(10, At(0));
  nack.OnPacket(12, At(0));
  EXPECT_THAT(RequestTimes(nack, 11), ElementsAre(10, 630, 1250));
  // One more RTT for the last answer, then given up.
  EXPECT_EQ(nack.stats().requested, 3u);
  EXPECT_EQ(nack.stats().given_up, 1u);
  EXPECT_EQ(nack.missing_count(), 0u);
}

TEST(NackRequesterTest, GivenUpPastMaxPacketAge) {
  NackRequester nack;  // 10 retries, 3 s.
  nack.SetRtt(TimeDelta::Millis(600));
  nack.OnPacket(10, At(0));
  nack.OnPacket(12, At(0));
  // The sixth request would be at 3110 ms: older than 3 s by then.
  EXPECT_THAT(RequestTimes(nack, 11), ElementsAre(10, 630, 1250, 1870, 2490));
  EXPECT_EQ(nack.stats().given_up, 1u);
}

TEST(NackRequesterTest, ArrivalRemovesAndCountsOnlyRequestedAsRecovered) {
  NackRequester nack;
  nack.SetRtt(TimeDelta::Millis(600));
  nack.OnPacket(1, At(0));
  nack.OnPacket(5, At(0));
  EXPECT_THAT(nack.TakeRequests(At(10)), ElementsAre(2, 3, 4));
  nack.OnPacket(3, At(615), /*retransmission=*/true);
  nack.OnPacket(3, At(616), /*retransmission=*/true);  // A duplicate changes nothing.
  EXPECT_EQ(nack.stats().recovered, 1u);
  EXPECT_THAT(nack.TakeRequests(At(630)), ElementsAre(2, 4));

  // 7 is overtaken by 8 but arrives before anyone asked for it.
  nack.OnPacket(6, At(700));
  nack.OnPacket(8, At(720));
  nack.OnPacket(7, At(725));
  EXPECT_EQ(nack.stats().recovered, 1u);
  EXPECT_EQ(nack.missing_count(), 2u);
}

TEST(NackRequesterTest, ListIsBoundedOldestFirst) {
  NackRequester nack({.max_list_size = 5});
  nack.OnPacket(0, At(0));
  nack.OnPacket(9, At(0));  // 1..8 missing: only the newest 5 are kept.
  EXPECT_EQ(nack.missing_count(), 5u);
  EXPECT_EQ(nack.stats().given_up, 3u);
  nack.OnPacket(12, At(5));  // 10, 11 push out 4 and 5.
  EXPECT_EQ(nack.stats().given_up, 5u);
  EXPECT_THAT(nack.TakeRequests(At(15)), ElementsAre(6, 7, 8, 10, 11));
}

TEST(NackRequesterTest, SequenceNumbersWrap) {
  NackRequester nack;
  nack.SetRtt(TimeDelta::Millis(100));
  nack.OnPacket(65533, At(0));
  nack.OnPacket(1, At(20));
  EXPECT_THAT(nack.TakeRequests(At(30)), ElementsAre(65534, 65535, 0));
  nack.OnPacket(65535, At(130), /*retransmission=*/true);
  nack.ClearUpTo(0);  // Forgets 65534, keeps 0.
  EXPECT_EQ(nack.stats().cleared, 1u);
  EXPECT_EQ(nack.NextRequestTime(), At(30 + 120));
  EXPECT_THAT(nack.TakeRequests(At(150)), ElementsAre(0));
}

TEST(NackRequesterTest, ClearUpToForgetsOlderLosses) {
  NackRequester nack;
  nack.OnPacket(9, At(0));
  nack.OnPacket(20, At(0));  // 10..19 missing.
  EXPECT_THAT(nack.TakeRequests(At(10)), ElementsAre(10, 11, 12, 13, 14, 15, 16, 17, 18, 19));
  nack.ClearUpTo(15);  // A keyframe starts at 15.
  EXPECT_EQ(nack.missing_count(), 5u);
  EXPECT_EQ(nack.stats().cleared, 5u);
  EXPECT_EQ(nack.stats().given_up, 0u);
  EXPECT_THAT(nack.TakeRequests(At(630)), ElementsAre(15, 16, 17, 18, 19));
}

TEST(NackRequesterTest, SequenceRestartIsNotALoss) {
  NackRequester nack;
  nack.OnPacket(100, At(0));
  nack.OnPacket(105, At(20));  // 101..104 missing.
  nack.OnPacket(20000, At(40));
  EXPECT_EQ(nack.missing_count(), 0u);
  EXPECT_EQ(nack.stats().given_up, 4u);
  nack.OnPacket(20002, At(60));
  EXPECT_THAT(nack.TakeRequests(At(70)), ElementsAre(20001));
  // A restart backwards too.
  nack.OnPacket(7, At(80));
  EXPECT_EQ(nack.missing_count(), 0u);
  nack.OnPacket(9, At(100));
  EXPECT_THAT(nack.TakeRequests(At(110)), ElementsAre(8));
}

TEST(NackRequesterTest, RetransmissionBeyondTheNewestOpensNoGap) {
  NackRequester nack;
  nack.OnPacket(50, At(0));
  nack.OnPacket(53, At(10), /*retransmission=*/true);
  EXPECT_EQ(nack.missing_count(), 0u);
  nack.OnPacket(51, At(20));
  nack.OnPacket(52, At(40));
  EXPECT_TRUE(nack.NextRequestTime().IsPlusInfinity());
}

TEST(NackRequesterTest, NewRttReschedulesRequestedPackets) {
  NackRequester nack;
  nack.OnPacket(1, At(0));
  nack.OnPacket(4, At(0));
  EXPECT_THAT(nack.TakeRequests(At(10)), ElementsAre(2, 3));
  EXPECT_EQ(nack.NextRequestTime(), At(630));
  // The first RTCP round trip shows a LEO link: retry 40 + 20 ms after the first request.
  nack.SetRtt(TimeDelta::Millis(40));
  EXPECT_EQ(nack.NextRequestTime(), At(70));
  nack.OnPacket(5, At(50));
  nack.OnPacket(7, At(50));  // 6 is new: due after the grace, not rescheduled.
  EXPECT_EQ(nack.NextRequestTime(), At(60));
  EXPECT_THAT(nack.TakeRequests(At(60)), ElementsAre(6));
  EXPECT_THAT(nack.TakeRequests(At(70)), ElementsAre(2, 3));
}

}  // namespace
}  // namespace comodal
