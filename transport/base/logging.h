#ifndef TRANSPORT_BASE_LOGGING_H_
#define TRANSPORT_BASE_LOGGING_H_

#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "transport/base/library_check.h"

namespace comodal {

// The logger of one component ("transport.rtp", "session.sync"), created on first use and
// shared afterwards. Logs go to stderr; stats are kept apart and exposed through /metrics.
std::shared_ptr<spdlog::logger> GetLogger(const std::string& component);

LibraryCheck CheckSpdlog();

}  // namespace comodal

#endif  // TRANSPORT_BASE_LOGGING_H_
