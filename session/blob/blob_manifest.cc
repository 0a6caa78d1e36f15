#include "session/blob/blob_manifest.h"

#include <algorithm>

#include "transport/base/byte_io.h"

namespace comodal::session {

BlobManifest BlobManifest::Of(std::span<const uint8_t> content, uint32_t chunk_size) {
  BlobManifest manifest;
  manifest.chunk_size = std::clamp(chunk_size, kMinChunkSize, kMaxChunkSize);
  manifest.size = content.size();
  manifest.digest = Sha256(content);
  for (size_t offset = 0; offset < content.size(); offset += manifest.chunk_size) {
    manifest.chunks.push_back(Sha256(
        content.subspan(offset, std::min<size_t>(manifest.chunk_size, content.size() - offset))));
  }
  return manifest;
}

size_t BlobManifest::ChunkLength(size_t index) const {
  if (index >= chunks.size()) return 0;
  return static_cast<size_t>(std::min<uint64_t>(chunk_size, size - ChunkOffset(index)));
}

std::vector<uint8_t> BlobManifest::Serialize() const {
  std::vector<uint8_t> out(wire_size());
  ByteWriter writer(out);
  writer.U8(kVersion);
  writer.U8(0);
  writer.U32(chunk_size);
  writer.U64(size);
  writer.Bytes(digest);
  for (const Sha256Digest& chunk : chunks) writer.Bytes(chunk);
  return out;
}

Result<BlobManifest> BlobManifest::Parse(std::span<const uint8_t> data) {
  ByteReader reader(data);
  const uint8_t version = reader.U8();
  const uint8_t reserved = reader.U8();
  BlobManifest manifest;
  manifest.chunk_size = reader.U32();
  manifest.size = reader.U64();
  const auto digest = reader.Bytes(32);
  if (!reader.ok()) return Error{ErrorCode::kTruncated, "blob manifest shorter than its header"};
  if (version != kVersion) return Error{ErrorCode::kBadVersion, "blob manifest version is not 1"};
  if (reserved != 0) return Error{ErrorCode::kMalformed, "blob manifest reserved byte is not 0"};
  if (manifest.chunk_size < kMinChunkSize || manifest.chunk_size > kMaxChunkSize) {
    return Error{ErrorCode::kMalformed, "blob chunk size outside 1 KiB to 1 MiB"};
  }
  if (manifest.size > kMaxBlobSize) return Error{ErrorCode::kMalformed, "blob over 4 GiB"};
  const uint64_t count = (manifest.size + manifest.chunk_size - 1) / manifest.chunk_size;
  if (reader.remaining() != 32 * count) {
    return Error{ErrorCode::kBadLength, "blob manifest chunk digests differ from its size"};
  }
  std::copy(digest.begin(), digest.end(), manifest.digest.begin());
  manifest.chunks.resize(count);
  for (Sha256Digest& chunk : manifest.chunks) {
    const auto bytes = reader.Bytes(32);
    std::copy(bytes.begin(), bytes.end(), chunk.begin());
  }
  return manifest;
}

BlobAssembly::BlobAssembly(BlobManifest manifest)
    : manifest_(std::move(manifest)), held_(manifest_.chunk_count(), false) {}

Status BlobAssembly::Check(size_t index, std::span<const uint8_t> bytes) const {
  if (index >= manifest_.chunk_count()) {
    return Error{ErrorCode::kInvalidArgument, "blob chunk index beyond the manifest"};
  }
  if (bytes.size() != manifest_.ChunkLength(index) || Sha256(bytes) != manifest_.chunks[index]) {
    return Error{ErrorCode::kAuthenticationFailed, "blob chunk does not match its digest"};
  }
  return Status::Ok();
}

Result<BlobAssembly::Outcome> BlobAssembly::OnChunk(size_t index, std::span<const uint8_t> bytes) {
  if (held(index)) return Outcome::kDuplicate;
  if (Status status = Check(index, bytes); !status.ok()) return status.error();
  MarkHeld(index);
  return Outcome::kKept;
}

void BlobAssembly::MarkHeld(size_t index) {
  if (index >= held_.size() || held_[index]) return;
  held_[index] = true;
  ++held_count_;
}

std::vector<size_t> BlobAssembly::Missing() const {
  std::vector<size_t> missing;
  for (size_t i = 0; i < held_.size(); ++i) {
    if (!held_[i]) missing.push_back(i);
  }
  return missing;
}

}  // namespace comodal::session
