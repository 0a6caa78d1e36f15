#ifndef SESSION_BLOB_BLOB_STORE_H_
#define SESSION_BLOB_BLOB_STORE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "session/blob/blob_manifest.h"
#include "transport/base/result.h"

struct sqlite3;

namespace comodal::session {

// A node's blobs (slide decks, worksheets, photos of pupils' work) in a SQLite file in WAL mode:
// each blob's manifest and the chunks held, each chunk checked against its digest before it is
// kept and committed before it counts as held. A transfer cut at any point (a link down, the
// process killed) resumes from Missing(): no chunk already held is asked for again.
class BlobStore {
 public:
  // Chunks of the blobs made here: 16 KiB, so that one chunk waits little ahead of other bulk
  // messages on a 256 kbit/s uplink.
  static constexpr uint32_t kChunkSize = 16 * 1024;

  // Opens or creates the store and reads what it holds; the error names the file.
  static Result<std::unique_ptr<BlobStore>, std::string> Open(const std::string& path);
  ~BlobStore();
  BlobStore(const BlobStore&) = delete;
  BlobStore& operator=(const BlobStore&) = delete;

  // Content made here, stored whole in one commit. Its manifest names it.
  Result<BlobManifest, std::string> Put(std::span<const uint8_t> content,
                                        uint32_t chunk_size = kChunkSize);
  // A blob a peer offers: remembered so that its chunks can be taken. False if already known.
  Result<bool, std::string> AddManifest(const BlobManifest& manifest);
  enum class ChunkOutcome { kStored, kAlreadyHeld };
  // A chunk from a peer. Refused (kept nothing) for an unknown blob, an index out of range, bytes
  // that do not match the digest, or a disk that fails. When it completes the blob, the whole is
  // checked against the blob's SHA-256; if it does not match, the manifest lied and the blob is
  // forgotten (kAuthenticationFailed).
  Result<ChunkOutcome> PutChunk(const Sha256Digest& digest, uint32_t index,
                                std::span<const uint8_t> bytes);

  bool known(const Sha256Digest& digest) const { return blobs_.contains(digest); }
  bool complete(const Sha256Digest& digest) const;
  // The chunks not held yet (empty for an unknown blob).
  std::vector<uint32_t> Missing(const Sha256Digest& digest) const;
  std::optional<BlobManifest> manifest(const Sha256Digest& digest) const;
  std::vector<Sha256Digest> complete_blobs() const;
  Result<std::vector<uint8_t>, std::string> ReadChunk(const Sha256Digest& digest,
                                                      uint32_t index) const;
  // The whole blob, checked against its SHA-256 again.
  Result<std::vector<uint8_t>, std::string> Read(const Sha256Digest& digest) const;
  std::string IntegrityCheck() const;

 private:
  BlobStore(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  std::string Failure(const char* what) const;
  bool StoreManifest(const BlobManifest& manifest);
  bool StoreChunk(const Sha256Digest& digest, uint32_t index, std::span<const uint8_t> bytes);
  // Drops a blob's manifest and chunks.
  void Forget(const Sha256Digest& digest);

  sqlite3* db_;
  std::string path_;
  std::map<Sha256Digest, BlobAssembly> blobs_;
};

}  // namespace comodal::session

#endif  // SESSION_BLOB_BLOB_STORE_H_
