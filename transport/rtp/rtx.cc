#include "transport/rtp/rtx.h"

#include <cstring>

#include "transport/base/byte_io.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {
namespace {

// Copies `packet`'s header into `out` with a new payload type, sequence number and SSRC, then
// `inserted` (the OSN or nothing), then the bytes of the packet from `body_offset` on (payload and
// padding). The caller has checked that `out` holds it all.
size_t Rewrite(const RtpPacket& packet, uint8_t payload_type, uint16_t sequence_number,
               uint32_t ssrc, std::span<const uint8_t> inserted, size_t body_offset,
               std::span<uint8_t> out) {
  const std::span<const uint8_t> data = packet.data();
  const size_t header_size = packet.header_size();
  uint8_t* p = out.data();
  std::memcpy(p, data.data(), header_size);
  p[1] = static_cast<uint8_t>((data[1] & 0x80) | payload_type);
  StoreBE16(p + 2, sequence_number);
  StoreBE32(p + 8, ssrc);
  size_t pos = header_size;
  if (!inserted.empty()) std::memcpy(p + pos, inserted.data(), inserted.size());
  pos += inserted.size();
  const size_t rest = data.size() - body_offset;
  if (rest > 0) std::memcpy(p + pos, data.data() + body_offset, rest);
  return pos + rest;
}

}  // namespace

Result<size_t> BuildRtxPacket(std::span<const uint8_t> original, uint32_t rtx_ssrc,
                              uint8_t rtx_payload_type, uint16_t rtx_sequence_number,
                              std::span<uint8_t> out) {
  if (rtx_payload_type > 127) {
    return Error{ErrorCode::kInvalidArgument, "RTX payload type is 7 bits"};
  }
  auto packet = RtpPacket::Parse(original);
  if (!packet.ok()) return packet.error();
  const size_t size = original.size() + kRtxOverhead;
  if (size > 0xFFFF) return Error{ErrorCode::kInvalidArgument, "RTX packet over 65535 bytes"};
  if (size > out.size()) return Error{ErrorCode::kBufferTooSmall, "no room for the RTX packet"};
  std::array<uint8_t, kRtxOverhead> osn;
  StoreBE16(osn.data(), packet->sequence_number());
  return Rewrite(*packet, rtx_payload_type, rtx_sequence_number, rtx_ssrc, osn,
                 packet->header_size(), out);
}

namespace {

// RestoreFromRtx() on a packet already parsed.
Result<size_t> Restore(const RtpPacket& packet, uint32_t original_ssrc,
                       uint8_t original_payload_type, std::span<uint8_t> out) {
  if (original_payload_type > 127) {
    return Error{ErrorCode::kInvalidArgument, "RTP payload type is 7 bits"};
  }
  // RFC 4588 §4: the payload starts with the OSN. An RTX packet with an empty payload is a
  // padding-only packet (bandwidth probing on the RTX stream), not a retransmission.
  if (packet.payload().size() < kRtxOverhead) {
    return Error{ErrorCode::kTruncated, "RTX payload shorter than its original sequence number"};
  }
  const size_t size = packet.data().size() - kRtxOverhead;
  if (size > out.size()) return Error{ErrorCode::kBufferTooSmall, "no room for the RTP packet"};
  const uint16_t original_sequence_number = LoadBE16(packet.payload().data());
  return Rewrite(packet, original_payload_type, original_sequence_number, original_ssrc, {},
                 packet.header_size() + kRtxOverhead, out);
}

}  // namespace

Result<size_t> RestoreFromRtx(std::span<const uint8_t> rtx, uint32_t original_ssrc,
                              uint8_t original_payload_type, std::span<uint8_t> out) {
  auto packet = RtpPacket::Parse(rtx);
  if (!packet.ok()) return packet.error();
  return Restore(*packet, original_ssrc, original_payload_type, out);
}

bool RtxPayloadTypeMap::Add(uint8_t rtx_payload_type, uint8_t associated_payload_type) {
  if (rtx_payload_type > 127 || associated_payload_type > 127) return false;
  uint8_t& entry = associated_[rtx_payload_type];
  if (entry != kUnmapped && entry != associated_payload_type) return false;
  entry = associated_payload_type;
  return true;
}

std::optional<uint8_t> RtxPayloadTypeMap::Associated(uint8_t rtx_payload_type) const {
  if (rtx_payload_type > 127 || associated_[rtx_payload_type] == kUnmapped) return std::nullopt;
  return associated_[rtx_payload_type];
}

Result<size_t> RestoreFromRtx(std::span<const uint8_t> rtx, uint32_t original_ssrc,
                              const RtxPayloadTypeMap& payload_types, std::span<uint8_t> out) {
  auto packet = RtpPacket::Parse(rtx);
  if (!packet.ok()) return packet.error();
  return RestoreFromRtx(*packet, original_ssrc, payload_types, out);
}

Result<size_t> RestoreFromRtx(const RtpPacket& rtx, uint32_t original_ssrc,
                              const RtxPayloadTypeMap& payload_types, std::span<uint8_t> out) {
  const std::optional<uint8_t> associated = payload_types.Associated(rtx.payload_type());
  if (!associated) {
    return Error{ErrorCode::kUnsupported, "RTX payload type has no associated payload type"};
  }
  return Restore(rtx, original_ssrc, *associated, out);
}

}  // namespace comodal
