#include "apps/cc_bench.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <utility>

#include <spdlog/pattern_formatter.h>

#include "apps/file_io.h"
#include "apps/link_profile.h"
#include "engine/media/freeze_detector.h"
#include "engine/media/media_constants.h"
#include "engine/sim/media_simulation.h"
#include "transport/base/latency_histogram.h"
#include "transport/base/logging.h"
#include "transport/fec/fec_receiver.h"
#include "transport/rtp/packet_demux.h"
#include "transport/rtp/red.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/rtp/rtx.h"

namespace comodal::apps {
namespace {

constexpr CcBenchProfile kProfiles[] = {
    {"geo-vsat", 120},
    {"rfc8867-5.1", 100},
    {"leo", 120},
    {"outage", 780},  // Ten minutes dark from 120 s, then a minute to come back.
};

// The top of the ladder: the video encoder's bitrate at 640x360, 30 fps (MediaSender adds
// audio and headers on top, up to the controller's 2.5 Mbit/s).
constexpr DataRate kTopVideoRate = DataRate::KilobitsPerSec(2300);
constexpr double kFixedShareOfCapacity = 0.9;
constexpr TimeDelta kDrainThreshold = TimeDelta::Millis(150);
constexpr double kDropRatio = 0.8;
constexpr TimeDelta kHandoverWindow = TimeDelta::Seconds(5);
constexpr TimeDelta kBeforeOutage = TimeDelta::Seconds(10);

// The simulated time of the run in progress, for the rate log's lines: the time of the last
// packet the sender handed to the link (a rate change follows a feedback packet, within a
// packet's time of it). Set by the Recorder; one run at a time.
TimeDelta g_log_time = TimeDelta::Zero();

// spdlog flag %* : "t=12.345 s", the run's simulated time.
class SimulatedTimeFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    char text[32];
    const int n = std::snprintf(text, sizeof text, "t=%.3f s", g_log_time.seconds_f());
    if (n > 0) dest.append(text, text + std::min<size_t>(static_cast<size_t>(n), sizeof text - 1));
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SimulatedTimeFlag>();
  }
};

// Watches one run: what the link carried of the flow, the targets, the pictures.
class Recorder : public engine::MediaSimulationObserver {
 public:
  Recorder(const engine::MediaSenderConfig& sender, const link::LinkDirectionConfig& downlink,
           CcRunRecord& record)
      : sender_(sender),
        downlink_(downlink),
        record_(record),
        fec_(FlexfecReceiver::Config{
            .fec_ssrc = sender.video_fec_ssrc,
            .protected_ssrc = sender.video_ssrc,
            .reed_solomon_payload_type = engine::kReedSolomonPayloadType}) {}

  void OnStart(Timestamp start) override {
    start_ = start;
    g_log_time = TimeDelta::Zero();
  }

  void OnDownlinkSend(std::span<const uint8_t> datagram, link::SendOutcome outcome,
                      Timestamp now) override {
    g_log_time = now - start_;
    const auto packet = ParseRtp(datagram);
    const auto key = packet ? MediaKey(*packet) : std::nullopt;
    if (!key) return;
    if (!sent_.insert(*key).second) return;  // A retransmission.
    ++record_.media_packets;
    if (outcome != link::SendOutcome::kQueued) ++record_.media_lost_first;
  }
  void OnDownlinkDelivery(const link::Delivery& delivery) override {
    const auto& bytes = delivery.packet.bytes;
    const auto packet = ParseRtp(bytes);
    const bool repair_stream = packet && packet->ssrc() == sender_.video_rtx_ssrc;
    if (repair_stream && packet->payload().empty()) return;  // Probe padding.
    interval_bytes_ += delivery.packet.size();
    if (packet) {
      if (auto key = MediaKey(*packet)) {
        delivered_.insert(*key);
        record_.queue_delays.push_back({delivery.delivered - start_, delivery.queue_delay});
      }
      if (repair_stream) Retransmitted(*packet);
      RepairedByRed(*packet);
    }
    // What the receiver's FEC rebuilds is repaired too: the same decoder, on what arrived.
    for (const auto& recovered : fec_.OnPacket(bytes, delivery.delivered)) {
      const auto rebuilt = ParseRtp(recovered);
      if (auto key = rebuilt ? MediaKey(*rebuilt) : std::nullopt) delivered_.insert(*key);
    }
  }
  void OnSample(Timestamp now, const engine::MediaSender& sender,
                const engine::MediaReceiver&) override {
    CcRunRecord::Sample sample;
    sample.at = now - start_;
    if (sample.at > record_.duration) return;  // The sender has stopped.
    sample.capacity = CapacityAt(downlink_, sample.at - record_.sample_interval / 2);
    sample.delivered = std::exchange(interval_bytes_, DataSize::Zero());
    sample.target = sender.stats().target_rate;
    record_.samples.push_back(sample);
  }
  void OnVideoRendered(const engine::RawVideoFrame&, Timestamp render_time) override {
    record_.frames_rendered.push_back(render_time - start_);
  }

