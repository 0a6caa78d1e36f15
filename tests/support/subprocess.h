#ifndef TESTS_SUPPORT_SUBPROCESS_H_
#define TESTS_SUPPORT_SUBPROCESS_H_

#include <optional>
#include <string>

namespace comodal::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout, and stderr too when asked.
};

// Runs `command` through /bin/sh and collects its output.
CommandResult RunCommand(const std::string& command);

// The full path of `program` on PATH, or nullopt.
std::optional<std::string> FindProgram(const std::string& program);

// A scratch directory for this test binary (COMODAL_TEST_TMP, or under TMPDIR / /tmp).
std::string TestTempDir();

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_SUBPROCESS_H_
