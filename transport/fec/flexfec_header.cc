#include "transport/fec/flexfec_header.h"

#include <algorithm>

namespace comodal {
namespace {

constexpr uint8_t kRetransmissionBit = 0x80;  // R.
constexpr uint8_t kFixedMaskBit = 0x40;       // F.
constexpr uint8_t kPXCcBits = 0x3F;

// The three parts of a mask: their width in bits and their size on the wire, k bit included
// (the last part has none).
constexpr size_t kPartBits[] = {15, 31, 64};
constexpr size_t kPartEnd[] = {15, 46, 110};
constexpr size_t kMaskSizes[] = {2, 6, 14};

}  // namespace

Result<FlexfecHeader> FlexfecHeader::Parse(const RtpPacket& fec_packet) {
  ByteReader reader(fec_packet.payload());
  FlexfecHeader header;
  const uint8_t first = reader.U8();
  header.m_pt_recovery = reader.U8();
  header.length_recovery = reader.U16();
  header.timestamp_recovery = reader.U32();
  if (!reader.ok()) return Error{ErrorCode::kTruncated, "FlexFEC header shorter than 8 bytes"};
  // RFC 8627 §4.2.2.1, Table 1: R=1 F=1 is reserved and must be ignored.
  if ((first & kRetransmissionBit) && (first & kFixedMaskBit)) {
    return Error{ErrorCode::kMalformed, "FlexFEC header with reserved R=1 F=1"};
  }
  if (first & kRetransmissionBit) {
    return Error{ErrorCode::kUnsupported, "FlexFEC retransmission (R=1) is not supported"};
  }
  if (first & kFixedMaskBit) {
    return Error{ErrorCode::kUnsupported, "FlexFEC fixed L x D masks (F=1) are not supported"};
  }
  header.p_x_cc_recovery = first & kPXCcBits;
  if (fec_packet.csrc_count() == 0) {
    return Error{ErrorCode::kMalformed, "FlexFEC packet protects no SSRC (empty CSRC list)"};
  }

  header.streams.resize(fec_packet.csrc_count());
  for (size_t i = 0; i < header.streams.size(); ++i) {
    ProtectedStream& stream = header.streams[i];
    stream.ssrc = fec_packet.csrc(i);
    stream.sequence_number_base = reader.U16();
    size_t next_bit = 0;
    for (size_t part = 0; part < 3; ++part) {
      // Parts 1 and 2 are 16 and 32 bits with the k bit on top; part 3 is 64 mask bits.
      const uint64_t word = part == 0 ? reader.U16() : part == 1 ? reader.U32() : reader.U64();
      if (!reader.ok()) return Error{ErrorCode::kTruncated, "FlexFEC mask runs past the packet"};
      for (size_t b = 0; b < kPartBits[part]; ++b) {
        if ((word >> (kPartBits[part] - 1 - b)) & 1) stream.mask.set(next_bit + b);
      }
      next_bit = kPartEnd[part];
      const bool last = part == 2 || ((word >> kPartBits[part]) & 1) != 0;
      if (last) break;
    }
  }
  header.repair_payload = reader.rest();
  return header;
}

size_t FlexfecHeader::MaskSize(const Mask& mask) {
  if ((mask >> kPartEnd[0]).none()) return kMaskSizes[0];
  if ((mask >> kPartEnd[1]).none()) return kMaskSizes[1];
  return kMaskSizes[2];
}

size_t FlexfecHeader::Size() const {
  size_t size = kBaseSize;
  for (const ProtectedStream& stream : streams) size += 2 + MaskSize(stream.mask);
  return size;
}

Status FlexfecHeader::Write(ByteWriter& out) const {
  if (streams.empty() || streams.size() > kMaxStreams) {
    return Error{ErrorCode::kInvalidArgument, "FlexFEC protects 1 to 15 SSRCs"};
  }
  out.U8(p_x_cc_recovery & kPXCcBits);  // R=0, F=0.
  out.U8(m_pt_recovery);
  out.U16(length_recovery);
  out.U32(timestamp_recovery);
  for (const ProtectedStream& stream : streams) {
    out.U16(stream.sequence_number_base);
    const size_t mask_size = MaskSize(stream.mask);
    size_t next_bit = 0;
    for (size_t part = 0; part < 3; ++part) {
      uint64_t word = 0;
      for (size_t b = 0; b < kPartBits[part]; ++b) {
        if (stream.mask.test(next_bit + b)) word |= uint64_t{1} << (kPartBits[part] - 1 - b);
      }
      const bool last = mask_size == kMaskSizes[part];
      if (part < 2 && last) word |= uint64_t{1} << kPartBits[part];  // k=1: the mask ends here.
      if (part == 0) {
        out.U16(static_cast<uint16_t>(word));
      } else if (part == 1) {
        out.U32(static_cast<uint32_t>(word));
      } else {
        out.U64(word);
      }
      next_bit = kPartEnd[part];
      if (last) break;
    }
  }
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the FlexFEC header"};
  return Status::Ok();
}

void FlexfecHeader::XorSourcePacket(std::span<const uint8_t> packet,
                                    std::vector<uint8_t>& repair_payload_bytes) {
  if (packet.size() < RtpPacket::kFixedHeaderSize) return;
  p_x_cc_recovery ^= packet[0] & kPXCcBits;
  m_pt_recovery ^= packet[1];
  length_recovery ^= static_cast<uint16_t>(packet.size() - RtpPacket::kFixedHeaderSize);
  timestamp_recovery ^= LoadBE32(&packet[4]);
  const std::span<const uint8_t> body = packet.subspan(RtpPacket::kFixedHeaderSize);
  if (repair_payload_bytes.size() < body.size()) repair_payload_bytes.resize(body.size(), 0);
  std::transform(body.begin(), body.end(), repair_payload_bytes.begin(),
                 repair_payload_bytes.begin(), [](uint8_t a, uint8_t b) { return a ^ b; });
}

}  // namespace comodal
