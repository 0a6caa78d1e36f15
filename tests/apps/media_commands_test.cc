// `comodal send` and `comodal recv` as real processes on loopback, with each other (DTLS-SRTP,
// also through `comodal satlink` on a GEO profile) and with GStreamer's own RTP and SRTP elements
// as the peer (interoperability: a plain RTP receiver and srtpdec decode comodal's VP8; comodal
// decodes what GStreamer's payloaders and srtpenc send). Argument checks run in-process.
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>

#include <gmock/gmock.h>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "apps/media_commands.h"
#include "tests/support/subprocess.h"

namespace comodal::testing {
namespace {

using apps::RecvOptions;
using apps::RunRecv;
using apps::RunSend;
using apps::SendOptions;

using std::chrono::milliseconds;

std::string Comodal() { return COMODAL_BINARY; }

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream file(path);
  return nlohmann::json::parse(file, nullptr, /*allow_exceptions=*/false);
}

// A UDP port for one test: distinct per test so that runs do not collide.
int PortFor(int offset) { return 46'000 + (static_cast<int>(::getpid()) % 500) * 8 + offset; }

// A node identity made by `comodal cert`, as an operator makes it.
struct Identity {
  std::string dtls;         // CERT,KEY for --dtls.
  std::string fingerprint;  // What the peer pins.
};

Identity MakeIdentity(const std::string& name) {
  const std::string dir = TestTempDir() + "/media_commands_" + name;
  std::filesystem::remove_all(dir);
  const CommandResult made = RunCommand(Comodal() + " cert --out " + dir + " --name " + name);
  EXPECT_EQ(made.exit_code, 0) << made.output;
  std::smatch match;
  const std::regex fingerprint("fingerprint: ((?:[0-9A-F]{2}:){31}[0-9A-F]{2})");
  EXPECT_TRUE(std::regex_search(made.output, match, fingerprint)) << made.output;
  return {dir + "/cert.pem," + dir + "/key.pem", match.size() > 1 ? match[1].str() : ""};
}

std::vector<std::string> Dtls(const Identity& own, const Identity& peer) {
  return {"--dtls", own.dtls, "--peer-fingerprint", peer.fingerprint};
}

std::vector<std::string> Concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A receiver's --duration for senders whose --duration are `send_seconds`, one after the other.
// A sender's own --duration starts only once it is up (GStreamer, encoders, sockets), which on a
// loaded machine may take seconds after it was started; the receiver then plays out for up to a
// second after the last one ended. A receiver that stopped before its senders would make counts
// that must match (packets out, packets in) differ.
std::string RecvDuration(std::initializer_list<double> send_seconds) {
  constexpr double kSenderStartUp = 2;
  constexpr double kPlayout = 1;
  double total = kPlayout;
  for (double seconds : send_seconds) total += kSenderStartUp + seconds;
  std::ostringstream text;
  text << total;
  return text.str();
}

// Reads `child`'s output up to a line that contains `text`, for at most `timeout`.
bool WaitForLine(ChildProcess& child, const std::string& text, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left =
        std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    const std::optional<std::string> line = child.ReadLine(left);
    if (!line) return false;
    if (line->find(text) != std::string::npos) return true;
  }
}

// gst-launch prints "Setting pipeline to PAUSED" before it opens its elements (udpsrc binds its
// port then) and "Setting pipeline to PLAYING" after: a sender started on the first line may
// send its first packets, the keyframe among them, to a port nobody listens on yet.
bool WaitUntilGstListens(ChildProcess& gst) {
  return WaitForLine(gst, "Setting pipeline to PLAYING", milliseconds(10000));
}

// The static test key of the GStreamer SRTP tests: bytes 00 01 ... 1D as --srtp-key (base64)
// and as srtpenc/srtpdec take it (hex).
constexpr char kSrtpKeyBase64[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
constexpr char kSrtpKeyHex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d";
// comodal's video SSRC (engine::MediaSenderConfig), which srtpdec's caps must name.
constexpr uint32_t kComodalVideoSsrc = 0x0B1DE001;

// A --stats-json file's "security" object must show no packet refused.
void ExpectNothingRefused(const nlohmann::json& security) {
  for (const char* counter : {"srtp_auth_failures", "srtp_replays", "srtcp_auth_failures",
                              "srtcp_replays", "dropped_malformed", "dropped_not_srtp"}) {
    EXPECT_EQ(security[counter].get<int>(), 0) << counter << " in " << security.dump();
  }
}

// What a `comodal send` -> `comodal recv` run left: exit statuses, output and stats files.
struct PairRun {
  std::optional<int> send_status;
  std::optional<int> recv_status;
  std::string send_output;
  std::string recv_output;
  nlohmann::json send;
  nlohmann::json recv;
};

// Starts `comodal recv --listen address` with `recv_args`; once it listens, `comodal send --to
// to` with `send_args`; waits for both to end (their --duration in the arguments; `after_send`
// runs between the two) and reads the stats files they write under `name`.
PairRun RunSendToRecv(const std::string& name, const std::string& address,
                      const std::vector<std::string>& recv_args, const std::string& to,
                      const std::vector<std::string>& send_args,
                      const std::function<void()>& after_send = {}) {
  const std::string recv_json = TestTempDir() + "/" + name + "_recv.json";
  const std::string send_json = TestTempDir() + "/" + name + "_send.json";
  std::filesystem::remove(recv_json);
  std::filesystem::remove(send_json);
  PairRun run;
  auto recv = ChildProcess::Start(
      Concat({Comodal(), "recv", "--listen", address, "--stats-json", recv_json}, recv_args));
  EXPECT_TRUE(recv.has_value());
  if (!recv) return run;
  EXPECT_TRUE(recv->ReadLine(milliseconds(10000)).has_value());  // "recv: listening on ..."
  auto send = ChildProcess::Start(
      Concat({Comodal(), "send", "--to", to, "--stats-json", send_json}, send_args));
  EXPECT_TRUE(send.has_value());
  if (!send) return run;
  run.send_status = send->Wait(milliseconds(20000));
  if (after_send) after_send();
  run.recv_status = recv->Wait(milliseconds(20000));
  run.send_output = send->output();
  run.recv_output = recv->output();
  run.send = ReadJson(send_json);
  run.recv = ReadJson(recv_json);
  EXPECT_TRUE(run.send.is_object() && run.recv.is_object()) << run.send_output << run.recv_output;
  return run;
}

TEST(MediaCommandsRealTimeTest, SendToRecvOverDtlsSrtpOnLoopbackDecodesAudioAndVideo) {
  const std::string address = "127.0.0.1:" + std::to_string(PortFor(0));
  const Identity site = MakeIdentity("site");
  const Identity hub = MakeIdentity("hub");
  const PairRun run =
      RunSendToRecv("dtls", address, Concat({"--duration", RecvDuration({3})}, Dtls(site, hub)),
                    address, Concat({"--duration", "3"}, Dtls(hub, site)));
  EXPECT_EQ(run.send_status, 0) << run.send_output;
  EXPECT_EQ(run.recv_status, 0) << run.recv_output;
  const nlohmann::json& r = run.recv;
  const nlohmann::json& s = run.send;
  ASSERT_TRUE(r.is_object() && s.is_object());
  // About 90 frames and 150 audio packets in 3 s; each side counts what the other does. Frames
  // are encoded only once keys exist, so every one of them reaches the receiver.
  EXPECT_GE(r["frames_decoded"].get<int>(), 60) << s.dump() << r.dump();
  EXPECT_EQ(r["frames_decoded"].get<int>(), s["video_frames_encoded"].get<int>());
  EXPECT_GE(r["audio_packets"].get<int>(), 100);
  EXPECT_EQ(r["packets_in"].get<int>(), s["packets_out"].get<int>());
  EXPECT_EQ(r["decode_errors"].get<int>(), 0);
  EXPECT_EQ(r["freezes"].get<int>(), 0);
  // The rate adapts by default: recv's transport-wide feedback reached send, whose probes found
  // loopback's capacity far above the start rate (300 kbit/s): the target is at the top of the
  // ladder (800 kbit/s of video, audio and headers).
  EXPECT_EQ(s["congestion_control"], true);
  EXPECT_GT(s["rate_changes"].get<int>(), 0);
  EXPECT_GT(s["target_kbps"].get<double>(), 800);
  // Sender and receiver share this host's clock: end-to-end latency is measured.
  ASSERT_TRUE(r["e2e_latency_ms"]["video"].is_object());
  EXPECT_LT(r["e2e_latency_ms"]["video"]["p50"].get<double>(), 200);
  ASSERT_TRUE(r["e2e_latency_ms"]["audio"].is_object());
  EXPECT_LT(r["e2e_latency_ms"]["audio"]["p50"].get<double>(), 200);
  // RTCP flowed both ways: the sender learnt the round trip from the receiver's reports.
  EXPECT_TRUE(s["rtt_ms"].is_number());

  // All of it as SRTP with the DTLS-negotiated default profile, each end having verified the
  // other's pinned certificate.
  const nlohmann::json& rs = r["security"];
  const nlohmann::json& ss = s["security"];
  EXPECT_EQ(rs["mode"], "dtls-srtp");
  EXPECT_EQ(rs["profile"], "AEAD_AES_128_GCM");
  EXPECT_EQ(ss["profile"], "AEAD_AES_128_GCM");
  EXPECT_EQ(rs["dtls"]["role"], "server");
  EXPECT_EQ(ss["dtls"]["role"], "client");
  EXPECT_EQ(rs["dtls"]["handshakes_completed"].get<int>(), 1);
  EXPECT_EQ(rs["dtls"]["peer_fingerprint"], hub.fingerprint);
  EXPECT_EQ(ss["dtls"]["peer_fingerprint"], site.fingerprint);
  EXPECT_TRUE(ss["dtls"]["handshake_ms"].is_number());
  EXPECT_EQ(rs["srtp_packets_in"], ss["srtp_packets_out"]);
  EXPECT_GT(ss["srtcp_packets_in"].get<int>(), 0);
  ExpectNothingRefused(rs);
  ExpectNothingRefused(ss);
}

// The link the design targets: the DTLS handshake crosses a ~600 ms GEO round trip (two of
// them for the client) without a spurious retransmission, then media flows.
TEST(MediaCommandsRealTimeTest, DtlsOverAGeoSatlinkCompletesWithoutRetransmission) {
  const std::string recv_address = "127.0.0.1:" + std::to_string(PortFor(3));
  const Identity site = MakeIdentity("geo_site");
  const Identity hub = MakeIdentity("geo_hub");
  auto satlink = ChildProcess::Start({Comodal(), "satlink", "--profile", "geo-vsat", "--listen",
                                      "127.0.0.1:0", "--forward", recv_address, "--seed", "3"});
  ASSERT_TRUE(satlink.has_value());
  const auto ready = satlink->ReadLine(milliseconds(10000));
  ASSERT_TRUE(ready.has_value()) << satlink->output();
  std::smatch match;
  ASSERT_TRUE(std::regex_search(*ready, match, std::regex("listening on (127\\.0\\.0\\.1:\\d+)")))
      << *ready;
  // The DTLS client (send) connects from the site side of the relay, as a site box would;
  // 150 kbit/s of video and Opus fit the 256 kbit/s uplink.
  const PairRun run = RunSendToRecv(
      "geo", recv_address, Concat({"--duration", RecvDuration({6})}, Dtls(hub, site)),
      match[1].str(), Concat({"--bitrate", "150", "--duration", "6"}, Dtls(site, hub)));
  EXPECT_EQ(run.send_status, 0) << run.send_output;
  EXPECT_EQ(run.recv_status, 0) << run.recv_output;
  satlink->Signal(SIGINT);
  EXPECT_EQ(satlink->Wait(milliseconds(10000)), 0) << satlink->output();
  const nlohmann::json& r = run.recv;
  const nlohmann::json& s = run.send;
  ASSERT_TRUE(r.is_object() && s.is_object());
  const nlohmann::json& client = s["security"]["dtls"];
  const nlohmann::json& server = r["security"]["dtls"];
  // Two round trips for the client (ClientHello; certificates and Finished), one for the server.
  EXPECT_GE(client["handshake_ms"].get<double>(), 1200);
  EXPECT_LT(client["handshake_ms"].get<double>(), 1500);
  EXPECT_GE(server["handshake_ms"].get<double>(), 600);
  EXPECT_EQ(client["retransmissions"].get<int>(), 0);
  EXPECT_EQ(server["retransmissions"].get<int>(), 0);
  EXPECT_GE(r["frames_decoded"].get<int>(), 60);
  EXPECT_EQ(r["decode_errors"].get<int>(), 0);
  ExpectNothingRefused(r["security"]);
}

// A site box's `recv` runs for the whole lesson while the hub's `send` may restart: the new
// process (same certificate, new port, new handshake) is accepted and its keys replace the old.
TEST(MediaCommandsRealTimeTest, RecvAcceptsTheHandshakeOfARestartedSender) {
  const std::string address = "127.0.0.1:" + std::to_string(PortFor(8));
  const Identity site = MakeIdentity("restart_site");
  const Identity hub = MakeIdentity("restart_hub");
  const std::string second_json = TestTempDir() + "/restart_second_send.json";
  std::filesystem::remove(second_json);
  // The first sender runs inside RunSendToRecv; the second starts when the first has ended.
  const PairRun run = RunSendToRecv(
      "restart", address, Concat({"--duration", RecvDuration({2, 2})}, Dtls(site, hub)), address,
      Concat({"--duration", "2"}, Dtls(hub, site)), [&] {
        auto second = ChildProcess::Start(Concat(
            {Comodal(), "send", "--to", address, "--duration", "2", "--stats-json", second_json},
            Dtls(hub, site)));
        ASSERT_TRUE(second.has_value());
        EXPECT_EQ(second->Wait(milliseconds(15000)), 0) << second->output();
      });
  EXPECT_EQ(run.send_status, 0) << run.send_output;
  EXPECT_EQ(run.recv_status, 0) << run.recv_output;
  const nlohmann::json s2 = ReadJson(second_json);
  ASSERT_TRUE(run.recv.is_object() && s2.is_object());
  const nlohmann::json& security = run.recv["security"];
  EXPECT_EQ(security["dtls"]["handshakes_completed"].get<int>(), 2);
  EXPECT_EQ(security["srtp_packets_in"].get<int>(),
            run.send["packets_out"].get<int>() + s2["packets_out"].get<int>());
  ExpectNothingRefused(security);
  // The receiver's reports reached the second sender at its new address.
  EXPECT_TRUE(s2["rtt_ms"].is_number());
  EXPECT_GT(s2["security"]["srtcp_packets_in"].get<int>(), 0);
}

// What a `comodal recv` kept running while `comodal send` ran twice, one after the other, left.
struct RestartRun {
  PairRun run;  // The receiver and the first sender.
  nlohmann::json second;
};

// `comodal recv` with `recv_args` runs throughout; `comodal send` with `send_args` runs for 2 s,
// ends (RTCP BYE) and starts again with the same arguments for 2 s more: a new process with the
// same configured SSRCs, sequence numbers, timestamps and picture IDs starting afresh.
RestartRun RunRestartedSender(const std::string& name, int port,
                              const std::vector<std::string>& recv_args,
                              const std::vector<std::string>& send_args) {
  const std::string address = "127.0.0.1:" + std::to_string(port);
  const std::string second_json = TestTempDir() + "/" + name + "_second_send.json";
  std::filesystem::remove(second_json);
  RestartRun restart;
  restart.run = RunSendToRecv(
      name, address, Concat({"--duration", RecvDuration({2, 2})}, recv_args), address,
      Concat({"--duration", "2"}, send_args), [&] {
        auto second = ChildProcess::Start(Concat(
            {Comodal(), "send", "--to", address, "--duration", "2", "--stats-json", second_json},
            send_args));
        ASSERT_TRUE(second.has_value());
        EXPECT_EQ(second->Wait(milliseconds(15000)), 0) << second->output();
      });
  restart.second = ReadJson(second_json);
  return restart;
}

// The receiver decoded and played both senders' media, the second's as well as the first's.
void ExpectBothSendersPlayed(const RestartRun& restart) {
  const PairRun& run = restart.run;
  EXPECT_EQ(run.send_status, 0) << run.send_output;
  EXPECT_EQ(run.recv_status, 0) << run.recv_output;
  const nlohmann::json& r = run.recv;
  const nlohmann::json& s1 = run.send;
  const nlohmann::json& s2 = restart.second;
  ASSERT_TRUE(r.is_object() && s1.is_object() && s2.is_object()) << run.recv_output;
  EXPECT_GE(s2["video_frames_encoded"].get<int>(), 40) << s2.dump();
  // Loopback loses nothing: every frame of both is decoded, each sender's from its first
  // keyframe.
  EXPECT_EQ(r["frames_decoded"].get<int>(),
            s1["video_frames_encoded"].get<int>() + s2["video_frames_encoded"].get<int>())
      << run.recv_output;
  EXPECT_GE(r["keyframes_decoded"].get<int>(), 2);
  EXPECT_EQ(r["decode_errors"].get<int>(), 0);
  EXPECT_GE(r["frames_rendered"].get<int>(), r["frames_decoded"].get<int>() - 4);
  EXPECT_EQ(r["packets_in"].get<int>(),
            s1["packets_out"].get<int>() + s2["packets_out"].get<int>());
  // Both senders' audio is heard (20 ms of 48 kHz per frame encoded), little of it concealed.
  const int frames = s1["audio_frames_encoded"].get<int>() + s2["audio_frames_encoded"].get<int>();
  EXPECT_GE(r["audio_samples_played"].get<int>(), frames * 960 * 9 / 10);
  EXPECT_LT(r["audio_concealed_ratio"].get<double>(), 0.1);
  // The second sender's media was sent back feedback at its own address.
  EXPECT_TRUE(s2["rtt_ms"].is_number());
}

TEST(MediaCommandsRealTimeTest, RecvDecodesARestartedSenderInTheClear) {
  ExpectBothSendersPlayed(
      RunRestartedSender("restart_clear", PortFor(9), {"--no-encrypt"}, {"--no-encrypt"}));
}

TEST(MediaCommandsRealTimeTest, RecvDecodesARestartedSenderOverDtls) {
  const Identity site = MakeIdentity("restart_decode_site");
  const Identity hub = MakeIdentity("restart_decode_hub");
  const RestartRun restart =
      RunRestartedSender("restart_dtls", PortFor(10), Dtls(site, hub), Dtls(hub, site));
  ExpectBothSendersPlayed(restart);
  ASSERT_TRUE(restart.run.recv.is_object());
  EXPECT_EQ(restart.run.recv["security"]["dtls"]["handshakes_completed"].get<int>(), 2);
  ExpectNothingRefused(restart.run.recv["security"]);
}

TEST(MediaCommandsRealTimeTest, APeerWithAnUnpinnedCertificateCannotCompleteTheHandshake) {
  const std::string address = "127.0.0.1:" + std::to_string(PortFor(4));
  const Identity site = MakeIdentity("pinned_site");
  const Identity hub = MakeIdentity("pinned_hub");
  const Identity impostor = MakeIdentity("impostor");
  // The site pins the hub; the impostor knows the site's fingerprint but has its own key.
  const PairRun run =
      RunSendToRecv("unpinned", address, Concat({"--duration", "4"}, Dtls(site, hub)), address,
                    Concat({"--duration", "3"}, Dtls(impostor, site)));
  // The impostor is told at once and gives up: exit status 1, with the reason.
  EXPECT_EQ(run.send_status, 1) << run.send_output;
  EXPECT_THAT(run.send_output, ::testing::HasSubstr("refused this end's certificate"));
  EXPECT_EQ(run.recv_status, 0) << run.recv_output;
  EXPECT_THAT(run.recv_output, ::testing::HasSubstr("not the pinned " + hub.fingerprint));
  const nlohmann::json& r = run.recv;
  const nlohmann::json& s = run.send;
  ASSERT_TRUE(r.is_object() && s.is_object());
  EXPECT_EQ(r["security"]["dtls"]["handshakes_completed"].get<int>(), 0);
  EXPECT_EQ(r["security"]["dtls"]["handshakes_failed"].get<int>(), 1);
  EXPECT_EQ(r["security"]["dtls"]["peer_fingerprint"], impostor.fingerprint);
  EXPECT_TRUE(r["security"]["profile"].is_null());
  EXPECT_EQ(r["packets_in"].get<int>(), 0);
  EXPECT_EQ(r["frames_decoded"].get<int>(), 0);
  EXPECT_EQ(s["security"]["dtls"]["state"], "failed");
  EXPECT_EQ(s["video_frames_encoded"].get<int>(), 0);
}

TEST(MediaCommandsRealTimeTest, GStreamerDecodesComodalsVp8) {
  const auto gst_launch = FindProgram("gst-launch-1.0");
  if (!gst_launch) GTEST_SKIP() << "gst-launch-1.0 not installed";
  const std::string dir = TestTempDir();
  const std::string yuv = dir + "/gst_decoded.i420";
  std::filesystem::remove(yuv);
  const int port = PortFor(1);
  auto gst = ChildProcess::Start(
      {*gst_launch, "-e", "udpsrc", "port=" + std::to_string(port),
       "caps=application/x-rtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96", "!",
       "rtpjitterbuffer", "!", "rtpvp8depay", "!", "vp8dec", "!", "videoconvert", "!",
       "video/x-raw,format=I420", "!", "filesink", "location=" + yuv});
  ASSERT_TRUE(gst.has_value());
  ASSERT_TRUE(WaitUntilGstListens(*gst)) << gst->output();
  // GStreamer sends no transport-wide feedback: the rate is pinned.
  auto send = ChildProcess::Start({Comodal(), "send", "--to", "127.0.0.1:" + std::to_string(port),
                                   "--audio", "none", "--video", "vp8", "--duration", "3",
                                   "--bitrate", "800", "--no-encrypt"});
  ASSERT_TRUE(send.has_value());
  EXPECT_EQ(send->Wait(milliseconds(15000)), 0) << send->output();
  gst->Signal(SIGINT);  // -e: end of stream, the file is complete.
  EXPECT_EQ(gst->Wait(milliseconds(10000)), 0) << gst->output();
  const auto size = std::filesystem::file_size(yuv);
  const uintmax_t frame = 640 * 360 * 3 / 2;
  EXPECT_EQ(size % frame, 0u);
  EXPECT_GE(size / frame, 60u) << gst->output();
}

// Starts `comodal recv` on `port` with `recv_args`, runs the GStreamer command `gst_launch`
// (which sends to that port and ends), then stops the receiver and returns its stats. A raw
// udpsink sends no RTCP BYE: the receiver is stopped when the sender is done, or the silence
// after the stream would count as concealment.
nlohmann::json RecvFromGStreamer(const std::string& name, int port,
                                 const std::vector<std::string>& recv_args,
                                 const std::string& gst_launch) {
  const std::string recv_json = TestTempDir() + "/" + name + "_recv.json";
  std::filesystem::remove(recv_json);
  auto recv =
      ChildProcess::Start(Concat({Comodal(), "recv", "--listen",
                                  "127.0.0.1:" + std::to_string(port), "--stats-json", recv_json},
                                 recv_args));
  EXPECT_TRUE(recv.has_value());
  if (!recv) return nullptr;
  EXPECT_TRUE(recv->ReadLine(milliseconds(10000)).has_value());
  const CommandResult gst = RunCommand(gst_launch);
  EXPECT_EQ(gst.exit_code, 0) << gst.output;
  recv->Signal(SIGINT);
  EXPECT_EQ(recv->Wait(milliseconds(15000)), 0) << recv->output();
  return ReadJson(recv_json);
}

TEST(MediaCommandsRealTimeTest, ComodalDecodesGStreamersOpusAndVp8) {
  if (!FindProgram("gst-launch-1.0")) GTEST_SKIP() << "gst-launch-1.0 not installed";
  const int port = PortFor(2);
  // One pipeline, two streams into one port (bundle): VP8 (PT 96) and Opus (PT 111).
  const std::string sink = "udpsink host=127.0.0.1 port=" + std::to_string(port);
  const nlohmann::json r = RecvFromGStreamer(
      "from_gst", port, {"--no-encrypt"},
      "gst-launch-1.0 -q videotestsrc is-live=true num-buffers=90 ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 ! rtpvp8pay pt=96 ! " +
          sink +
          " audiotestsrc is-live=true num-buffers=150 samplesperbuffer=960 ! "
          "audio/x-raw,rate=48000,channels=1 ! opusenc ! rtpopuspay pt=111 ! " +
          sink);
  ASSERT_TRUE(r.is_object());
  EXPECT_GE(r["frames_decoded"].get<int>(), 80);
  EXPECT_EQ(r["decode_errors"].get<int>(), 0);
  EXPECT_GE(r["audio_packets"].get<int>(), 140);
  EXPECT_LT(r["audio_concealed_ratio"].get<double>(), 0.05);
  // No abs-capture-time from GStreamer: no end-to-end figure, said as null.
  EXPECT_TRUE(r["e2e_latency_ms"]["video"].is_null());
}

TEST(MediaCommandsRealTimeTest, GStreamerSrtpdecDecodesComodalsSrtp) {
  const auto gst_launch = FindProgram("gst-launch-1.0");
  if (!gst_launch) GTEST_SKIP() << "gst-launch-1.0 not installed";
  const std::string dir = TestTempDir();
  const std::string yuv = dir + "/gst_srtp_decoded.i420";
  const std::string send_json = dir + "/send_srtp_stats.json";
  std::filesystem::remove(yuv);
  const int port = PortFor(5);
  // srtpdec takes the key from the caps of the stream's SSRC. comodal's RTCP, multiplexed on the
  // port, comes out of srtpdec's rtcp_src. That pad never sees an end of stream (it arrives on
  // the RTP pad only), so the pipeline is stopped without -e; nothing is held back for an EOS to
  // flush since, loopback being in order, no jitter buffer is needed.
  const std::string pipeline =
      "udpsrc port=" + std::to_string(port) +
      " caps=application/x-srtp,media=video,encoding-name=VP8,clock-rate=90000,payload=96,"
      "ssrc=(uint)" +
      std::to_string(kComodalVideoSsrc) + ",srtp-key=(buffer)" + kSrtpKeyHex +
      ",srtp-cipher=aes-128-icm,srtp-auth=hmac-sha1-80,srtcp-cipher=aes-128-icm,"
      "srtcp-auth=hmac-sha1-80,roc=(uint)0 ! srtpdec name=dec ! rtpvp8depay ! vp8dec ! "
      "videoconvert ! video/x-raw,format=I420 ! filesink location=" +
      yuv + " dec.rtcp_src ! fakesink async=false sync=false";
  std::vector<std::string> argv = {*gst_launch};
  std::istringstream words(pipeline);
  for (std::string word; words >> word;) argv.push_back(word);
  auto gst = ChildProcess::Start(argv);
  ASSERT_TRUE(gst.has_value());
  ASSERT_TRUE(WaitUntilGstListens(*gst)) << gst->output();
  // GStreamer sends no transport-wide feedback: the rate is pinned.
  auto send =
      ChildProcess::Start({Comodal(), "send", "--to", "127.0.0.1:" + std::to_string(port),
                           "--audio", "none", "--video", "vp8", "--duration", "3", "--bitrate",
                           "800", "--srtp-key", kSrtpKeyBase64, "--stats-json", send_json});
  ASSERT_TRUE(send.has_value());
  EXPECT_EQ(send->Wait(milliseconds(15000)), 0) << send->output();
  gst->Signal(SIGINT);
  EXPECT_EQ(gst->Wait(milliseconds(10000)), 0) << gst->output();
  const nlohmann::json s = ReadJson(send_json);
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["security"]["mode"], "static-key");
  EXPECT_EQ(s["security"]["profile"], "AES_CM_128_HMAC_SHA1_80");
  EXPECT_EQ(s["security"]["srtp_packets_out"], s["packets_out"]);
  // Every frame comodal encoded was decrypted and decoded by GStreamer.
  const auto size = std::filesystem::file_size(yuv);
  const uintmax_t frame = 640 * 360 * 3 / 2;
  EXPECT_EQ(size % frame, 0u);
  EXPECT_GE(size / frame, 60u) << gst->output();
  EXPECT_EQ(size / frame, s["video_frames_encoded"].get<uintmax_t>()) << gst->output();
}

TEST(MediaCommandsRealTimeTest, ComodalDecodesGStreamersSrtpenc) {
  if (!FindProgram("gst-launch-1.0")) GTEST_SKIP() << "gst-launch-1.0 not installed";
  const int port = PortFor(6);
  // VP8 protected by srtpenc with the same key (srtpenc needs the SSRC in its caps).
  const nlohmann::json r = RecvFromGStreamer(
      "from_srtpenc", port, {"--srtp-key", kSrtpKeyBase64},
      std::string(
          "gst-launch-1.0 -q videotestsrc is-live=true num-buffers=90 ! "
          "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 ! "
          "rtpvp8pay pt=96 ssrc=4660 ! 'application/x-rtp,ssrc=(uint)4660' ! srtpenc key=") +
          kSrtpKeyHex +
          " rtp-cipher=aes-128-icm rtp-auth=hmac-sha1-80 rtcp-cipher=aes-128-icm "
          "rtcp-auth=hmac-sha1-80 ! udpsink host=127.0.0.1 port=" +
          std::to_string(port));
  ASSERT_TRUE(r.is_object());
  EXPECT_GE(r["frames_decoded"].get<int>(), 80);
  EXPECT_EQ(r["decode_errors"].get<int>(), 0);
  EXPECT_EQ(r["security"]["srtp_packets_in"], r["packets_in"]);
  ExpectNothingRefused(r["security"]);
}

TEST(MediaCommandsRealTimeTest, EncryptedRecvRefusesPlainRtp) {
  const std::string address = "127.0.0.1:" + std::to_string(PortFor(7));
  const PairRun run = RunSendToRecv(
      "plain_to_srtp", address, {"--duration", RecvDuration({1.5}), "--srtp-key", kSrtpKeyBase64},
      address, {"--duration", "1.5", "--audio", "none", "--no-encrypt"});
  EXPECT_EQ(run.send_status, 0) << run.send_output;
  EXPECT_EQ(run.recv_status, 0) << run.recv_output;
  const nlohmann::json& r = run.recv;
  ASSERT_TRUE(r.is_object());
  // Nothing unauthenticated reaches the media session; each packet is counted as refused.
  EXPECT_EQ(r["packets_in"].get<int>(), 0);
  EXPECT_EQ(r["frames_decoded"].get<int>(), 0);
  EXPECT_GT(r["security"]["srtp_auth_failures"].get<int>(), 30);
  EXPECT_GT(r["security"]["srtcp_auth_failures"].get<int>(), 0);
  EXPECT_EQ(r["packets_out"].get<int>(), 0);  // No feedback to an unauthenticated source.
}

// Argument checks, in-process: they fail before anything is opened.
int Send(SendOptions options, std::string& error) {
  std::ostringstream out;
  std::ostringstream err;
  options.to = "127.0.0.1:9";
  const int status = RunSend(options, out, err);
  error = err.str();
  return status;
}

TEST(MediaCommandsTest, EncryptionIsRequiredUnlessRefusedExplicitly) {
  std::string error;
  EXPECT_EQ(Send({}, error), 2);
  EXPECT_THAT(error, ::testing::HasSubstr("--no-encrypt"));
  EXPECT_THAT(error, ::testing::HasSubstr("--dtls CERT,KEY --peer-fingerprint FP"));
  RecvOptions recv;
  recv.listen = "127.0.0.1:0";
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunRecv(recv, out, err), 2);
  EXPECT_THAT(err.str(), ::testing::HasSubstr("media is encrypted unless told otherwise"));
}