  void Finish() {
    record_.media_unrepaired = sent_.size() - std::min(sent_.size(), delivered_.size());
  }

  static DataRate CapacityAt(const link::LinkDirectionConfig& link, TimeDelta at) {
    for (const link::OutageWindow& outage : link.outages) {
      if (outage.Contains(at)) return DataRate::Zero();
    }
    return link.capacity.RateAt(at);
  }

 private:
  static std::optional<RtpPacket> ParseRtp(std::span<const uint8_t> datagram) {
    if (ClassifyPacket(datagram) != PacketKind::kRtp) return std::nullopt;
    auto packet = RtpPacket::Parse(datagram);
    if (!packet.ok()) return std::nullopt;
    return *packet;
  }
  std::optional<uint64_t> MediaKey(const RtpPacket& packet) const {
    if (packet.ssrc() != sender_.audio_ssrc && packet.ssrc() != sender_.video_ssrc) {
      return std::nullopt;
    }
    return Key(packet.ssrc(), packet.sequence_number());
  }
  static uint64_t Key(uint32_t ssrc, uint16_t sequence_number) {
    return (uint64_t{ssrc} << 16) | sequence_number;
  }
  // The video packet an RTX packet carries is delivered (RFC 4588 §4: its payload starts with
  // the original sequence number).
  void Retransmitted(const RtpPacket& rtx) {
    if (rtx.payload().size() < kRtxOverhead) return;
    delivered_.insert(Key(sender_.video_ssrc, LoadBE16(rtx.payload().data())));
  }
  // An audio packet in the RED format carries copies of the frames of the packets before it
  // (RFC 2198; the sender's copies are of consecutive frames): those count as delivered.
  void RepairedByRed(const RtpPacket& packet) {
    if (packet.ssrc() != sender_.audio_ssrc || packet.payload_type() != engine::kRedPayloadType) {
      return;
    }
    auto red = RedPayload::Parse(packet.payload(), packet.timestamp());
    if (!red.ok()) return;
    for (size_t back = 1; back < red->blocks().size(); ++back) {
      delivered_.insert(
          Key(sender_.audio_ssrc, static_cast<uint16_t>(packet.sequence_number() - back)));
    }
  }

  const engine::MediaSenderConfig& sender_;
  const link::LinkDirectionConfig& downlink_;
  Timestamp start_ = Timestamp::Micros(0);
  CcRunRecord& record_;
  std::set<uint64_t> sent_;
  std::set<uint64_t> delivered_;
  DataSize interval_bytes_ = DataSize::Zero();
  FlexfecReceiver fec_;
};

