#include "transport/link/capacity_schedule.h"

#include <algorithm>
#include <charconv>
#include <iterator>

namespace comodal::link {
namespace {

constexpr int64_t kMahimahiPacketBits = 1500 * 8;

}  // namespace

DataRate CapacitySchedule::RateAt(TimeDelta since_start) const {
  if (repeat_period_ > TimeDelta::Zero() && since_start >= TimeDelta::Zero()) {
    since_start = TimeDelta::Micros(since_start.us() % repeat_period_.us());
  }
  // Called per packet, and a replayed trace has thousands of steps: binary search.
  auto after = std::upper_bound(steps_.begin(), steps_.end(), since_start,
                                [](TimeDelta t, const Step& step) { return t < step.at; });
  return after == steps_.begin() ? DataRate::Zero() : std::prev(after)->rate;
}

TimeDelta CapacitySchedule::TransmissionEnd(TimeDelta start, DataSize size) const {
  const bool repeats = repeat_period_ > TimeDelta::Zero();
  // Work within one period: `base` is where the current period started.
  TimeDelta base = TimeDelta::Zero();
  if (repeats && start >= TimeDelta::Zero()) {
    base = repeat_period_ * (start.us() / repeat_period_.us());
  }
  const TimeDelta local_start = start - base;
  auto it = std::upper_bound(steps_.begin(), steps_.end(), local_start,
                             [](TimeDelta t, const Step& step) { return t < step.at; });
  if (it == steps_.begin()) return TimeDelta::PlusInfinity();
  size_t index = static_cast<size_t>(it - steps_.begin()) - 1;
  TimeDelta now = start;
  // Bits still to send, kept in bits so that a partial segment is not rounded to whole bytes.
  double bits_left = size.bits_f();
  while (true) {
    const DataRate rate = steps_[index].rate;
    const bool last = index + 1 == steps_.size();
    const TimeDelta segment_end =
        last ? (repeats ? base + repeat_period_ : TimeDelta::PlusInfinity())
             : base + steps_[index + 1].at;
    if (rate > DataRate::Zero()) {
      const TimeDelta needed = TimeDelta::Seconds(bits_left / rate.bps_f());
      if (now + needed <= segment_end) return now + needed;
      bits_left -= rate.bps_f() * (segment_end - now).seconds_f();
    }
    if (last && (!repeats || !any_capacity_)) return TimeDelta::PlusInfinity();
    now = segment_end;
    if (last) {
      base += repeat_period_;
      index = 0;
    } else {
      ++index;
    }
  }
}

Result<CapacitySchedule, std::string> CapacitySchedule::FromMahimahiTrace(std::string_view text) {
  std::vector<int64_t> opportunities;
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty()) continue;
    int64_t ms = 0;
    auto [ptr, ec] = std::from_chars(line.data(), line.data() + line.size(), ms);
    const std::string where = "line " + std::to_string(line_number) + ": ";
    if (ec != std::errc() || ptr != line.data() + line.size() || ms < 0) {
      return where + "'" + std::string(line.substr(0, 40)) +
             "' is not a whole, non-negative number of milliseconds";
    }
    if (ms > 100'000'000) return where + std::to_string(ms) + " ms is past the 100 000 s limit";
    if (!opportunities.empty() && ms < opportunities.back()) {
      return where + std::to_string(ms) + " goes back in time after " +
             std::to_string(opportunities.back());
    }
    opportunities.push_back(ms);
  }
  if (opportunities.empty()) return std::string("the trace has no delivery opportunity");
  const int64_t period_ms = opportunities.back();
  if (period_ms == 0)
    return std::string("the trace must end after 0 ms (its last line is its period)");

  // Opportunities per millisecond, as steps (sparse: a long gap is one zero-rate step, so a
  // trace's size, not its duration, bounds the work). Mahimahi's loop puts an opportunity at
  // time `period` at time 0 of the next loop, so lines equal to the period count at 0.
  std::vector<int64_t> slots;
  slots.reserve(opportunities.size());
  for (int64_t ms : opportunities) slots.push_back(ms == period_ms ? 0 : ms);
  std::sort(slots.begin(), slots.end());
  std::vector<std::pair<int64_t, int64_t>> counts;  // (ms, opportunities), ms increasing.
  for (int64_t slot : slots) {
    if (counts.empty() || counts.back().first != slot) counts.emplace_back(slot, 0);
    ++counts.back().second;
  }
  std::vector<Step> steps;
  auto add = [&steps](int64_t ms, DataRate rate) {
    if (!steps.empty() && steps.back().rate == rate) return;
    if (!steps.empty() && steps.back().at == TimeDelta::Millis(ms)) {
      steps.back().rate = rate;
      if (steps.size() > 1 && steps[steps.size() - 2].rate == rate) steps.pop_back();
      return;
    }
    steps.push_back({TimeDelta::Millis(ms), rate});
  };
  if (counts.front().first > 0) add(0, DataRate::Zero());
  for (const auto& [ms, count] : counts) {
    add(ms, DataRate::BitsPerSec(count * kMahimahiPacketBits * 1000));
    if (ms + 1 < period_ms) add(ms + 1, DataRate::Zero());
  }
  return CapacitySchedule(std::move(steps), TimeDelta::Millis(period_ms));
}

}  // namespace comodal::link
