// Fuzzes ReceiverReport::Parse after the common header; what parses must serialise to Size() bytes
// and parse back equal.
#include <cstdlib>
#include <vector>

#include "tests/fuzz/transport/rtcp/rtcp_rebuild.h"
#include "transport/rtcp/receiver_report.h"

using comodal::rtcp::ReceiverReport;
using comodal::rtcp::RtcpCommonHeader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto report = ReceiverReport::Parse(*header);
  if (!report.ok()) return 0;
  if (report->report_blocks.size() != header->count) std::abort();
  const ReceiverReport reparsed = comodal::testing::RebuildAndReparse(*report);
  if (!(reparsed == *report)) std::abort();
  return 0;
}
