#ifndef APPS_CLI_H_
#define APPS_CLI_H_

namespace comodal::apps {

// The `comodal` command: parses arguments and runs the chosen subcommand. Returns the process
// exit code.
int RunCli(int argc, char** argv);

}  // namespace comodal::apps

#endif  // APPS_CLI_H_
