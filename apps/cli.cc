#include "apps/cli.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "apps/satlink.h"
#include "apps/selfcheck.h"

namespace comodal::apps {

int RunCli(int argc, char** argv) {
  CLI::App app{"comodal: comodal synchronous teaching over satellite links", "comodal"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "comodal 0.1.0");

  auto* selfcheck = app.add_subcommand(
      "selfcheck", "Check every linked library and a real RTP/RTCP round trip over loopback UDP");

  SatlinkOptions satlink_options;
  bool list_profiles = false;
  auto* satlink = app.add_subcommand(
      "satlink", "Relay UDP between a site and the hub through an emulated satellite link");
  satlink->add_flag("--list", list_profiles, "Print the built-in link profiles and exit");
  satlink->add_option("--profile", satlink_options.profile,
                      "Built-in profile name or TOML file (default geo-vsat)");
  auto* listen = satlink->add_option("--listen", satlink_options.listen,
                                     "HOST:PORT the site's programs send to (port 0: any free)");
  auto* forward = satlink->add_option("--forward", satlink_options.forward, "HOST:PORT of the hub");
  satlink->add_option("--seed", satlink_options.seed, "Seed of the random loss and jitter");
  satlink->add_option("--stats-json", satlink_options.stats_json,
                      "Write per-direction stats to this file on exit");
  satlink->add_option("--duration", satlink_options.duration_s,
                      "Stop after this many seconds (default: at SIGINT/SIGTERM)");
  listen->excludes("--list");
  forward->excludes("--list");

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
  if (satlink->parsed()) {
    if (list_profiles) return ListProfiles(std::cout, std::cerr);
    if (satlink_options.listen.empty() || satlink_options.forward.empty()) {
      std::cerr << "comodal satlink: --listen and --forward are required (or --list)\n";
      return 2;
    }
    return RunSatlink(satlink_options, std::cout, std::cerr);
  }
  return 2;
}

}  // namespace comodal::apps
