#include "apps/link_profile.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/subprocess.h"
#include "transport/link/site_link.h"
#include "transport/time/simulated_loop.h"

namespace comodal::apps {
namespace {

using ::testing::HasSubstr;

// The built-in profiles are the documented files: each loads, is named after its file, and the
// compiled-in copy is byte for byte the file in docs/profiles/.
TEST(LinkProfileTest, EveryDocumentedProfileIsBuiltInAndLoads) {
  std::set<std::string> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(COMODAL_SOURCE_DIR) + "/docs/profiles")) {
    if (entry.path().extension() != ".toml") continue;
    files.insert(entry.path().stem().string());
    auto from_file = LoadLinkProfile(entry.path().string());
    ASSERT_TRUE(from_file.ok()) << from_file.error();
    EXPECT_EQ(from_file->name, entry.path().stem().string());
    EXPECT_FALSE(from_file->description.empty()) << entry.path();
  }
  std::set<std::string> builtin;
  for (const BuiltinProfileText& profile : BuiltinProfiles()) {
    builtin.insert(std::string(profile.name));
    std::ifstream file(std::string(COMODAL_SOURCE_DIR) + "/docs/profiles/" +
                       std::string(profile.name) + ".toml");
    const std::string text((std::istreambuf_iterator<char>(file)), {});
    EXPECT_EQ(text, profile.toml) << profile.name;
  }
  EXPECT_EQ(files, builtin);
  for (const char* name : {"geo-vsat", "geo-rainfade", "leo", "outage", "rfc8867-5.1", "lan"}) {
    EXPECT_TRUE(builtin.contains(name)) << name;
  }
}

TEST(LinkProfileTest, GeoVsatHasTheFiguresTheIssueStates) {
  auto profile = LoadLinkProfile("geo-vsat");
  ASSERT_TRUE(profile.ok()) << profile.error();
  EXPECT_EQ(profile->source, "built-in");
  for (const auto* d : {&profile->uplink, &profile->downlink}) {
    EXPECT_EQ(d->propagation_delay.DelayAt(TimeDelta::Zero()), TimeDelta::Millis(300));
    EXPECT_EQ(d->queue_limit_time, TimeDelta::Seconds(1));
    EXPECT_EQ(std::get<link::BernoulliLoss>(d->loss).probability, 0.005);
    EXPECT_FALSE(d->allow_reordering);
  }
  EXPECT_EQ(profile->downlink.capacity.RateAt(TimeDelta::Seconds(10)),
            DataRate::KilobitsPerSec(1000));
  EXPECT_EQ(profile->uplink.capacity.RateAt(TimeDelta::Seconds(10)), DataRate::KilobitsPerSec(256));

  auto outage = LoadLinkProfile("outage");
  ASSERT_TRUE(outage.ok()) << outage.error();
  TimeDelta blackout = TimeDelta::Zero();
  for (const auto& window : outage->downlink.outages) blackout += window.end - window.start;
  EXPECT_EQ(blackout, TimeDelta::Seconds(600));

  auto rain = LoadLinkProfile("geo-rainfade");
  ASSERT_TRUE(rain.ok()) << rain.error();
  DataRate lowest = DataRate::PlusInfinity();
  for (const auto& step : rain->downlink.capacity.steps()) lowest = std::min(lowest, step.rate);
  // Fades to about a quarter of clear-sky capacity.
  EXPECT_GE(lowest, DataRate::KilobitsPerSec(200));
  EXPECT_LE(lowest, DataRate::KilobitsPerSec(300));

  auto leo = LoadLinkProfile("leo");
  ASSERT_TRUE(leo.ok()) << leo.error();
  ASSERT_TRUE(leo->downlink.handovers.has_value());
  EXPECT_EQ(leo->downlink.handovers->period, TimeDelta::Seconds(15));
}

std::string ErrorOf(const std::string& toml) {
  auto profile = ParseLinkProfile(toml, "site.toml", {});
  return profile.ok() ? "(loaded)" : profile.error();
}

