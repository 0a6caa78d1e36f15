#include "session/sync/session_node.h"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <memory>

#include "tests/support/subprocess.h"

namespace comodal::session {
namespace {

using datachannel::Lane;

constexpr uint32_t kHub = 1;
constexpr uint32_t kSite = 101;
constexpr uint32_t kTeacher = 1;
constexpr uint32_t kTutor = 1000;
constexpr uint32_t kPupil = 1001;
constexpr uint32_t kOtherPupil = 1002;

Roster ClassRoster() {
  Roster roster;
  roster.Add({kTeacher, Role::kTeacher, kHub, "Mme Lebon"});
  roster.Add({kTutor, Role::kTutor, kSite, "tuteur"});
  roster.Add({kPupil, Role::kPupil, kSite, "Awa"});
  roster.Add({kOtherPupil, Role::kPupil, kSite, "Kali"});
  return roster;
}

std::vector<uint8_t> U32(uint32_t v) {
  return {static_cast<uint8_t>(v >> 24), static_cast<uint8_t>(v >> 16),
          static_cast<uint8_t>(v >> 8), static_cast<uint8_t>(v)};
}

// A link that holds what is sent until the test delivers it (or drops it: the link is down).
class QueueLink final : public SyncLink {
 public:
  struct Sent {
    bool reliable;
    Lane lane;
    std::vector<uint8_t> bytes;
  };
  Status SendReliable(Lane lane, std::vector<uint8_t> message) override {
    sent.push_back({true, lane, std::move(message)});
    return Status::Ok();
  }
  void SendDatagram(std::span<const uint8_t> datagram) override {
    sent.push_back({false, Lane::kSessionData, {datagram.begin(), datagram.end()}});
  }
  size_t bulk_backlog() const override { return 0; }
  std::deque<Sent> sent;
};

class SessionNodeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hub_store_ = OpenFresh("hub");
    site_store_ = OpenFresh("site");
    hub_blobs_ = BlobStore::Open(FreshPath("hub-blobs")).value();
    site_blobs_ = BlobStore::Open(FreshPath("site-blobs")).value();
    hub_ = std::make_unique<SessionNode>(
        SessionNode::Config{.node = kHub, .hub = true, .incarnation = 11}, ClassRoster(),
        *hub_store_, hub_blobs_.get());
    site_ = std::make_unique<SessionNode>(SessionNode::Config{.node = kSite, .incarnation = 21},
                                          ClassRoster(), *site_store_, site_blobs_.get());
    hub_->AddPeer(kSite, to_site_);
    site_->AddPeer(kHub, to_hub_);
  }

  static std::string FreshPath(const std::string& name) {
    const std::string path = testing::TestTempDir() + "/session_node_" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
                             name + ".db";
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
    return path;
  }
  static std::unique_ptr<OperationStore> OpenFresh(const std::string& name) {
    return OperationStore::Open(FreshPath(name)).value();
  }

  // Delivers everything each side has sent, until both are quiet; returns operation counts
  // carried on each lane.
  std::map<Lane, size_t> Exchange(Timestamp now) {
    std::map<Lane, size_t> carried;
    while (!to_site_.sent.empty() || !to_hub_.sent.empty()) {
      Drain(to_site_, *site_, kHub, now, carried);
      Drain(to_hub_, *hub_, kSite, now, carried);
    }
    return carried;
  }
  static void Drain(QueueLink& link, SessionNode& to, uint32_t from, Timestamp now,
                    std::map<Lane, size_t>& carried) {
    while (!link.sent.empty()) {
      QueueLink::Sent sent = std::move(link.sent.front());
      link.sent.pop_front();
      if (!sent.reliable) {
        to.OnDatagram(from, sent.bytes, now);
        continue;
      }
      Result<SyncMessage> parsed = ParseSyncMessage(sent.bytes);
      if (parsed.ok()) {
        if (auto* batch = std::get_if<SyncOperations>(&*parsed)) {
          carried[sent.lane] += batch->operations.size();
        }
      }
      to.OnMessage(from, sent.lane, sent.bytes, now);
    }
  }
  // The site's clock request each second is how the two find each other.
  void Connect(Timestamp now) {
    site_->OnTimer(now);
    hub_->OnTimer(now);
    Exchange(now);
  }

