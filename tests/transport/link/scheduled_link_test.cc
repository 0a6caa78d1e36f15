#include "transport/link/scheduled_link.h"

#include <gtest/gtest.h>

#include <vector>

#include "transport/time/simulated_loop.h"

namespace comodal::link {
namespace {

TEST(ScheduledLinkTest, DeliversEachPacketAtItsDeliveryTime) {
  SimulatedLoop loop(Timestamp::Seconds(10));
  LinkDirectionConfig config;
  config.propagation_delay = TimeDelta::Millis(280);
  config.capacity = CapacitySchedule::Constant(DataRate::KilobitsPerSec(256));
  std::vector<std::pair<uint64_t, Timestamp>> received;
  std::vector<Timestamp> promised;
  ScheduledLink link(loop, config, 1, [&](Delivery d) {
    received.emplace_back(d.packet.id, loop.Now());
    promised.push_back(d.delivered);
  });
  // Two packets at once, one later after the queue drained.
  EXPECT_EQ(link.Send(LinkPacket{1, std::vector<uint8_t>(1000)}), SendOutcome::kQueued);
  EXPECT_EQ(link.Send(LinkPacket{2, std::vector<uint8_t>(1000)}), SendOutcome::kQueued);
  loop.PostDelayedTask(TimeDelta::Seconds(1), [&] {
    (void)link.Send(LinkPacket{3, std::vector<uint8_t>(500)});
  });
  loop.RunFor(TimeDelta::Seconds(5));

  ASSERT_EQ(received.size(), 3u);
  const Timestamp t0 = Timestamp::Seconds(10);
  // 1000 bytes at 256 kbit/s = 31.25 ms of serialisation, then 280 ms of propagation.
  EXPECT_EQ(received[0], std::make_pair(uint64_t{1}, t0 + TimeDelta::Micros(31'250 + 280'000)));
  EXPECT_EQ(received[1], std::make_pair(uint64_t{2}, t0 + TimeDelta::Micros(62'500 + 280'000)));
  EXPECT_EQ(received[2],
            std::make_pair(uint64_t{3}, t0 + TimeDelta::Micros(1'000'000 + 15'625 + 280'000)));
  for (size_t i = 0; i < received.size(); ++i) EXPECT_EQ(received[i].second, promised[i]);
  EXPECT_EQ(link.stats().packets_out, 3u);
}

TEST(ScheduledLinkTest, DestroyedLinkLeavesNoWakeupBehind) {
  SimulatedLoop loop;
  int delivered = 0;
  {
    LinkDirectionConfig config;
    config.propagation_delay = TimeDelta::Millis(300);
    ScheduledLink link(loop, config, 1, [&](Delivery) { ++delivered; });
    (void)link.Send(LinkPacket{1, std::vector<uint8_t>(100)});
  }
  loop.RunFor(TimeDelta::Seconds(1));  // The cancelled wake-up must not touch the dead link.
  EXPECT_EQ(delivered, 0);
}

}  // namespace
}  // namespace comodal::link
