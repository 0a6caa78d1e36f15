#include "apps/cli.h"

#include <CLI/CLI.hpp>

#include <iostream>

#include "apps/cc_bench.h"
#include "apps/cert_command.h"
#include "apps/class_file.h"
#include "apps/media_commands.h"
#include "apps/outbox_command.h"
#include "apps/satlink.h"
#include "apps/selfcheck.h"
#include "apps/session_bench.h"

namespace comodal::apps {
namespace {

// How media is protected (exactly one of --dtls, --srtp-key, --no-encrypt).
void AddSecurityOptions(CLI::App& command, SecurityOptions& options, const std::string& peer) {
  command.add_option("--dtls", options.dtls,
                     "CERT,KEY: DTLS-SRTP with this certificate and key (see `comodal cert`)");
  command.add_option(
      "--peer-fingerprint", options.peer_fingerprint,
      "SHA-256 fingerprint of " + peer + " certificate (AB:CD:...); any other is refused");
  command.add_option("--srtp-key", options.srtp_key,
                     "Interoperability tests only: a static AES_CM_128_HMAC_SHA1_80 key, base64 "
                     "of 30 bytes (master key + salt), as srtpenc/srtpdec take it");
  command.add_flag("--no-encrypt", options.no_encrypt, "Send and accept plain RTP/RTCP");
}

}  // namespace

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

  SendOptions send_options;
  auto* send = app.add_subcommand(
      "send", "Capture, encode and send one audio and one video stream over RTP on one UDP port");
  send->add_option("--to", send_options.to, "HOST:PORT of the receiver")->required();
  send->add_option("--video", send_options.video, "vp8 (default), vp9 or none");
  send->add_option("--audio", send_options.audio, "opus (default) or none");
  send->add_option("--source", send_options.source,
                   "test (the zone plate) or a GStreamer description of the video source");
  send->add_option("--audio-source", send_options.audio_source,
                   "test or a GStreamer description of the audio source");
  send->add_option("--bitrate", send_options.bitrate_kbps,
                   "Pin the video bitrate, kbit/s (default: adapt to the path, up to 800)");
  send->add_option("--width", send_options.width, "Video width (default 640)");
  send->add_option("--height", send_options.height, "Video height (default 360)");
  send->add_option("--fps", send_options.frame_rate, "Video frame rate (default 30)");
  send->add_option("--duration", send_options.duration_s,
                   "Stop after this many seconds (default: at SIGINT/SIGTERM)");
  send->add_option("--stats-json", send_options.stats_json, "Write stats to this file on exit");
  AddSecurityOptions(*send, send_options.security, "the receiver's");

  RecvOptions recv_options;
  auto* recv = app.add_subcommand(
      "recv", "Receive, decode and play a sender's audio and video from one UDP port");
  recv->add_option("--listen", recv_options.listen, "HOST:PORT to receive on")->required();
  recv->add_option("--sink", recv_options.sink,
                   "test (fakesink) or a GStreamer description the video is pushed into");
  recv->add_option("--audio-sink", recv_options.audio_sink,
                   "test (fakesink) or a GStreamer description the audio is pushed into");
  recv->add_option("--duration", recv_options.duration_s,
                   "Stop after this many seconds (default: at SIGINT/SIGTERM)");
  recv->add_option("--stats-json", recv_options.stats_json, "Write stats to this file on exit");
  AddSecurityOptions(*recv, recv_options.security, "the sender's");

  CertOptions cert_options;
  auto* cert = app.add_subcommand(
      "cert", "Make this node's DTLS certificate and key, or print a certificate's fingerprint");
  auto* cert_out = cert->add_option("--out", cert_options.out_dir,
                                    "Write DIR/cert.pem and DIR/key.pem (never replaces files)");
  auto* cert_show =
      cert->add_option("--show", cert_options.show, "Print the SHA-256 fingerprint of CERT");
  cert->add_option("--name", cert_options.name, "Subject common name (default comodal)");
  cert->add_option("--days", cert_options.days, "Validity in days (default 3650)");
  cert_out->excludes(cert_show);

  ClassCheckOptions class_options;
  auto* class_command =
      app.add_subcommand("class", "Check a class file: the hub, the enrolled sites, the people");
  class_command->add_option("--check", class_options.file, "The class file (TOML)")->required();

