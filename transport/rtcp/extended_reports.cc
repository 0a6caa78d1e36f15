#include "transport/rtcp/extended_reports.h"

namespace comodal::rtcp {
namespace {

constexpr size_t kSsrcSize = 4;
constexpr size_t kBlockHeaderSize = 4;  // BT, type-specific, block length (RFC 3611 §3).
constexpr size_t kRrtrBodySize = 8;     // RFC 3611 §4.4: block length 2.
constexpr size_t kDlrrSubBlockSize = 12;
// The 16-bit length field counts 32-bit words minus one (RFC 3550 §6.4.1).
constexpr size_t kMaxPacketSize = (size_t{0xFFFF} + 1) * 4;

}  // namespace

std::optional<TimeDelta> DlrrSubBlock::RoundTrip(NtpTime arrival) const {
  // RFC 3611 §4.5: LRR 0 means no RRTR was received, so there is nothing to measure from.
  if (last_rr == 0) return std::nullopt;
  return RoundTripFromCompactNtp(arrival.ToCompact(), last_rr, delay_since_last_rr);
}

Result<ExtendedReports> ExtendedReports::Parse(const RtcpCommonHeader& header) {
  const auto payload = header.payload;
  if (payload.size() < kSsrcSize) return Error{ErrorCode::kTruncated, "XR shorter than its SSRC"};
  ExtendedReports xr;
  xr.sender_ssrc = LoadBE32(&payload[0]);
  size_t pos = kSsrcSize;
  while (pos < payload.size()) {
    if (payload.size() - pos < kBlockHeaderSize) {
      return Error{ErrorCode::kTruncated, "XR report block header runs past the packet"};
    }
    const uint8_t block_type = payload[pos];
    const size_t body_size = size_t{LoadBE16(&payload[pos + 2])} * 4;
    pos += kBlockHeaderSize;
    if (payload.size() - pos < body_size) {
      return Error{ErrorCode::kTruncated, "XR report block runs past the packet"};
    }
    const auto body = payload.subspan(pos, body_size);
    pos += body_size;
    if (block_type == kRrtrBlockType) {
      if (body.size() != kRrtrBodySize) {
        return Error{ErrorCode::kBadLength, "XR RRTR block length is not 2"};
      }
      if (!xr.rrtr) xr.rrtr = Rrtr{NtpTime(LoadBE64(&body[0]))};
    } else if (block_type == kDlrrBlockType) {
      if (body.size() % kDlrrSubBlockSize != 0) {
        return Error{ErrorCode::kBadLength, "XR DLRR block length is not a multiple of 3"};
      }
      for (size_t sub = 0; sub < body.size(); sub += kDlrrSubBlockSize) {
        xr.dlrr.push_back(
            {LoadBE32(&body[sub]), LoadBE32(&body[sub + 4]), LoadBE32(&body[sub + 8])});
      }
    }
    // Other block types (RFC 3611 §4.1-4.3, 4.6-4.7 and later registrations) are skipped.
  }
  return xr;
}

size_t ExtendedReports::Size() const {
  size_t size = RtcpCommonHeader::kSize + kSsrcSize;
  if (rrtr) size += kBlockHeaderSize + kRrtrBodySize;
  if (!dlrr.empty()) size += kBlockHeaderSize + dlrr.size() * kDlrrSubBlockSize;
  return size;
}

Status ExtendedReports::Write(ByteWriter& out) const {
  // Within this limit the DLRR block length (3 words per sub-block) fits in 16 bits too.
  if (Size() > kMaxPacketSize) {
    return Error{ErrorCode::kInvalidArgument, "XR too long for the RTCP length field"};
  }
  // RFC 3611 §2: the 5 bits after P are reserved and sent as zero.
  WriteRtcpCommonHeader(out, 0, kPacketType, Size() - RtcpCommonHeader::kSize);
  out.U32(sender_ssrc);
  if (rrtr) {
    out.U8(kRrtrBlockType);
    out.U8(0);  // Reserved.
    out.U16(kRrtrBodySize / 4);
    out.U64(rrtr->ntp.value());
  }
  if (!dlrr.empty()) {
    out.U8(kDlrrBlockType);
    out.U8(0);  // Reserved.
    out.U16(static_cast<uint16_t>(dlrr.size() * kDlrrSubBlockSize / 4));
    for (const DlrrSubBlock& sub_block : dlrr) {
      out.U32(sub_block.ssrc);
      out.U32(sub_block.last_rr);
      out.U32(sub_block.delay_since_last_rr);
    }
  }
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the XR"};
  return Status::Ok();
}

}  // namespace comodal::rtcp