// `fixed_rate` zero: congestion control on. Both runs are measured against the same top of the
// ladder, the adaptive sender's. `repair`: the adaptive sender's FEC and RED (a plain RTP pipeline
// has neither).
CcRunRecord RunOne(const LinkProfile& profile, TimeDelta duration, DataRate fixed_rate, bool repair,
                   uint64_t seed) {
  const bool adaptive = fixed_rate.IsZero();
  engine::MediaSimulationConfig config;
  config.downlink = profile.downlink;
  config.uplink = profile.uplink;
  config.seed = seed;
  config.duration = duration;
  config.sender.congestion_control = adaptive;
  config.sender.video_fec = adaptive && repair;
  config.sender.audio_red = adaptive && repair;
  if (adaptive && !repair) config.sender.audio->fec = false;
  config.sender.video->target_bitrate = kTopVideoRate;
  CcRunRecord record;
  record.duration = duration;
  record.ladder_top = engine::LadderTop(config.sender);
  if (!adaptive) {
    config.sender.video->target_bitrate = std::max(
        DataRate::KilobitsPerSec(50), engine::VideoBitrateForLadderTop(config.sender, fixed_rate));
  }
  record.sample_interval = config.sample_interval;
  Recorder recorder(config.sender, config.downlink, record);
  config.observer = &recorder;
  const engine::MediaSimulationResult result = engine::RunMediaSimulation(config);
  recorder.Finish();
  record.queue_drops = result.downlink.dropped_queue;
  record.freezes = result.receiver.freezes;
  record.audio_concealed_ratio = result.receiver.audio_concealed_ratio();
  const engine::MediaSenderStats& s = result.sender;
  const engine::MediaReceiverStats& r = result.receiver;
  record.video_counters = {
      {"frames_in", s.video_frames_in},
      {"frames_encoded", s.video_frames_encoded},
      {"frames_dropped_by_encoder", s.video_frames_dropped},
      {"frames_pushed_back", s.video_frames_pushed_back},
      {"frames_decimated", s.video_frames_decimated},
      {"frames_paused", s.video_frames_paused},
      {"keyframes", s.keyframes},
      {"ladder_changes", s.ladder_changes},
      {"final_rung", {s.video_width, s.video_height, s.video_frame_rate}},
      {"retransmissions", s.retransmissions},
      {"fec_packets", s.fec_packets},
      {"packets_recovered_by_fec", r.packets_recovered},
      {"frames_decoded", r.video_frames_decoded},
      {"frames_rendered", r.video_frames_rendered},
      {"frames_skipped", r.video_frames_skipped},
      {"decode_errors", r.video_decode_errors},
      {"plis_sent", r.plis_sent},
      {"longest_gap_ms", r.longest_frame_gap.ms_f()},
  };
  const engine::AudioJitterBuffer::Stats& jb = r.audio_jitter_buffer_stats;
  record.audio_counters = {
      {"frames_decoded", jb.frames_decoded},     {"frames_fec", jb.frames_fec},
      {"frames_concealed", jb.frames_concealed}, {"frames_stretched", jb.frames_stretched},
      {"frames_skipped", jb.frames_skipped},     {"redundant_used", jb.redundant_used},
      {"packets_late", jb.packets_late},
  };
  return record;
}

DataRate Reference(const CcRunRecord& record, const CcRunRecord::Sample& sample) {
  return std::min(sample.capacity, record.ladder_top);
}

// Delivered and reference bytes over the samples in (from, to].
std::pair<double, double> Over(const CcRunRecord& record, TimeDelta from, TimeDelta to) {
  double delivered = 0, reference = 0;
  for (const auto& s : record.samples) {
    if (s.at <= from || s.at > to) continue;
    delivered += static_cast<double>(s.delivered.bytes());
    reference += (Reference(record, s) * record.sample_interval).bytes();
  }
  return {delivered, reference};
}

}  // namespace

std::span<const CcBenchProfile> CcBenchProfiles() { return kProfiles; }

