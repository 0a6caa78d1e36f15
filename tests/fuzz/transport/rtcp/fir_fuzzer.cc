// Fuzzes transport/rtcp/fir.h: parse, touch every field, rebuild, and parse the rebuilt bytes
// back to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tests/fuzz/transport/rtcp/rtcp_rebuild.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/fir.h"

using comodal::rtcp::Fir;
using comodal::rtcp::RtcpCommonHeader;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto fir = Fir::Parse(*header);
  if (!fir.ok()) return 0;

  if (fir->entries.empty()) abort();
  uint32_t mix = fir->sender_ssrc;
  for (const Fir::Entry& entry : fir->entries) mix ^= entry.ssrc + entry.sequence_number;
  (void)mix;

  const Fir reparsed = comodal::testing::RebuildAndReparse(*fir);
  if (!(reparsed == *fir)) abort();
  return 0;
}
