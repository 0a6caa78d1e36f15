#include "session/sync/sync_message.h"

#include <algorithm>
#include <type_traits>

#include "transport/base/byte_io.h"

namespace comodal::session {
namespace {

constexpr uint8_t kVersion = 1;

void WriteDigest(ByteWriter& out, const Sha256Digest& digest) { out.Bytes(digest); }

bool ReadDigest(ByteReader& in, Sha256Digest& digest) {
  const auto bytes = in.Bytes(digest.size());
  if (!in.ok()) return false;
  std::copy(bytes.begin(), bytes.end(), digest.begin());
  return true;
}

size_t BodySize(const SyncMessage& message) {
  return std::visit(
      [](const auto& m) -> size_t {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, SyncHello>) {
          return 12 + m.version.WireSize();
        } else if constexpr (std::is_same_v<T, SyncOperations>) {
          size_t size = 2;
          for (const Operation& op : m.operations) size += op.size();
          return size;
        } else if constexpr (std::is_same_v<T, BlobOffer>) {
          return m.manifest.wire_size();
        } else if constexpr (std::is_same_v<T, BlobWant>) {
          return 32 + 2 + 4 * m.chunks.size();
        } else if constexpr (std::is_same_v<T, BlobChunk>) {
          return 32 + 4 + m.data.size();
        } else if constexpr (std::is_same_v<T, BlobHave>) {
          return 32;
        } else if constexpr (std::is_same_v<T, ClockRequest>) {
          return 12;
        } else {
          return 24;
        }
      },
      message);
}

}  // namespace

std::vector<uint8_t> SerializeSyncMessage(const SyncMessage& message) {
  std::vector<uint8_t> out(2 + BodySize(message));
  ByteWriter writer(out);
  writer.U8(kVersion);
  writer.U8(static_cast<uint8_t>(message.index() + 1));
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, SyncHello>) {
          writer.U32(m.node);
          writer.U64(m.incarnation);
          m.version.Write(writer);
        } else if constexpr (std::is_same_v<T, SyncOperations>) {
          writer.U16(static_cast<uint16_t>(m.operations.size()));
          for (const Operation& op : m.operations) {
            const std::span<uint8_t> room = writer.Reserve(op.size());
            if (room.empty() || !op.Write(room).ok()) out.clear();
          }
        } else if constexpr (std::is_same_v<T, BlobOffer>) {
          writer.Bytes(m.manifest.Serialize());
        } else if constexpr (std::is_same_v<T, BlobWant>) {
          WriteDigest(writer, m.digest);
          writer.U16(static_cast<uint16_t>(m.chunks.size()));
          for (uint32_t chunk : m.chunks) writer.U32(chunk);
        } else if constexpr (std::is_same_v<T, BlobChunk>) {
          WriteDigest(writer, m.digest);
          writer.U32(m.index);
          writer.Bytes(m.data);
        } else if constexpr (std::is_same_v<T, BlobHave>) {
          WriteDigest(writer, m.digest);
        } else if constexpr (std::is_same_v<T, ClockRequest>) {
          writer.U32(m.node);
          writer.U64(static_cast<uint64_t>(m.sent_us));
        } else {
          writer.U64(static_cast<uint64_t>(m.sent_us));
          writer.U64(static_cast<uint64_t>(m.hub_received_us));
          writer.U64(static_cast<uint64_t>(m.hub_sent_us));
        }
      },
      message);
  if (!writer.ok() || out.size() > kMaxSyncMessageSize) return {};
  return out;
}

