#include "apps/outbox_command.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "session/activity/replica.h"
#include "session/store/operation_store.h"
#include "tests/support/subprocess.h"

namespace comodal::apps {
namespace {

using ::testing::HasSubstr;
using namespace comodal::session;

// A site's store: 3 quiz answers and 2 chat messages of its pupils, and a hub that, at its last
// hello, held the first answer only.
std::string SiteStore() {
  const std::string path = testing::TestTempDir() + "/outbox_site.db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  Roster roster;
  roster.Add({1, Role::kTeacher, 1, "Mme Lebon"});
  roster.Add({1001, Role::kPupil, 101, "Awa"});
  Replica site(101, roster);
  auto store = OperationStore::Open(path).value();
  const Timestamp t0 = Timestamp::Seconds(1'764'000'000);  // 2025-11-24 16:00 UTC.
  VersionVector hub_holds;
  for (int i = 0; i < 5; ++i) {
    const bool chat = i >= 3;
    auto op = site.Make(1001, chat ? ActivityKind::kChat : ActivityKind::kQuiz,
                        chat ? uint8_t{ChatState::kPost} : uint8_t{QuizState::kAnswer},
                        chat ? std::vector<uint8_t>{'o', 'k'} : std::vector<uint8_t>{0, 1, 2},
                        t0 + TimeDelta::Seconds(60 * i));
    EXPECT_TRUE(op.ok());
    EXPECT_TRUE(store->Append(*op).ok());
    if (i == 0) hub_holds.Add(op->id);
  }
  EXPECT_TRUE(store->SavePeerVersion(1, hub_holds).ok());
  return path;
}

TEST(OutboxCommandTest, ShowsWhatTheHubDoesNotHoldPerActivity) {
  const std::string path = SiteStore();
  std::ostringstream out, err;
  ASSERT_EQ(RunOutbox({.store = path, .node = 101}, out, err), 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("node 101: 4 operations waiting to be sent to the hub (as of "
                                   "the hub's last hello)"));
  EXPECT_THAT(out.str(), HasSubstr("quiz               2  oldest 2025-11-24 16:01:00 UTC"));
  EXPECT_THAT(out.str(), HasSubstr("chat               2  oldest 2025-11-24 16:03:00 UTC"));
}

TEST(OutboxCommandTest, AMissingStoreIsAnErrorAndIsNotCreated) {
  const std::string path = testing::TestTempDir() + "/outbox_no_such.db";
  std::filesystem::remove(path);
  std::ostringstream out, err;
  EXPECT_EQ(RunOutbox({.store = path, .node = 101}, out, err), 1);
  EXPECT_THAT(err.str(), HasSubstr("no such store"));
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_EQ(RunOutbox({.store = path, .node = 0}, out, err), 2);
}

}  // namespace
}  // namespace comodal::apps
