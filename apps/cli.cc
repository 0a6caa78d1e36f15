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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (selfcheck->parsed()) return RunSelfcheck(std::cout);
  return 2;
}

}  // namespace comodal::apps
