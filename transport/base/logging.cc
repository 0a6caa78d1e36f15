#include "transport/base/logging.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <spdlog/version.h>

namespace comodal {

std::shared_ptr<spdlog::logger> GetLogger(const std::string& component) {
  if (auto existing = spdlog::get(component)) return existing;
  try {
    return spdlog::stderr_color_mt(component);
  } catch (const spdlog::spdlog_ex&) {
    // Another caller registered it between get() and create(): use theirs.
    return spdlog::get(component);
  }
}

LibraryCheck CheckSpdlog() {
  LibraryCheck check{"spdlog",
                     std::to_string(SPDLOG_VER_MAJOR) + "." + std::to_string(SPDLOG_VER_MINOR) +
                         "." + std::to_string(SPDLOG_VER_PATCH),
                     false, ""};
  auto logger = GetLogger("selfcheck");
  check.ok = logger != nullptr;
  check.detail = check.ok ? "component logger created" : "could not create a logger";
  return check;
}

}  // namespace comodal