CcMetrics ComputeCcMetrics(const CcRunRecord& record, const link::LinkDirectionConfig& downlink,
                           TimeDelta steady_from) {
  CcMetrics m;
  const TimeDelta interval = record.sample_interval;
  for (const auto& s : record.samples) {
    m.rate_series_kbps.push_back(
        {s.at.seconds_f(), s.capacity.kbps_f(), (s.delivered / interval).kbps_f()});
  }
  // Utilisation, outages left out.
  double delivered = 0, reference = 0;
  for (const auto& s : record.samples) {
    if (s.at <= steady_from || s.capacity.IsZero()) continue;
    delivered += static_cast<double>(s.delivered.bytes());
    reference += (Reference(record, s) * interval).bytes();
  }
  if (reference > 0) m.utilization = delivered / reference;
  // Time to 90 %.
  for (const auto& s : record.samples) {
    if (s.at < TimeDelta::Seconds(1)) continue;
    const auto [d, r] = Over(record, s.at - TimeDelta::Seconds(1), s.at);
    if (r > 0 && d >= 0.9 * r) {
      m.time_to_90pct_s = s.at.seconds_f();
      break;
    }
  }
  LatencyHistogram queue;
  for (const auto& q : record.queue_delays) {
    queue.Add(q.delay);
    const double end = std::ceil(q.at / interval) * interval.seconds_f();
    if (m.queue_delay_series_ms.empty() || m.queue_delay_series_ms.back()[0] < end) {
      m.queue_delay_series_ms.push_back({end, 0});
    }
    m.queue_delay_series_ms.back()[1] = std::max(m.queue_delay_series_ms.back()[1], q.delay.ms_f());
  }
  if (queue.count() > 0) {
    m.queue_delay_ms_p50 = queue.Percentile(0.5).ms_f();
    m.queue_delay_ms_p95 = queue.Percentile(0.95).ms_f();
  }
  // Drain time after each capacity drop.
  for (size_t i = 1; i < record.samples.size(); ++i) {
    const DataRate before = record.samples[i - 1].capacity;
    const DataRate after = record.samples[i].capacity;
    if (after.IsZero() || !(after < before * kDropRatio)) continue;
    // The drop happened within the interval; count from its start.
    const TimeDelta drop = record.samples[i - 1].at;
    TimeDelta next = record.duration + TimeDelta::Seconds(10);
    for (size_t j = i + 1; j < record.samples.size(); ++j) {
      if (record.samples[j].capacity != after) {
        next = record.samples[j - 1].at;
        break;
      }
    }
    // Drained: the first packet from which on, for a second, none meets the threshold.
    std::optional<TimeDelta> drained;
    std::optional<TimeDelta> calm_since;
    for (const auto& q : record.queue_delays) {
      if (q.at < drop || q.at >= next) continue;
      if (q.delay >= kDrainThreshold) {
        calm_since.reset();
        continue;
      }
      if (!calm_since) calm_since = q.at;
      if (q.at - *calm_since >= TimeDelta::Seconds(1)) {
        drained = *calm_since;
        break;
      }
    }
    const TimeDelta drain = drained.value_or(next) - drop;
    m.drain_time_s = std::max(m.drain_time_s.value_or(0), drain.seconds_f());
  }
  if (record.media_packets > 0) {
    const auto sent = static_cast<double>(record.media_packets);
    m.loss_before_repair = static_cast<double>(record.media_lost_first) / sent;
    m.loss_after_repair = static_cast<double>(record.media_unrepaired) / sent;
  }
  m.queue_drops = record.queue_drops;
  if (record.duration > TimeDelta::Zero()) {
    m.freezes_per_min = static_cast<double>(record.freezes) / (record.duration.seconds_f() / 60.0);
  }
  engine::FreezeDetector freezes;
  for (TimeDelta rendered : record.frames_rendered) {
    const uint64_t before = freezes.freezes();
    freezes.OnFrameRendered(Timestamp::Zero() + rendered);
    if (freezes.freezes() > before) m.freeze_at_s.push_back(rendered.seconds_f());
  }
  m.audio_concealed_ratio = record.audio_concealed_ratio;
  m.video_counters = record.video_counters;
  m.audio_counters = record.audio_counters;
  // Handovers: the dip of the target after each.
  if (downlink.handovers) {
    for (TimeDelta h = downlink.handovers->first_at; h < record.duration;
         h += downlink.handovers->period) {
      std::optional<DataRate> before;
      DataRate lowest = DataRate::PlusInfinity();
      for (const auto& s : record.samples) {
        if (s.at <= h) before = s.target;
        if (s.at > h && s.at <= h + kHandoverWindow) lowest = std::min(lowest, s.target);
      }
      if (!before || before->IsZero() || !lowest.IsFinite()) continue;
      const double dip = std::max(0.0, 1.0 - lowest / *before);
      m.max_handover_rate_dip = std::max(m.max_handover_rate_dip.value_or(0), dip);
    }
  }
  // Outages: back to pictures, back to the rate.
  for (const link::OutageWindow& outage : downlink.outages) {
    if (outage.end >= record.duration) continue;
    auto frame = std::find_if(record.frames_rendered.begin(), record.frames_rendered.end(),
                              [&](TimeDelta t) { return t >= outage.end; });
    if (frame != record.frames_rendered.end()) {
      m.outage_resume_s =
          std::max(m.outage_resume_s.value_or(0), (*frame - outage.end).seconds_f());
    }
    const auto [before_bytes, unused] = Over(record, outage.start - kBeforeOutage, outage.start);
    const double before_rate = before_bytes / kBeforeOutage.seconds_f();
    std::optional<TimeDelta> recovered;
    for (const auto& s : record.samples) {
      if (s.at < outage.end + TimeDelta::Seconds(1)) continue;
      const auto [d, r] = Over(record, s.at - TimeDelta::Seconds(1), s.at);
      if (d >= 0.9 * before_rate) {
        recovered = s.at - outage.end;
        break;
      }
    }
    if (recovered) {
      m.outage_recovery_s = std::max(m.outage_recovery_s.value_or(0), recovered->seconds_f());
    }
  }
  return m;
}

