#include "engine/rtp/video_rtp_payload.h"

#include <algorithm>

namespace comodal::engine {
namespace {

size_t CeilDiv(size_t a, size_t b) { return (a + b - 1) / b; }

// `total` bytes in `count` parts of sizes differing by at most one, larger parts first.
void AppendBalanced(size_t total, size_t count, std::vector<size_t>& sizes) {
  const size_t base = total / count;
  const size_t larger = total % count;
  for (size_t i = 0; i < count; ++i) sizes.push_back(base + (i < larger ? 1 : 0));
}

}  // namespace

std::vector<size_t> BalancedFragmentSizes(size_t data_size, size_t capacity,
                                          size_t first_packet_extra) {
  if (data_size == 0 || first_packet_extra >= capacity) return {};
  std::vector<size_t> sizes;
  // Balance whole packets: the first one's extra descriptor counts as part of what it carries.
  const size_t total = data_size + first_packet_extra;
  const size_t count = CeilDiv(total, capacity);
  sizes.reserve(count + 1);
  AppendBalanced(total, count, sizes);
  if (sizes[0] > first_packet_extra) {
    sizes[0] -= first_packet_extra;
    return sizes;
  }
  // The extra descriptor is larger than a balanced share: the first packet carries what fits
  // beside it, and the rest is balanced over the following packets.
  sizes.clear();
  const size_t first = std::min(data_size, capacity - first_packet_extra);
  sizes.push_back(first);
  const size_t rest = data_size - first;
  if (rest > 0) AppendBalanced(rest, CeilDiv(rest, capacity), sizes);
  return sizes;
}

}  // namespace comodal::engine
