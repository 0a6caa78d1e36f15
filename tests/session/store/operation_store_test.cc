#include "session/store/operation_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "session/activity/replica.h"
#include "tests/support/subprocess.h"
#include "transport/base/byte_io.h"

namespace comodal::session {
namespace {

constexpr Timestamp kT0 = Timestamp::Seconds(1'700'000'000);

std::filesystem::path TempStore(const std::string& name) {
  const auto dir = std::filesystem::path(testing::TestTempDir()) /
                   ("store-" + std::to_string(getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir / "operations.db";
}

Roster HubOnly() {
  Roster roster;
  roster.Add({1, Role::kTeacher, 1, "teacher"});
  return roster;
}

Result<Operation> ShowPage(Replica& replica, uint32_t page, Timestamp now) {
  std::vector<uint8_t> body(4);
  StoreBE32(body.data(), page);
  return replica.Make(1, ActivityKind::kSlides, SlidesState::kShowPage, body, now);
}

TEST(OperationStoreTest, WhatIsAppendedIsLoadedBackOnceAndTheCounterResumes) {
  const auto path = TempStore("reload");
  Replica hub(1, HubOnly());
  {
    auto store = OperationStore::Open(path.string());
    ASSERT_TRUE(store.ok()) << store.error();
    for (uint32_t page = 1; page <= 5; ++page) {
      auto op = ShowPage(hub, page, kT0 + TimeDelta::Seconds(page));
      ASSERT_TRUE(op.ok());
      auto added = (*store)->Append(*op);
      ASSERT_TRUE(added.ok()) << added.error();
      EXPECT_TRUE(*added);
      EXPECT_FALSE(*(*store)->Append(*op));  // Again: nothing new.
    }
  }
  auto store = OperationStore::Open(path.string());
  ASSERT_TRUE(store.ok()) << store.error();
  auto loaded = (*store)->LoadAll();
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  ASSERT_EQ(loaded->size(), 5u);
  EXPECT_EQ(*(*store)->MaxCounter(1), 5u);
  EXPECT_EQ((*store)->IntegrityCheck(), "ok");
  // A restarted replica: same state, numbering and clock going on above what it stored, even
  // with its physical clock set back an hour.
  Replica restarted(1, HubOnly());
  EXPECT_EQ(restarted.Restore(*loaded), 0u);
  EXPECT_EQ(restarted.Describe(), hub.Describe());
  auto next = ShowPage(restarted, 6, kT0 - TimeDelta::Seconds(3600));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(next->id.counter, 6u);
  EXPECT_GT(next->time, loaded->back().time);
  std::filesystem::remove_all(path.parent_path());
}

TEST(OperationStoreTest, ADamagedRowIsAnErrorNamingIt) {
  const auto path = TempStore("damaged");
  {
    auto store = OperationStore::Open(path.string());
    ASSERT_TRUE(store.ok());
    Replica hub(1, HubOnly());
    ASSERT_TRUE((*store)->Append(*ShowPage(hub, 1, kT0)).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE operations SET bytes = x'0102'", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto store = OperationStore::Open(path.string());
  ASSERT_TRUE(store.ok());
  auto loaded = (*store)->LoadAll();
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.error().find("operation 1:1 is damaged"), std::string::npos) << loaded.error();
  EXPECT_FALSE(OperationStore::Open("/nonexistent-dir/x.db").ok());
  std::filesystem::remove_all(path.parent_path());
}

// The writer process of the crash test below (run only by it): restores the replica from the
// store, then makes operations one after another, printing "ack N" once operation N is
// committed, until it is killed.
TEST(OperationStoreCrashWriter, WritesUntilKilled) {
  const char* path = std::getenv("COMODAL_STORE_CRASH_WRITER");
  if (path == nullptr) GTEST_SKIP() << "run by OperationStoreCrashTest";
  auto store = OperationStore::Open(path);
  ASSERT_TRUE(store.ok()) << store.error();
  auto loaded = (*store)->LoadAll();
  ASSERT_TRUE(loaded.ok()) << loaded.error();
  Replica hub(1, HubOnly());
  ASSERT_EQ(hub.Restore(*loaded), 0u);
  for (uint32_t i = 0; i < 100'000; ++i) {
    auto op = ShowPage(hub, i, kT0 + TimeDelta::Millis(i));
    ASSERT_TRUE(op.ok());
    ASSERT_TRUE((*store)->Append(*op).ok());
    std::printf("ack %llu\n", static_cast<unsigned long long>(op->id.counter));
    std::fflush(stdout);
  }
}

// Crash safety: a writer killed (SIGKILL) at 100 points while it writes, each time restarted on
// the same store, never loses an operation it acknowledged, never reuses a counter, and leaves a
// store that passes SQLite's integrity check.
TEST(OperationStoreCrashTest, KilledAtAHundredPointsLosesNothingAcknowledged) {
  const auto path = TempStore("crash");
  std::mt19937 random(17);
  std::set<uint64_t> acknowledged;
  // The writer is this test binary, told by its environment to run the writer test.
  ASSERT_EQ(setenv("COMODAL_STORE_CRASH_WRITER", path.c_str(), 1), 0);
  for (int round = 0; round < 100; ++round) {
    auto writer = testing::ChildProcess::Start(
        {"/proc/self/exe", "--gtest_filter=OperationStoreCrashWriter.WritesUntilKilled"});
    ASSERT_TRUE(writer.has_value());
    // Killed after a random number of acknowledgements: it is then in the middle of the next
    // write.
    const int acks_before_kill = 1 + static_cast<int>(random() % 30);
    int seen = 0;
    while (seen < acks_before_kill) {
      auto line = writer->ReadLine(std::chrono::seconds(30));
      ASSERT_TRUE(line.has_value()) << "the writer stopped: " << writer->output();
      unsigned long long counter = 0;
      if (std::sscanf(line->c_str(), "ack %llu", &counter) != 1) continue;
      EXPECT_TRUE(acknowledged.insert(counter).second) << "counter " << counter << " reused";
      ++seen;
    }
    writer->Signal(SIGKILL);
    ASSERT_EQ(writer->Wait(std::chrono::seconds(30)), 128 + SIGKILL);
    auto store = OperationStore::Open(path.string());
    ASSERT_TRUE(store.ok()) << store.error();
    ASSERT_EQ((*store)->IntegrityCheck(), "ok") << "after kill " << round;
    auto loaded = (*store)->LoadAll();
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    std::set<uint64_t> held;
    for (const Operation& op : *loaded) held.insert(op.id.counter);
    for (uint64_t counter : acknowledged) {
      ASSERT_TRUE(held.contains(counter))
          << "acknowledged " << counter << " lost at kill " << round;
    }
  }
  unsetenv("COMODAL_STORE_CRASH_WRITER");
  EXPECT_GE(acknowledged.size(), 100u);
  std::filesystem::remove_all(path.parent_path());
}

}  // namespace
}  // namespace comodal::session
