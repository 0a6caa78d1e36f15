#include "transport/rtcp/pli.h"

#include "transport/rtcp/feedback_header.h"

namespace comodal::rtcp {

Result<Pli> Pli::Parse(const RtcpCommonHeader& header) {
  std::span<const uint8_t> fci;
  Result<FeedbackSsrcs> ssrcs = FeedbackSsrcs::Parse(header, fci);
  if (!ssrcs.ok()) return ssrcs.error();
  // RFC 4585 §6.3.1: "PLI does not require parameters. Therefore, the length field MUST be 2".
  if (!fci.empty()) return Error{ErrorCode::kBadLength, "PLI carries FCI"};
  Pli pli;
  pli.sender_ssrc = ssrcs->sender_ssrc;
  pli.media_ssrc = ssrcs->media_ssrc;
  return pli;
}

size_t Pli::Size() const { return RtcpCommonHeader::kSize + FeedbackSsrcs::kSize; }

Status Pli::Write(ByteWriter& out) const {
  WriteRtcpCommonHeader(out, kFormat, kPacketType, FeedbackSsrcs::kSize);
  FeedbackSsrcs{sender_ssrc, media_ssrc}.Write(out);
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the PLI"};
  return Status::Ok();
}

}  // namespace comodal::rtcp