nlohmann::json CcMetricsJson(const CcMetrics& m) {
  auto value = [](std::optional<double> v) { return v ? nlohmann::json(*v) : nlohmann::json(); };
  nlohmann::json series = nlohmann::json::array();
  for (const auto& row : m.rate_series_kbps) series.push_back({row[0], row[1], row[2]});
  return {{"utilization", value(m.utilization)},
          {"time_to_90pct_s", value(m.time_to_90pct_s)},
          {"queue_delay_ms_p50", value(m.queue_delay_ms_p50)},
          {"queue_delay_ms_p95", value(m.queue_delay_ms_p95)},
          {"drain_time_s", value(m.drain_time_s)},
          {"loss_before_repair", value(m.loss_before_repair)},
          {"loss_after_repair", value(m.loss_after_repair)},
          {"queue_drops", m.queue_drops},
          {"freezes_per_min", m.freezes_per_min},
          {"freeze_at_s", m.freeze_at_s},
          {"audio_concealed_ratio", m.audio_concealed_ratio},
          {"max_handover_rate_dip", value(m.max_handover_rate_dip)},
          {"outage_resume_s", value(m.outage_resume_s)},
          {"outage_recovery_s", value(m.outage_recovery_s)},
          {"video", m.video_counters},
          {"audio", m.audio_counters},
          {"queue_delay_series_ms", m.queue_delay_series_ms},
          {"rate_series_kbps", std::move(series)}};
}

namespace {

std::string Cell(std::optional<double> v, int decimals) {
  if (!v) return "-";
  char text[32];
  std::snprintf(text, sizeof(text), "%.*f", decimals, *v);
  return text;
}

void PrintSideBySide(std::ostream& out, const std::string& title, const CcMetrics& a,
                     const CcMetrics& b, DataRate fixed_rate) {
  out << title << "\n";
  char header[128];
  std::snprintf(header, sizeof(header), "  %-26s %12s %12s\n", "", "comodal",
                ("fixed " + std::to_string(fixed_rate.kbps()) + "k").c_str());
  out << header;
  auto row = [&](const char* name, std::optional<double> x, std::optional<double> y, int d) {
    char line[128];
    std::snprintf(line, sizeof(line), "  %-26s %12s %12s\n", name, Cell(x, d).c_str(),
                  Cell(y, d).c_str());
    out << line;
  };
  row("utilization", a.utilization, b.utilization, 3);
  row("time to 90 % (s)", a.time_to_90pct_s, b.time_to_90pct_s, 1);
  row("queue delay p50 (ms)", a.queue_delay_ms_p50, b.queue_delay_ms_p50, 0);
  row("queue delay p95 (ms)", a.queue_delay_ms_p95, b.queue_delay_ms_p95, 0);
  row("drain time (s)", a.drain_time_s, b.drain_time_s, 1);
  row("loss before repair", a.loss_before_repair, b.loss_before_repair, 4);
  row("loss after repair", a.loss_after_repair, b.loss_after_repair, 4);
  row("queue drops", static_cast<double>(a.queue_drops), static_cast<double>(b.queue_drops), 0);
  row("freezes per minute", a.freezes_per_min, b.freezes_per_min, 2);
  row("audio concealed", a.audio_concealed_ratio, b.audio_concealed_ratio, 4);
  row("max handover rate dip", a.max_handover_rate_dip, b.max_handover_rate_dip, 3);
  row("outage: pictures back (s)", a.outage_resume_s, b.outage_resume_s, 2);
  row("outage: rate back (s)", a.outage_recovery_s, b.outage_recovery_s, 1);
}

}  // namespace

