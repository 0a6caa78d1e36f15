#include "transport/rtcp/fir.h"

#include "transport/rtcp/feedback_header.h"

namespace comodal::rtcp {
namespace {

// The 16-bit length field counts 32-bit words minus one (RFC 3550 §6.4.1).
constexpr size_t kMaxPacketSize = (size_t{0xFFFF} + 1) * 4;

}  // namespace

Result<Fir> Fir::Parse(const RtcpCommonHeader& header) {
  std::span<const uint8_t> fci;
  Result<FeedbackSsrcs> ssrcs = FeedbackSsrcs::Parse(header, fci);
  if (!ssrcs.ok()) return ssrcs.error();
  // RFC 5104 §4.3.1.1: the FCI holds one or more FIR entries.
  if (fci.empty()) return Error{ErrorCode::kMalformed, "FIR has no FCI entry"};
  if (fci.size() % Entry::kSize != 0) {
    return Error{ErrorCode::kBadLength, "FIR FCI is not a whole number of 8-byte entries"};
  }
  Fir fir;
  fir.sender_ssrc = ssrcs->sender_ssrc;
  fir.entries.reserve(fci.size() / Entry::kSize);
  for (size_t pos = 0; pos < fci.size(); pos += Entry::kSize) {
    fir.entries.push_back({LoadBE32(&fci[pos]), fci[pos + 4]});
  }
  return fir;
}

size_t Fir::Size() const {
  return RtcpCommonHeader::kSize + FeedbackSsrcs::kSize + entries.size() * Entry::kSize;
}

Status Fir::Write(ByteWriter& out) const {
  if (entries.empty()) return Error{ErrorCode::kInvalidArgument, "FIR needs at least one entry"};
  if (Size() > kMaxPacketSize) {
    return Error{ErrorCode::kInvalidArgument, "FIR too long for the RTCP length field"};
  }
  WriteRtcpCommonHeader(out, kFormat, kPacketType, Size() - RtcpCommonHeader::kSize);
  // RFC 5104 §4.3.1.1: the media SSRC of the common header is unused and set to 0.
  FeedbackSsrcs{sender_ssrc, 0}.Write(out);
  for (const Entry& entry : entries) {
    out.U32(entry.ssrc);
    out.U8(entry.sequence_number);
    out.U24(0);  // Reserved.
  }
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the FIR"};
  return Status::Ok();
}

}  // namespace comodal::rtcp
