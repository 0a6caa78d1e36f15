// Fuzzes Operation::Parse: what parses names a known activity, a counter from 1 and a body within
// the maximum that is exactly the rest of the input, and writes back to the very same bytes.
#include <algorithm>
#include <cstdlib>

#include "session/activity/operation.h"

using comodal::session::Operation;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto op = Operation::Parse(std::span(data, size));
  if (!op.ok()) return 0;
  if (op->id.counter == 0 || op->body.size() > Operation::kMaxBodySize || op->size() != size ||
      static_cast<uint8_t>(op->activity) == 0 ||
      static_cast<uint8_t>(op->activity) > comodal::session::kMaxActivityKind) {
    std::abort();
  }
  const std::vector<uint8_t> written = op->Serialize();
  if (written.size() != size || !std::equal(written.begin(), written.end(), data)) std::abort();
  if (Order(*op, *op) != 0) std::abort();
  return 0;
}