TEST(MediaCommandsTest, SecurityOptionsAreCheckedWithAnActionableMessage) {
  const Identity identity = MakeIdentity("arguments");
  const std::string missing = "/nonexistent/cert.pem,/nonexistent/key.pem";
  struct Case {
    apps::SecurityOptions security;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{.srtp_key = kSrtpKeyBase64, .no_encrypt = true}, "exclude each other"},
      {{.dtls = identity.dtls}, "--dtls needs --peer-fingerprint"},
      {{.dtls = identity.dtls, .peer_fingerprint = "AB:CD"},
       "--peer-fingerprint: a SHA-256 fingerprint is 32"},
      {{.dtls = missing, .peer_fingerprint = identity.fingerprint}, "/nonexistent/cert.pem"},
      {{.dtls = "cert.pem", .peer_fingerprint = identity.fingerprint}, "--dtls takes CERT,KEY"},
      {{.srtp_key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBka"},
       "--srtp-key: the SRTP key must be 30 bytes"},
      {{.peer_fingerprint = identity.fingerprint, .no_encrypt = true},
       "--peer-fingerprint goes with --dtls"},
  };
  for (const Case& c : cases) {
    SendOptions options;
    options.security = c.security;
    std::string error;
    EXPECT_EQ(Send(options, error), 2) << c.says;
    EXPECT_THAT(error, ::testing::HasSubstr(c.says));
  }
}

}  // namespace
}  // namespace comodal::testing
