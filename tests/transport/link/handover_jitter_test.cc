#include <gtest/gtest.h>

#include <vector>

#include "transport/link/link_model.h"

namespace comodal::link {
namespace {

constexpr Timestamp kStart = Timestamp::Seconds(50);

TEST(LinkHandoverTest, HandoversStepTheDelayAndLoseABurstOnSchedule) {
  LinkDirectionConfig config;
  config.propagation_delay = TimeDelta::Millis(40);
  config.handovers =
      HandoverConfig{TimeDelta::Seconds(15), TimeDelta::Seconds(15), TimeDelta::Millis(20),
                     TimeDelta::Millis(60), TimeDelta::Millis(50)};
  LinkModel model(config, kStart, 3);
  // One packet every 10 ms for 50 s on an unconstrained link.
  std::vector<std::pair<int, SendOutcome>> outcomes;
  for (int ms = 0; ms < 50'000; ms += 10) {
    outcomes.emplace_back(ms, model.Send(LinkPacket{static_cast<uint64_t>(ms), {1, 2, 3}},
                                         kStart + TimeDelta::Millis(ms)));
  }
  EXPECT_EQ(model.stats().handovers, 3u);  // At 15, 30 and 45 s.
  for (const auto& [ms, outcome] : outcomes) {
    // 50 ms bursts from each handover: packets sent at 15.00..15.04 s etc. are lost.
    const bool in_burst = (ms >= 15'000 && ms < 15'050) || (ms >= 30'000 && ms < 30'050) ||
                          (ms >= 45'000 && ms < 45'050);
    EXPECT_EQ(outcome == SendOutcome::kLostHandover, in_burst) << ms;
  }
  EXPECT_EQ(model.stats().dropped_handover, 15u);

  // The delay is 40 ms before the first handover, then one value in [20, 60] ms per period.
  auto deliveries = model.DeliverDue(kStart + TimeDelta::Seconds(60));
  std::vector<TimeDelta> delay_by_period(4, TimeDelta::MinusInfinity());
  for (const Delivery& d : deliveries) {
    const TimeDelta delay = d.delivered - d.sent;
    const size_t period = static_cast<size_t>((d.sent - kStart).seconds_f() / 15);
    if (delay_by_period[period].IsMinusInfinity()) delay_by_period[period] = delay;
    // In order: after a shorter new delay a packet may be held back to its predecessor only
    // right at the handover; within a period the delay is constant.
    if (d.sent - kStart - TimeDelta::Seconds(15) * static_cast<int64_t>(period) >
        TimeDelta::Millis(100)) {
      EXPECT_EQ(delay, delay_by_period[period]) << (d.sent - kStart).ms();
    }
  }
  EXPECT_EQ(delay_by_period[0], TimeDelta::Millis(40));
  for (size_t period = 1; period < 4; ++period) {
    EXPECT_GE(delay_by_period[period], TimeDelta::Millis(20));
    EXPECT_LE(delay_by_period[period], TimeDelta::Millis(60));
  }
}

TEST(LinkJitterTest, JitterNeverReordersUnlessAllowed) {
  for (bool allow : {false, true}) {
    LinkDirectionConfig config;
    config.propagation_delay = TimeDelta::Millis(280);
    config.jitter = TimeDelta::Millis(40);
    config.allow_reordering = allow;
    LinkModel model(config, kStart, 9);
    for (int i = 0; i < 2000; ++i) {
      (void)model.Send(LinkPacket{static_cast<uint64_t>(i), {0}},
                       kStart + TimeDelta::Millis(5 * i));
    }
    auto deliveries = model.DeliverDue(kStart + TimeDelta::Seconds(20));
    ASSERT_EQ(deliveries.size(), 2000u);
    int out_of_order = 0;
    TimeDelta min_delay = TimeDelta::PlusInfinity();
    for (size_t i = 0; i < deliveries.size(); ++i) {
      if (i > 0) {
        EXPECT_LE(deliveries[i - 1].delivered, deliveries[i].delivered);
        out_of_order += deliveries[i].packet.id < deliveries[i - 1].packet.id;
      }
      min_delay = std::min(min_delay, deliveries[i].delivered - deliveries[i].sent);
    }
    EXPECT_GE(min_delay, TimeDelta::Millis(280));
    if (allow) {
      EXPECT_GT(out_of_order, 100);  // 40 ms of jitter on 5 ms spacing reorders often.
    } else {
      EXPECT_EQ(out_of_order, 0);
    }
  }
}

}  // namespace
}  // namespace comodal::link
