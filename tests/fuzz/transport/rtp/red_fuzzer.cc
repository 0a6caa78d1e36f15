// Fuzzes RedPayload::Parse and every block. Blocks within the builder's rules (a redundant block
// strictly older than the primary, which any offset of 1..16383 is) build back to the same bytes.
#include <cstdlib>
#include <vector>

#include "transport/rtp/red.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  constexpr uint32_t kTimestamp = 0x10;  // Offsets wrap below zero.
  auto parsed = comodal::RedPayload::Parse(std::span(data, size), kTimestamp);
  if (!parsed.ok()) return 0;
  const auto& blocks = parsed->blocks();
  if (blocks.empty()) std::abort();
  size_t total = 0;
  bool rebuildable = true;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const comodal::RedBlock& block = blocks[i];
    if (block.payload_type > 127) std::abort();
    total += block.payload.size() + (i + 1 < blocks.size() ? 4 : 1);
    if (i + 1 < blocks.size()) {
      if (block.payload.size() > comodal::RedPayload::kMaxBlockLength) std::abort();
      rebuildable &= block.timestamp != kTimestamp;  // Offset 0 is not "earlier".
    } else if (block.timestamp != kTimestamp) {
      std::abort();
    }
    for (uint8_t b : block.payload) (void)b;
  }
  if (total != size) std::abort();
  if (!rebuildable) return 0;

  std::vector<uint8_t> out(size);
  const std::span<const comodal::RedBlock> redundant(blocks.data(), blocks.size() - 1);
  auto built = comodal::BuildRedPayload(parsed->primary(), redundant, out);
  if (!built.ok() || built->size != size || built->redundant_blocks != redundant.size() ||
      out != std::vector<uint8_t>(data, data + size)) {
    std::abort();
  }
  return 0;
}
