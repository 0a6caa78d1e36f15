#ifndef SESSION_BLOB_BLOB_MANIFEST_H_
#define SESSION_BLOB_BLOB_MANIFEST_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "transport/base/result.h"
#include "transport/srtp/sha256.h"

namespace comodal::session {

// What names and checks a blob (a slide deck, a worksheet, a photo of a pupil's work): its
// SHA-256, its size, and the SHA-256 of each of its chunks, so that a transfer cut anywhere
// resumes with the chunks still missing and each chunk is checked as it comes.
//
// Wire format (version 1), big-endian: version (8), reserved (8, 0), chunk size (32, 1 KiB to
// 1 MiB), blob size (64, up to 4 GiB), blob digest (32 bytes), then one 32-byte digest per chunk
// (ceil(size / chunk size) of them; none for an empty blob).
struct BlobManifest {
  static constexpr uint8_t kVersion = 1;
  static constexpr size_t kHeaderSize = 46;
  static constexpr uint32_t kDefaultChunkSize = 64 * 1024;
  static constexpr uint32_t kMinChunkSize = 1024;
  static constexpr uint32_t kMaxChunkSize = 1024 * 1024;
  static constexpr uint64_t kMaxBlobSize = uint64_t{4} << 30;

  uint32_t chunk_size = kDefaultChunkSize;
  uint64_t size = 0;
  Sha256Digest digest{};
  std::vector<Sha256Digest> chunks;

  // The manifest of `content`, cut in chunks of `chunk_size`.
  static BlobManifest Of(std::span<const uint8_t> content, uint32_t chunk_size = kDefaultChunkSize);
  size_t chunk_count() const { return chunks.size(); }
  // The byte range of chunk `index`.
  uint64_t ChunkOffset(size_t index) const { return uint64_t{chunk_size} * index; }
  size_t ChunkLength(size_t index) const;

  size_t wire_size() const { return kHeaderSize + 32 * chunks.size(); }
  std::vector<uint8_t> Serialize() const;
  // Untrusted bytes: each field checked, the chunk count matching the size.
  static Result<BlobManifest> Parse(std::span<const uint8_t> data);

  friend bool operator==(const BlobManifest&, const BlobManifest&) = default;
};

// A blob being received: chunks come in any order, any number of times, and after any
// interruption; each is checked against the manifest before it is kept. The caller persists the
// chunks it is given back (kept) and, after a restart, tells it which it holds (MarkHeld), so
// that only the missing ones are asked for again.
class BlobAssembly {
 public:
  explicit BlobAssembly(BlobManifest manifest);

  enum class Outcome { kKept, kDuplicate };
  // Whether `bytes` are chunk `index` (in range, its length, its digest), without keeping it.
  Status Check(size_t index, std::span<const uint8_t> bytes) const;
  bool held(size_t index) const { return index < held_.size() && held_[index]; }
  // Refused (kept nothing) if the index is out of range or the bytes do not match the chunk's
  // digest or length.
  Result<Outcome> OnChunk(size_t index, std::span<const uint8_t> bytes);
  // After a restart: chunk `index` was kept before (its bytes already checked then).
  void MarkHeld(size_t index);
  std::vector<size_t> Missing() const;
  bool complete() const { return held_count_ == manifest_.chunk_count(); }
  const BlobManifest& manifest() const { return manifest_; }

 private:
  BlobManifest manifest_;
  std::vector<bool> held_;
  size_t held_count_ = 0;
};

}  // namespace comodal::session

#endif  // SESSION_BLOB_BLOB_MANIFEST_H_
