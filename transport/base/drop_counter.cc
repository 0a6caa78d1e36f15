#include "transport/base/drop_counter.h"

namespace comodal {

std::optional<std::string> DropCounter::Count(const Error& error, Timestamp now) {
  const size_t index = static_cast<size_t>(error.code);
  ++total_;
  ++by_code_[index];
  ++since_summary_[index];
  if (now - last_summary_ < interval_) return std::nullopt;

  uint64_t dropped = 0;
  std::string reasons;
  for (size_t i = 0; i < since_summary_.size(); ++i) {
    if (since_summary_[i] == 0) continue;
    dropped += since_summary_[i];
    if (!reasons.empty()) reasons += ", ";
    reasons +=
        std::string(ToString(static_cast<ErrorCode>(i))) + ": " + std::to_string(since_summary_[i]);
  }
  since_summary_.fill(0);
  const bool first = last_summary_.IsInfinite();
  last_summary_ = now;
  return "dropped " + std::to_string(dropped) + " " + adjective_ + " " + what_ +
         (first ? "" : " in the last " + std::to_string(interval_.seconds()) + " s") + " (" +
         reasons + "); latest: " + error.ToString() + " (" + std::to_string(total_) + " in all)";
}

}  // namespace comodal
