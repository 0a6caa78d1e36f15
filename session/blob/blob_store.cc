#include "session/blob/blob_store.h"

#include <sqlite3.h>

#include "session/store/sqlite_statement.h"

namespace comodal::session {
namespace {

std::span<const uint8_t> ColumnBytes(sqlite3_stmt* statement, int column) {
  const auto* data = static_cast<const uint8_t*>(sqlite3_column_blob(statement, column));
  const int size = sqlite3_column_bytes(statement, column);
  return data ? std::span(data, static_cast<size_t>(size)) : std::span<const uint8_t>();
}

}  // namespace

std::string BlobStore::Failure(const char* what) const { return SqliteFailure(db_, path_, what); }

Result<std::unique_ptr<BlobStore>, std::string> BlobStore::Open(const std::string& path) {
  Result<sqlite3*, std::string> opened = OpenDurableSqlite(
      path,
      "CREATE TABLE IF NOT EXISTS blobs (digest BLOB PRIMARY KEY, manifest BLOB NOT NULL)"
      "  WITHOUT ROWID;"
      "CREATE TABLE IF NOT EXISTS blob_chunks (digest BLOB NOT NULL, idx INTEGER NOT NULL,"
      "  bytes BLOB NOT NULL, PRIMARY KEY (digest, idx)) WITHOUT ROWID;");
  if (!opened.ok()) return opened.error();
  sqlite3* db = *opened;
  std::unique_ptr<BlobStore> store(new BlobStore(db, path));
  // What it holds: every manifest, and which chunks of each are there.
  SqliteStatement manifests(db, "SELECT digest, manifest FROM blobs");
  if (!manifests.ok()) return store->Failure("cannot read the blobs");
  int step;
  while ((step = sqlite3_step(manifests.get())) == SQLITE_ROW) {
    Result<BlobManifest> manifest = BlobManifest::Parse(ColumnBytes(manifests.get(), 1));
    if (!manifest.ok()) {
      return path + ": a blob manifest is damaged (" + manifest.error().ToString() + ")";
    }
    const Sha256Digest digest = manifest->digest;
    store->blobs_.emplace(digest, BlobAssembly(std::move(*manifest)));
  }
  if (step != SQLITE_DONE) return store->Failure("cannot read the blobs");
  SqliteStatement chunks(db, "SELECT digest, idx FROM blob_chunks");
  if (!chunks.ok()) return store->Failure("cannot read the blob chunks");
  while ((step = sqlite3_step(chunks.get())) == SQLITE_ROW) {
    const std::span<const uint8_t> bytes = ColumnBytes(chunks.get(), 0);
    Sha256Digest digest{};
    if (bytes.size() != digest.size()) return path + ": a blob chunk row is damaged";
    std::copy(bytes.begin(), bytes.end(), digest.begin());
    auto it = store->blobs_.find(digest);
    if (it == store->blobs_.end()) return path + ": a blob chunk belongs to no blob";
    it->second.MarkHeld(static_cast<size_t>(sqlite3_column_int64(chunks.get(), 1)));
  }
  if (step != SQLITE_DONE) return store->Failure("cannot read the blob chunks");
  return store;
}

BlobStore::~BlobStore() { sqlite3_close(db_); }

bool BlobStore::StoreManifest(const BlobManifest& manifest) {
  SqliteStatement insert(db_, "INSERT OR IGNORE INTO blobs VALUES (?, ?)");
  const std::vector<uint8_t> bytes = manifest.Serialize();
  if (!insert.ok()) return false;
  sqlite3_bind_blob(insert.get(), 1, manifest.digest.data(), 32, SQLITE_STATIC);
  sqlite3_bind_blob(insert.get(), 2, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return sqlite3_step(insert.get()) == SQLITE_DONE;
}

bool BlobStore::StoreChunk(const Sha256Digest& digest, uint32_t index,
                           std::span<const uint8_t> bytes) {
  SqliteStatement insert(db_, "INSERT OR IGNORE INTO blob_chunks VALUES (?, ?, ?)");
  if (!insert.ok()) return false;
  sqlite3_bind_blob(insert.get(), 1, digest.data(), 32, SQLITE_STATIC);
  sqlite3_bind_int64(insert.get(), 2, index);
  sqlite3_bind_blob(insert.get(), 3, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
  return sqlite3_step(insert.get()) == SQLITE_DONE;
}

Result<BlobManifest, std::string> BlobStore::Put(std::span<const uint8_t> content,
                                                 uint32_t chunk_size) {
  BlobManifest manifest = BlobManifest::Of(content, chunk_size);
  if (complete(manifest.digest)) return manifest;
  // Known only from an offer, perhaps cut otherwise: the content itself replaces it.
  if (known(manifest.digest)) Forget(manifest.digest);
  if (sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    return Failure("cannot begin a transaction");
  }
  bool ok = StoreManifest(manifest);
  for (size_t i = 0; ok && i < manifest.chunk_count(); ++i) {
    ok = StoreChunk(manifest.digest, static_cast<uint32_t>(i),
                    content.subspan(manifest.ChunkOffset(i), manifest.ChunkLength(i)));
  }
  if (!ok || sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string failure = Failure("cannot store a blob");
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return failure;
  }
  BlobAssembly assembly(manifest);
  for (size_t i = 0; i < manifest.chunk_count(); ++i) assembly.MarkHeld(i);
  blobs_.insert_or_assign(manifest.digest, std::move(assembly));
  return manifest;
}

Result<bool, std::string> BlobStore::AddManifest(const BlobManifest& manifest) {
  if (known(manifest.digest)) return false;
  if (!StoreManifest(manifest)) return Failure("cannot store a blob manifest");
  blobs_.emplace(manifest.digest, BlobAssembly(manifest));
  return true;
}

Result<BlobStore::ChunkOutcome> BlobStore::PutChunk(const Sha256Digest& digest, uint32_t index,
                                                    std::span<const uint8_t> bytes) {
  auto it = blobs_.find(digest);
  if (it == blobs_.end()) return Error{ErrorCode::kUnsupported, "blob chunk of an unknown blob"};
  BlobAssembly& assembly = it->second;
  if (assembly.held(index)) return ChunkOutcome::kAlreadyHeld;
  if (Status status = assembly.Check(index, bytes); !status.ok()) return status.error();
  // Held only once committed: a crash before this loses the chunk, never half of it.
  if (!StoreChunk(digest, index, bytes)) {
    return Error{ErrorCode::kUnsupported, "blob chunk could not be written to the store"};
  }
  assembly.MarkHeld(index);
  if (assembly.complete() && !Read(digest).ok()) {
    // Every chunk matched the manifest, but the whole does not match the digest it is named by:
    // the manifest lied. Forget it, so that a true one can be taken.
    Forget(digest);
    return Error{ErrorCode::kAuthenticationFailed, "blob does not match the digest it is named by"};
  }
  return ChunkOutcome::kStored;
}

bool BlobStore::complete(const Sha256Digest& digest) const {
  auto it = blobs_.find(digest);
  return it != blobs_.end() && it->second.complete();
}

std::vector<uint32_t> BlobStore::Missing(const Sha256Digest& digest) const {
  std::vector<uint32_t> missing;
  auto it = blobs_.find(digest);
  if (it == blobs_.end()) return missing;
  for (size_t index : it->second.Missing()) missing.push_back(static_cast<uint32_t>(index));
  return missing;
}

std::optional<BlobManifest> BlobStore::manifest(const Sha256Digest& digest) const {
  auto it = blobs_.find(digest);
  if (it == blobs_.end()) return std::nullopt;
  return it->second.manifest();
}

std::vector<Sha256Digest> BlobStore::complete_blobs() const {
  std::vector<Sha256Digest> out;
  for (const auto& [digest, assembly] : blobs_) {
    if (assembly.complete()) out.push_back(digest);
  }
  return out;
}

Result<std::vector<uint8_t>, std::string> BlobStore::ReadChunk(const Sha256Digest& digest,
                                                               uint32_t index) const {
  SqliteStatement select(db_, "SELECT bytes FROM blob_chunks WHERE digest = ? AND idx = ?");
  if (!select.ok()) return Failure("cannot read a blob chunk");
  sqlite3_bind_blob(select.get(), 1, digest.data(), 32, SQLITE_STATIC);
  sqlite3_bind_int64(select.get(), 2, index);
  if (sqlite3_step(select.get()) != SQLITE_ROW) {
    return path_ + ": blob " + ToHex(digest) + " has no chunk " + std::to_string(index);
  }
  const std::span<const uint8_t> bytes = ColumnBytes(select.get(), 0);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

Result<std::vector<uint8_t>, std::string> BlobStore::Read(const Sha256Digest& digest) const {
  auto it = blobs_.find(digest);
  if (it == blobs_.end() || !it->second.complete()) {
    return path_ + ": blob " + ToHex(digest) + " is not held whole";
  }
  std::vector<uint8_t> content;
  for (size_t i = 0; i < it->second.manifest().chunk_count(); ++i) {
    Result<std::vector<uint8_t>, std::string> chunk = ReadChunk(digest, static_cast<uint32_t>(i));
    if (!chunk.ok()) return chunk.error();
    content.insert(content.end(), chunk->begin(), chunk->end());
  }
  if (Sha256(content) != digest) return path_ + ": blob " + ToHex(digest) + " is damaged";
  return content;
}

void BlobStore::Forget(const Sha256Digest& digest) {
  for (const char* sql :
       {"DELETE FROM blob_chunks WHERE digest = ?", "DELETE FROM blobs WHERE digest = ?"}) {
    SqliteStatement remove(db_, sql);
    if (!remove.ok()) continue;
    sqlite3_bind_blob(remove.get(), 1, digest.data(), 32, SQLITE_STATIC);
    (void)sqlite3_step(remove.get());
  }
  blobs_.erase(digest);
}

std::string BlobStore::IntegrityCheck() const { return SqliteIntegrityCheck(db_, path_); }

}  // namespace comodal::session
