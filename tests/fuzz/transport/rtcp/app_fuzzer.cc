// Fuzzes transport/rtcp/app.h: parse, touch every field, rebuild, and parse the rebuilt bytes
// back to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

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

  std::vector<uint8_t> out(app->Size());
  auto written = comodal::rtcp::SerializeRtcp(*app, out);
  if (!written.ok() || *written != out.size()) abort();
  auto again = RtcpCommonHeader::Parse(out);
  if (!again.ok()) abort();
  auto reparsed = App::Parse(*again);
  if (!reparsed.ok() || !(*reparsed == *app)) abort();
  return 0;
}
