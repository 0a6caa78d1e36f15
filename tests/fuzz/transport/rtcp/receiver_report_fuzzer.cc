// Fuzzes ReceiverReport::Parse after the common header; what parses must serialise to Size() bytes
// and parse back equal.
#include <cstdlib>
#include <vector>

#include "transport/rtcp/receiver_report.h"

using comodal::rtcp::ReceiverReport;
using comodal::rtcp::RtcpCommonHeader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto report = ReceiverReport::Parse(*header);
  if (!report.ok()) return 0;
  if (report->report_blocks.size() != header->count) std::abort();
  std::vector<uint8_t> out(report->Size());
  auto written = comodal::rtcp::SerializeRtcp(*report, out);
  if (!written.ok() || *written != out.size()) std::abort();
  auto again = RtcpCommonHeader::Parse(out);
  if (!again.ok()) std::abort();
  auto reparsed = ReceiverReport::Parse(*again);
  if (!reparsed.ok() || !(*reparsed == *report)) std::abort();
  return 0;
}
