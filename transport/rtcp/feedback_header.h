#ifndef TRANSPORT_RTCP_FEEDBACK_HEADER_H_
#define TRANSPORT_RTCP_FEEDBACK_HEADER_H_

#include <cstdint>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {

// The two SSRCs that open every RTPFB/PSFB feedback message (RFC 4585 §6.1), before the
// feedback control information (FCI).
struct FeedbackSsrcs {
  static constexpr size_t kSize = 8;

  uint32_t sender_ssrc = 0;  // SSRC of packet sender.
  uint32_t media_ssrc = 0;   // SSRC of media source.

  // Reads the SSRCs from the start of `header.payload` and leaves the FCI in `fci`.
  static Result<FeedbackSsrcs> Parse(const RtcpCommonHeader& header, std::span<const uint8_t>& fci);
  void Write(ByteWriter& out) const {
    out.U32(sender_ssrc);
    out.U32(media_ssrc);
  }
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_FEEDBACK_HEADER_H_
