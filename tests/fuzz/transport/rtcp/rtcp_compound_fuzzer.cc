// Fuzzes RtcpCompound::Parse (and through it every RTCP message parser); whatever parses must
// serialise to Size() bytes and parse back equal.
#include <cstdlib>
#include <vector>

#include "transport/rtcp/compound_packet.h"

using comodal::rtcp::RtcpCompound;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto parsed = RtcpCompound::Parse(std::span(data, size));
  if (!parsed.ok()) return 0;
  std::vector<uint8_t> out(parsed->Size());
  auto written = comodal::rtcp::SerializeRtcp(*parsed, out);
  if (!written.ok() || *written != out.size()) std::abort();
  auto reparsed = RtcpCompound::Parse(out);
  if (!reparsed.ok() || !(*reparsed == *parsed)) std::abort();
  return 0;
}
