#include "apps/selfcheck.h"

#include <fmt/core.h>
#include <toml++/toml.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "engine/codec/codec_libraries.h"
#include "engine/gst/gst_library.h"
#include "session/store/sqlite_library.h"
#include "transport/base/logging.h"
#include "transport/net/asio_scheduler.h"
#include "transport/srtp/crypto_libraries.h"

namespace comodal::apps {
namespace {

LibraryCheck CheckTomlPlusPlus() {
  LibraryCheck check{"toml++",
                     std::to_string(TOML_LIB_MAJOR) + "." + std::to_string(TOML_LIB_MINOR) + "." +
                         std::to_string(TOML_LIB_PATCH),
                     false, ""};
  try {
    toml::table parsed = toml::parse("[link]\nrtt_ms = 600\n");
    check.ok = parsed["link"]["rtt_ms"].value_or(0) == 600;
  } catch (const toml::parse_error&) {
    check.ok = false;
  }
  check.detail = check.ok ? "parsed a TOML table" : "could not parse a TOML table";
  return check;
}

LibraryCheck CheckNlohmannJson() {
  LibraryCheck check{"nlohmann-json",
                     std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                         std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                         std::to_string(NLOHMANN_JSON_VERSION_PATCH),
                     false, ""};
  auto round_trip = nlohmann::json::parse(nlohmann::json{{"rtt_ms", 600}}.dump());
  check.ok = round_trip.value("rtt_ms", 0) == 600;
  check.detail = check.ok ? "JSON written and read back" : "JSON round trip failed";
  return check;
}

LibraryCheck CheckCli11() {
  LibraryCheck check{"CLI11", CLI11_VERSION, false, ""};
  CLI::App app{"selfcheck"};
  int rtt_ms = 0;
  app.add_option("--rtt-ms", rtt_ms);
  const char* argv[] = {"comodal", "--rtt-ms", "600"};
  try {
    app.parse(3, argv);
    check.ok = rtt_ms == 600;
  } catch (const CLI::Error&) {
    check.ok = false;
  }
  check.detail = check.ok ? "parsed an option" : "could not parse '--rtt-ms 600'";
  return check;
}

}  // namespace

std::vector<LibraryCheck> CheckLinkedLibraries() {
  return {
      engine::CheckGStreamer(),
      CheckLibSrtp(),
      CheckOpenSsl(),
      engine::CheckLibOpus(),
      engine::CheckLibVpx(),
      CheckBoost(),
      session::CheckSqlite(),
      CheckTomlPlusPlus(),
      CheckCli11(),
      CheckNlohmannJson(),
      CheckSpdlog(),
      LibraryCheck{"fmt",
                   std::to_string(FMT_VERSION / 10000) + "." +
                       std::to_string(FMT_VERSION / 100 % 100) + "." +
                       std::to_string(FMT_VERSION % 100),
                   fmt::format("{}", 600) == "600", "formatted a number"},
  };
}

int RunSelfcheck(std::ostream& out) {
  std::vector<LibraryCheck> checks = CheckLinkedLibraries();
  checks.push_back(CheckRtpRoundTrip("127.0.0.1"));
  int failures = 0;
  for (const LibraryCheck& check : checks) {
    if (!check.ok) ++failures;
    out << (check.ok ? "PASS  " : "FAIL  ")
        << fmt::format("{:<15} {:<22} ", check.name, check.version) << check.detail << "\n";
  }
  out << (failures == 0 ? "selfcheck: all " + std::to_string(checks.size()) + " checks passed\n"
                        : "selfcheck: " + std::to_string(failures) + " of " +
                              std::to_string(checks.size()) + " checks FAILED\n");
  return failures == 0 ? 0 : 1;
}

}  // namespace comodal::apps
