// Simulated-time speed of the link emulator: one hour of the built-in geo-vsat profile's downlink
// (1 Mbit/s, 300 ms + up to 5 ms jitter one way, 1 s modem buffer, 0.5 % loss) carrying
// 1 Mbit/s of 1200-byte packets. The wall time of one iteration is the time to simulate that
// hour (target: under 10 s).
#include <benchmark/benchmark.h>

#include "apps/link_profile.h"
#include "transport/link/scheduled_link.h"
#include "transport/time/simulated_loop.h"

namespace comodal::link {
namespace {

void BM_SimulatedGeoLinkHourAt1Mbps(benchmark::State& state) {
  uint64_t delivered = 0;
  uint64_t sent = 0;
  for (auto _ : state) {
    SimulatedLoop loop(Timestamp::Seconds(1));
    auto profile = apps::LoadLinkProfile("geo-vsat");
    if (!profile.ok()) {
      state.SkipWithError(profile.error().c_str());
      return;
    }
    ScheduledLink link(loop, profile->downlink, 1, [&](Delivery) { ++delivered; });
    const TimeDelta interval = DataSize::Bytes(1200) / DataRate::MegabitsPerSec(1);
    uint64_t id = 0;
    loop.StartRepeating(TimeDelta::Zero(), [&] {
      (void)link.Send(LinkPacket{id++, std::vector<uint8_t>(1200)});
      ++sent;
      return interval;
    });
    loop.RunFor(TimeDelta::Seconds(3600));
  }
  state.counters["packets_sent"] = static_cast<double>(sent) / state.iterations();
  state.counters["packets_delivered"] = static_cast<double>(delivered) / state.iterations();
  state.SetItemsProcessed(static_cast<int64_t>(sent));
}
BENCHMARK(BM_SimulatedGeoLinkHourAt1Mbps)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace comodal::link