int RunCcBench(const CcBenchOptions& options, std::ostream& out, std::ostream& err) {
  if (options.duration_s && !(*options.duration_s >= 1 && *options.duration_s <= 7200)) {
    err << "comodal bench cc: --duration must be from 1 to 7200 seconds, got "
        << *options.duration_s << "\n";
    return 2;
  }
  if (options.loss && !(*options.loss >= 0 && *options.loss < 1)) {
    err << "comodal bench cc: --loss must be from 0 to below 1, got " << *options.loss << "\n";
    return 2;
  }
  std::vector<std::pair<std::string, double>> runs;
  if (options.all) {
    for (const CcBenchProfile& p : kProfiles) runs.emplace_back(p.name, p.duration_s);
  } else {
    double duration = 120;
    for (const CcBenchProfile& p : kProfiles) {
      if (p.name == options.profile) duration = p.duration_s;
    }
    runs.emplace_back(options.profile, duration);
  }
  std::vector<LinkProfile> profiles;
  for (const auto& [name, unused] : runs) {
    auto profile = LoadLinkProfile(name);
    if (!profile.ok()) {
      err << "comodal bench cc: --profile: " << profile.error() << "\n";
      return 2;
    }
    if (options.loss) profile->downlink.loss = link::BernoulliLoss{*options.loss};
    profiles.push_back(std::move(*profile));
  }

  // Rate changes are in the figures; a line for each would bury the table unless asked for.
  auto rate_log = GetLogger("engine.rate");
  const auto level = rate_log->level();
  rate_log->set_level(options.log_rate ? spdlog::level::info : spdlog::level::warn);
  // Its lines carry the run's simulated time, not the wall clock's.
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<SimulatedTimeFlag>('*').set_pattern("[%*] [%n] [%l] %v");
  rate_log->set_formatter(std::move(formatter));
  nlohmann::json reports = nlohmann::json::array();
  for (size_t i = 0; i < runs.size(); ++i) {
    const LinkProfile& profile = profiles[i];
    const TimeDelta duration =
        TimeDelta::Millis(std::llround(options.duration_s.value_or(runs[i].second) * 1000));
    const CcRunRecord adaptive =
        RunOne(profile, duration, DataRate::Zero(), !options.no_repair, options.seed);
    const DataRate fixed_rate =
        std::min(adaptive.ladder_top,
                 Recorder::CapacityAt(profile.downlink, TimeDelta::Zero()) * kFixedShareOfCapacity);
    const CcRunRecord fixed = RunOne(profile, duration, fixed_rate, /*repair=*/false, options.seed);
    const CcMetrics a = ComputeCcMetrics(adaptive, profile.downlink);
    const CcMetrics b = ComputeCcMetrics(fixed, profile.downlink);
    std::string title = profile.name + ", " + std::to_string(duration.seconds()) + " s";
    if (options.loss) title += ", random loss " + Cell(*options.loss * 100, 1) + " %";
    if (options.no_repair) title += ", comodal without FEC or RED";
    PrintSideBySide(out, title, a, b, fixed_rate);
    nlohmann::json report = {{"profile", profile.name},
                             {"duration_s", duration.seconds_f()},
                             {"comodal", CcMetricsJson(a)},
                             {"fixed_rate", CcMetricsJson(b)},
                             {"fixed_rate_kbps", fixed_rate.kbps_f()},
                             {"ladder_top_kbps", adaptive.ladder_top.kbps_f()},
                             {"seed", options.seed}};
    if (options.loss) report["downlink_loss"] = *options.loss;
    if (options.no_repair) report["comodal_repair"] = false;
    reports.push_back(std::move(report));
  }
  rate_log->set_level(level);
  if (!options.json.empty()) {
    const nlohmann::json& document = options.all ? reports : reports[0];
    std::string error;
    if (!WriteFileAtomically(options.json, document.dump(1) + "\n", error)) {
      err << "comodal bench cc: " << error << "\n";
      return 1;
    }
  }
  return 0;
}

}  // namespace comodal::apps