  OutboxOptions outbox_options;
  auto* outbox = app.add_subcommand(
      "outbox", "What a site made that the hub does not hold yet, read from its store");
  outbox->add_option("--store", outbox_options.store, "The site's operation store (SQLite)")
      ->required();
  outbox->add_option("--node", outbox_options.node, "The site's node id")->required();
  outbox->add_option("--hub", outbox_options.hub, "The hub's node id (default 1)");

  auto* bench = app.add_subcommand("bench", "Scenario benchmarks in simulated time");
  bench->require_subcommand(0, 1);
  CcBenchOptions cc_options;
  auto* bench_cc = bench->add_subcommand(
      "cc", "Congestion control over an emulated link, side by side with a fixed-rate sender");
  auto* cc_profile = bench_cc->add_option("--profile", cc_options.profile,
                                          "Built-in profile name or TOML file (default geo-vsat)");
  auto* cc_all = bench_cc->add_flag("--all", cc_options.all,
                                    "Run every cc profile (geo-vsat, rfc8867-5.1, leo, outage)");
  cc_profile->excludes(cc_all);
  bench_cc->add_option("--duration", cc_options.duration_s,
                       "Simulated seconds (default: the profile's own length)");
  bench_cc->add_option("--json", cc_options.json, "Write the report to this file");
  bench_cc->add_option("--loss", cc_options.loss,
                       "Replace the downlink's random loss with this ratio (0 to below 1)");
  bench_cc->add_flag("--no-repair", cc_options.no_repair,
                     "Run comodal without its loss repair (video FEC, audio RED and Opus FEC)");
  bench_cc->add_option("--seed", cc_options.seed, "Seed of the link's loss and jitter");
  bench_cc->add_flag("--log-rate", cc_options.log_rate,
                     "Log each rate and encoding ladder change of the adaptive sender");

  SessionBenchOptions session_options;
  auto* bench_session = bench->add_subcommand(
      "session", "A scripted lesson: class activities replicated over emulated links");
  bench_session->add_option("--profile", session_options.profile,
                            "Built-in profile name or TOML file (default geo-vsat)");
  bench_session->add_option("--sites", session_options.sites, "Sites (1 to 30, default 3)");
  bench_session->add_option("--json", session_options.json, "Write the report to this file");
  bench_session->add_option("--outage-min", session_options.outage_min,
                            "Cut site 0 off for this many minutes (default: the profile's "
                            "blackout, if it has one)");
  bench_session->add_option("--duration", session_options.duration_s,
                            "Lesson length in simulated seconds (default 600)");
  bench_session->add_option("--offline-ops", session_options.offline_operations,
                            "Operations the cut-off site makes while offline (default 10000)");
  bench_session->add_option(
      "--offline-blob-mb", session_options.offline_blob_mb,
      "Megabytes of photos the cut-off site takes while offline (default 50)");
  bench_session->add_option("--bulk-share", session_options.bulk_share,
                            "Share of the congestion controller's target the bulk lane (resync, "
                            "blobs) may take (above 0 and at most 1, default 0.5)");
  bench_session->add_option("--seed", session_options.seed, "Seed of the links and the script");
  bench_session->add_option("--store-dir", session_options.store_dir,
                            "Directory for the nodes' SQLite stores (default: a temporary one)");

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
  if (cert->parsed()) return RunCert(cert_options, std::cout, std::cerr);
  if (send->parsed()) return RunSend(send_options, std::cout, std::cerr);
  if (recv->parsed()) return RunRecv(recv_options, std::cout, std::cerr);
  if (class_command->parsed()) return RunClassCheck(class_options, std::cout, std::cerr);
  if (outbox->parsed()) return RunOutbox(outbox_options, std::cout, std::cerr);
  if (bench_cc->parsed()) return RunCcBench(cc_options, std::cout, std::cerr);
  if (bench_session->parsed()) return RunSessionBench(session_options, std::cout, std::cerr);
  if (bench->parsed()) {
    std::cerr << "comodal bench: name a benchmark: cc or session (see 'comodal bench cc --help')\n";
    return 2;
  }
  return 2;
}

}  // namespace comodal::apps
