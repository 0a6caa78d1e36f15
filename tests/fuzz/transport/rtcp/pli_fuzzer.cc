// Fuzzes transport/rtcp/pli.h: parse, touch every field, rebuild, and parse the rebuilt bytes
// back to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "transport/rtcp/common_header.h"
#include "transport/rtcp/pli.h"

using comodal::rtcp::Pli;
using comodal::rtcp::RtcpCommonHeader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto pli = Pli::Parse(*header);
  if (!pli.ok()) return 0;

  std::vector<uint8_t> out(pli->Size());
  auto written = comodal::rtcp::SerializeRtcp(*pli, out);
  if (!written.ok() || *written != out.size()) abort();
  auto again = RtcpCommonHeader::Parse(out);
  if (!again.ok()) abort();
  auto reparsed = Pli::Parse(*again);
  if (!reparsed.ok() || reparsed->sender_ssrc != pli->sender_ssrc ||
      reparsed->media_ssrc != pli->media_ssrc) {
    abort();
  }
  return 0;
}
