// Fuzzes the Mahimahi trace reader (trace files are user input): any text gives a schedule or an
// error naming what is wrong; a schedule is well formed and serves a packet in finite time.
#include <cstdlib>
#include <string_view>

#include "transport/link/capacity_schedule.h"

using comodal::DataSize;
using comodal::TimeDelta;
using comodal::link::CapacitySchedule;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto schedule = CapacitySchedule::FromMahimahiTrace(text);
  if (!schedule.ok()) {
    if (schedule.error().empty()) std::abort();
    return 0;
  }
  const auto& steps = schedule->steps();
  if (steps.empty() || steps.front().at != TimeDelta::Zero()) std::abort();
  if (schedule->repeat_period() <= TimeDelta::Zero()) std::abort();
  for (size_t i = 1; i < steps.size(); ++i) {
    if (steps[i].at <= steps[i - 1].at || steps[i].at >= schedule->repeat_period()) std::abort();
  }
  // Every trace has at least one opportunity per loop, so a packet always gets through.
  for (int64_t start_ms : {0, 1, 999, 123456}) {
    const TimeDelta start = TimeDelta::Millis(start_ms);
    const TimeDelta end = schedule->TransmissionEnd(start, DataSize::Bytes(1500));
    if (!end.IsFinite() || end < start || end > start + schedule->repeat_period() * 2) {
      std::abort();
    }
  }
  return 0;
}
