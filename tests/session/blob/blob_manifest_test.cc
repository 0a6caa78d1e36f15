#include "session/blob/blob_manifest.h"

#include <gtest/gtest.h>

#include <random>

namespace comodal::session {
namespace {

std::vector<uint8_t> Content(size_t size, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<uint8_t> out(size);
  for (uint8_t& b : out) b = static_cast<uint8_t>(random());
  return out;
}

TEST(Sha256Test, MatchesTheStandardVectors) {
  // FIPS 180-4 examples: "abc" and the empty string.
  const std::string abc = "abc";
  EXPECT_EQ(ToHex(Sha256(std::span(reinterpret_cast<const uint8_t*>(abc.data()), abc.size()))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(ToHex(Sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(BlobManifestTest, AManifestNamesEachChunkAndParsesBack) {
  const std::vector<uint8_t> deck = Content(200'000, 1);
  const BlobManifest manifest = BlobManifest::Of(deck, 64 * 1024);
  ASSERT_EQ(manifest.chunk_count(), 4u);
  EXPECT_EQ(manifest.ChunkLength(3), 200'000u - 3 * 65'536u);
  EXPECT_EQ(manifest.digest, Sha256(deck));
  auto parsed = BlobManifest::Parse(manifest.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(*parsed, manifest);
  // An empty blob has no chunk.
  EXPECT_EQ(BlobManifest::Of({}).chunk_count(), 0u);
  EXPECT_TRUE(BlobManifest::Parse(BlobManifest::Of({}).Serialize()).ok());
}

TEST(BlobManifestTest, MalformedManifestsAreRefusedWithTheirReason) {
  const std::vector<uint8_t> good = BlobManifest::Of(Content(5000, 2), 1024).Serialize();
  auto refused = [](std::vector<uint8_t> bytes) {
    auto parsed = BlobManifest::Parse(bytes);
    EXPECT_FALSE(parsed.ok());
    return parsed.ok() ? Error{ErrorCode::kMalformed, "parsed"} : parsed.error();
  };
  EXPECT_EQ(refused({good.begin(), good.begin() + 45}).code, ErrorCode::kTruncated);
  std::vector<uint8_t> bad = good;
  bad[0] = 2;
  EXPECT_EQ(refused(bad).code, ErrorCode::kBadVersion);
  bad = good;
  bad[1] = 1;
  EXPECT_EQ(refused(bad).code, ErrorCode::kMalformed);
  bad = good;
  bad[4] = 0;  // Chunk size 1024 -> 0.
  bad[5] = 0;
  EXPECT_EQ(refused(bad).detail, "blob chunk size outside 1 KiB to 1 MiB");
  bad = good;
  bad.pop_back();
  EXPECT_EQ(refused(bad).code, ErrorCode::kBadLength);
  bad = good;
  bad[12] = 0x20;  // Size 5 000 -> 8 328: nine chunks, five digests.
  EXPECT_EQ(refused(bad).code, ErrorCode::kBadLength);
}

// A transfer cut in the middle resumes with only the missing chunks; a chunk that does not match
// its digest is refused and kept out.
TEST(BlobAssemblyTest, ACutTransferResumesWithoutTheFinishedChunks) {
  const std::vector<uint8_t> photo = Content(10 * 4096 + 100, 3);
  const BlobManifest manifest = BlobManifest::Of(photo, 4096);
  auto chunk = [&](size_t i) {
    return std::span(photo).subspan(manifest.ChunkOffset(i), manifest.ChunkLength(i));
  };
  std::vector<size_t> kept;
  {
    BlobAssembly first(manifest);
    for (size_t i : {0u, 1u, 2u, 5u, 6u}) {
      auto outcome = first.OnChunk(i, chunk(i));
      ASSERT_TRUE(outcome.ok());
      kept.push_back(i);
    }
    std::vector<uint8_t> damaged(chunk(3).begin(), chunk(3).end());
    damaged[7] ^= 1;
    auto refused = first.OnChunk(3, damaged);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, ErrorCode::kAuthenticationFailed);
    EXPECT_FALSE(first.OnChunk(11, chunk(0)).ok());
  }  // Cut.
  BlobAssembly resumed(manifest);
  for (size_t i : kept) resumed.MarkHeld(i);
  const std::vector<size_t> missing = resumed.Missing();
  EXPECT_EQ(missing, (std::vector<size_t>{3, 4, 7, 8, 9, 10}));
  for (size_t i : missing) ASSERT_EQ(*resumed.OnChunk(i, chunk(i)), BlobAssembly::Outcome::kKept);
  EXPECT_EQ(*resumed.OnChunk(0, chunk(0)), BlobAssembly::Outcome::kDuplicate);
  EXPECT_TRUE(resumed.complete());
}

}  // namespace
}  // namespace comodal::session
