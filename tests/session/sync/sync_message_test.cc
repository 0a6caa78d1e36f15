#include "session/sync/sync_message.h"

#include <gtest/gtest.h>

namespace comodal::session {
namespace {

Operation Stroke(uint64_t counter) {
  Operation op;
  op.id = {101, counter};
  op.time = {1'700'000'000'000, 2};
  op.activity = ActivityKind::kWhiteboard;
  op.action = 1;
  op.author = 1000;
  op.body = {0, 1, 5, 6, 7};
  return op;
}

TEST(SyncMessageTest, EveryTypeRoundTrips) {
  VersionVector version;
  version.Add({1, 1});
  version.Add({1, 2});
  version.Add({101, 4});  // Beyond a gap.
  const std::vector<uint8_t> photo(3000, 9);
  const BlobManifest manifest = BlobManifest::Of(photo, 1024);
  const std::vector<SyncMessage> messages = {
      SyncHello{101, 0xABCDEF, version},
      SyncOperations{{Stroke(1), Stroke(2), Stroke(7)}},
      BlobOffer{manifest},
      BlobWant{manifest.digest, {0, 2}},
      BlobChunk{manifest.digest, 1, {4, 5, 6}},
      BlobHave{manifest.digest},
      ClockRequest{101, -5},
      ClockResponse{1, 2, 3},
  };
  for (const SyncMessage& message : messages) {
    const std::vector<uint8_t> bytes = SerializeSyncMessage(message);
    ASSERT_FALSE(bytes.empty()) << message.index();
    Result<SyncMessage> parsed = ParseSyncMessage(bytes);
    ASSERT_TRUE(parsed.ok()) << message.index() << ": " << parsed.error().ToString();
    EXPECT_EQ(SerializeSyncMessage(*parsed), bytes) << message.index();
  }
  Result<SyncMessage> hello = ParseSyncMessage(SerializeSyncMessage(messages[0]));
  const VersionVector& got = std::get<SyncHello>(*hello).version;
  EXPECT_EQ(got, version);
  EXPECT_EQ(got.Contiguous(1), 2u);
  EXPECT_TRUE(got.Contains({101, 4}));
  EXPECT_FALSE(got.Contains({101, 3}));
  EXPECT_EQ(
      std::get<SyncOperations>(*ParseSyncMessage(SerializeSyncMessage(messages[1]))).operations[2],
      Stroke(7));
}

TEST(SyncMessageTest, RefusesMalformedMessagesWithTheirReason) {
  auto reason = [](std::vector<uint8_t> bytes) {
    Result<SyncMessage> parsed = ParseSyncMessage(bytes);
    return parsed.ok() ? std::string("accepted") : std::string(parsed.error().detail);
  };
  EXPECT_EQ(reason({1}), "sync message shorter than its header");
  EXPECT_EQ(reason({2, 1}), "sync message version is not 1");
  EXPECT_EQ(reason({1, 9}), "sync message of an unknown type");
  std::vector<uint8_t> request = SerializeSyncMessage(ClockRequest{101, 5});
  request.push_back(0);
  EXPECT_EQ(reason(request), "bytes after a sync message");
  request.resize(request.size() - 3);
  EXPECT_EQ(reason(request), "sync message shorter than its body");
  // An operation inside a batch that claims a longer body than the message holds.
  std::vector<uint8_t> batch = SerializeSyncMessage(SyncOperations{{Stroke(1)}});
  batch.pop_back();
  EXPECT_EQ(reason(batch), "sync operation shorter than its body");
  // A version vector with its nodes out of order.
  std::vector<uint8_t> hello = {1, 1, 0, 0, 0, 101, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 5, 0, 0,
                                0, 0, 0, 0, 0, 1,   0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
  EXPECT_EQ(reason(hello), "version vector nodes not increasing");
  // Counters beyond a gap must leave one.
  hello = {1, 1, 0, 0, 0, 101, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0,
           5, 0, 0, 0, 0, 0,   0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2};
  EXPECT_EQ(reason(hello), "version vector counters not increasing past a gap");
  const std::vector<uint8_t> photo(3000, 9);
  const BlobManifest manifest = BlobManifest::Of(photo, 1024);
  std::vector<uint8_t> want = SerializeSyncMessage(BlobWant{manifest.digest, {2, 1}});
  EXPECT_EQ(reason(want), "blob want chunks not increasing");
  std::vector<uint8_t> chunk = SerializeSyncMessage(BlobChunk{manifest.digest, 1, {1}});
  chunk.pop_back();
  EXPECT_EQ(reason(chunk), "blob chunk without data");
}

}  // namespace
}  // namespace comodal::session
