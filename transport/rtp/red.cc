#include "transport/rtp/red.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "transport/base/byte_io.h"
#include "transport/rtp/sequence_number.h"

namespace comodal {

Result<RedPayload> RedPayload::Parse(std::span<const uint8_t> payload, uint32_t rtp_timestamp) {
  RedPayload parsed;
  // First pass: the headers, up to the primary's (F=0), and the total of the stated lengths.
  size_t pos = 0;
  size_t redundant_bytes = 0;
  while (true) {
    if (pos >= payload.size()) {
      return Error{ErrorCode::kTruncated, "RED payload ends before the primary block header"};
    }
    const uint8_t first = payload[pos];
    if ((first & 0x80) == 0) {
      parsed.blocks_.push_back(RedBlock{static_cast<uint8_t>(first & 0x7F), rtp_timestamp, {}});
      pos += kPrimaryHeaderSize;
      break;
    }
    if (pos + kRedundantHeaderSize > payload.size()) {
      return Error{ErrorCode::kTruncated, "RED block header runs past the payload"};
    }
    const uint32_t word = LoadBE32(&payload[pos]);
    const uint32_t offset = (word >> 10) & kMaxTimestampOffset;
    const size_t length = word & kMaxBlockLength;
    // The data is placed in the second pass, once the headers are known to end in the payload.
    parsed.blocks_.push_back(
        RedBlock{static_cast<uint8_t>(first & 0x7F), rtp_timestamp - offset, {}});
    redundant_bytes += length;
    pos += kRedundantHeaderSize;
  }
  if (pos + redundant_bytes > payload.size()) {
    return Error{ErrorCode::kBadLength, "RED block lengths exceed the payload"};
  }
  // Second pass: place the data, in header order; the primary takes what is left.
  size_t data_pos = pos;
  for (size_t i = 0; i + 1 < parsed.blocks_.size(); ++i) {
    const size_t length = LoadBE32(&payload[i * kRedundantHeaderSize]) & kMaxBlockLength;
    parsed.blocks_[i].payload = payload.subspan(data_pos, length);
    data_pos += length;
  }
  parsed.blocks_.back().payload = payload.subspan(data_pos);
  return parsed;
}

Result<RedBuildResult> BuildRedPayload(const RedBlock& primary, std::span<const RedBlock> redundant,
                                       std::span<uint8_t> out) {
  if (primary.payload_type > 127) {
    return Error{ErrorCode::kInvalidArgument, "RED block payload type is 7 bits"};
  }
  const size_t primary_size = RedPayload::kPrimaryHeaderSize + primary.payload.size();
  if (primary_size > out.size()) {
    return Error{ErrorCode::kBufferTooSmall, "no room for the RED primary block"};
  }
  // Choose the redundant blocks, newest first, while they fit.
  std::vector<bool> chosen(redundant.size(), false);
  size_t size = primary_size;
  size_t count = 0;
  for (size_t i = redundant.size(); i-- > 0;) {
    const RedBlock& block = redundant[i];
    const uint32_t offset = primary.timestamp - block.timestamp;
    if (block.payload_type > 127 || !IsNewerSequenceNumber(primary.timestamp, block.timestamp) ||
        offset > RedPayload::kMaxTimestampOffset ||
        block.payload.size() > RedPayload::kMaxBlockLength) {
      continue;
    }
    const size_t block_size = RedPayload::kRedundantHeaderSize + block.payload.size();
    if (size + block_size > out.size()) continue;
    chosen[i] = true;
    size += block_size;
    ++count;
  }

  ByteWriter writer(out);
  for (size_t i = 0; i < redundant.size(); ++i) {
    if (!chosen[i]) continue;
    const RedBlock& block = redundant[i];
    writer.U8(static_cast<uint8_t>(0x80 | block.payload_type));
    const uint32_t offset = primary.timestamp - block.timestamp;
    writer.U24((offset << 10) | static_cast<uint32_t>(block.payload.size()));
  }
  writer.U8(primary.payload_type);
  for (size_t i = 0; i < redundant.size(); ++i) {
    if (chosen[i]) writer.Bytes(redundant[i].payload);
  }
  writer.Bytes(primary.payload);
  return RedBuildResult{writer.size(), count};
}

void RedEncoder::SetMaxRedundantBlocks(size_t blocks) {
  max_redundant_blocks_ = std::min(blocks, kMaxRedundantBlocks);
  while (history_.size() > max_redundant_blocks_) history_.pop_front();
}

Result<RedBuildResult> RedEncoder::Encode(const RedBlock& frame, std::span<uint8_t> out) {
  std::array<RedBlock, kMaxRedundantBlocks> redundant;
  size_t count = 0;
  for (const StoredFrame& stored : history_) {
    redundant[count++] = RedBlock{stored.payload_type, stored.timestamp, stored.payload};
  }
  auto result = BuildRedPayload(frame, std::span(redundant.data(), count), out);
  if (!result.ok()) return result;
  if (max_redundant_blocks_ > 0) {
    if (history_.size() == max_redundant_blocks_) history_.pop_front();
    history_.push_back(StoredFrame{
        frame.payload_type, frame.timestamp, {frame.payload.begin(), frame.payload.end()}});
  }
  return result;
}

}  // namespace comodal
