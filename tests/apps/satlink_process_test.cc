// `comodal satlink` as a real process between two UDP endpoints on loopback: what a sender
// behind it sees must match the profile it was started with.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/support/real_time.h"
#include "tests/support/subprocess.h"
#include "transport/net/udp_socket.h"

namespace comodal {
namespace {

using namespace std::chrono_literals;

TimeDelta Percentile(std::vector<TimeDelta> values, double fraction) {
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(fraction * values.size()))];
}

// geo-vsat: 300 ms + [0, 5] ms jitter each way, 256 kbit/s up, 1 Mbit/s down, 1 s buffers,
// 0.5 % loss. The site first sends 200-byte probes every 20 ms (well under capacity: their delay
// is propagation + serialisation + jitter), then 1000-byte packets at twice the uplink capacity
// for 1.5 s (the uplink saturates: what reaches the hub is the capacity). The hub echoes every
// packet back through the downlink.
TEST(SatlinkRealTimeTest, DelayAndRateMatchTheGeoVsatProfileOnLoopback) {
  AsioScheduler scheduler;
  auto site = UdpSocket::Open(scheduler, {"127.0.0.1", 0});
  auto hub = UdpSocket::Open(scheduler, {"127.0.0.1", 0});
  ASSERT_TRUE(site.ok() && hub.ok());
  const std::string stats_path = testing::TestTempDir() + "/satlink_process_stats.json";
  std::remove(stats_path.c_str());
  auto child = testing::ChildProcess::Start(
      {COMODAL_BINARY, "satlink", "--profile", "geo-vsat", "--listen", "127.0.0.1:0", "--forward",
       (*hub)->local_address().ToString(), "--seed", "7", "--stats-json", stats_path});
  ASSERT_TRUE(child.has_value());
  // The relay says where it listens once its sockets are bound.
  auto ready = child->ReadLine(10s);
  ASSERT_TRUE(ready.has_value()) << child->output();
  std::smatch match;
  ASSERT_TRUE(std::regex_search(*ready, match, std::regex("listening on 127\\.0\\.0\\.1:(\\d+)")))
      << *ready;
  const SocketAddress relay{"127.0.0.1", static_cast<uint16_t>(std::stoi(match[1]))};

  struct Probe {
    Timestamp sent = Timestamp::MinusInfinity();
    Timestamp at_hub = Timestamp::MinusInfinity();
    Timestamp back = Timestamp::MinusInfinity();
    size_t size = 0;
  };
  std::map<uint32_t, Probe> probes;
  auto send = [&](uint32_t id, size_t size) {
    std::vector<uint8_t> packet(size, 0);
    for (int i = 0; i < 4; ++i) packet[i] = static_cast<uint8_t>(id >> (24 - 8 * i));
    probes[id] =
        Probe{scheduler.Now(), Timestamp::MinusInfinity(), Timestamp::MinusInfinity(), size};
    (*site)->SendTo(packet, relay);
  };
  auto id_of = [](std::span<const uint8_t> d) {
    return (uint32_t{d[0]} << 24) | (uint32_t{d[1]} << 16) | (uint32_t{d[2]} << 8) | d[3];
  };
  (*hub)->StartReceiving([&](std::span<const uint8_t> d, const SocketAddress& from, Timestamp at) {
    if (d.size() < 4 || !probes.contains(id_of(d))) return;
    probes[id_of(d)].at_hub = at;
    (*hub)->SendTo(d, from);  // Echo through the downlink.
  });
  (*site)->StartReceiving([&](std::span<const uint8_t> d, const SocketAddress&, Timestamp at) {
    if (d.size() >= 4 && probes.contains(id_of(d))) probes[id_of(d)].back = at;
  });

  constexpr uint32_t kProbes = 75;  // 1.5 s of 200-byte probes every 20 ms.
  constexpr uint32_t kBulk = 96;    // 1.5 s of 1000-byte packets at 512 kbit/s.
  Timestamp last_sent = Timestamp::PlusInfinity();
  for (uint32_t i = 0; i < kProbes; ++i) {
    scheduler.PostDelayedTask(TimeDelta::Millis(20 * i), [&, i] { send(i, 200); });
  }
  for (uint32_t i = 0; i < kBulk; ++i) {
    scheduler.PostDelayedTask(TimeDelta::Millis(1600) + TimeDelta::Micros(15'625 * i), [&, i] {
      send(1000 + i, 1000);
      if (i == kBulk - 1) last_sent = scheduler.Now();
    });
  }
  // Nothing stays in the relay longer than a full 1 s uplink buffer, then 300 + 5 ms each way
  // and the serialisation of 1000 bytes up and down. Once that, and a second for the processes'
  // scheduling, has passed after the last send, everything the relay will forward has been
  // forwarded. Counted from the last send as it happened: on a loaded machine this loop may send
  // later than planned, which a fixed window from the start would cut short.
  const TimeDelta kLongestStay = TimeDelta::Millis(1000 + 2 * 305 + 31 + 8);
  testing::RunUntil(
      scheduler,
      [&] { return scheduler.Now() >= last_sent + kLongestStay + TimeDelta::Seconds(1); },
      TimeDelta::Seconds(30));
  ASSERT_TRUE(last_sent.IsFinite()) << "the last packet was not sent within 30 s";

  // SIGTERM ends it and it writes the stats: what it forwarded each way.
  child->Signal(SIGTERM);
  ASSERT_EQ(child->Wait(10s), 0) << child->output();
  EXPECT_THAT(child->output(), ::testing::HasSubstr("stopped (SIGTERM)"));
  std::ifstream file(stats_path);
  ASSERT_TRUE(file.good());
  const auto stats = nlohmann::json::parse(file);
  const auto& up = stats["uplink"];
  const auto& down = stats["downlink"];
  // Whatever it forwarded and this loop has not read yet (a loaded machine) is still in the
  // sockets: read it all before counting.
  auto count = [&](Timestamp Probe::*at) {
    return static_cast<int>(std::count_if(probes.begin(), probes.end(), [&](const auto& entry) {
      return (entry.second.*at).IsFinite();
    }));
  };
  EXPECT_TRUE(testing::RunUntil(
      scheduler,
      [&] {
        return count(&Probe::at_hub) >= up["packets_out"].get<int>() &&
               count(&Probe::back) >= down["packets_out"].get<int>();
      },
      TimeDelta::Seconds(10)));

  // One-way delay: 300 ms + 6.25 ms serialisation of 200 bytes at 256 kbit/s + [0, 5] ms jitter.
  std::vector<TimeDelta> excess_up, excess_round_trip;
  for (uint32_t i = 0; i < kProbes; ++i) {
    const Probe& p = probes[i];
    if (p.at_hub.IsFinite()) excess_up.push_back(p.at_hub - p.sent - TimeDelta::Micros(306'250));
    // Back: + 300 ms + 1.6 ms at 1 Mbit/s + [0, 5] ms.
    if (p.back.IsFinite()) {
      excess_round_trip.push_back(p.back - p.sent - TimeDelta::Micros(607'850));
    }
  }
  ASSERT_GE(excess_up.size(), 70u);  // 0.5 % loss.
  ASSERT_GE(excess_round_trip.size(), 70u);
  // Never early. Late (p95) by at most the jitter, plus the lateness the relay reports of its own
  // timers (machine load; the operator sees it in the stats), plus 2 ms for this process. Time a
  // datagram spends unread in a socket, the relay's or this test's, is not lateness: both
  // stamp arrivals with the kernel's receive time.
  auto relay_late = [](const nlohmann::json& direction) {
    return TimeDelta::Micros(
        static_cast<int64_t>(direction["scheduling_error_ms_p95"].get<double>() * 1000));
  };
  EXPECT_GE(*std::min_element(excess_up.begin(), excess_up.end()), -0.5 * TimeDelta::Millis(1));
  EXPECT_LE(Percentile(excess_up, 0.95), TimeDelta::Millis(5 + 2) + relay_late(up));
  EXPECT_GE(*std::min_element(excess_round_trip.begin(), excess_round_trip.end()),
            -0.5 * TimeDelta::Millis(1));
  EXPECT_LE(Percentile(excess_round_trip, 0.95),
            TimeDelta::Millis(10 + 2) + relay_late(up) + relay_late(down));

  // Rate: the saturated uplink delivers 256 kbit/s to the hub.
  Timestamp first = Timestamp::PlusInfinity(), last = Timestamp::MinusInfinity();
  int64_t bytes_after_first = 0;
  for (uint32_t i = 1000; i < 1000 + kBulk; ++i) {
    const Probe& p = probes[i];
    if (!p.at_hub.IsFinite()) continue;
    if (p.at_hub < first) {
      first = p.at_hub;
    } else {
      bytes_after_first += static_cast<int64_t>(p.size);
    }
    last = std::max(last, p.at_hub);
  }
  const double kbps = bytes_after_first * 8 / (last - first).seconds_f() / 1000;
  EXPECT_NEAR(kbps, 256, 256 * 0.05);
  std::cout << "one-way excess p95 " << Percentile(excess_up, 0.95).us()
            << " us, round-trip excess p95 " << Percentile(excess_round_trip, 0.95).us()
            << " us, uplink rate " << kbps << " kbit/s, relay lateness p95 " << relay_late(up).us()
            << " / " << relay_late(down).us() << " us\n";

  EXPECT_EQ(stats["profile"], "geo-vsat");
  const int at_hub = count(&Probe::at_hub);
  const int back = count(&Probe::back);
  EXPECT_EQ(up["packets_in"], kProbes + kBulk);
  EXPECT_EQ(up["packets_out"], at_hub);
  EXPECT_GT(up["dropped_queue"].get<int>(), 10);  // The bulk overflowed the 1 s buffer.
  EXPECT_EQ(up["packets_in"].get<int>(), up["packets_out"].get<int>() +
                                             up["dropped_queue"].get<int>() +
                                             up["dropped_loss"].get<int>());
  EXPECT_GE(up["delay_ms_min"].get<double>(), 306.25);  // Propagation + serialisation + jitter.
  EXPECT_LE(up["delay_ms_min"].get<double>(), 306.25 + 5);
  EXPECT_GT(up["queue_delay_ms_max"].get<double>(), 900);  // The 1 s buffer filled.
  EXPECT_LE(up["queue_delay_ms_max"].get<double>(), 1000);
  // A relay whose timers are this late is not emulating the profile, however loaded the machine:
  // idle, the p95 is well under a millisecond; with six busy processes per core, about 4 ms.
  EXPECT_LE(up["scheduling_error_ms_p95"].get<double>(), 5.0);
  EXPECT_EQ(down["packets_in"], at_hub);
  EXPECT_EQ(down["packets_out"], back);
  EXPECT_LE(down["scheduling_error_ms_p95"].get<double>(), 5.0);
  for (const char* key : {"packets_in", "packets_out", "dropped_queue", "dropped_loss",
                          "dropped_outage", "delay_ms_min", "queue_delay_ms_p50",
                          "queue_delay_ms_p95", "queue_delay_ms_max", "delivered_kbps_by_second"}) {
    EXPECT_TRUE(up.contains(key) && down.contains(key)) << key;
  }
}

TEST(SatlinkProcessTest, BadProfilesAndArgumentsFailWithAClearMessage) {
  const std::string dir = testing::TestTempDir();
  const std::string bad = dir + "/bad-profile.toml";
  std::ofstream(bad) << "name = \"bad\"\n[uplink]\ndelay_ms = 300\ncapacity_kbps = -5\n";
  auto run = [](const std::string& arguments) {
    return testing::RunCommand(std::string(COMODAL_BINARY) + " satlink " + arguments + " 2>&1");
  };
  auto result = run("--profile " + bad + " --listen 127.0.0.1:0 --forward 127.0.0.1:9");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output,
              ::testing::HasSubstr(
                  bad + ":4: [uplink] capacity_kbps must be > 0 and <= 100000000, got -5"));
  result = run("--profile geo-nowhere --listen 127.0.0.1:0 --forward 127.0.0.1:9");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, ::testing::HasSubstr("'geo-nowhere' is neither a built-in profile"));
  result = run("--listen 127.0.0.1 --forward 127.0.0.1:9");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, ::testing::HasSubstr("--listen"));
  result = run("--listen 127.0.0.1:0");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, ::testing::HasSubstr("--listen and --forward are required"));
  result = run("--listen 127.0.0.1:0 --forward 127.0.0.1:9 --duration -1");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_THAT(result.output, ::testing::HasSubstr("--duration must be > 0"));

  result = run("--list");
  EXPECT_EQ(result.exit_code, 0);
  for (const char* name : {"geo-vsat", "geo-rainfade", "leo", "outage", "rfc8867-5.1", "lan"}) {
    EXPECT_THAT(result.output, ::testing::HasSubstr(name));
  }
  EXPECT_THAT(result.output,
              ::testing::HasSubstr("RTT 600 ms, down 1000 kbit/s, up 256 kbit/s, buffer 1000 ms, "
                                   "loss 0.5 %"));
}

TEST(SatlinkProcessTest, DurationEndsTheRelayAndStatsAreWritten) {
  const std::string stats_path = testing::TestTempDir() + "/satlink_duration_stats.json";
  std::remove(stats_path.c_str());
  auto result = testing::RunCommand(std::string(COMODAL_BINARY) +
                                    " satlink --profile lan --listen 127.0.0.1:0 --forward "
                                    "127.0.0.1:9 --duration 0.2 --stats-json " +
                                    stats_path + " 2>&1");
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, ::testing::HasSubstr("stopped (duration reached)"));
  std::ifstream file(stats_path);
  const auto stats = nlohmann::json::parse(file);
  EXPECT_EQ(stats["profile"], "lan");
  EXPECT_EQ(stats["uplink"]["packets_in"], 0);
  EXPECT_TRUE(stats["uplink"]["delay_ms_min"].is_null());
}

}  // namespace
}  // namespace comodal
