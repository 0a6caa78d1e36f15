// Crash safety of a site node while it writes and syncs: its own operations, batches of the
// hub's operations, and blob chunks, each committed before it is acknowledged.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>

#include "session/sync/session_node.h"
#include "tests/support/subprocess.h"

namespace comodal::session {
namespace {

using datachannel::Lane;

constexpr uint32_t kHub = 1;
constexpr uint32_t kSite = 101;
constexpr uint32_t kTeacher = 1;
constexpr uint32_t kPupil = 1001;
constexpr Timestamp kT0 = Timestamp::Seconds(1'700'000'000);
constexpr uint64_t kBatch = 20;

Roster ClassRoster() {
  Roster roster;
  roster.Add({kTeacher, Role::kTeacher, kHub, "Mme Lebon"});
  roster.Add({kPupil, Role::kPupil, kSite, "Awa"});
  return roster;
}

// The hub's operation number `counter`, the same in every run of the writer.
Operation HubOperation(uint64_t counter) {
  Operation op;
  op.id = {kHub, counter};
  op.time = {(kT0 + TimeDelta::Millis(static_cast<int64_t>(counter))).ms(), 0};
  op.activity = ActivityKind::kSlides;
  op.action = SlidesState::kShowPage;
  op.author = kTeacher;
  const auto page = static_cast<uint32_t>(counter);
  op.body = {static_cast<uint8_t>(page >> 24), static_cast<uint8_t>(page >> 16),
             static_cast<uint8_t>(page >> 8), static_cast<uint8_t>(page)};
  return op;
}

// The worksheet the hub sends: 200 chunks.
std::vector<uint8_t> Worksheet() {
  std::vector<uint8_t> bytes(200 * 1024);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 13 + i / 1024);
  return bytes;
}

class NullLink final : public SyncLink {
 public:
  Status SendReliable(Lane, std::vector<uint8_t>) override { return Status::Ok(); }
  void SendDatagram(std::span<const uint8_t>) override {}
  size_t bulk_backlog() const override { return 0; }
};

// The writer process (run only by the test below): a site node on its stores, restored, that
// acts, takes the hub's operations a batch at a time and the worksheet a chunk at a time,
// printing what it has committed ("local N", "hub N", "chunk N") until it is killed.
TEST(SessionNodeCrashWriter, SyncsUntilKilled) {
  const char* dir = std::getenv("COMODAL_SYNC_CRASH_WRITER");
  if (dir == nullptr) GTEST_SKIP() << "run by SessionNodeCrashTest";
  auto store = OperationStore::Open(std::string(dir) + "/site.db");
  ASSERT_TRUE(store.ok()) << store.error();
  auto blobs = BlobStore::Open(std::string(dir) + "/site-blobs.db");
  ASSERT_TRUE(blobs.ok()) << blobs.error();
  SessionNode node({.node = kSite, .incarnation = static_cast<uint64_t>(getpid())}, ClassRoster(),
                   **store, blobs->get());
  NullLink link;
  node.AddPeer(kHub, link);
  ASSERT_TRUE(node.Restore().ok());
  const std::vector<uint8_t> worksheet = Worksheet();
  const BlobManifest manifest = BlobManifest::Of(worksheet, 1024);
  uint64_t hub_next = (*store)->MaxCounter(kHub).value() + 1;
  Timestamp now = kT0 + TimeDelta::Millis(static_cast<int64_t>(hub_next)) + TimeDelta::Seconds(1);
  node.OnMessage(kHub, Lane::kBulk, SerializeSyncMessage(BlobOffer{manifest}), now);
  for (int i = 0; i < 100'000; ++i) {
    now += TimeDelta::Millis(kBatch);
    auto made = node.Act(kPupil, ActivityKind::kHands,
                         i % 2 ? HandsState::kLower : HandsState::kRaise, {0, 0, 0x03, 0xE9}, now);
    ASSERT_TRUE(made.ok()) << made.error();
    std::printf("local %llu\n", static_cast<unsigned long long>(made->id.counter));
    SyncOperations batch;
    for (uint64_t k = 0; k < kBatch; ++k) batch.operations.push_back(HubOperation(hub_next++));
    node.OnMessage(kHub, Lane::kBulk, SerializeSyncMessage(batch), now);
    std::printf("hub %llu\n", static_cast<unsigned long long>(hub_next - 1));
    const std::vector<uint32_t> missing = (*blobs)->Missing(manifest.digest);
    if (!missing.empty()) {
      const uint32_t index = missing[static_cast<size_t>(i) % missing.size()];
      const auto bytes =
          std::span(worksheet).subspan(manifest.ChunkOffset(index), manifest.ChunkLength(index));
      node.OnMessage(
          kHub, Lane::kBulk,
          SerializeSyncMessage(BlobChunk{manifest.digest, index, {bytes.begin(), bytes.end()}}),
          now);
      std::printf("chunk %u\n", index);
    }
    std::fflush(stdout);
  }
}

// Crash safety during writes and syncs: the site process killed (SIGKILL) at 100 random points,
// each time restarted on the same stores, holds every operation it acknowledged (its own, and
// the hub's it reported stored) and every blob chunk it reported stored, never reuses a counter,
// and both SQLite files pass the integrity check.
TEST(SessionNodeCrashTest, KilledAtAHundredPointsWhileSyncingLosesNothingAcknowledged) {
  const std::filesystem::path dir = testing::TestTempDir() + "/session_node_crash";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ASSERT_EQ(setenv("COMODAL_SYNC_CRASH_WRITER", dir.c_str(), 1), 0);
  std::mt19937 random(23);
  std::set<uint64_t> local;
  uint64_t hub_acknowledged = 0;
  std::set<uint32_t> chunks;
  const BlobManifest manifest = BlobManifest::Of(Worksheet(), 1024);
  for (int round = 0; round < 100; ++round) {
    auto writer = testing::ChildProcess::Start(
        {"/proc/self/exe", "--gtest_filter=SessionNodeCrashWriter.SyncsUntilKilled"});
    ASSERT_TRUE(writer.has_value());
    const int lines_before_kill = 1 + static_cast<int>(random() % 40);
    for (int seen = 0; seen < lines_before_kill;) {
      auto line = writer->ReadLine(std::chrono::seconds(30));
      ASSERT_TRUE(line.has_value()) << "the writer stopped: " << writer->output();
      unsigned long long n = 0;
      if (std::sscanf(line->c_str(), "local %llu", &n) == 1) {
        EXPECT_TRUE(local.insert(n).second) << "counter " << n << " reused";
      } else if (std::sscanf(line->c_str(), "hub %llu", &n) == 1) {
        hub_acknowledged = std::max<uint64_t>(hub_acknowledged, n);
      } else if (std::sscanf(line->c_str(), "chunk %llu", &n) == 1) {
        chunks.insert(static_cast<uint32_t>(n));
      } else {
        continue;
      }
      ++seen;
    }
    writer->Signal(SIGKILL);
    ASSERT_EQ(writer->Wait(std::chrono::seconds(30)), 128 + SIGKILL);

    auto store = OperationStore::Open((dir / "site.db").string());
    ASSERT_TRUE(store.ok()) << store.error();
    ASSERT_EQ((*store)->IntegrityCheck(), "ok") << "after kill " << round;
    auto blobs = BlobStore::Open((dir / "site-blobs.db").string());
    ASSERT_TRUE(blobs.ok()) << blobs.error();
    ASSERT_EQ((*blobs)->IntegrityCheck(), "ok") << "after kill " << round;
    std::set<OperationId> held;
    const std::vector<Operation> stored = (*store)->LoadAll().value();
    for (const Operation& op : stored) held.insert(op.id);
    for (uint64_t counter : local) {
      ASSERT_TRUE(held.contains({kSite, counter})) << "own " << counter << " lost, kill " << round;
    }
    for (uint64_t counter = 1; counter <= hub_acknowledged; ++counter) {
      ASSERT_TRUE(held.contains({kHub, counter})) << "hub's " << counter << " lost, kill " << round;
    }
    const std::vector<uint32_t> missing = (*blobs)->Missing(manifest.digest);
    for (uint32_t chunk : chunks) {
      ASSERT_FALSE(std::count(missing.begin(), missing.end(), chunk))
          << "chunk " << chunk << " lost, kill " << round;
    }
  }
  unsetenv("COMODAL_SYNC_CRASH_WRITER");
  EXPECT_GE(local.size(), 100u);
  EXPECT_GE(hub_acknowledged, 100 * kBatch);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace comodal::session
