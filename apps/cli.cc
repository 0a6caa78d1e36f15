#include "apps/cli.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "apps/selfcheck.h"

namespace comodal::apps {

int RunCli(int argc, char** argv) {
  CLI::App app{"comodal: comodal synchronous teaching over satellite links", "comodal"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "comodal 0.1.0");

  auto* selfcheck = app.add_subcommand(
      "selfcheck", "Check every linked library and a real RTP/RTCP round trip over loopback UDP");

  // CLI11 reports an unknown word as a missing subcommand; name it instead.
  if (argc > 1 && argv[1][0] != '-') {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known |= sub->check_name(argv[1]);
    if (!known) {
      std::cerr << "comodal: unknown subcommand '" << argv[1]
                << "'; run 'comodal --help' for the list\n";
      return 2;
    }
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (selfcheck->parsed()) return RunSelfcheck(std::cout);
  return 2;
}

}  // namespace comodal::apps