TEST(LinkProfileTest, BadProfilesNameTheFileLineKeyAndValue) {
  EXPECT_EQ(ErrorOf("name = \"x\"\n[uplink]\ncapacity_kbps = -5\n"),
            "site.toml:3: [uplink] capacity_kbps must be > 0 and <= 100000000, got -5");
  EXPECT_EQ(ErrorOf("name = \"x\"\n[link]\nloss = 1.5\n"),
            "site.toml:3: [link] loss must be >= 0 and <= 1, got 1.5");
  EXPECT_EQ(ErrorOf("name = \"x\"\n[downlink]\ndelay_ms = \"slow\"\n"),
            "site.toml:3: [downlink] delay_ms must be a number, got \"slow\"");
  EXPECT_EQ(ErrorOf("name = \"x\"\n[uplink]\ncapacty_kbps = 5\n"),
            "site.toml:3: [uplink] capacty_kbps is not a known key (see docs/link-profiles.md "
            "for the list), got 5");
  EXPECT_THAT(ErrorOf("name = \"x\"\n[uplink]\ncapacity_kbps = 5\ncapacity_steps = [[0, 5]]\n"),
              HasSubstr("needs exactly one of capacity_kbps, capacity_steps, capacity_trace"));
  EXPECT_EQ(ErrorOf("name = \"x\"\n[uplink]\ncapacity_steps = [[0, 5], [10, 6], [5, 7]]\n"),
            "site.toml:3: [uplink] capacity_steps times must increase from one pair to the next, "
            "got [ 5, 7 ]");
  EXPECT_THAT(ErrorOf("name = \"x\"\n[uplink]\ncapacity_steps = [[1, 5]]\n"),
              HasSubstr("must start at 0 s"));
  EXPECT_THAT(ErrorOf("name = \"x\"\n[uplink]\noutages = [[60, 30]]\n"),
              HasSubstr("site.toml:3: [uplink] outages needs [start s, end s] with 0 <= start < "
                        "end, got [ 60, 30 ]"));
  EXPECT_EQ(ErrorOf("name = \"x\"\n[uplink.handover]\ndelay_min_ms = 40\ndelay_max_ms = 20\n"),
            "site.toml:4: [uplink.handover] delay_max_ms must be >= 40 and <= 60000, got 20");
  EXPECT_EQ(ErrorOf("name = \"x\"\n[link.handover]\ndelay_max_ms = 20\n"),
            "site.toml: [link.handover] delay_min_ms is required");
  EXPECT_THAT(ErrorOf("name = \"x\"\n[uplink]\naqm = \"red\"\n"),
              HasSubstr("[uplink] aqm must be \"codel\" or \"none\", got \"red\""));
  EXPECT_THAT(ErrorOf("name = \"x\"\n[uplink.rain_fade]\nclear_sky_esn0_db = -9\n"
                      "attenuation_db = [[0, 1]]\n"),
              HasSubstr("below every DVB-S2 MODCOD"));
  EXPECT_THAT(ErrorOf("name = \"x\"\n[uplink]\ncapacity_trace = \"x.trace\"\n"),
              HasSubstr("cannot be used in a built-in profile"));
  EXPECT_THAT(ErrorOf("[uplink]\ndelay_ms = 3\n"), HasSubstr("name is required"));
  EXPECT_THAT(ErrorOf("name = \"x\"\n[uplink\n"), HasSubstr("site.toml:2:"));
  EXPECT_THAT(ErrorOf("name = \"x\"\nspeed = 3\n"), HasSubstr("speed is not a known key"));
}

// [link] applies to both directions; a direction overrides whole groups of keys.
TEST(LinkProfileTest, DirectionsInheritFromLinkAndOverrideByGroup) {
  auto profile = ParseLinkProfile(
      "name = \"x\"\n[link]\ndelay_ms = 280\nloss = 0.01\nqueue_ms = 500\n"
      "[uplink.gilbert_elliott]\np_good_to_bad = 0.01\np_bad_to_good = 0.5\n"
      "[downlink]\nqueue_bytes = 64000\naqm = \"codel\"\n",
      "x.toml", {});
  ASSERT_TRUE(profile.ok()) << profile.error();
  EXPECT_EQ(profile->uplink.propagation_delay.DelayAt(TimeDelta::Zero()), TimeDelta::Millis(280));
  EXPECT_EQ(profile->downlink.propagation_delay.DelayAt(TimeDelta::Zero()), TimeDelta::Millis(280));
  EXPECT_TRUE(std::holds_alternative<link::GilbertElliottLoss>(profile->uplink.loss));
  EXPECT_EQ(std::get<link::BernoulliLoss>(profile->downlink.loss).probability, 0.01);
  EXPECT_EQ(profile->uplink.queue_limit_time, TimeDelta::Millis(500));
  EXPECT_FALSE(profile->downlink.queue_limit_time.has_value());
  EXPECT_EQ(profile->downlink.queue_limit_bytes, DataSize::Bytes(64000));
  EXPECT_TRUE(profile->downlink.codel.has_value());
  EXPECT_FALSE(profile->uplink.codel.has_value());
}

