// `comodal send` and `comodal recv` as real processes on loopback, with each other and with
// GStreamer's own RTP elements as the peer (interoperability: a plain RTP receiver decodes
// comodal's VP8; comodal decodes what GStreamer's payloaders send).
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/subprocess.h"

namespace comodal::testing {
namespace {

using std::chrono::milliseconds;

std::string Comodal() { return COMODAL_BINARY; }

nlohmann::json ReadJson(const std::string& path) {
  std::ifstream file(path);
  return nlohmann::json::parse(file, nullptr, /*allow_exceptions=*/false);
}

// A UDP port for one test: distinct per test so that runs do not collide.
int PortFor(int offset) { return 46'000 + (static_cast<int>(::getpid()) % 500) * 4 + offset; }

TEST(MediaCommandsRealTimeTest, SendToRecvOnLoopbackDecodesAudioAndVideo) {
  const std::string dir = TestTempDir();
  const std::string recv_json = dir + "/recv_stats.json";
  const std::string send_json = dir + "/send_stats.json";
  const std::string address = "127.0.0.1:" + std::to_string(PortFor(0));
  auto recv = ChildProcess::Start(
      {Comodal(), "recv", "--listen", address, "--duration", "5", "--stats-json", recv_json});
  ASSERT_TRUE(recv.has_value());
  ASSERT_TRUE(recv->ReadLine(milliseconds(5000)).has_value());  // "recv: listening on ..."
  auto send = ChildProcess::Start(
      {Comodal(), "send", "--to", address, "--duration", "3", "--stats-json", send_json});
  ASSERT_TRUE(send.has_value());
  EXPECT_EQ(send->Wait(milliseconds(15000)), 0) << send->output();
  EXPECT_EQ(recv->Wait(milliseconds(15000)), 0) << recv->output();
  const nlohmann::json r = ReadJson(recv_json);
  const nlohmann::json s = ReadJson(send_json);
  ASSERT_TRUE(r.is_object() && s.is_object());
  // About 90 frames and 150 audio packets in 3 s; each side counts what the other does.
  EXPECT_GE(r["frames_decoded"].get<int>(), 60);
  EXPECT_EQ(r["frames_decoded"].get<int>(), s["video_frames_encoded"].get<int>());
  EXPECT_GE(r["audio_packets"].get<int>(), 100);
  EXPECT_EQ(r["packets_in"].get<int>(), s["packets_out"].get<int>());
  EXPECT_EQ(r["decode_errors"].get<int>(), 0);
  EXPECT_EQ(r["freezes"].get<int>(), 0);
  // Sender and receiver share this host's clock: end-to-end latency is measured.
  ASSERT_TRUE(r["e2e_latency_ms"]["video"].is_object());
  EXPECT_LT(r["e2e_latency_ms"]["video"]["p50"].get<double>(), 200);
  ASSERT_TRUE(r["e2e_latency_ms"]["audio"].is_object());
  EXPECT_LT(r["e2e_latency_ms"]["audio"]["p50"].get<double>(), 200);
  // RTCP flowed both ways: the sender learnt the round trip from the receiver's reports.
  EXPECT_TRUE(s["rtt_ms"].is_number());
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
  ASSERT_TRUE(gst->ReadLine(milliseconds(5000)).has_value());  // "Setting pipeline to PAUSED"
  auto send = ChildProcess::Start({Comodal(), "send", "--to", "127.0.0.1:" + std::to_string(port),
                                   "--audio", "none", "--video", "vp8", "--duration", "3"});
  ASSERT_TRUE(send.has_value());
  EXPECT_EQ(send->Wait(milliseconds(15000)), 0) << send->output();
  gst->Signal(SIGINT);  // -e: end of stream, the file is complete.
  EXPECT_EQ(gst->Wait(milliseconds(10000)), 0) << gst->output();
  const auto size = std::filesystem::file_size(yuv);
  const uintmax_t frame = 640 * 360 * 3 / 2;
  EXPECT_EQ(size % frame, 0u);
  EXPECT_GE(size / frame, 60u) << gst->output();
}

TEST(MediaCommandsRealTimeTest, ComodalDecodesGStreamersOpusAndVp8) {
  if (!FindProgram("gst-launch-1.0")) GTEST_SKIP() << "gst-launch-1.0 not installed";
  const std::string dir = TestTempDir();
  const std::string recv_json = dir + "/recv_from_gst.json";
  const int port = PortFor(2);
  const std::string address = "127.0.0.1:" + std::to_string(port);
  auto recv =
      ChildProcess::Start({Comodal(), "recv", "--listen", address, "--stats-json", recv_json});
  ASSERT_TRUE(recv.has_value());
  ASSERT_TRUE(recv->ReadLine(milliseconds(5000)).has_value());
  // One pipeline, two streams into one port (bundle): VP8 (PT 96) and Opus (PT 111).
  const std::string sink = "udpsink host=127.0.0.1 port=" + std::to_string(port);
  const CommandResult gst = RunCommand(
      "gst-launch-1.0 -q videotestsrc is-live=true num-buffers=90 ! "
      "video/x-raw,width=320,height=240,framerate=30/1 ! vp8enc deadline=1 ! rtpvp8pay pt=96 ! " +
      sink +
      " audiotestsrc is-live=true num-buffers=150 samplesperbuffer=960 ! "
      "audio/x-raw,rate=48000,channels=1 ! opusenc ! rtpopuspay pt=111 ! " +
      sink);
  EXPECT_EQ(gst.exit_code, 0) << gst.output;
  // A raw udpsink sends no RTCP BYE: stop the receiver when the sender is done, or the silence
  // after the stream would count as concealment.
  recv->Signal(SIGINT);
  EXPECT_EQ(recv->Wait(milliseconds(15000)), 0) << recv->output();
  const nlohmann::json r = ReadJson(recv_json);
  ASSERT_TRUE(r.is_object());
  EXPECT_GE(r["frames_decoded"].get<int>(), 80);
  EXPECT_EQ(r["decode_errors"].get<int>(), 0);
  EXPECT_GE(r["audio_packets"].get<int>(), 140);
  EXPECT_LT(r["audio_concealed_ratio"].get<double>(), 0.05);
  // No abs-capture-time from GStreamer: no end-to-end figure, said as null.
  EXPECT_TRUE(r["e2e_latency_ms"]["video"].is_null());
}

}  // namespace
}  // namespace comodal::testing
