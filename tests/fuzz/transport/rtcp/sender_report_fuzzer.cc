// Fuzzes SenderReport::Parse after the common header; what parses must serialise to Size() bytes
// and parse back equal.
#include <cstdlib>
#include <vector>

#include "transport/rtcp/sender_report.h"

using comodal::rtcp::RtcpCommonHeader;
using comodal::rtcp::SenderReport;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto report = SenderReport::Parse(*header);
  if (!report.ok()) return 0;
  if (report->report_blocks.size() != header->count) std::abort();
  std::vector<uint8_t> out(report->Size());
  auto written = comodal::rtcp::SerializeRtcp(*report, out);
  if (!written.ok() || *written != out.size()) std::abort();
  auto again = RtcpCommonHeader::Parse(out);
  if (!again.ok()) std::abort();
  auto reparsed = SenderReport::Parse(*again);
  if (!reparsed.ok() || !(*reparsed == *report)) std::abort();
  return 0;
}
