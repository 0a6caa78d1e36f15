#include "apps/media_commands.h"

#include <memory>
#include <random>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "apps/file_io.h"
#include "apps/stop_conditions.h"
#include "engine/gst/gst_audio_sink.h"
#include "engine/gst/gst_audio_source.h"
#include "engine/gst/gst_video_sink.h"
#include "engine/gst/gst_video_source.h"
#include "engine/media/media_receiver.h"
#include "engine/media/media_sender.h"
#include "transport/net/asio_scheduler.h"
#include "transport/net/socket_address.h"
#include "transport/net/udp_socket.h"
#include "transport/rtp/packet_demux.h"

namespace comodal::apps {
namespace {

// p50/p95/max of a latency histogram, or null when it is empty.
nlohmann::json Percentiles(const LatencyHistogram& histogram) {
  if (histogram.count() == 0) return nullptr;
  return {{"p50", histogram.Percentile(0.5).ms_f()},
          {"p95", histogram.Percentile(0.95).ms_f()},
          {"max", histogram.max().ms_f()},
          {"count", histogram.count()}};
}

bool WriteStats(const std::string& path, const nlohmann::json& stats, const char* command,
                std::ostream& err) {
  if (path.empty()) return true;
  std::string error;
  if (!WriteFileAtomically(path, stats.dump(2) + "\n", error)) {
    err << "comodal " << command << ": " << error << "\n";
    return false;
  }
  return true;
}

}  // namespace

int RunSend(const SendOptions& options, std::ostream& out, std::ostream& err) {
  auto to = SocketAddress::Parse(options.to);
  if (!to.ok() || to->port == 0) {
    err << "comodal send: --to: " << (to.ok() ? "port 0 is not a destination" : to.error()) << "\n";
    return 2;
  }
  if (options.video != "vp8" && options.video != "vp9" && options.video != "none") {
    err << "comodal send: --video must be vp8, vp9 or none, got " << options.video << "\n";
    return 2;
  }
  if (options.audio != "opus" && options.audio != "none") {
    err << "comodal send: --audio must be opus or none, got " << options.audio << "\n";
    return 2;
  }
  if (options.video == "none" && options.audio == "none") {
    err << "comodal send: --video none and --audio none leave nothing to send\n";
    return 2;
  }
  if (options.bitrate_kbps && (*options.bitrate_kbps < 50 || *options.bitrate_kbps > 20'000)) {
    err << "comodal send: --bitrate must be 50..20000 kbit/s, got " << *options.bitrate_kbps
        << "\n";
    return 2;
  }
  if (!ValidDuration(options.duration_s, "send", err)) return 2;

  engine::MediaSenderConfig config;
  // The rate adapts to what the path carries (feedback from `comodal recv`), unless pinned.
  config.congestion_control = !options.bitrate_kbps.has_value();
  // A restarted sender must not number its packets as its predecessor did (RFC 3550 §5.1).
  config.rtp_start_seed = std::random_device{}();
  if (options.audio == "none") config.audio.reset();
  if (options.video == "none") {
    config.video.reset();
  } else {
    config.video->codec =
        options.video == "vp8" ? engine::VideoCodec::kVp8 : engine::VideoCodec::kVp9;
    config.video->width = options.width;
    config.video->height = options.height;
    config.video->frame_rate = options.frame_rate;
    config.video->target_bitrate =
        DataRate::KilobitsPerSec(options.bitrate_kbps.value_or(kDefaultMaxVideoKbps));
  }

  const std::optional<MediaSecurity> security =
      ResolveSecurity(options.security, DtlsRole::kClient, "send", err);
  if (!security) return 2;

  AsioScheduler scheduler;
  auto socket = UdpSocket::Open(
      scheduler, SocketAddress{to->ip.find(':') != std::string::npos ? "::" : "0.0.0.0", 0});
  if (!socket.ok()) {
    err << "comodal send: " << socket.error() << "\n";
    return 1;
  }
  UdpSocket& udp = **socket;
  // SRTP between the media sender and the socket, unless --no-encrypt.
  engine::MediaSender* media_up = nullptr;
  auto path = MakeSecurePath(
      *security, scheduler,
      [&](std::span<const uint8_t> datagram, Timestamp) { udp.SendTo(datagram, *to); },
      [&](std::span<const uint8_t> packet, Timestamp arrival) {
        if (media_up != nullptr) media_up->OnDatagram(packet, arrival);
      });
  if (!path.ok()) {
    err << "comodal send: " << path.error() << "\n";
    return 1;
  }
  SecureDatagramPath* secure = path->get();
  // The media session (encoders, pacer, congestion control and its probes) starts once keys
  // exist: nothing it sends before could be encrypted, and the first frame sent is then a
  // keyframe the receiver can decrypt.
  auto keyed = [&] { return secure == nullptr || secure->secure(); };
  std::unique_ptr<engine::MediaSender> media;
  std::optional<std::string> media_error;
  auto start_media = [&]() -> engine::MediaSender* {
    if (media || !keyed() || media_error) return media.get();
    auto created = engine::MediaSender::Create(scheduler, config,
                                               [&](std::span<const uint8_t> packet, Timestamp now) {
                                                 if (secure != nullptr) {
                                                   secure->SendPacket(packet, now);
                                                 } else {
                                                   udp.SendTo(packet, *to);
                                                 }
                                               });
    if (!created.ok()) {
      media_error = created.error();
      scheduler.Stop();
      return nullptr;
    }
    media = std::move(*created);
    media_up = media.get();
    return media.get();
  };
  if (keyed() && start_media() == nullptr) {
    err << "comodal send: " << *media_error << "\n";
    return 1;
  }
  udp.StartReceiving(
      [&](std::span<const uint8_t> datagram, const SocketAddress&, Timestamp arrival) {
        if (secure != nullptr) {
          (void)secure->OnDatagram(datagram, arrival);
        } else if (media) {
          media->OnDatagram(datagram, arrival);
        }
      });
  // A handshake that fails (the peer is not the pinned one, or refuses this end) stops the
  // command: nothing can be sent. One that completes starts the media session.
  std::optional<std::string> security_error;
  if (secure != nullptr) {
    secure->set_state_handler([&](DtlsState state, const std::string& error) {
      if (state == DtlsState::kConnected) (void)start_media();
      if (state != DtlsState::kFailed) return;
      security_error = error;
      scheduler.Stop();
    });
  }

  // Sources run on GStreamer's threads; their frames are stamped and sent on the event loop.
  std::optional<std::string> source_error;
  auto on_end = [&](std::optional<std::string> error) {
    scheduler.PostTask([&, error] {
      if (error) source_error = *error;
      scheduler.Stop();
    });
  };
  std::unique_ptr<engine::GstVideoSource> video_source;
  if (config.video) {
    engine::GstVideoSourceConfig source;
    source.pipeline =
        options.source == "test" ? engine::GstVideoSource::TestPipeline() : options.source;
    source.width = options.width;
    source.height = options.height;
    source.frame_rate = options.frame_rate;
    auto started = engine::GstVideoSource::Start(
        source,
        [&](engine::RawVideoFrame frame) {
          scheduler.PostTask([&, frame = std::move(frame)]() mutable {
            engine::MediaSender* sender = start_media();
            if (sender == nullptr) return;
            frame.capture_time = scheduler.Now();
            (void)sender->SendVideo(frame);
          });
        },
        on_end);
    if (!started.ok()) {
      err << "comodal send: " << started.error() << "\n";
      return 1;
    }
    video_source = std::move(*started);
  }
  std::unique_ptr<engine::GstAudioSource> audio_source;
  if (config.audio) {
    engine::GstAudioSourceConfig source;
    source.pipeline = options.audio_source == "test" ? engine::GstAudioSource::TestPipeline()
                                                     : options.audio_source;
    auto started = engine::GstAudioSource::Start(
        source,
        [&](engine::AudioFrame frame) {
          scheduler.PostTask([&, frame = std::move(frame)]() mutable {
            engine::MediaSender* sender = start_media();
            if (sender == nullptr) return;
            frame.capture_time = scheduler.Now();
            (void)sender->SendAudio(frame);
          });
        },
        on_end);
    if (!started.ok()) {
      err << "comodal send: " << started.error() << "\n";
      return 1;
    }
    audio_source = std::move(*started);
  }
  const StopConditions stop(scheduler, options.duration_s);
  out << fmt::format("send: {} video, {} audio to {} from {}; {}", options.video, options.audio,
                     to->ToString(), udp.local_address().ToString(), DescribeSecurity(*security))
      << std::endl;
  if (secure != nullptr) secure->Start();  // The DTLS client's hello.
  scheduler.Run();
  const std::string stopped = stop.reason();
  video_source.reset();
  audio_source.reset();
  if (media_error) {
    err << "comodal send: " << *media_error << "\n";
    return 1;
  }
  if (media) media->Stop();                // BYE.
  if (secure != nullptr) secure->Close();  // DTLS close_notify after the BYE.
  if (secure != nullptr && !secure->secure() && !security_error) {
    security_error = "the DTLS handshake with " + to->ToString() +
                     " did not complete (no answer from a peer that accepts this certificate)";
  }

  const engine::MediaSenderStats s = media ? media->stats() : engine::MediaSenderStats{};
  nlohmann::json stats = {
      {"packets_out", s.packets_sent},
      {"bytes_out", s.bytes_sent},
      {"packets_in", s.rtcp_received},
      {"rtcp_out", s.rtcp_sent},
      {"audio_frames_encoded", s.audio_frames_encoded},
      {"audio_frames_dtx", s.audio_frames_dtx},
      {"video_frames_in", s.video_frames_in},
      {"video_frames_encoded", s.video_frames_encoded},
      {"video_frames_dropped", s.video_frames_dropped},
      {"video_frames_pushed_back", s.video_frames_pushed_back},
      {"video_frames_decimated", s.video_frames_decimated},
      {"video_rung",
       {{"width", s.video_width},
        {"height", s.video_height},
        {"frame_rate", s.video_frame_rate},
        {"changes", s.ladder_changes},
        {"last_reason", s.last_ladder_reason ? nlohmann::json(engine::EncodingLadder::ReasonName(
                                                   *s.last_ladder_reason))
                                             : nlohmann::json()}}},
      {"video_packets_discarded", s.video_packets_discarded},
      {"retransmissions_superseded", s.retransmissions_superseded},
      {"keyframes", s.keyframes},
      {"nacks_received", s.nacks_received},
      {"retransmissions", s.retransmissions},
      {"retransmission_copies", s.retransmission_copies},
      {"retransmissions_skipped", s.retransmissions_skipped},
      {"plis_received", s.plis_received},
      {"rtt_ms", s.rtt ? nlohmann::json(s.rtt->ms_f()) : nlohmann::json()},
      {"reported_fraction_lost", s.reported_fraction_lost},
      {"congestion_control", config.congestion_control},
      {"target_kbps",
       config.congestion_control ? nlohmann::json(s.target_rate.kbps_f()) : nlohmann::json()},
      {"rate_changes", s.rate_changes},
      {"padding_packets", s.padding_packets},
      {"fec_packets", s.fec_packets},
      {"audio_red_packets", s.audio_red_packets},
  };
  stats["security"] = SecurityStats(secure);
  if (source_error) stats["source_error"] = *source_error;
  out << fmt::format("send: stopped ({}); {} packets, {} video frames encoded, {} audio frames\n",
                     source_error ? "source ended: " + *source_error : stopped, s.packets_sent,
                     s.video_frames_encoded, s.audio_frames_encoded);
  if (security_error) err << "comodal send: " << *security_error << "\n";
  if (!WriteStats(options.stats_json, stats, "send", err)) return 1;
  return source_error || security_error ? 1 : 0;
}

int RunRecv(const RecvOptions& options, std::ostream& out, std::ostream& err) {
  auto listen = SocketAddress::Parse(options.listen);
  if (!listen.ok()) {
    err << "comodal recv: --listen: " << listen.error() << "\n";
    return 2;
  }
  if (!ValidDuration(options.duration_s, "recv", err)) return 2;
  const std::optional<MediaSecurity> security =
      ResolveSecurity(options.security, DtlsRole::kServer, "recv", err);
  if (!security) return 2;

  auto video_sink = engine::GstVideoSink::Start(
      options.sink == "test" ? engine::GstVideoSink::TestPipeline() : options.sink);
  if (!video_sink.ok()) {
    err << "comodal recv: " << video_sink.error() << "\n";
    return 1;
  }
  auto audio_sink = engine::GstAudioSink::Start(
      options.audio_sink == "test" ? engine::GstAudioSink::TestPipeline() : options.audio_sink);
  if (!audio_sink.ok()) {
    err << "comodal recv: " << audio_sink.error() << "\n";
    return 1;
  }

  AsioScheduler scheduler;
  auto socket = UdpSocket::Open(scheduler, *listen);
  if (!socket.ok()) {
    err << "comodal recv: " << socket.error() << "\n";
    return 1;
  }
  UdpSocket& udp = **socket;
  // Symmetric RTP (RFC 4961): feedback goes back to where the media comes from. With SRTP that is
  // learnt only from authenticated packets and DTLS handshakes; a handshake's answers go to
  // whoever sent the datagram being answered.
  std::optional<SocketAddress> peer;
  std::optional<SocketAddress> dtls_reply_to;
  engine::MediaReceiver* media_up = nullptr;
  auto path = MakeSecurePath(
      *security, scheduler,
      [&](std::span<const uint8_t> datagram, Timestamp) {
        if (const std::optional<SocketAddress>& to = dtls_reply_to ? dtls_reply_to : peer) {
          udp.SendTo(datagram, *to);
        }
      },
      [&](std::span<const uint8_t> packet, Timestamp arrival) {
        if (media_up != nullptr) media_up->OnDatagram(packet, arrival);
      });
  if (!path.ok()) {
    err << "comodal recv: " << path.error() << "\n";
    return 1;
  }
  SecureDatagramPath* secure = path->get();
  std::optional<std::string> sink_error;
  engine::MediaReceiver receiver(
      scheduler, engine::MediaReceiverConfig{},
      [&](std::span<const uint8_t> packet, Timestamp now) {
        if (secure != nullptr) {
          secure->SendPacket(packet, now);
        } else if (peer) {
          udp.SendTo(packet, *peer);
        }
      },
      [&](const engine::AudioFrame& audio, Timestamp play_time) {
        auto pushed = (*audio_sink)->Push(audio, play_time);
        if (!pushed.ok() && !sink_error) sink_error = pushed.error();
      },
      [&](const engine::RawVideoFrame& picture, Timestamp render_time) {
        auto pushed = (*video_sink)->Push(picture, render_time);
        if (!pushed.ok() && !sink_error) sink_error = pushed.error();
      });
  media_up = &receiver;
  udp.StartReceiving(
      [&](std::span<const uint8_t> datagram, const SocketAddress& from, Timestamp arrival) {
        if (secure == nullptr) {
          peer = from;
          receiver.OnDatagram(datagram, arrival);
          return;
        }
        if (ClassifyPacket(datagram) == PacketKind::kDtls) dtls_reply_to = from;
        const bool from_peer = secure->OnDatagram(datagram, arrival);
        dtls_reply_to.reset();
        if (from_peer) peer = from;
      });
  const StopConditions stop(scheduler, options.duration_s);
  out << fmt::format("recv: listening on {}; {}", udp.local_address().ToString(),
                     DescribeSecurity(*security))
      << std::endl;
  scheduler.Run();
  const std::string stopped = stop.reason();

  const engine::MediaReceiverStats& r = receiver.stats();
  nlohmann::json stats = {
      {"packets_in", r.packets_received},
      {"bytes_in", r.bytes_received},
      {"packets_out", r.rtcp_sent},
      {"bytes_out", r.bytes_sent},
      {"packets_malformed", r.packets_malformed},
      {"audio_packets", r.audio_packets},
      {"audio_samples_played", r.audio_samples_played},
      {"audio_concealed_ratio", r.audio_concealed_ratio()},
      {"audio_samples_fec", r.audio_samples_fec},
      {"jitter_buffer_delay_ms", Percentiles(r.audio_jitter_buffer_delay)},
      {"jitter_buffer_target_ms", r.audio_jitter_buffer_target.ms_f()},
      {"video_packets", r.video_packets},
      {"frames_decoded", r.video_frames_decoded},
      {"frames_rendered", r.video_frames_rendered},
      {"frames_superseded", r.video_frames_superseded},
      {"frames_shown_late", r.video_frames_shown_late},
      {"decode_errors", r.video_decode_errors},
      {"keyframes_decoded", r.video_keyframes_decoded},
      {"freezes", r.freezes},
      {"longest_frame_gap_ms", r.longest_frame_gap.ms_f()},
      {"video_render_delay_ms", r.video_render_delay.ms_f()},
      {"plis_sent", r.plis_sent},
      {"nacks_sent", r.nacks_sent},
      // Capture to render/play, from abs-capture-time: meaningful when sender and receiver
      // share a clock (one host), null when the sender does not send the extension.
      {"e2e_latency_ms",
       {{"audio", Percentiles(r.audio_latency)}, {"video", Percentiles(r.video_latency)}}},
      {"av_sync_offset_ms",
       r.av_sync_offset ? nlohmann::json(r.av_sync_offset->ms_f()) : nlohmann::json()},
      {"rtt_ms", r.rtt ? nlohmann::json(r.rtt->ms_f()) : nlohmann::json()},
  };
  stats["security"] = SecurityStats(secure);
  if (sink_error) stats["sink_error"] = *sink_error;
  out << fmt::format("recv: stopped ({}); {} packets, {} video frames decoded, {} audio samples\n",
                     stopped, r.packets_received, r.video_frames_decoded, r.audio_samples_played);
  if (!WriteStats(options.stats_json, stats, "recv", err)) return 1;
  return sink_error ? 1 : 0;
}

}  // namespace comodal::apps
