// Fuzzes ParseSyncMessage, the decoder of everything a peer sends a session node: what parses
// serialises back to the very same bytes (one encoding per message), and every accessor holds.
#include <algorithm>
#include <cstdlib>

#include "session/sync/sync_message.h"

using namespace comodal::session;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto message = ParseSyncMessage(std::span(data, size));
  if (!message.ok()) return 0;
  if (const auto* want = std::get_if<BlobWant>(&*message)) {
    if (want->chunks.size() > BlobWant::kMaxChunks ||
        !std::is_sorted(want->chunks.begin(), want->chunks.end())) {
      std::abort();
    }
  }
  if (const auto* batch = std::get_if<SyncOperations>(&*message)) {
    for (const Operation& op : batch->operations) {
      if (op.body.size() > Operation::kMaxBodySize || op.id.counter == 0) std::abort();
    }
  }
  if (const auto* hello = std::get_if<SyncHello>(&*message)) {
    (void)hello->version.Contains({hello->node, 1});
  }
  const std::vector<uint8_t> written = SerializeSyncMessage(*message);
  if (written.size() != size || !std::equal(written.begin(), written.end(), data)) std::abort();
  return 0;
}
