// Fuzzes transport/rtcp/extended_reports.h: parse, touch every field, rebuild, and parse the
// rebuilt bytes back to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tests/fuzz/transport/rtcp/rtcp_rebuild.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/extended_reports.h"
#include "transport/time/ntp_time.h"

using comodal::NtpTime;
using comodal::TimeDelta;
using comodal::rtcp::ExtendedReports;
using comodal::rtcp::RtcpCommonHeader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto xr = ExtendedReports::Parse(*header);
  if (!xr.ok()) return 0;

  const NtpTime arrival = xr->rrtr ? xr->rrtr->ntp : NtpTime(xr->sender_ssrc, 0);
  for (const auto& sub_block : xr->dlrr) {
    auto rtt = sub_block.RoundTrip(arrival);
    if (rtt.has_value() != (sub_block.last_rr != 0)) abort();
    if (rtt && *rtt < TimeDelta::Zero()) abort();
  }

  const ExtendedReports reparsed = comodal::testing::RebuildAndReparse(*xr);
  if (!(reparsed == *xr)) abort();
  return 0;
}
