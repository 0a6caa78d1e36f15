#include "transport/rtp/rtp_packet.h"

#include <algorithm>
#include <cstring>

namespace comodal {

Result<RtpPacket> RtpPacket::Parse(std::span<const uint8_t> packet) {
  if (packet.size() < kFixedHeaderSize) {
    return Error{ErrorCode::kTruncated, "RTP packet shorter than its 12-byte fixed header"};
  }
  if ((packet[0] >> 6) != kVersion) return Error{ErrorCode::kBadVersion, "RTP version is not 2"};
  if (packet.size() > 0xFFFF) return Error{ErrorCode::kBadLength, "RTP packet over 65535 bytes"};

  RtpPacket parsed;
  parsed.data_ = packet;
  const bool has_padding = (packet[0] & 0x20) != 0;
  const bool has_extension = (packet[0] & 0x10) != 0;
  size_t offset = kFixedHeaderSize + 4 * size_t{packet[0] & 0x0Fu};
  if (offset > packet.size()) {
    return Error{ErrorCode::kTruncated, "RTP packet shorter than its CSRC list"};
  }

  if (has_extension) {
    if (offset + 4 > packet.size()) {
      return Error{ErrorCode::kTruncated, "RTP header extension header missing"};
    }
    const uint16_t profile = LoadBE16(&packet[offset]);
    const size_t extension_size = 4 * size_t{LoadBE16(&packet[offset + 2])};
    offset += 4;
    if (offset + extension_size > packet.size()) {
      return Error{ErrorCode::kTruncated, "RTP header extension runs past the packet"};
    }
    parsed.extension_profile_ = profile;
    parsed.extension_offset_ = static_cast<uint16_t>(offset);
    parsed.extension_size_ = static_cast<uint16_t>(extension_size);
    if (profile == kOneByteExtensionProfile) {
      parsed.extension_format_ = ExtensionFormat::kOneByte;
    } else if ((profile & 0xFFF0) == kTwoByteExtensionProfile) {
      parsed.extension_format_ = ExtensionFormat::kTwoByte;
    } else {
      parsed.extension_format_ = ExtensionFormat::kOther;
    }
    if (!WalkExtensions(parsed.extension_block(), parsed.extension_format_,
                        [](uint8_t, std::span<const uint8_t>) { return true; })) {
      return Error{ErrorCode::kMalformed,
                   "RTP header extension element runs past the extension block"};
    }
    offset += extension_size;
  }

  size_t padding = 0;
  if (has_padding) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included.
    if (offset == packet.size()) {
      return Error{ErrorCode::kBadPadding, "RTP padding bit set but no room for the count"};
    }
    padding = packet.back();
    if (padding == 0 || offset + padding > packet.size()) {
      return Error{ErrorCode::kBadPadding, "RTP padding count is zero or exceeds the payload"};
    }
  }
  parsed.payload_offset_ = static_cast<uint16_t>(offset);
  parsed.payload_size_ = static_cast<uint16_t>(packet.size() - offset - padding);
  parsed.padding_size_ = static_cast<uint8_t>(padding);
  return parsed;
}

std::optional<std::span<const uint8_t>> RtpPacket::FindExtension(uint8_t id) const {
  std::optional<std::span<const uint8_t>> found;
  WalkExtensions(extension_block(), extension_format_,
                 [&](uint8_t element_id, std::span<const uint8_t> data) {
                   if (element_id != id) return true;
                   found = data;
                   return false;
                 });
  return found;
}

bool RtpPacketBuilder::SetCsrcs(std::span<const uint32_t> csrcs) {
  if (csrcs.size() > RtpPacket::kMaxCsrcs) return false;
  std::copy(csrcs.begin(), csrcs.end(), csrcs_.begin());
  csrc_count_ = csrcs.size();
  return true;
}

