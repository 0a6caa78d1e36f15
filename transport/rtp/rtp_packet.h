#ifndef TRANSPORT_RTP_RTP_PACKET_H_
#define TRANSPORT_RTP_RTP_PACKET_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtp/rtp_header_extensions.h"

namespace comodal {

// Bytes reserved after every serialised packet for the SRTP/SRTCP trailer: a 16-byte AEAD tag
// (AEAD_AES_128_GCM, RFC 7714) plus SRTCP's 4-byte E|index word. Builders leave this much room
// by sizing buffers with kMaxPacketBufferSize.
inline constexpr size_t kSrtpTrailerHeadroom = 20;
inline constexpr size_t kDefaultMtu = 1200;
inline constexpr size_t kMaxPacketBufferSize = 1500 + kSrtpTrailerHeadroom;

// A parsed RTP packet (RFC 3550 §5.1): a validated view over the bytes it was parsed from, which
// must outlive it. Parsing copies nothing; accessors read the header fields in place.
//
//    0                   1                   2                   3
//   |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//   |                           timestamp                           |
//   |           synchronization source (SSRC) identifier            |
//   |            contributing source (CSRC) identifiers             | (CC of them)
//   | defined by profile            |           length              | (if X)
//   |                        header extension                       |
//   |                            payload  ...  | padding | count    | (padding if P)
class RtpPacket {
 public:
  static constexpr size_t kFixedHeaderSize = 12;
  static constexpr uint8_t kVersion = 2;
  static constexpr size_t kMaxCsrcs = 15;
  // RFC 8285 §4.2 and §4.3.
  static constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
  static constexpr uint16_t kTwoByteExtensionProfile = 0x1000;  // Low 4 bits: appbits.

  enum class ExtensionFormat : uint8_t { kNone, kOneByte, kTwoByte, kOther };

  static Result<RtpPacket> Parse(std::span<const uint8_t> packet);

  bool marker() const { return (data_[1] & 0x80) != 0; }
  uint8_t payload_type() const { return data_[1] & 0x7F; }
  uint16_t sequence_number() const { return LoadBE16(&data_[2]); }
  uint32_t timestamp() const { return LoadBE32(&data_[4]); }
  uint32_t ssrc() const { return LoadBE32(&data_[8]); }
  size_t csrc_count() const { return data_[0] & 0x0F; }
  // Precondition: index < csrc_count().
  uint32_t csrc(size_t index) const { return LoadBE32(&data_[kFixedHeaderSize + 4 * index]); }

  ExtensionFormat extension_format() const { return extension_format_; }
  // The "defined by profile" field; meaningful when extension_format() != kNone.
  uint16_t extension_profile() const { return extension_profile_; }
  // The header extension's data (after its 4-byte header), empty when there is none.
  std::span<const uint8_t> extension_block() const {
    return data_.subspan(extension_offset_, extension_size_);
  }
  // The data of the RFC 8285 element with local ID `id`, or nullopt if absent. A two-byte
  // element may be present with no data.
  std::optional<std::span<const uint8_t>> FindExtension(uint8_t id) const;
  template <typename Ext>
  std::optional<typename Ext::value_type> GetExtension(uint8_t id) const {
    auto data = FindExtension(id);
    return data ? Ext::Parse(*data) : std::nullopt;
  }
  template <typename Ext>
  std::optional<typename Ext::value_type> GetExtension(const RtpExtensionMap& map) const {
    const uint8_t id = map.GetId<Ext>();
    return id == RtpExtensionMap::kInvalidId ? std::nullopt : GetExtension<Ext>(id);
  }
  // Calls fn(id, data) for each RFC 8285 element, in order.
  template <typename Fn>
  void ForEachExtension(Fn&& fn) const {
    WalkExtensions(extension_block(), extension_format_,
                   [&](uint8_t id, std::span<const uint8_t> data) {
                     fn(id, data);
                     return true;
                   });
  }

  size_t header_size() const { return payload_offset_; }
  std::span<const uint8_t> payload() const { return data_.subspan(payload_offset_, payload_size_); }
  size_t padding_size() const { return padding_size_; }
  std::span<const uint8_t> data() const { return data_; }

  // Walks RFC 8285 elements of a one- or two-byte block, calling visit(id, data) until it returns
  // false. Returns false if an element runs past the block (the block is malformed).
  template <typename Visit>
  static bool WalkExtensions(std::span<const uint8_t> block, ExtensionFormat format, Visit&& visit);

 private:
  RtpPacket() = default;