  std::unique_ptr<OperationStore> hub_store_;
  std::unique_ptr<OperationStore> site_store_;
  std::unique_ptr<BlobStore> hub_blobs_;
  std::unique_ptr<BlobStore> site_blobs_;
  std::unique_ptr<SessionNode> hub_;
  std::unique_ptr<SessionNode> site_;
  QueueLink to_site_;
  QueueLink to_hub_;
  Timestamp now_ = Timestamp::Seconds(1'000);
};

// Live: once connected, what the teacher does goes at once on the session-data lane.
TEST_F(SessionNodeTest, ConnectedPeersGetEachOperationAtOnce) {
  Connect(now_);
  ASSERT_TRUE(hub_->online(kSite));
  ASSERT_TRUE(site_->online(kHub));
  ASSERT_TRUE(
      hub_->Act(kTeacher, ActivityKind::kSlides, SlidesState::kShowPage, U32(4), now_).ok());
  const auto carried = Exchange(now_);
  EXPECT_EQ(carried.at(Lane::kSessionData), 1u);
  EXPECT_EQ(site_->replica().slides().page(), 4u);
  EXPECT_EQ(site_->replica().Describe(), hub_->replica().Describe());
}

// Offline: the site's work waits in its store and its outbox; when the hub is heard again, the
// hello exchange sends exactly what each side lacks, on the bulk lane, and nothing twice.
TEST_F(SessionNodeTest, AfterAnOutageEachSideSendsExactlyWhatTheOtherLacks) {
  Connect(now_);
  ASSERT_TRUE(hub_->Act(kTeacher, ActivityKind::kQuiz, QuizState::kOpen, {0, 7, 4}, now_).ok());
  Exchange(now_);

  // The link goes down: nothing sent arrives, and after a few seconds each side knows.
  Timestamp t = now_;
  for (int i = 0; i < 50; ++i) {
    t += TimeDelta::Millis(100);
    site_->OnTimer(t);
    hub_->OnTimer(t);
    to_site_.sent.clear();
    to_hub_.sent.clear();
  }
  ASSERT_FALSE(site_->online(kHub));
  ASSERT_FALSE(hub_->online(kSite));
  for (int i = 0; i < 30; ++i) {
    ASSERT_TRUE(site_
                    ->Act(i % 2 ? kPupil : kOtherPupil, ActivityKind::kQuiz, QuizState::kAnswer,
                          {0, 7, static_cast<uint8_t>(i % 4)}, t)
                    .ok());
  }
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        hub_->Act(kTeacher, ActivityKind::kSlides, SlidesState::kShowPage, U32(10 + i), t).ok());
  }
  EXPECT_TRUE(to_hub_.sent.empty());  // Nothing live while offline.
  EXPECT_EQ(site_->outbox_size(), 30u);
  ASSERT_EQ(site_->Outbox().size(), 1u);
  EXPECT_EQ(site_->Outbox()[0].activity, ActivityKind::kQuiz);

  // The link is back.
  t += TimeDelta::Seconds(1);
  const auto carried = [&] {
    site_->OnTimer(t);
    return Exchange(t);
  }();
  EXPECT_EQ(carried.at(Lane::kBulk), 35u);  // 30 up, 5 down: nothing else.
  EXPECT_EQ(site_->replica().Describe(), hub_->replica().Describe());
  EXPECT_EQ(hub_->stats().operations_new, 30u);
  EXPECT_EQ(site_->replica().stats().duplicates + hub_->replica().stats().duplicates, 0u);
  // The hub's hello after taking the work empties the tutor's outbox view.
  t += TimeDelta::Seconds(2);
  hub_->OnTimer(t);
  Exchange(t);
  EXPECT_EQ(site_->outbox_size(), 0u);
  EXPECT_EQ(hub_store_->LoadAll().value().size(), site_store_->LoadAll().value().size());
  // What the hub holds is in the site's store: a restarted site's outbox view starts right.
  SessionNode restarted(SessionNode::Config{.node = kSite, .incarnation = 23}, ClassRoster(),
                        *site_store_);
  restarted.AddPeer(kHub, to_hub_);
  ASSERT_TRUE(restarted.Restore().ok());
  EXPECT_EQ(restarted.outbox_size(), 0u);
}

// A restarted site (a new incarnation, its store intact) gets again what the hub had sent to
// the process that died before storing it.
TEST_F(SessionNodeTest, ARestartedPeerIsSentAgainWhatItLacks) {
  Connect(now_);
  ASSERT_TRUE(
      hub_->Act(kTeacher, ActivityKind::kSlides, SlidesState::kShowPage, U32(2), now_).ok());
  to_site_.sent.clear();  // Lost with the site's process.
  site_ = std::make_unique<SessionNode>(SessionNode::Config{.node = kSite, .incarnation = 22},
                                        ClassRoster(), *site_store_);
  site_->AddPeer(kHub, to_hub_);
  ASSERT_TRUE(site_->Restore().ok());
  Connect(now_ + TimeDelta::Seconds(1));
  EXPECT_EQ(site_->replica().slides().page(), 2u);
}

