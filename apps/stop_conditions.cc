#include "apps/stop_conditions.h"

#include <csignal>
#include <cstdint>

namespace comodal::apps {

StopConditions::StopConditions(AsioScheduler& scheduler, std::optional<double> duration_s) {
  scheduler.OnSignals({SIGINT, SIGTERM}, [this, &scheduler](int signal) {
    signal_ = signal;
    scheduler.Stop();
  });
  if (duration_s) {
    scheduler.PostDelayedTask(TimeDelta::Micros(static_cast<int64_t>(*duration_s * 1e6)),
                              [&scheduler] { scheduler.Stop(); });
  }
}

std::string StopConditions::reason() const {
  return signal_ == SIGINT ? "SIGINT" : signal_ == SIGTERM ? "SIGTERM" : "duration reached";
}

bool ValidDuration(std::optional<double> duration_s, const char* command, std::ostream& err) {
  if (duration_s && !(*duration_s > 0)) {
    err << "comodal " << command << ": --duration must be > 0 seconds, got " << *duration_s << "\n";
    return false;
  }
  return true;
}

}  // namespace comodal::apps