Result<SyncMessage> ParseSyncMessage(std::span<const uint8_t> bytes) {
  ByteReader in(bytes);
  const uint8_t version = in.U8();
  const uint8_t type = in.U8();
  if (!in.ok()) return Error{ErrorCode::kTruncated, "sync message shorter than its header"};
  if (version != kVersion) return Error{ErrorCode::kBadVersion, "sync message version is not 1"};
  if (bytes.size() > kMaxSyncMessageSize) {
    return Error{ErrorCode::kBadLength, "sync message over 1 MiB"};
  }
  auto finished = [&](SyncMessage message) -> Result<SyncMessage> {
    if (!in.ok()) return Error{ErrorCode::kTruncated, "sync message shorter than its body"};
    if (in.remaining() != 0) return Error{ErrorCode::kBadLength, "bytes after a sync message"};
    return message;
  };
  switch (type) {
    case 1: {
      SyncHello hello;
      hello.node = in.U32();
      hello.incarnation = in.U64();
      if (!in.ok()) return Error{ErrorCode::kTruncated, "sync hello shorter than its header"};
      Result<VersionVector> version_vector = VersionVector::Parse(in);
      if (!version_vector.ok()) return version_vector.error();
      hello.version = std::move(*version_vector);
      return finished(std::move(hello));
    }
    case 2: {
      SyncOperations batch;
      const uint16_t count = in.U16();
      for (uint16_t i = 0; i < count && in.ok(); ++i) {
        const std::span<const uint8_t> rest = in.rest();
        if (rest.size() < Operation::kHeaderSize) {
          return Error{ErrorCode::kTruncated, "sync operations shorter than their count"};
        }
        const size_t size = Operation::kHeaderSize + LoadBE16(&rest[Operation::kHeaderSize - 2]);
        if (rest.size() < size) {
          return Error{ErrorCode::kTruncated, "sync operation shorter than its body"};
        }
        Result<Operation> op = Operation::Parse(in.Bytes(size));
        if (!op.ok()) return op.error();
        batch.operations.push_back(std::move(*op));
      }
      return finished(std::move(batch));
    }
    case 3: {
      Result<BlobManifest> manifest = BlobManifest::Parse(in.rest());
      if (!manifest.ok()) return manifest.error();
      return SyncMessage(BlobOffer{std::move(*manifest)});
    }
    case 4: {
      BlobWant want;
      if (!ReadDigest(in, want.digest)) {
        return Error{ErrorCode::kTruncated, "blob want shorter than its digest"};
      }
      const uint16_t count = in.U16();
      if (count > BlobWant::kMaxChunks) {
        return Error{ErrorCode::kMalformed, "blob want of over 1024 chunks"};
      }
      for (uint16_t i = 0; i < count && in.ok(); ++i) {
        const uint32_t chunk = in.U32();
        if (in.ok() && !want.chunks.empty() && chunk <= want.chunks.back()) {
          return Error{ErrorCode::kMalformed, "blob want chunks not increasing"};
        }
        want.chunks.push_back(chunk);
      }
      return finished(std::move(want));
    }
    case 5: {
      BlobChunk chunk;
      if (!ReadDigest(in, chunk.digest)) {
        return Error{ErrorCode::kTruncated, "blob chunk shorter than its digest"};
      }
      chunk.index = in.U32();
      if (!in.ok()) return Error{ErrorCode::kTruncated, "blob chunk shorter than its header"};
      if (in.remaining() == 0) return Error{ErrorCode::kBadLength, "blob chunk without data"};
      const auto data = in.rest();
      chunk.data.assign(data.begin(), data.end());
      return SyncMessage(std::move(chunk));
    }
    case 6: {
      BlobHave have;
      if (!ReadDigest(in, have.digest)) {
        return Error{ErrorCode::kTruncated, "blob have shorter than its digest"};
      }
      return finished(have);
    }
    case 7: {
      ClockRequest request;
      request.node = in.U32();
      request.sent_us = static_cast<int64_t>(in.U64());
      return finished(request);
    }
    case 8: {
      ClockResponse response;
      response.sent_us = static_cast<int64_t>(in.U64());
      response.hub_received_us = static_cast<int64_t>(in.U64());
      response.hub_sent_us = static_cast<int64_t>(in.U64());
      return finished(response);
    }
    default:
      return Error{ErrorCode::kUnsupported, "sync message of an unknown type"};
  }
}

}  // namespace comodal::session
