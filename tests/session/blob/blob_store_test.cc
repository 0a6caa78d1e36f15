#include "session/blob/blob_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/subprocess.h"

namespace comodal::session {
namespace {

std::string FreshPath(const std::string& name) {
  const std::string path = testing::TestTempDir() + "/blob_store_" + name + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

std::vector<uint8_t> Content(size_t size) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(i * 131 + i / 7);
  return bytes;
}

TEST(BlobStoreTest, KeepsABlobWholeAcrossAReopen) {
  const std::string path = FreshPath("whole");
  const std::vector<uint8_t> photo = Content(50'000);
  Sha256Digest digest{};
  {
    auto store = BlobStore::Open(path).value();
    Result<BlobManifest, std::string> manifest = store->Put(photo);
    ASSERT_TRUE(manifest.ok()) << manifest.error();
    digest = manifest->digest;
    EXPECT_EQ(manifest->chunk_count(), 4u);  // 16 KiB chunks.
  }
  auto store = BlobStore::Open(path).value();
  EXPECT_TRUE(store->complete(digest));
  EXPECT_EQ(store->Read(digest).value(), photo);
  EXPECT_EQ(store->complete_blobs(), std::vector<Sha256Digest>{digest});
  EXPECT_EQ(store->IntegrityCheck(), "ok");
}

// A transfer cut halfway (the process gone): the chunks committed are held after a reopen, and
// only the others are asked for.
TEST(BlobStoreTest, ATransferCutHalfwayResumesWithOnlyTheMissingChunks) {
  const std::vector<uint8_t> photo = Content(100'000);
  const BlobManifest manifest = BlobManifest::Of(photo, BlobStore::kChunkSize);
  ASSERT_EQ(manifest.chunk_count(), 7u);
  auto chunk = [&](uint32_t i) {
    return std::span(photo).subspan(manifest.ChunkOffset(i), manifest.ChunkLength(i));
  };
  const std::string path = FreshPath("cut");
  {
    auto store = BlobStore::Open(path).value();
    ASSERT_TRUE(store->AddManifest(manifest).value());
    EXPECT_FALSE(store->AddManifest(manifest).value());
    for (uint32_t i : {0u, 3u, 4u}) {
      ASSERT_EQ(store->PutChunk(manifest.digest, i, chunk(i)).value(),
                BlobStore::ChunkOutcome::kStored);
    }
    EXPECT_EQ(store->PutChunk(manifest.digest, 3, chunk(3)).value(),
              BlobStore::ChunkOutcome::kAlreadyHeld);
  }
  auto store = BlobStore::Open(path).value();
  EXPECT_FALSE(store->complete(manifest.digest));
  EXPECT_EQ(store->Missing(manifest.digest), (std::vector<uint32_t>{1, 2, 5, 6}));
  for (uint32_t i : store->Missing(manifest.digest)) {
    ASSERT_TRUE(store->PutChunk(manifest.digest, i, chunk(i)).ok());
  }
  EXPECT_TRUE(store->complete(manifest.digest));
  EXPECT_EQ(store->Read(manifest.digest).value(), photo);
}

TEST(BlobStoreTest, RefusesChunksThatDoNotMatch) {
  const std::vector<uint8_t> photo = Content(40'000);
  const BlobManifest manifest = BlobManifest::Of(photo, BlobStore::kChunkSize);
  auto store = BlobStore::Open(FreshPath("refuse")).value();
  std::vector<uint8_t> chunk(photo.begin(), photo.begin() + BlobStore::kChunkSize);
  Result<BlobStore::ChunkOutcome> unknown = store->PutChunk(manifest.digest, 0, chunk);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().detail, "blob chunk of an unknown blob");
  ASSERT_TRUE(store->AddManifest(manifest).ok());
  chunk[100] ^= 1;
  Result<BlobStore::ChunkOutcome> forged = store->PutChunk(manifest.digest, 0, chunk);
  ASSERT_FALSE(forged.ok());
  EXPECT_EQ(forged.error().code, ErrorCode::kAuthenticationFailed);
  EXPECT_FALSE(store->PutChunk(manifest.digest, 9, chunk).ok());
  EXPECT_EQ(store->Missing(manifest.digest).size(), 3u);
  EXPECT_FALSE(store->Read(manifest.digest).ok());
}

// A manifest whose chunk digests describe other content than the blob it names (a hostile peer
// offering its own content under the teacher's deck's digest): the blob never completes under
// that name, and the true content is taken afterwards.
TEST(BlobStoreTest, AManifestThatLiesAboutItsBlobIsForgotten) {
  const std::vector<uint8_t> deck = Content(30'000);
  std::vector<uint8_t> other = deck;
  other[5] ^= 0xFF;
  BlobManifest lie = BlobManifest::Of(other, BlobStore::kChunkSize);
  lie.digest = Sha256(deck);  // Named as the deck.
  auto store = BlobStore::Open(FreshPath("lie")).value();
  ASSERT_TRUE(store->AddManifest(lie).ok());
  ASSERT_TRUE(store->PutChunk(lie.digest, 1, std::span(other).subspan(BlobStore::kChunkSize)).ok());
  Result<BlobStore::ChunkOutcome> last =
      store->PutChunk(lie.digest, 0, std::span(other).first(BlobStore::kChunkSize));
  ASSERT_FALSE(last.ok());
  EXPECT_EQ(last.error().code, ErrorCode::kAuthenticationFailed);
  EXPECT_FALSE(store->known(lie.digest));
  EXPECT_EQ(store->complete_blobs().size(), 0u);
  Result<BlobManifest, std::string> real = store->Put(deck);
  ASSERT_TRUE(real.ok()) << real.error();
  EXPECT_EQ(store->Read(real->digest).value(), deck);
}

}  // namespace
}  // namespace comodal::session
