// Fuzzes transport/rtcp/nack.h: parse, touch every field, rebuild, and parse the rebuilt bytes
// back to the same set of lost sequence numbers (rebuilding sorts, dedups and repacks them).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tests/fuzz/transport/rtcp/rtcp_rebuild.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/nack.h"

using comodal::rtcp::Nack;
using comodal::rtcp::RtcpCommonHeader;

namespace {

std::vector<uint16_t> SortedUnique(std::vector<uint16_t> seqs) {
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  return seqs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto header = RtcpCommonHeader::Parse({data, size});
  if (!header.ok()) return 0;
  auto nack = Nack::Parse(*header);
  if (!nack.ok()) return 0;

  // Each wire item lists 1 to 17 numbers (repeats across items collapse); repacking never needs
  // more items, and the parsed list is already free of repeats.
  const size_t wire_items = (header->payload.size() - 8) / 4;
  if (Nack::Pack(nack->lost_sequence_numbers).size() > wire_items) abort();
  if (SortedUnique(nack->lost_sequence_numbers).size() != nack->lost_sequence_numbers.size()) {
    abort();
  }

  const Nack reparsed = comodal::testing::RebuildAndReparse(*nack);
  if (reparsed.sender_ssrc != nack->sender_ssrc || reparsed.media_ssrc != nack->media_ssrc ||
      reparsed.lost_sequence_numbers != nack->lost_sequence_numbers) {
    abort();
  }
  return 0;
}
