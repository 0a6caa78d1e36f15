#ifndef APPS_MEDIA_COMMANDS_H_
#define APPS_MEDIA_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "apps/media_security.h"

namespace comodal::apps {

inline constexpr int kDefaultMaxVideoKbps = 800;

struct SendOptions {
  std::string to;                     // HOST:PORT
  std::string video = "vp8";          // vp8 | vp9 | none
  std::string audio = "opus";         // opus | none
  std::string source = "test";        // test | a GStreamer description for the video source
  std::string audio_source = "test";  // test | a GStreamer description for the audio source
  // A fixed video bitrate (congestion control off). Unset: the rate adapts to the path, up to
  // kDefaultMaxVideoKbps of video.
  std::optional<int> bitrate_kbps;
  int width = 640;
  int height = 360;
  int frame_rate = 30;
  std::optional<double> duration_s;  // Unset: until SIGINT/SIGTERM.
  std::string stats_json;
  SecurityOptions security;
};

struct RecvOptions {
  std::string listen;         // HOST:PORT
  std::string sink = "test";  // test (fakesink) | a GStreamer description after appsrc
  std::string audio_sink = "test";
  std::optional<double> duration_s;  // Unset: until SIGINT/SIGTERM.
  std::string stats_json;
  SecurityOptions security;
};

// `comodal send`: captures through GStreamer (test sources by default), encodes and sends one
// Opus and one VP8/VP9 stream on one UDP 5-tuple (RTP and RTCP multiplexed), taking RTCP feedback
// back on the same socket. Media is SRTP: keyed by a DTLS-SRTP handshake in which `send` is the
// client (it connects), or by a static key; in the clear only with --no-encrypt. With DTLS,
// frames captured before the handshake completes are discarded before encoding, so the first
// frame sent is a keyframe under keys.
// Exit status: 0 done, 2 bad arguments (security options included), 1 runtime failure (socket,
// pipeline, stats file, a DTLS handshake that failed or never completed).
int RunSend(const SendOptions& options, std::ostream& out, std::ostream& err);

// `comodal recv`: receives a sender's streams on one UDP port, plays them into GStreamer sinks
// (fakesink by default) and sends RTCP feedback to wherever the media comes from (symmetric RTP,
// RFC 4961; with SRTP, only authenticated packets and DTLS handshakes say where that is). With
// DTLS it is the server: it waits for a pinned client's handshake, and accepts a new one when the
// client restarts; a refused client is logged and counted, and `recv` keeps listening.
int RunRecv(const RecvOptions& options, std::ostream& out, std::ostream& err);

}  // namespace comodal::apps

#endif  // APPS_MEDIA_COMMANDS_H_
