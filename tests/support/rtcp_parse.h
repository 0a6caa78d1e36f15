#ifndef TESTS_SUPPORT_RTCP_PARSE_H_
#define TESTS_SUPPORT_RTCP_PARSE_H_

#include <span>

#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"

namespace comodal::testing {

// Parses `bytes` as one RTCP packet of message type M: common header, then M::Parse. Free of
// GoogleTest, so fuzz targets use it too.
template <typename M>
Result<M> ParseRtcp(std::span<const uint8_t> bytes) {
  Result<rtcp::RtcpCommonHeader> header = rtcp::RtcpCommonHeader::Parse(bytes);
  if (!header.ok()) return header.error();
  return M::Parse(*header);
}

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_RTCP_PARSE_H_
