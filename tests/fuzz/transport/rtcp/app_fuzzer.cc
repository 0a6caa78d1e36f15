// Fuzzes transport/rtcp/app.h: parse, touch every field, rebuild, and parse the rebuilt bytes
// back to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tests/fuzz/transport/rtcp/rtcp_rebuild.h"
#include "transport/rtcp/app.h"
#include "transport/rtcp/common_header.h"

using comodal::rtcp::App;
using comodal::rtcp::RtcpCommonHeader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto app = App::Parse(*header);
  if (!app.ok()) return 0;

  if (app->subtype > App::kMaxSubtype || app->data.size() % 4 != 0) abort();

  const App reparsed = comodal::testing::RebuildAndReparse(*app);
  if (!(reparsed == *app)) abort();
  return 0;
}
