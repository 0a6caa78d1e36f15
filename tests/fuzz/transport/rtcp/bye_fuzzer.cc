// Fuzzes transport/rtcp/bye.h: parse, touch every field, rebuild, and parse the rebuilt bytes
// back to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

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

  std::vector<uint8_t> out(bye->Size());
  auto written = comodal::rtcp::SerializeRtcp(*bye, out);
  if (!written.ok() || *written != out.size()) abort();
  auto again = RtcpCommonHeader::Parse(out);
  if (!again.ok()) abort();
  auto reparsed = Bye::Parse(*again);
  if (!reparsed.ok() || !(*reparsed == *bye)) abort();
  return 0;
}
