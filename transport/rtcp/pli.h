#ifndef TRANSPORT_RTCP_PLI_H_
#define TRANSPORT_RTCP_PLI_H_

#include <cstdint>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {

// Picture loss indication, PSFB PT=206 FMT=1 (RFC 4585 §6.3.1): the feedback SSRCs and no FCI.
class Pli {
 public:
  static constexpr uint8_t kPacketType = kPacketTypePayloadFeedback;
  static constexpr uint8_t kFormat = 1;

  // The caller has dispatched on PT and FMT; `header.count` is not checked.
  static Result<Pli> Parse(const RtcpCommonHeader& header);
  size_t Size() const;
  Status Write(ByteWriter& out) const;

  uint32_t sender_ssrc = 0;  // SSRC of packet sender.
  uint32_t media_ssrc = 0;   // SSRC of media source: the stream to refresh.

  friend bool operator==(const Pli&, const Pli&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_PLI_H_