TEST(LinkProfileTest, ProfileFileReadsItsMahimahiTraceBesideIt) {
  const std::filesystem::path dir = testing::TestTempDir() + "/profile-with-trace";
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "cell.trace") << "1\n2\n2\n4\n";
  std::ofstream(dir / "cell.toml")
      << "name = \"cell\"\n[downlink]\ncapacity_trace = \"cell.trace\"\n"
      << "[uplink]\ncapacity_trace = \"missing.trace\"\n";
  auto profile = LoadLinkProfile((dir / "cell.toml").string());
  ASSERT_FALSE(profile.ok());
  EXPECT_THAT(profile.error(), HasSubstr("cell.toml:5: [uplink] capacity_trace names a file that "
                                         "cannot be read, got \"missing.trace\""));
  std::ofstream(dir / "cell.toml")
      << "name = \"cell\"\n[downlink]\ncapacity_trace = \"cell.trace\"\n";
  profile = LoadLinkProfile((dir / "cell.toml").string());
  ASSERT_TRUE(profile.ok()) << profile.error();
  EXPECT_EQ(profile->downlink.capacity.repeat_period(), TimeDelta::Millis(4));
  EXPECT_EQ(profile->downlink.capacity.RateAt(TimeDelta::Micros(2500)),
            DataRate::BitsPerSec(2 * 1500 * 8 * 1000));
}

// Two in-process endpoints on either side of the built-in geo-vsat profile, in simulated time:
// a site pings the hub every 100 ms for ten minutes and the hub answers, as the tests of later
// issues will do with media and session data.
TEST(LinkProfileTest, GeoVsatRoundTripInSimulatedTime) {
  auto profile = LoadLinkProfile("geo-vsat");
  ASSERT_TRUE(profile.ok()) << profile.error();
  auto run = [&](uint64_t seed) {
    SimulatedLoop loop(Timestamp::Seconds(1000));
    std::vector<TimeDelta> round_trips;
    std::unique_ptr<link::SiteLink> site_link;
    site_link = std::make_unique<link::SiteLink>(
        loop, profile->uplink, profile->downlink, seed,
        [&](link::Delivery at_hub) { (void)site_link->SendToSite(std::move(at_hub.packet)); },
        [&](link::Delivery back) {
          round_trips.push_back(loop.Now() - Timestamp::Seconds(1000) -
                                TimeDelta::Millis(100) * static_cast<int64_t>(back.packet.id));
        });
    uint64_t id = 0;
    loop.StartRepeating(TimeDelta::Zero(), [&] {
      (void)site_link->SendToHub({id++, std::vector<uint8_t>(200)});
      return id < 6000 ? TimeDelta::Millis(100) : TimeDelta::PlusInfinity();
    });
    loop.RunFor(TimeDelta::Seconds(620));
    return round_trips;
  };
  const std::vector<TimeDelta> round_trips = run(42);
  // 0.5 % loss each way: about 60 of 6000 lost (binomial sd ~7.7; 5 sd either side).
  EXPECT_NEAR(static_cast<double>(round_trips.size()), 6000 * 0.995 * 0.995, 40);
  // 300 ms each way + 6.25 ms (200 B at 256 kbit/s) + 1.6 ms (at 1 Mbit/s) + 0..5 ms jitter each
  // way.
  const TimeDelta base = TimeDelta::Micros(607'850);
  EXPECT_GE(*std::min_element(round_trips.begin(), round_trips.end()), base);
  EXPECT_LE(*std::max_element(round_trips.begin(), round_trips.end()),
            base + TimeDelta::Millis(10));
  EXPECT_EQ(run(42), round_trips);  // Same seed, same result.
  EXPECT_NE(run(43), round_trips);
}

}  // namespace
}  // namespace comodal::apps
