#include "engine/sim/media_simulation.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "engine/media/media_constants.h"
#include "engine/testsrc/synthetic_speech.h"
#include "engine/testsrc/zone_plate.h"
#include "engine/video/picture_quality.h"
#include "transport/link/scheduled_link.h"
#include "transport/rtp/rtp_header_extensions.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/time/ntp_time.h"
#include "transport/time/simulated_loop.h"

namespace comodal::engine {
namespace {

// How long each frame's packets spent on the link, by capture time (per SSRC): the largest
// delay among its packets, which is its last packet's in practice.
class LinkDelayLog {
 public:
  void OnDelivered(const link::Delivery& delivery) {
    auto packet = RtpPacket::Parse(delivery.packet.bytes);
    if (!packet.ok()) return;
    const uint64_t key = (uint64_t{packet->ssrc()} << 32) | packet->timestamp();
    const TimeDelta delay = delivery.delivered - delivery.sent;
    Frame& frame = frames_.try_emplace(key).first->second;
    frame.delay = std::max(frame.delay, delay);
    if (auto capture = packet->GetExtension<AbsoluteCaptureTime>(kAbsCaptureTimeExtensionId)) {
      frame.capture = TimestampFromNtp(capture->capture_time);
    }
    if (frame.capture.IsFinite()) {
      by_capture_.insert_or_assign({packet->ssrc(), frame.capture.us()}, frame.delay);
    }
  }
  std::optional<TimeDelta> DelayOf(uint32_t ssrc, Timestamp capture) const {
    auto it = by_capture_.find({ssrc, capture.us()});
    if (it == by_capture_.end()) return std::nullopt;
    return it->second;
  }

