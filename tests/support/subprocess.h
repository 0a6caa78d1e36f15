#ifndef TESTS_SUPPORT_SUBPROCESS_H_
#define TESTS_SUPPORT_SUBPROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

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

// A program running beside the test, its stdout and stderr on one pipe the test reads. Every
// wait is bounded; a child still running when the object goes away is killed and reaped.
class ChildProcess {
 public:
  // Starts argv[0] (a path) with those arguments; nullopt if it cannot be started.
  static std::optional<ChildProcess> Start(const std::vector<std::string>& argv);
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ~ChildProcess();

  // The next line of output (without its newline), or nullopt if none came within `timeout` or
  // the output ended.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  void Signal(int signal_number);
  // Waits up to `timeout` for the child to end, reading what it writes meanwhile: its exit
  // status, 128 + N if signal N ended it, or nullopt if it is still running (then it is killed).
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  // Everything read from the child so far.
  const std::string& output() const { return output_; }

 private:
  ChildProcess(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  enum class ReadResult { kData, kNothing, kEnd };
  // Reads what arrives within `timeout`.
  ReadResult ReadSome(std::chrono::milliseconds timeout);

  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
  size_t consumed_ = 0;  // Of output_, returned by ReadLine.
};

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_SUBPROCESS_H_