  std::span<const uint8_t> data_;
  uint16_t extension_profile_ = 0;
  uint16_t extension_offset_ = 0;
  uint16_t extension_size_ = 0;
  uint16_t payload_offset_ = 0;
  uint16_t payload_size_ = 0;
  uint8_t padding_size_ = 0;
  ExtensionFormat extension_format_ = ExtensionFormat::kNone;
};

// Builds RTP packets into caller-provided buffers. Header extensions are written in the
// one-byte form when every element allows it (ID 1..14, 1..16 bytes), else in the two-byte form.
class RtpPacketBuilder {
 public:
  static constexpr size_t kMaxExtensions = 16;
  static constexpr size_t kMaxExtensionBytes = 255;

  RtpPacketBuilder& set_marker(bool marker) {
    marker_ = marker;
    return *this;
  }
  RtpPacketBuilder& set_payload_type(uint8_t payload_type) {
    payload_type_ = payload_type;
    return *this;
  }
  RtpPacketBuilder& set_sequence_number(uint16_t sequence_number) {
    sequence_number_ = sequence_number;
    return *this;
  }
  RtpPacketBuilder& set_timestamp(uint32_t timestamp) {
    timestamp_ = timestamp;
    return *this;
  }
  RtpPacketBuilder& set_ssrc(uint32_t ssrc) {
    ssrc_ = ssrc;
    return *this;
  }
  // Fails if more than 15 CSRCs are given.
  bool SetCsrcs(std::span<const uint32_t> csrcs);

  // Adds or replaces the element with local ID `id` (1..255). Fails when the ID is 0, the data
  // is over 255 bytes, or the builder already holds kMaxExtensions elements.
  bool SetRawExtension(uint8_t id, std::span<const uint8_t> data);
  template <typename Ext>
  bool SetExtension(uint8_t id, const typename Ext::value_type& value) {
    std::array<uint8_t, Ext::kValueSize> bytes{};
    return Ext::Write(bytes, value) && SetRawExtension(id, bytes);
  }
  template <typename Ext>
  bool SetExtension(const RtpExtensionMap& map, const typename Ext::value_type& value) {
    const uint8_t id = map.GetId<Ext>();
    return id != RtpExtensionMap::kInvalidId && SetExtension<Ext>(id, value);
  }
  void ClearExtensions() { extension_count_ = 0, extension_bytes_used_ = 0; }

  size_t HeaderSize() const;
  // Writes header, `payload` and `padding` bytes of RTP padding (0..255; the last padding byte
  // holds the count) into `out`. Returns the packet size.
  Result<size_t> Build(std::span<const uint8_t> payload, std::span<uint8_t> out,
                       size_t padding = 0) const;

 private:
  struct Element {
    uint8_t id;
    uint8_t size;
    uint16_t offset;  // Into extension_bytes_.
  };
  bool UsesOneByteForm() const;
  size_t ExtensionBlockSize() const;  // Elements only, before padding to 32 bits.

  bool marker_ = false;
  uint8_t payload_type_ = 0;
  uint16_t sequence_number_ = 0;
  uint32_t timestamp_ = 0;
  uint32_t ssrc_ = 0;
  std::array<uint32_t, RtpPacket::kMaxCsrcs> csrcs_{};
  size_t csrc_count_ = 0;
  std::array<Element, kMaxExtensions> elements_{};
  size_t extension_count_ = 0;
  std::array<uint8_t, kMaxExtensions * 16> extension_bytes_{};
  size_t extension_bytes_used_ = 0;
};

template <typename Visit>
bool RtpPacket::WalkExtensions(std::span<const uint8_t> block, ExtensionFormat format,
                               Visit&& visit) {
  if (format != ExtensionFormat::kOneByte && format != ExtensionFormat::kTwoByte) return true;
  size_t pos = 0;
  while (pos < block.size()) {
    const uint8_t first = block[pos];
    if (first == 0) {  // Padding byte (ID 0), RFC 8285 §4.1.
      ++pos;
      continue;
    }
    uint8_t id;
    size_t size;
    if (format == ExtensionFormat::kOneByte) {
      id = first >> 4;
      // ID 15 ends processing of the block; what follows is ignored (RFC 8285 §4.2).
      if (id == 15) return true;
      size = (first & 0x0F) + 1;
      pos += 1;
    } else {
      if (pos + 2 > block.size()) return false;
      id = first;
      size = block[pos + 1];
      pos += 2;
    }
    if (pos + size > block.size()) return false;
    if (!visit(id, block.subspan(pos, size))) return true;
    pos += size;
  }
  return true;
}

}  // namespace comodal

#endif  // TRANSPORT_RTP_RTP_PACKET_H_