bool RtpPacketBuilder::SetRawExtension(uint8_t id, std::span<const uint8_t> data) {
  if (id == 0 || data.size() > kMaxExtensionBytes) return false;
  // Replacing an element of the same size rewrites it in place; any other size appends anew.
  for (size_t i = 0; i < extension_count_; ++i) {
    Element& element = elements_[i];
    if (element.id != id) continue;
    if (element.size == data.size()) {
      std::memcpy(&extension_bytes_[element.offset], data.data(), data.size());
      return true;
    }
    elements_[i] = elements_[--extension_count_];
    break;
  }
  if (extension_count_ == kMaxExtensions ||
      extension_bytes_used_ + data.size() > extension_bytes_.size()) {
    return false;
  }
  elements_[extension_count_++] =
      Element{id, static_cast<uint8_t>(data.size()), static_cast<uint16_t>(extension_bytes_used_)};
  if (!data.empty())
    std::memcpy(&extension_bytes_[extension_bytes_used_], data.data(), data.size());
  extension_bytes_used_ += data.size();
  return true;
}

bool RtpPacketBuilder::UsesOneByteForm() const {
  for (size_t i = 0; i < extension_count_; ++i) {
    const Element& e = elements_[i];
    if (e.id > 14 || e.size == 0 || e.size > 16) return false;
  }
  return true;
}

size_t RtpPacketBuilder::ExtensionBlockSize() const {
  const size_t per_element = UsesOneByteForm() ? 1 : 2;
  size_t size = 0;
  for (size_t i = 0; i < extension_count_; ++i) size += per_element + elements_[i].size;
  return size;
}

size_t RtpPacketBuilder::HeaderSize() const {
  size_t size = RtpPacket::kFixedHeaderSize + 4 * csrc_count_;
  if (extension_count_ > 0) size += 4 + (ExtensionBlockSize() + 3) / 4 * 4;
  return size;
}

Result<size_t> RtpPacketBuilder::Build(std::span<const uint8_t> payload, std::span<uint8_t> out,
                                       size_t padding) const {
  if (padding > 255) return Error{ErrorCode::kInvalidArgument, "RTP padding is at most 255 bytes"};
  if (payload_type_ > 127) return Error{ErrorCode::kInvalidArgument, "RTP payload type is 7 bits"};
  const size_t header_size = HeaderSize();
  const size_t total = header_size + payload.size() + padding;
  if (total > out.size()) return Error{ErrorCode::kBufferTooSmall, "no room for the RTP packet"};
  if (total > 0xFFFF) return Error{ErrorCode::kInvalidArgument, "RTP packet over 65535 bytes"};

  uint8_t* p = out.data();
  p[0] = static_cast<uint8_t>((RtpPacket::kVersion << 6) | (padding > 0 ? 0x20 : 0) |
                              (extension_count_ > 0 ? 0x10 : 0) | csrc_count_);
  p[1] = static_cast<uint8_t>((marker_ ? 0x80 : 0) | payload_type_);
  StoreBE16(p + 2, sequence_number_);
  StoreBE32(p + 4, timestamp_);
  StoreBE32(p + 8, ssrc_);
  size_t pos = RtpPacket::kFixedHeaderSize;
  for (size_t i = 0; i < csrc_count_; ++i, pos += 4) StoreBE32(p + pos, csrcs_[i]);

  if (extension_count_ > 0) {
    const bool one_byte = UsesOneByteForm();
    const size_t block_words = (ExtensionBlockSize() + 3) / 4;
    StoreBE16(p + pos,
              one_byte ? RtpPacket::kOneByteExtensionProfile : RtpPacket::kTwoByteExtensionProfile);
    StoreBE16(p + pos + 2, static_cast<uint16_t>(block_words));
    pos += 4;
    const size_t block_end = pos + block_words * 4;
    for (size_t i = 0; i < extension_count_; ++i) {
      const Element& e = elements_[i];
      if (one_byte) {
        p[pos++] = static_cast<uint8_t>((e.id << 4) | (e.size - 1));
      } else {
        p[pos++] = e.id;
        p[pos++] = e.size;
      }
      if (e.size > 0) std::memcpy(p + pos, &extension_bytes_[e.offset], e.size);
      pos += e.size;
    }
    std::memset(p + pos, 0, block_end - pos);  // Padding bytes (ID 0) to the 32-bit boundary.
    pos = block_end;
  }

  if (!payload.empty()) std::memcpy(p + pos, payload.data(), payload.size());
  pos += payload.size();
  if (padding > 0) {
    std::memset(p + pos, 0, padding - 1);
    p[pos + padding - 1] = static_cast<uint8_t>(padding);
    pos += padding;
  }
  return pos;
}

}  // namespace comodal
