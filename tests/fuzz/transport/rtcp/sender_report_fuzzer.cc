// Fuzzes SenderReport::Parse after the common header; what parses must serialise to Size() bytes
// and parse back equal.
#include <cstdlib>
#include <vector>

#include "tests/fuzz/transport/rtcp/rtcp_rebuild.h"
#include "transport/rtcp/sender_report.h"

using comodal::rtcp::RtcpCommonHeader;
using comodal::rtcp::SenderReport;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto report = SenderReport::Parse(*header);
  if (!report.ok()) return 0;
  if (report->report_blocks.size() != header->count) std::abort();
  const SenderReport reparsed = comodal::testing::RebuildAndReparse(*report);
  if (!(reparsed == *report)) std::abort();
  return 0;
}
