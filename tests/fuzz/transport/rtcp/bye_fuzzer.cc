// Fuzzes transport/rtcp/bye.h: parse, touch every field, rebuild, and parse the rebuilt bytes
// back to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tests/fuzz/transport/rtcp/rtcp_rebuild.h"
#include "transport/rtcp/bye.h"
#include "transport/rtcp/common_header.h"

using comodal::rtcp::Bye;
using comodal::rtcp::RtcpCommonHeader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto bye = Bye::Parse(*header);
  if (!bye.ok()) return 0;

  if (bye->ssrcs.size() != header->count) abort();
  if (bye->reason && bye->reason->size() > Bye::kMaxReasonSize) abort();

  const Bye reparsed = comodal::testing::RebuildAndReparse(*bye);
  if (!(reparsed == *bye)) abort();
  return 0;
}
