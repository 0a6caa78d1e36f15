#ifndef APPS_STOP_CONDITIONS_H_
#define APPS_STOP_CONDITIONS_H_

#include <optional>
#include <ostream>
#include <string>

#include "transport/net/asio_scheduler.h"

namespace comodal::apps {

// When a long-running command (satlink, send, recv) stops: at SIGINT/SIGTERM, or after
// `duration_s` when given. Set up before the command announces itself, so that a signal sent as
// soon as its first line is read already stops it cleanly.
class StopConditions {
 public:
  StopConditions(AsioScheduler& scheduler, std::optional<double> duration_s);

  // After the scheduler stopped: "SIGINT", "SIGTERM" or "duration reached".
  std::string reason() const;

 private:
  int signal_ = 0;
};

// `--duration` must be positive when given; otherwise says so on `err` for `command`.
bool ValidDuration(std::optional<double> duration_s, const char* command, std::ostream& err);

}  // namespace comodal::apps

#endif  // APPS_STOP_CONDITIONS_H_
