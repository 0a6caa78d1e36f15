#include "session/sim/lesson_simulation.h"

#include <gtest/gtest.h>

#include "tests/support/subprocess.h"

namespace comodal::session {
namespace {

link::LinkDirectionConfig Geo(int kbps) {
  link::LinkDirectionConfig config;
  config.propagation_delay = TimeDelta::Millis(300);
  config.jitter = TimeDelta::Millis(5);
  config.capacity = link::CapacitySchedule::Constant(DataRate::KilobitsPerSec(kbps));
  config.queue_limit_time = TimeDelta::Seconds(1);
  config.loss = link::BernoulliLoss{0.005};
  return config;
}

// A short lesson over GEO links with one site cut off for a minute while its pupils work: at
// the end every node holds every acknowledged operation once, the replicas are identical, and
// the cut-off site resynced.
TEST(LessonSimulationTest, ASiteCutOffResyncsWithNothingLostOrDuplicated) {
  LessonSimulationConfig config;
  config.uplink = Geo(256);
  config.downlink = Geo(1000);
  config.sites = 3;
  config.duration = TimeDelta::Seconds(240);
  config.outage = link::OutageWindow{TimeDelta::Seconds(60), TimeDelta::Seconds(120)};
  config.offline_operations = 600;
  config.store_dir = testing::TestTempDir() + "/lesson_simulation";
  Result<LessonSimulationResult, std::string> run = RunLessonSimulation(config);
  ASSERT_TRUE(run.ok()) << run.error();
  const LessonSimulationResult& r = *run;
  EXPECT_EQ(r.offline_ops, 600u);
  EXPECT_GT(r.ops_total, 750u);
  EXPECT_EQ(r.ops_lost, 0u);
  EXPECT_EQ(r.ops_duplicated, 0u);
  EXPECT_EQ(r.ops_refused, 0u);
  EXPECT_EQ(r.messages_refused, 0u);
  EXPECT_TRUE(r.replicas_identical);
  ASSERT_TRUE(r.resync);
  ASSERT_TRUE(r.resync_all);
  EXPECT_GT(r.propagation.count(), 300u);
  EXPECT_GT(r.clock_offset_error.count(), 100u);
}

}  // namespace
}  // namespace comodal::session
