#include "transport/rtcp/sdes.h"

#include <utility>

namespace comodal::rtcp {
namespace {

constexpr size_t kSsrcSize = 4;
constexpr size_t kItemHeaderSize = 2;  // Type and length octets.
// The 16-bit length field counts 32-bit words minus one (RFC 3550 §6.4.1).
constexpr size_t kMaxPacketSize = (size_t{0xFFFF} + 1) * 4;

// Bytes of the items of `chunk`, and the null octets that end the list and pad it to a 32-bit
// boundary: at least one, at most four (RFC 3550 §6.5).
size_t ItemsSize(const SdesChunk& chunk) {
  size_t size = 0;
  for (const SdesItem& item : chunk.items) size += kItemHeaderSize + item.text.size();
  return (size / 4 + 1) * 4;
}

}  // namespace

Result<Sdes> Sdes::Parse(const RtcpCommonHeader& header) {
  const auto payload = header.payload;
  Sdes sdes;
  sdes.chunks.reserve(header.count);
  size_t pos = 0;
  for (size_t i = 0; i < header.count; ++i) {
    if (payload.size() - pos < kSsrcSize) {
      return Error{ErrorCode::kTruncated, "SDES has fewer chunks than its source count"};
    }
    SdesChunk& chunk = sdes.chunks.emplace_back();
    chunk.ssrc = LoadBE32(&payload[pos]);
    pos += kSsrcSize;
    while (true) {
      if (pos >= payload.size()) {
        return Error{ErrorCode::kTruncated, "SDES chunk ends without its null terminator"};
      }
      const uint8_t type = payload[pos];
      if (type == 0) break;
      if (payload.size() - pos < kItemHeaderSize) {
        return Error{ErrorCode::kTruncated, "SDES item has no length octet"};
      }
      const size_t length = payload[pos + 1];
      pos += kItemHeaderSize;
      if (payload.size() - pos < length) {
        return Error{ErrorCode::kTruncated, "SDES item text runs past the packet"};
      }
      chunk.items.push_back({static_cast<SdesItemType>(type),
                             std::string(reinterpret_cast<const char*>(&payload[pos]), length)});
      pos += length;
    }
    // The null item type, then null octets up to the next 32-bit boundary (RFC 3550 §6.5).
    // Chunks start on a 32-bit boundary, so the payload offset tells where it is.
    const size_t chunk_end = (pos / 4 + 1) * 4;
    if (chunk_end > payload.size()) {
      return Error{ErrorCode::kTruncated, "SDES chunk terminator stops short of 32 bits"};
    }
    for (; pos < chunk_end; ++pos) {
      if (payload[pos] != 0) {
        return Error{ErrorCode::kMalformed, "SDES chunk terminator has a non-null octet"};
      }
    }
  }
  if (pos != payload.size()) {
    return Error{ErrorCode::kBadLength, "SDES has more chunks than its source count"};
  }
  return sdes;
}

Sdes Sdes::WithCname(uint32_t ssrc, std::string cname) {
  Sdes sdes;
  sdes.AddCname(ssrc, std::move(cname));
  return sdes;
}

void Sdes::AddCname(uint32_t ssrc, std::string cname) {
  chunks.push_back({ssrc, {{SdesItemType::kCname, std::move(cname)}}});
}

std::optional<std::string> Sdes::Cname(uint32_t ssrc) const {
  for (const SdesChunk& chunk : chunks) {
    if (chunk.ssrc != ssrc) continue;
    for (const SdesItem& item : chunk.items) {
      if (item.type == SdesItemType::kCname) return item.text;
    }
    return std::nullopt;
  }
  return std::nullopt;
}

size_t Sdes::Size() const {
  size_t size = RtcpCommonHeader::kSize;
  for (const SdesChunk& chunk : chunks) size += kSsrcSize + ItemsSize(chunk);
  return size;
}

Status Sdes::Write(ByteWriter& out) const {
  if (chunks.size() > RtcpCommonHeader::kMaxCount) {
    return Error{ErrorCode::kInvalidArgument, "SDES carries at most 31 chunks"};
  }
  for (const SdesChunk& chunk : chunks) {
    for (const SdesItem& item : chunk.items) {
      if (static_cast<uint8_t>(item.type) == 0) {
        return Error{ErrorCode::kInvalidArgument, "SDES item type 0 is the chunk terminator"};
      }
      if (item.text.size() > SdesItem::kMaxTextSize) {
        return Error{ErrorCode::kInvalidArgument, "SDES item text is longer than 255 octets"};
      }
    }
  }
  const size_t size = Size();
  if (size > kMaxPacketSize) {
    return Error{ErrorCode::kInvalidArgument, "SDES too long for the RTCP length field"};
  }
  WriteRtcpCommonHeader(out, static_cast<uint8_t>(chunks.size()), kPacketType,
                        size - RtcpCommonHeader::kSize);
  for (const SdesChunk& chunk : chunks) {
    out.U32(chunk.ssrc);
    size_t items_size = 0;
    for (const SdesItem& item : chunk.items) {
      out.U8(static_cast<uint8_t>(item.type));
      out.U8(static_cast<uint8_t>(item.text.size()));
      out.Bytes({reinterpret_cast<const uint8_t*>(item.text.data()), item.text.size()});
      items_size += kItemHeaderSize + item.text.size();
    }
    out.Zeros(ItemsSize(chunk) - items_size);
  }
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the SDES"};
  return Status::Ok();
}

}  // namespace comodal::rtcp
