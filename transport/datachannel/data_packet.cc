#include "transport/datachannel/data_packet.h"

#include "transport/base/byte_io.h"

namespace comodal::datachannel {
namespace {

constexpr uint8_t kHasAck = 0x01;
constexpr uint8_t kHasFragment = 0x02;

Status CheckAck(const DataAck& ack) {
  if (ack.blocks.size() > DataAck::kMaxBlocks) {
    return Error{ErrorCode::kInvalidArgument, "data ack with more than 16 blocks"};
  }
  uint64_t floor = uint64_t{ack.cumulative} + 1;  // A block starts past a gap above this.
  for (const auto& [first, last] : ack.blocks) {
    if (first <= floor || last < first) {
      return Error{ErrorCode::kMalformed, "data ack blocks not increasing with gaps"};
    }
    floor = uint64_t{last} + 1;
  }
  return Status::Ok();
}

Status CheckFragment(const DataFragment& fragment) {
  if (fragment.packet_number == 0) {
    return Error{ErrorCode::kMalformed, "data packet number 0"};
  }
  if (fragment.floor == 0 || fragment.floor > fragment.packet_number) {
    return Error{ErrorCode::kMalformed, "data packet floor 0 or above its number"};
  }
  if (fragment.lane != Lane::kSessionData && fragment.lane != Lane::kBulk) {
    return Error{ErrorCode::kUnsupported, "data fragment for an unknown lane"};
  }
  if (fragment.message_number == 0) {
    return Error{ErrorCode::kMalformed, "data message number 0"};
  }
  if (fragment.message_size == 0 || fragment.message_size > DataFragment::kMaxMessageSize) {
    return Error{ErrorCode::kBadLength, "data message size 0 or over 1 MiB"};
  }
  if (fragment.data.empty() ||
      uint64_t{fragment.offset} + fragment.data.size() > fragment.message_size) {
    return Error{ErrorCode::kBadLength, "data fragment empty or past its message's end"};
  }
  return Status::Ok();
}

}  // namespace

size_t DataPacket::size() const {
  size_t size = kHeaderSize;
  if (ack) size += AckSize(ack->blocks.size());
  if (fragment) size += kFragmentHeaderSize + fragment->data.size();
  return size;
}

Result<size_t> DataPacket::Write(std::span<uint8_t> out) const {
  if (incarnation == 0 || epoch == 0) {
    return Error{ErrorCode::kInvalidArgument, "data incarnation or epoch 0"};
  }
  if (ack) {
    if (Status status = CheckAck(*ack); !status) return status.error();
  }
  if (fragment) {
    if (Status status = CheckFragment(*fragment); !status) return status.error();
  }
  if (out.size() < size()) return Error{ErrorCode::kBufferTooSmall, "data packet buffer too small"};
  ByteWriter writer(out);
  writer.U8(kVersion);
  writer.U8(static_cast<uint8_t>((ack ? kHasAck : 0) | (fragment ? kHasFragment : 0)));
  writer.U16(0);
  writer.U32(incarnation);
  writer.U32(epoch);
  if (ack) {
    writer.U32(ack->acked_incarnation);
    writer.U32(ack->acked_epoch);
    writer.U32(ack->cumulative);
    writer.U32(ack->window);
    writer.U8(static_cast<uint8_t>(ack->blocks.size()));
    for (const auto& [first, last] : ack->blocks) {
      writer.U32(first);
      writer.U32(last);
    }
  }
  if (fragment) {
    writer.U32(fragment->packet_number);
    writer.U32(fragment->floor);
    writer.U8(static_cast<uint8_t>(fragment->lane));
    writer.U32(fragment->message_number);
    writer.U32(fragment->message_size);
    writer.U32(fragment->offset);
    writer.Bytes(fragment->data);
  }
  return writer.size();
}

std::vector<uint8_t> DataPacket::Serialize() const {
  std::vector<uint8_t> out(size());
  if (!Write(out).ok()) return {};
  return out;
}

Result<DataPacket> DataPacket::Parse(std::span<const uint8_t> bytes) {
  ByteReader reader(bytes);
  const uint8_t version = reader.U8();
  const uint8_t flags = reader.U8();
  const uint16_t reserved = reader.U16();
  DataPacket packet;
  packet.incarnation = reader.U32();
  packet.epoch = reader.U32();
  if (!reader.ok()) return Error{ErrorCode::kTruncated, "data packet shorter than its header"};
  if (version != kVersion) return Error{ErrorCode::kBadVersion, "data packet version is not 1"};
  if ((flags & ~(kHasAck | kHasFragment)) != 0 || reserved != 0) {
    return Error{ErrorCode::kMalformed, "data packet reserved bits set"};
  }
  if (flags == 0) return Error{ErrorCode::kMalformed, "data packet with neither ack nor data"};
  if (packet.incarnation == 0 || packet.epoch == 0) {
    return Error{ErrorCode::kMalformed, "data incarnation or epoch 0"};
  }
  if (flags & kHasAck) {
    DataAck ack;
    ack.acked_incarnation = reader.U32();
    ack.acked_epoch = reader.U32();
    ack.cumulative = reader.U32();
    ack.window = reader.U32();
    const uint8_t count = reader.U8();
    if (!reader.ok()) return Error{ErrorCode::kTruncated, "data ack shorter than its header"};
    if (count > DataAck::kMaxBlocks) {
      return Error{ErrorCode::kMalformed, "data ack with more than 16 blocks"};
    }
    if (reader.remaining() < size_t{count} * 8) {
      return Error{ErrorCode::kTruncated, "data ack shorter than its blocks"};
    }
    for (uint8_t i = 0; i < count; ++i) {
      const uint32_t first = reader.U32();
      const uint32_t last = reader.U32();
      ack.blocks.emplace_back(first, last);
    }
    if (Status status = CheckAck(ack); !status) return status.error();
    packet.ack = std::move(ack);
  }
  if (flags & kHasFragment) {
    DataFragment fragment;
    fragment.packet_number = reader.U32();
    fragment.floor = reader.U32();
    fragment.lane = static_cast<Lane>(reader.U8());
    fragment.message_number = reader.U32();
    fragment.message_size = reader.U32();
    fragment.offset = reader.U32();
    if (!reader.ok()) return Error{ErrorCode::kTruncated, "data fragment shorter than its header"};
    fragment.data = reader.rest();
    if (Status status = CheckFragment(fragment); !status) return status.error();
    packet.fragment = fragment;
  } else if (reader.remaining() != 0) {
    return Error{ErrorCode::kBadLength, "bytes after a data ack"};
  }
  return packet;
}

}  // namespace comodal::datachannel