 private:
  struct Frame {
    TimeDelta delay = TimeDelta::Zero();
    Timestamp capture = Timestamp::MinusInfinity();
  };
  std::map<uint64_t, Frame> frames_;
  std::map<std::pair<uint32_t, int64_t>, TimeDelta> by_capture_;
};

}  // namespace

MediaSimulationResult RunMediaSimulation(const MediaSimulationConfig& config) {
  SimulatedLoop loop;
  const Timestamp start = loop.Now();
  MediaSimulationResult result;
  LinkDelayLog link_delays;

  std::unique_ptr<MediaSender> sender;
  std::unique_ptr<MediaReceiver> receiver;
  uint64_t packet_id = 0;
  link::ScheduledLink uplink(loop, config.uplink, config.seed * 2 + 1, [&](link::Delivery d) {
    sender->OnDatagram(d.packet.bytes, d.delivered);
  });
  MediaSimulationObserver* observer = config.observer;
  if (observer) observer->OnStart(start);
  link::ScheduledLink downlink(loop, config.downlink, config.seed * 2, [&](link::Delivery d) {
    if (observer) observer->OnDownlinkDelivery(d);
    link_delays.OnDelivered(d);
    receiver->OnDatagram(d.packet.bytes, d.delivered);
  });

  auto created =
      MediaSender::Create(loop, config.sender, [&](std::span<const uint8_t> datagram, Timestamp) {
        const link::SendOutcome outcome =
            downlink.Send(link::LinkPacket{packet_id++, {datagram.begin(), datagram.end()}});
        if (observer) observer->OnDownlinkSend(datagram, outcome, loop.Now());
      });
  if (!created.ok()) return result;
  sender = std::move(*created);

  // Sent pictures waiting to be matched with what is rendered, by capture time.
  std::map<int64_t, RawVideoFrame> sent_pictures;
  double psnr_sum = 0, ssim_sum = 0;
  result.min_psnr = 99;
  auto on_audio = [&](const AudioFrame& audio, Timestamp play_time) {
    if (!audio.capture_time.IsFinite()) return;
    result.audio_total_latency.Add(play_time - audio.capture_time);
    if (auto link = link_delays.DelayOf(config.sender.audio_ssrc, audio.capture_time)) {
      result.audio_link_delay.Add(*link);
      result.audio_engine_latency.Add(play_time - audio.capture_time - *link);
    }
  };
  auto on_video = [&](const RawVideoFrame& picture, Timestamp render_time) {
    if (!picture.capture_time.IsFinite()) return;
    if (observer) observer->OnVideoRendered(picture, render_time);
    result.video_total_latency.Add(render_time - picture.capture_time);
    if (auto link = link_delays.DelayOf(config.sender.video_ssrc, picture.capture_time)) {
      result.video_link_delay.Add(*link);
      result.video_engine_latency.Add(render_time - picture.capture_time - *link);
    }
    if (!config.measure_quality) return;
    auto sent = sent_pictures.find(picture.capture_time.us());
    if (sent == sent_pictures.end()) return;
    const double psnr = LumaPsnr(sent->second, picture);
    psnr_sum += psnr;
    ssim_sum += LumaSsim(sent->second, picture);
    result.min_psnr = std::min(result.min_psnr, psnr);
    ++result.pictures_measured;
    // Anything sent before it will not be rendered any more.
    sent_pictures.erase(sent_pictures.begin(), std::next(sent));
  };
  receiver = std::make_unique<MediaReceiver>(
      loop, config.receiver,
      [&](std::span<const uint8_t> datagram, Timestamp) {
        (void)uplink.Send(link::LinkPacket{packet_id++, {datagram.begin(), datagram.end()}});
      },
      on_audio, on_video);

  // Audio: 20 ms frames of synthetic speech.
  if (config.sender.audio) {
    const TimeDelta frame = config.sender.audio->frame_duration;
    const int samples = static_cast<int>(frame.us() * 48 / 1000);
    const int64_t frames = config.duration / frame;
    auto speech = std::make_shared<std::vector<int16_t>>(
        SyntheticSpeech(48'000, static_cast<int>(frames) * samples, config.seed));
    for (int64_t i = 0; i < frames; ++i) {
      const Timestamp capture = start + frame * i;
      loop.PostDelayedTask(capture + config.audio_processing - start,
                           [&, speech, capture, i, samples] {
                             AudioFrame audio;
                             audio.capture_time = capture;
                             const auto begin = speech->begin() + i * samples;
                             audio.samples.assign(begin, begin + samples);
                             (void)sender->SendAudio(audio);
                           });
    }
  }
  // Video: the zone plate.
  if (config.sender.video) {
    auto plate =
        std::make_shared<ZonePlate>(config.sender.video->width, config.sender.video->height);
    const auto frames =
        static_cast<int>(std::floor(config.duration.seconds_f() * config.frame_rate));
    for (int i = 0; i < frames; ++i) {
      const Timestamp capture =
          start + TimeDelta::Micros(std::llround(i * 1e6 / config.frame_rate));
      loop.PostDelayedTask(capture + config.video_processing - start, [&, plate, capture, i] {
        RawVideoFrame picture = plate->Frame(i, config.frame_rate);
        picture.capture_time = capture;
        if (config.measure_quality) sent_pictures.emplace(capture.us(), picture);
        (void)sender->SendVideo(picture);
      });
    }
  }
  // The sender stops after the last capture; run on so that everything sent can arrive and play.
  loop.PostDelayedTask(config.duration + std::max(config.audio_processing, config.video_processing),
                       [&] { sender->Stop(); });
  TaskHandle sampling;
  if (observer) {
    sampling = loop.StartRepeating(config.sample_interval, [&] {
      observer->OnSample(loop.Now(), *sender, *receiver);
      return config.sample_interval;
    });
  }
  loop.RunFor(config.duration + TimeDelta::Seconds(2));
  sampling.Cancel();
  result.simulated = loop.Now() - start;
  result.sender = sender->stats();
  if (sender->video_encoder() != nullptr) result.video_encoder = sender->video_encoder()->stats();
  result.receiver = receiver->stats();
  result.downlink = downlink.stats();
  if (result.pictures_measured > 0) {
    result.mean_psnr = psnr_sum / static_cast<double>(result.pictures_measured);
    result.mean_ssim = ssim_sum / static_cast<double>(result.pictures_measured);
  }
  receiver.reset();
  sender.reset();
  return result;
}

}  // namespace comodal::engine
