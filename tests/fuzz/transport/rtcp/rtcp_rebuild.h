#ifndef TESTS_FUZZ_TRANSPORT_RTCP_RTCP_REBUILD_H_
#define TESTS_FUZZ_TRANSPORT_RTCP_RTCP_REBUILD_H_

#include <cstdlib>
#include <utility>
#include <vector>

#include "tests/support/rtcp_parse.h"

namespace comodal::testing {

// What parsed must rebuild: serialises `message` into exactly Size() bytes and parses those back
// as M. Either step failing is a finding (abort).
template <typename M>
M RebuildAndReparse(const M& message) {
  std::vector<uint8_t> out(message.Size());
  auto written = rtcp::SerializeRtcp(message, out);
  if (!written.ok() || *written != out.size()) std::abort();
  auto reparsed = ParseRtcp<M>(out);
  if (!reparsed.ok()) std::abort();
  return std::move(*reparsed);
}

}  // namespace comodal::testing

#endif  // TESTS_FUZZ_TRANSPORT_RTCP_RTCP_REBUILD_H_
