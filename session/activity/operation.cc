#include "session/activity/operation.h"

namespace comodal::session {

std::strong_ordering Order(const Operation& a, const Operation& b) {
  if (auto c = a.time <=> b.time; c != 0) return c;
  return a.id <=> b.id;
}

Result<size_t> Operation::Write(std::span<uint8_t> out) const {
  if (body.size() > kMaxBodySize) {
    return Error{ErrorCode::kInvalidArgument, "operation body over 4096 bytes"};
  }
  if (out.size() < size()) return Error{ErrorCode::kBufferTooSmall, "operation buffer too small"};
  ByteWriter writer(out);
  writer.U8(kVersion);
  writer.U8(static_cast<uint8_t>(activity));
  writer.U8(action);
  writer.U8(0);
  writer.U32(id.node);
  writer.U64(id.counter);
  writer.U64(time.Pack());
  writer.U32(author);
  writer.U16(static_cast<uint16_t>(body.size()));
  writer.Bytes(body);
  return writer.size();
}

std::vector<uint8_t> Operation::Serialize() const {
  std::vector<uint8_t> out(size());
  auto written = Write(out);
  if (!written.ok()) return {};
  return out;
}

Result<Operation> Operation::Parse(std::span<const uint8_t> data) {
  ByteReader reader(data);
  const uint8_t version = reader.U8();
  const uint8_t activity = reader.U8();
  const uint8_t action = reader.U8();
  const uint8_t reserved = reader.U8();
  Operation op;
  op.id.node = reader.U32();
  op.id.counter = reader.U64();
  const uint64_t time = reader.U64();
  op.author = reader.U32();
  const uint16_t body_size = reader.U16();
  if (!reader.ok()) return Error{ErrorCode::kTruncated, "operation shorter than its header"};
  if (version != kVersion) return Error{ErrorCode::kBadVersion, "operation version is not 1"};
  if (activity == 0 || activity > kMaxActivityKind) {
    return Error{ErrorCode::kUnsupported, "operation for an unknown activity"};
  }
  if (reserved != 0) return Error{ErrorCode::kMalformed, "operation reserved byte is not 0"};
  if (op.id.counter == 0)
    return Error{ErrorCode::kMalformed, "operation counter 0 (they start at 1)"};
  if (body_size > kMaxBodySize)
    return Error{ErrorCode::kBadLength, "operation body over 4096 bytes"};
  if (reader.remaining() != body_size) {
    return Error{ErrorCode::kBadLength, "operation body length differs from the bytes after it"};
  }
  op.activity = static_cast<ActivityKind>(activity);
  op.action = action;
  op.time = HlcTimestamp::Unpack(time);
  const auto body = reader.Bytes(body_size);
  op.body.assign(body.begin(), body.end());
  return op;
}

}  // namespace comodal::session