// A photo of pupils' work goes to the hub; cut halfway (the hub's process killed, what was in
// flight lost), it resumes from what the hub's store holds: no chunk comes twice.
TEST_F(SessionNodeTest, ABlobTransferCutHalfwayResumesWithoutResendingFinishedChunks) {
  std::vector<uint8_t> photo(20 * BlobStore::kChunkSize + 500);
  for (size_t i = 0; i < photo.size(); ++i) photo[i] = static_cast<uint8_t>(i * 7 + i / 255);
  Connect(now_);
  Result<BlobManifest, std::string> manifest = site_->AddBlob(photo, now_);
  ASSERT_TRUE(manifest.ok()) << manifest.error();
  ASSERT_EQ(manifest->chunk_count(), 21u);
  // Deliver messages one at a time until the hub holds some chunks, then lose the rest.
  while (hub_->stats().blob_chunks_received < 8) {
    ASSERT_FALSE(to_site_.sent.empty() && to_hub_.sent.empty());
    std::map<Lane, size_t> ignored;
    if (!to_site_.sent.empty()) {
      QueueLink one;
      one.sent.push_back(std::move(to_site_.sent.front()));
      to_site_.sent.pop_front();
      Drain(one, *site_, kHub, now_, ignored);
    }
    site_->OnTimer(now_);  // Hands the next chunks to the link.
    if (!to_hub_.sent.empty()) {
      QueueLink one;
      one.sent.push_back(std::move(to_hub_.sent.front()));
      to_hub_.sent.pop_front();
      Drain(one, *hub_, kSite, now_, ignored);
    }
  }
  const uint64_t before_cut = hub_->stats().blob_chunks_received;
  const uint64_t sent_before_cut = site_->stats().blob_chunks_sent;
  to_site_.sent.clear();
  const size_t lost_chunks = to_hub_.sent.size();
  to_hub_.sent.clear();
  hub_ = std::make_unique<SessionNode>(
      SessionNode::Config{.node = kHub, .hub = true, .incarnation = 12}, ClassRoster(), *hub_store_,
      hub_blobs_.get());
  hub_->AddPeer(kSite, to_site_);
  EXPECT_EQ(hub_blobs_->Missing(manifest->digest).size(), 21u - before_cut);

  Timestamp t = now_ + TimeDelta::Seconds(1);
  for (int i = 0; i < 20 && !hub_blobs_->complete(manifest->digest); ++i) {
    site_->OnTimer(t);
    hub_->OnTimer(t);
    Exchange(t);
    t += TimeDelta::Millis(100);
  }
  ASSERT_TRUE(hub_blobs_->complete(manifest->digest));
  EXPECT_EQ(hub_blobs_->Read(manifest->digest).value(), photo);
  EXPECT_EQ(hub_->stats().blob_chunks_duplicate, 0u);
  // Each chunk the hub stored before the cut was sent once; only those lost in flight again.
  EXPECT_EQ(site_->stats().blob_chunks_sent, 21u + (sent_before_cut - before_cut));
  EXPECT_LE(sent_before_cut - before_cut, lost_chunks + 2);
}

// The hub pre-positions the lesson's deck: a site that connects takes it whole.
TEST_F(SessionNodeTest, TheHubPrepositionsTheDeckAtASite) {
  std::vector<uint8_t> deck(5 * BlobStore::kChunkSize, 0x42);
  Result<BlobManifest, std::string> manifest = hub_->AddBlob(deck, now_);
  ASSERT_TRUE(manifest.ok());
  for (int i = 0; i < 10 && !site_blobs_->complete(manifest->digest); ++i) {
    const Timestamp t = now_ + TimeDelta::Millis(100 * i);
    site_->OnTimer(t);
    hub_->OnTimer(t);
    Exchange(t);
  }
  EXPECT_TRUE(site_blobs_->complete(manifest->digest));
  EXPECT_EQ(site_->stats().blobs_completed, 1u);
}

// Unauthorised, malformed and misdirected messages are refused, counted, and change nothing.
TEST_F(SessionNodeTest, RefusesForgedAndMalformedMessages) {
  Connect(now_);
  const std::string before = hub_->replica().Describe();
  // A site operation claiming the teacher's authority.
  Operation forged;
  forged.id = {kSite, 1};
  forged.time = {now_.ms(), 0};
  forged.activity = ActivityKind::kSlides;
  forged.action = SlidesState::kShowPage;
  forged.author = kTeacher;
  forged.body = U32(99);
  hub_->OnMessage(kSite, Lane::kSessionData, SerializeSyncMessage(SyncOperations{{forged}}), now_);
  // A pupil answering for another.
  Operation proxy = forged;
  proxy.id = {kSite, 2};
  proxy.activity = ActivityKind::kHands;
  proxy.action = HandsState::kRaise;
  proxy.author = kPupil;
  proxy.body = U32(kOtherPupil);
  hub_->OnMessage(kSite, Lane::kSessionData, SerializeSyncMessage(SyncOperations{{proxy}}), now_);
  hub_->OnMessage(kSite, Lane::kSessionData, std::vector<uint8_t>{1, 2, 3}, now_);
  hub_->OnMessage(77, Lane::kSessionData, SerializeSyncMessage(SyncOperations{}), now_);
  hub_->OnMessage(kSite, Lane::kSessionData,
                  SerializeSyncMessage(SyncHello{55, 1, VersionVector()}), now_);
  EXPECT_EQ(hub_->stats().refused_messages, 5u);
  EXPECT_EQ(hub_->replica().stats().refused_not_allowed, 2u);
  EXPECT_EQ(hub_->refused().count(ErrorCode::kTruncated), 1u);
  EXPECT_EQ(hub_->replica().Describe(), before);
  EXPECT_EQ(hub_store_->LoadAll().value().size(), 0u);
}

}  // namespace
}  // namespace comodal::session
