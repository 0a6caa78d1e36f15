#ifndef TESTS_SUPPORT_RTCP_TEST_UTIL_H_
#define TESTS_SUPPORT_RTCP_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <span>
#include <vector>

#include "tests/support/rtcp_parse.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"

namespace comodal::testing {

// Serialises `message` into exactly Size() bytes; a failure fails the calling test and returns
// no bytes.
template <typename M>
std::vector<uint8_t> BuildRtcp(const M& message) {
  std::vector<uint8_t> out(message.Size());
  Result<size_t> written = rtcp::SerializeRtcp(message, out);
  if (!written.ok()) {
    ADD_FAILURE() << written.error().ToString();
    return {};
  }
  EXPECT_EQ(*written, out.size());
  return out;
}

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_RTCP_TEST_UTIL_H_
