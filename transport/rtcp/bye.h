#ifndef TRANSPORT_RTCP_BYE_H_
#define TRANSPORT_RTCP_BYE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {

// Goodbye, PT=203 (RFC 3550 §6.6): up to 31 SSRC/CSRCs leaving, and an optional reason: a
// length octet and up to 255 octets of text, null-padded to a 32-bit boundary.
class Bye {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeBye;
  static constexpr size_t kMaxReasonSize = 255;

  static Result<Bye> Parse(const RtcpCommonHeader& header);
  size_t Size() const;
  // Fails with kInvalidArgument for more than 31 SSRCs or a reason longer than 255 octets.
  Status Write(ByteWriter& out) const;

  std::vector<uint32_t> ssrcs;
  // Absent when the packet ends after the SSRCs. Kept raw (RFC 3550 says UTF-8, unchecked). An
  // empty reason is sent as a zero length octet, so it stays distinct from no reason.
  std::optional<std::string> reason;

  friend bool operator==(const Bye&, const Bye&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_BYE_H_
