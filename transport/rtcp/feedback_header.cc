#include "transport/rtcp/feedback_header.h"

namespace comodal::rtcp {

Result<FeedbackSsrcs> FeedbackSsrcs::Parse(const RtcpCommonHeader& header,
                                           std::span<const uint8_t>& fci) {
  if (header.payload.size() < kSize) {
    return Error{ErrorCode::kTruncated, "feedback message shorter than its two SSRCs"};
  }
  FeedbackSsrcs ssrcs;
  ssrcs.sender_ssrc = LoadBE32(&header.payload[0]);
  ssrcs.media_ssrc = LoadBE32(&header.payload[4]);
  fci = header.payload.subspan(kSize);
  return ssrcs;
}

}  // namespace comodal::rtcp
