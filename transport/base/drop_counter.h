#ifndef TRANSPORT_BASE_DROP_COUNTER_H_
#define TRANSPORT_BASE_DROP_COUNTER_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "transport/base/result.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// Counts input dropped as malformed, by error code, and says when a log summary is due: at the
// first drop, then at most once per interval with what piled up since. A flood of bad packets
// costs one log line per interval, never one per packet (the libdatachannel LogCounter idea).
class DropCounter {
 public:
  // The summary reads "dropped N <adjective> <what>": "malformed RTP packets", or for input that
  // is well formed but refused (unauthenticated, replayed) "rejected SRTP packets".
  explicit DropCounter(std::string what, TimeDelta interval = TimeDelta::Seconds(10),
                       std::string adjective = "malformed")
      : what_(std::move(what)), adjective_(std::move(adjective)), interval_(interval) {}

  // Records one drop at `now`. Returns the summary line to log when one is due.
  [[nodiscard]] std::optional<std::string> Count(const Error& error, Timestamp now);

  uint64_t total() const { return total_; }
  uint64_t count(ErrorCode code) const { return by_code_[static_cast<size_t>(code)]; }

 private:
  std::string what_;
  std::string adjective_;
  TimeDelta interval_;
  uint64_t total_ = 0;
  std::array<uint64_t, kErrorCodeCount> by_code_{};
  std::array<uint64_t, kErrorCodeCount> since_summary_{};
  Timestamp last_summary_ = Timestamp::MinusInfinity();
};

}  // namespace comodal

#endif  // TRANSPORT_BASE_DROP_COUNTER_H_
