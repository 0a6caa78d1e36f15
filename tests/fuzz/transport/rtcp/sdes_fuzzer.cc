// Fuzzes transport/rtcp/sdes.h: parse, touch every field, rebuild, and parse the rebuilt bytes
// back to the same message.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tests/fuzz/transport/rtcp/rtcp_rebuild.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/sdes.h"

using comodal::rtcp::RtcpCommonHeader;
using comodal::rtcp::Sdes;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto sdes = Sdes::Parse(*header);
  if (!sdes.ok()) return 0;

  size_t text_size = 0;
  for (const auto& chunk : sdes->chunks) {
    for (const auto& item : chunk.items) text_size += item.text.size();
    if (auto cname = sdes->Cname(chunk.ssrc); cname && cname->size() > text_size) abort();
  }

  const Sdes reparsed = comodal::testing::RebuildAndReparse(*sdes);
  if (!(reparsed == *sdes)) abort();
  return 0;
}
