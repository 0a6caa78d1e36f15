// Fuzzes transport/rtcp/pli.h: parse, touch every field, rebuild, and parse the rebuilt bytes
// back to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tests/fuzz/transport/rtcp/rtcp_rebuild.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/pli.h"

using comodal::rtcp::Pli;
using comodal::rtcp::RtcpCommonHeader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto pli = Pli::Parse(*header);
  if (!pli.ok()) return 0;

  const Pli reparsed = comodal::testing::RebuildAndReparse(*pli);
  if (reparsed.sender_ssrc != pli->sender_ssrc || reparsed.media_ssrc != pli->media_ssrc) {
    abort();
  }
  return 0;
}
