#include "session/sim/lesson_simulation.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "session/sync/session_node.h"
#include "transport/datachannel/data_flow.h"
#include "transport/link/random.h"
#include "transport/link/site_link.h"
#include "transport/rtp/rtp_header_extensions.h"
#include "transport/time/simulated_loop.h"

namespace comodal::session {
namespace {

using datachannel::DataFlow;
using datachannel::Lane;

constexpr uint32_t kHubNode = 1;
constexpr uint32_t kTeacher = 1;
constexpr int kPupilsPerSite = 8;
constexpr uint8_t kAudioPayloadType = 111;
constexpr uint8_t kVideoPayloadType = 96;
constexpr uint8_t kTransportSequenceNumberId = 2;
constexpr TimeDelta kAudioInterval = TimeDelta::Millis(20);
constexpr size_t kAudioPayload = 80;  // Opus at 32 kbit/s.
constexpr TimeDelta kFrameInterval = TimeDelta::Micros(66'667);
constexpr size_t kMaxMediaPayload = 1100;
// The worksheet the teacher opens before the outage: a question pupils answer offline.
constexpr uint16_t kWorksheet = 1000;

uint32_t SiteNode(int site) { return 101 + static_cast<uint32_t>(site); }
uint32_t Tutor(int site) { return 1000 + 100 * static_cast<uint32_t>(site); }
uint32_t Pupil(int site, int k) { return Tutor(site) + 1 + static_cast<uint32_t>(k); }

std::vector<uint8_t> U32Body(uint32_t value) {
  return {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
          static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
}
std::vector<uint8_t> QuestionBody(uint16_t question, uint8_t option) {
  return {static_cast<uint8_t>(question >> 8), static_cast<uint8_t>(question), option};
}
std::vector<uint8_t> QuestionOnly(uint16_t question) {
  return {static_cast<uint8_t>(question >> 8), static_cast<uint8_t>(question)};
}
std::vector<uint8_t> StrokeBody(uint16_t page, link::Random& random) {
  std::vector<uint8_t> body{static_cast<uint8_t>(page >> 8), static_cast<uint8_t>(page)};
  const size_t points = 8 + random.Next() % 40;  // 16 to 94 bytes of points.
  for (size_t i = 0; i < 2 * points; ++i) body.push_back(static_cast<uint8_t>(random.Next()));
  return body;
}
std::vector<uint8_t> TextBody(const std::string& text) { return {text.begin(), text.end()}; }

// One end of a site's flow: the reliable channel and datagrams for the session, and synthetic
// media - audio every 20 ms and video that takes what the target leaves.
class FlowEnd final : public SyncLink {
 public:
  FlowEnd(SimulatedLoop& loop, DataFlow::Config config, DataFlow::SendDatagram send,
          DataFlow::OnMessage on_message, DataFlow::OnUnreliable on_datagram,
          DataFlow::OnMedia on_media, PacketPriority video_priority, double bulk_share,
          uint32_t media_ssrc)
      : loop_(loop),
        flow_(loop, config, std::move(send), std::move(on_message), std::move(on_datagram),
              std::move(on_media)),
        video_priority_(video_priority),
        bulk_share_(bulk_share),
        ssrc_(media_ssrc) {}
  ~FlowEnd() override {
    audio_.Cancel();
    video_.Cancel();
  }

  void Start() {
    flow_.Start();
    audio_ = loop_.StartRepeating(kAudioInterval, [this] {
      SendMedia(kAudioPayloadType, kAudioPayload, PacketPriority::kAudio, true);
      return kAudioInterval;
    });
    video_ = loop_.StartRepeating(kFrameInterval, [this] {
      SendFrame();
      return kFrameInterval;
    });
  }

  Status SendReliable(Lane lane, std::vector<uint8_t> message) override {
    return flow_.Send(lane, std::move(message));
  }
  void SendDatagram(std::span<const uint8_t> datagram) override {
    (void)flow_.SendUnreliable(datagram);
  }
  size_t bulk_backlog() const override { return flow_.channel().unacknowledged_bytes(Lane::kBulk); }
  DataFlow& flow() { return flow_; }

 private:
  // The video leaves room for audio, and for the bulk lane's share while it has data: the
  // stream plan a media sender follows.
  void SendFrame() {
    DataRate rate = flow_.target_rate() - DataRate::KilobitsPerSec(50);
    if (bulk_backlog() > 0) rate = rate - flow_.target_rate() * bulk_share_;
    if (rate < DataRate::KilobitsPerSec(30)) return;
    // As MediaSender: a frame that would wait long behind earlier ones is skipped.
    if (flow_.transport().queue_time(video_priority_) > TimeDelta::Millis(150)) return;
    size_t bytes = static_cast<size_t>((rate * kFrameInterval).bytes());
    while (bytes > 0) {
      const size_t size = std::min(bytes, kMaxMediaPayload);
      SendMedia(kVideoPayloadType, size, video_priority_, bytes == size);
      bytes -= size;
    }
  }

  void SendMedia(uint8_t payload_type, size_t size, PacketPriority priority, bool marker) {
    RtpPacketBuilder builder;
    builder.set_payload_type(payload_type)
        .set_marker(marker)
        .set_sequence_number(sequence_number_[payload_type == kAudioPayloadType]++)
        .set_timestamp(static_cast<uint32_t>(loop_.Now().ms() * 48))
        .set_ssrc(ssrc_ + (payload_type == kAudioPayloadType ? 0 : 1));
    builder.SetExtension<TransportSequenceNumber>(kTransportSequenceNumberId, 0);
    std::vector<uint8_t> payload(std::max<size_t>(size, 8));
    StoreBE64(payload.data(), static_cast<uint64_t>(loop_.Now().us()));
    std::vector<uint8_t> packet(builder.HeaderSize() + payload.size());
    Result<size_t> written = builder.Build(payload, packet);
    if (!written.ok()) return;
    packet.resize(*written);
    flow_.SendMedia(std::move(packet), priority);
  }

  SimulatedLoop& loop_;
  DataFlow flow_;
  PacketPriority video_priority_;
  double bulk_share_;
  uint32_t ssrc_;
  uint16_t sequence_number_[2] = {1, 1};
  TaskHandle audio_;
  TaskHandle video_;
};

struct Site {
  int index = 0;
  uint32_t node = 0;
  TimeDelta offset = TimeDelta::Zero();
  double drift = 0;
  std::unique_ptr<link::SiteLink> link;
  std::unique_ptr<FlowEnd> hub_end;
  std::unique_ptr<FlowEnd> site_end;
  std::unique_ptr<OperationStore> store;
  std::unique_ptr<BlobStore> blobs;
  std::unique_ptr<SessionNode> session;
};

std::vector<uint8_t> RandomBytes(size_t size, link::Random& random) {
  std::vector<uint8_t> bytes(size);
  for (size_t i = 0; i < size; i += 8) {
    const uint64_t value = random.Next();
    for (size_t j = 0; j < 8 && i + j < size; ++j)
      bytes[i + j] = static_cast<uint8_t>(value >> (8 * j));
  }
  return bytes;
}

Roster MakeRoster(int sites) {
  Roster roster;
  roster.Add({kTeacher, Role::kTeacher, kHubNode, "Mme Lebon"});
  for (int i = 0; i < sites; ++i) {
    roster.Add({Tutor(i), Role::kTutor, SiteNode(i), "tuteur " + std::to_string(i)});
    for (int k = 0; k < kPupilsPerSite; ++k) {
      roster.Add({Pupil(i, k), Role::kPupil, SiteNode(i),
                  "élève " + std::to_string(i) + "." + std::to_string(k)});
    }
  }
  return roster;
}

class Lesson {
 public:
  Lesson(const LessonSimulationConfig& config) : config_(config), random_(config.seed) {}

  Result<LessonSimulationResult, std::string> Run();

 private:
  Timestamp Local(int site, Timestamp now) const {
    if (site < 0) return now;
    const Site& s = sites_[static_cast<size_t>(site)];
    return now + s.offset + (now - start_) * s.drift;
  }
  SessionNode& Node(int site) {
    return site < 0 ? *hub_ : *sites_[static_cast<size_t>(site)].session;
  }
  bool LinkUp(int site, Timestamp at) const {
    if (site != 0) return true;
    for (const link::OutageWindow& window : site0_down_) {
      if (window.Contains(at - start_)) return false;
    }
    return true;
  }
  // A participant at `site` (-1: the hub) acts now.
  void Act(int site, uint32_t author, ActivityKind activity, uint8_t action,
           std::vector<uint8_t> body);
  void OnApplied(int site, const Operation& op, Timestamp now);
  void ScheduleScript();
  void At(TimeDelta after_start, std::function<void()> task) {
    const TimeDelta delay = start_ + after_start - loop_.Now();
    loop_.PostDelayedTask(delay, std::move(task));
  }
  void Sample(Timestamp now);
  bool AllIdentical() const;

  LessonSimulationConfig config_;
  link::Random random_;
  SimulatedLoop loop_;
  Timestamp start_ = Timestamp::Zero();
  std::unique_ptr<OperationStore> hub_store_;
  std::unique_ptr<BlobStore> hub_blobs_;
  std::unique_ptr<SessionNode> hub_;
  std::vector<link::OutageWindow> site0_down_;
  // Blobs: the deck pre-positioned at the sites, site 0's photos going to the hub.
  Sha256Digest deck_{};
  std::set<int> deck_at_;
  std::map<Sha256Digest, uint64_t> photos_;  // Digest -> chunks.
  std::set<Sha256Digest> photos_at_hub_;
  std::vector<Site> sites_;
  LessonSimulationResult result_;

  std::set<OperationId> acknowledged_;
  std::map<OperationId, Timestamp> teacher_made_;                   // Sim time.
  std::vector<std::tuple<int, Timestamp, TimeDelta>> propagation_;  // Site, made, delay.
  std::map<std::pair<int, OperationId>, int> applied_;
  std::vector<std::pair<Timestamp, TimeDelta>> site0_audio_;
  // Resync tracking, from the link's return.
  bool resync_started_ = false;
  Timestamp resync_start_ = Timestamp::PlusInfinity();
  std::set<OperationId> offline_made_;
  std::set<OperationId> hub_lacks_;                   // Offline operations the hub lacks.
  std::set<OperationId> site0_lacks_;                 // What the hub held that site 0 lacks.
  std::map<int, std::set<OperationId>> others_lack_;  // Offline operations other sites lack.
  DataSize resync_bytes_at_start_ = DataSize::Zero();
  DataSize uplink_bulk_at_start_ = DataSize::Zero();
  DataSize downlink_bulk_at_start_ = DataSize::Zero();
  // Sums of the controllers' targets, each 100 ms of the exchange.
  double uplink_target_sum_ = 0;
  double downlink_target_sum_ = 0;
  int target_samples_ = 0;
  Timestamp site0_resynced_ = Timestamp::PlusInfinity();
  Timestamp all_resynced_ = Timestamp::PlusInfinity();
};

void Lesson::Act(int site, uint32_t author, ActivityKind activity, uint8_t action,
                 std::vector<uint8_t> body) {
  const Timestamp now = loop_.Now();
  Result<Operation, std::string> made =
      Node(site).Act(author, activity, action, std::move(body), Local(site, now));
  if (!made.ok()) {
    ++result_.ops_refused;
    return;
  }
  acknowledged_.insert(made->id);
  if (author == kTeacher) teacher_made_.emplace(made->id, now);
  if (site == 0 && !LinkUp(0, now)) offline_made_.insert(made->id);
  applied_[{site, made->id}] = 1;
}

void Lesson::OnApplied(int site, const Operation& op, Timestamp now) {
  if (++applied_[{site, op.id}] > 1) ++result_.ops_duplicated;
  if (site >= 0) {
    if (auto it = teacher_made_.find(op.id); it != teacher_made_.end()) {
      propagation_.emplace_back(site, it->second, now - it->second);
    }
  }
  if (!resync_started_) return;
  if (site < 0) hub_lacks_.erase(op.id);
  if (site == 0) site0_lacks_.erase(op.id);
  if (site > 0) others_lack_[site].erase(op.id);
}

void Lesson::ScheduleScript() {
  const int sites = config_.sites;
  const TimeDelta lesson = config_.duration;
  // Tutors take attendance.
  At(TimeDelta::Seconds(5), [this, sites] {
    for (int i = 0; i < sites; ++i) {
      for (int k = 0; k < kPupilsPerSite; ++k) {
        Act(i, Tutor(i), ActivityKind::kAttendance, AttendanceState::kPresent,
            U32Body(Pupil(i, k)));
      }
    }
  });
  // The worksheet pupils may answer at any time, connected or not.
  At(TimeDelta::Seconds(8), [this] {
    Act(-1, kTeacher, ActivityKind::kQuiz, QuizState::kOpen, QuestionBody(kWorksheet, 16));
  });
  // Slides every 10 s, a stroke every 2 s, the chat every 30 s.
  for (TimeDelta t = TimeDelta::Seconds(10); t < lesson; t += TimeDelta::Seconds(10)) {
    const uint32_t page = static_cast<uint32_t>(t.seconds() / 10);
    At(t, [this, page] {
      Act(-1, kTeacher, ActivityKind::kSlides, SlidesState::kShowPage, U32Body(page));
    });
  }
  for (TimeDelta t = TimeDelta::Seconds(11); t < lesson; t += TimeDelta::Seconds(2)) {
    At(t, [this, t] {
      Act(-1, kTeacher, ActivityKind::kWhiteboard, WhiteboardState::kAddStroke,
          StrokeBody(static_cast<uint16_t>(t.seconds() / 60), random_));
    });
  }
  for (TimeDelta t = TimeDelta::Seconds(25); t < lesson; t += TimeDelta::Seconds(30)) {
    At(t, [this] {
      Act(-1, kTeacher, ActivityKind::kChat, ChatState::kPost,
          TextBody("Regardez bien la figure au tableau."));
    });
  }
  // A quiz every 3 minutes, with a timer: pupils connected answer within 40 s.
  uint16_t question = 1;
  for (TimeDelta t = TimeDelta::Seconds(30); t + TimeDelta::Seconds(70) < lesson;
       t += TimeDelta::Seconds(180), ++question) {
    At(t, [this, question] {
      Act(-1, kTeacher, ActivityKind::kQuiz, QuizState::kOpen, QuestionBody(question, 4));
      Act(-1, kTeacher, ActivityKind::kTimer, TimerState::kStart, U32Body(60'000));
    });
    for (int i = 0; i < sites; ++i) {
      for (int k = 0; k < kPupilsPerSite; ++k) {
        const TimeDelta answer_at =
            t + TimeDelta::Seconds(5 + static_cast<int64_t>(random_.Next() % 35));
        At(answer_at, [this, i, k, question] {
          if (!LinkUp(i, loop_.Now())) return;  // Offline pupils work on the worksheet.
          Act(i, Pupil(i, k), ActivityKind::kQuiz, QuizState::kAnswer,
              QuestionBody(question, static_cast<uint8_t>(random_.Next() % 4)));
        });
      }
    }
    At(t + TimeDelta::Seconds(60), [this, question] {
      Act(-1, kTeacher, ActivityKind::kQuiz, QuizState::kClose, QuestionOnly(question));
    });
    At(t + TimeDelta::Seconds(65), [this, question] {
      Act(-1, kTeacher, ActivityKind::kQuiz, QuizState::kReveal, QuestionOnly(question));
    });
  }
  // Hands: a pupil somewhere raises a hand every 45 s; the teacher lowers it 20 s later.
  for (TimeDelta t = TimeDelta::Seconds(40); t + TimeDelta::Seconds(20) < lesson;
       t += TimeDelta::Seconds(45)) {
    const int site = static_cast<int>(random_.Next() % static_cast<uint64_t>(sites));
    const uint32_t pupil = Pupil(site, static_cast<int>(random_.Next() % kPupilsPerSite));
    At(t, [this, site, pupil] {
      if (LinkUp(site, loop_.Now())) {
        Act(site, pupil, ActivityKind::kHands, HandsState::kRaise, U32Body(pupil));
      }
    });
    At(t + TimeDelta::Seconds(20), [this, pupil] {
      Act(-1, kTeacher, ActivityKind::kHands, HandsState::kLower, U32Body(pupil));
    });
  }
  // Site 0 cut off: the tutor photographs the pupils' work, evenly over the outage.
  if (config_.outage && config_.offline_blobs > 0 && config_.offline_blob_bytes > 0) {
    const uint64_t each = config_.offline_blob_bytes / static_cast<uint64_t>(config_.offline_blobs);
    const TimeDelta span = config_.outage->end - config_.outage->start;
    for (int n = 0; n < config_.offline_blobs; ++n) {
      At(config_.outage->start + span * ((n + 0.5) / config_.offline_blobs), [this, each] {
        const std::vector<uint8_t> photo = RandomBytes(each, random_);
        Result<BlobManifest, std::string> added = Node(0).AddBlob(photo, Local(0, loop_.Now()));
        if (added.ok()) {
          photos_[added->digest] = added->chunk_count();
          result_.blob_bytes += photo.size();
        }
      });
    }
  }
  if (result_.blob_cut) {
    At(result_.blob_cut->start, [this] {
      uint64_t total = 0;
      for (const auto& [digest, chunks] : photos_) total += chunks;
      if (total > 0) {
        result_.blob_fraction_at_cut =
            static_cast<double>(hub_->stats().blob_chunks_received) / static_cast<double>(total);
      }
    });
  }
  // Site 0 cut off: its pupils and tutor keep working, evenly over the outage.
  if (config_.outage && config_.offline_operations > 0) {
    const TimeDelta first = config_.outage->start + TimeDelta::Seconds(1);
    const TimeDelta span = config_.outage->end - config_.outage->start - TimeDelta::Seconds(2);
    const uint64_t count = config_.offline_operations;
    for (uint64_t n = 0; n < count; ++n) {
      At(first + span * (static_cast<double>(n) / static_cast<double>(count)), [this, n] {
        const int k = static_cast<int>(n % kPupilsPerSite);
        switch (n % 20) {
          case 0:
          case 1:
          case 2:
          case 3:
          case 4:
          case 5:
          case 6:
          case 7:
            Act(0, Tutor(0), ActivityKind::kWhiteboard, WhiteboardState::kAddStroke,
                StrokeBody(static_cast<uint16_t>(100 + n / 500), random_));
            break;
          case 8:
          case 9:
          case 10:
          case 11:
          case 12:
          case 13:
            Act(0, Pupil(0, k), ActivityKind::kQuiz, QuizState::kAnswer,
                QuestionBody(kWorksheet, static_cast<uint8_t>(random_.Next() % 16)));
            break;
          case 14:
          case 15:
          case 16:
            Act(0, Pupil(0, k), ActivityKind::kChat, ChatState::kPost,
                TextBody("exercice " + std::to_string(n / 20) + " fini"));
            break;
          default:
            Act(0, Pupil(0, k), ActivityKind::kHands,
                n % 2 ? HandsState::kRaise : HandsState::kLower, U32Body(Pupil(0, k)));
            break;
        }
      });
    }
  }
}

void Lesson::Sample(Timestamp now) {
  // The resync starts when site 0's link comes back.
  if (config_.outage && !resync_started_ && now - start_ >= config_.outage->end) {
    resync_started_ = true;
    resync_start_ = now;
    for (const Operation& op : sites_[0].session->replica().Missing(hub_->replica().version())) {
      hub_lacks_.insert(op.id);
    }
    for (const Operation& op : hub_->replica().Missing(sites_[0].session->replica().version())) {
      site0_lacks_.insert(op.id);
    }
    for (size_t i = 1; i < sites_.size(); ++i) {
      for (const Operation& op :
           sites_[0].session->replica().Missing(sites_[i].session->replica().version())) {
        others_lack_[static_cast<int>(i)].insert(op.id);
      }
    }
    const auto& hub_flow = sites_[0].hub_end->flow().stats();
    const auto& site_flow = sites_[0].site_end->flow().stats();
    resync_bytes_at_start_ = hub_flow.session_data_sent + hub_flow.bulk_sent +
                             site_flow.session_data_sent + site_flow.bulk_sent;
    uplink_bulk_at_start_ = site_flow.bulk_sent;
    downlink_bulk_at_start_ = hub_flow.bulk_sent;
  }
  if (resync_started_ && site0_resynced_.IsPlusInfinity()) {
    uplink_target_sum_ += sites_[0].site_end->flow().target_rate().bps_f();
    downlink_target_sum_ += sites_[0].hub_end->flow().target_rate().bps_f();
    ++target_samples_;
  }
  if (resync_started_ && site0_resynced_.IsPlusInfinity() && hub_lacks_.empty() &&
      site0_lacks_.empty()) {
    site0_resynced_ = now;
    const auto& hub_flow = sites_[0].hub_end->flow().stats();
    const auto& site_flow = sites_[0].site_end->flow().stats();
    result_.resync_bytes = hub_flow.session_data_sent + hub_flow.bulk_sent +
                           site_flow.session_data_sent + site_flow.bulk_sent -
                           resync_bytes_at_start_;
    result_.resync_uplink_bulk = site_flow.bulk_sent - uplink_bulk_at_start_;
    result_.resync_downlink_bulk = hub_flow.bulk_sent - downlink_bulk_at_start_;
  }
  if (resync_started_ && all_resynced_.IsPlusInfinity() && !site0_resynced_.IsPlusInfinity() &&
      std::all_of(others_lack_.begin(), others_lack_.end(),
                  [](const auto& entry) { return entry.second.empty(); })) {
    all_resynced_ = now;
  }
  // The shared clock, each second after the first 30 s, at sites whose link is up.
  if (now - start_ >= TimeDelta::Seconds(30) && (now - start_).ms() % 1000 == 0) {
    for (int i = 0; i < config_.sites; ++i) {
      if (!LinkUp(i, now) || !Node(i).online(kHubNode)) continue;
      if (std::optional<Timestamp> hub_time = Node(i).HubTime(Local(i, now))) {
        const TimeDelta error = *hub_time - now;
        result_.clock_offset_error.Add(error < TimeDelta::Zero() ? -error : error);
      }
    }
  }
}

bool Lesson::AllIdentical() const {
  const std::string hub = hub_->replica().Describe();
  for (const Site& site : sites_) {
    if (!(site.session->replica().version() == hub_->replica().version())) return false;
  }
  for (const Site& site : sites_) {
    if (site.session->replica().Describe() != hub) return false;
  }
  return true;
}

Result<LessonSimulationResult, std::string> Lesson::Run() {
  start_ = loop_.Now();
  std::error_code ignored;
  std::filesystem::create_directories(config_.store_dir, ignored);
  // A fresh SQLite file (and no WAL left from an earlier run) in the store directory.
  auto fresh = [&](const std::string& name) {
    const std::string path = (std::filesystem::path(config_.store_dir) / name).string();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ignored);
    return path;
  };
  auto open_store = [&](const std::string& name) { return OperationStore::Open(fresh(name)); };
  auto open_blobs = [&](const std::string& name) { return BlobStore::Open(fresh(name)); };
  const Roster roster = MakeRoster(config_.sites);
  auto hub_store = open_store("hub.db");
  if (!hub_store.ok()) return hub_store.error();
  hub_store_ = std::move(*hub_store);
  auto hub_blobs = open_blobs("hub-blobs.db");
  if (!hub_blobs.ok()) return hub_blobs.error();
  hub_blobs_ = std::move(*hub_blobs);
  hub_ = std::make_unique<SessionNode>(
      SessionNode::Config{.node = kHubNode, .hub = true, .incarnation = config_.seed * 1000 + 1},
      roster, *hub_store_, hub_blobs_.get());
  hub_->set_on_applied([this](const Operation& op, Timestamp) { OnApplied(-1, op, loop_.Now()); });
  hub_->set_on_blob_complete([this](const Sha256Digest& digest, Timestamp) {
    if (photos_.contains(digest)) photos_at_hub_.insert(digest);
    if (photos_at_hub_.size() == photos_.size() && !photos_.empty() && !result_.blob_transfer &&
        resync_started_) {
      result_.blob_transfer = loop_.Now() - resync_start_;
    }
  });

  // Site 0's windows without a link: the outage, and a cut about halfway through sending its
  // photos afterwards (at the bulk lane's share of the uplink, 10 % for headers).
  if (config_.outage) {
    site0_down_.push_back(*config_.outage);
    if (config_.offline_blobs > 0 && config_.offline_blob_bytes > 0) {
      const DataRate share =
          config_.uplink.capacity.RateAt(config_.outage->end) * config_.bulk_share;
      const TimeDelta transfer =
          DataSize::Bytes(static_cast<int64_t>(config_.offline_blob_bytes * 11 / 10)) / share;
      const TimeDelta cut_start = config_.outage->end + transfer / 2;
      result_.blob_cut = link::OutageWindow{cut_start, cut_start + config_.transfer_cut};
      site0_down_.push_back(*result_.blob_cut);
    }
  }

  link::LinkDirectionConfig uplink = config_.uplink;
  link::LinkDirectionConfig downlink = config_.downlink;
  uplink.outages.clear();
  downlink.outages.clear();
  result_.one_way_delay = downlink.propagation_delay.DelayAt(TimeDelta::Zero());
  result_.round_trip = result_.one_way_delay + uplink.propagation_delay.DelayAt(TimeDelta::Zero());

  sites_.resize(static_cast<size_t>(config_.sites));
  for (int i = 0; i < config_.sites; ++i) {
    Site& site = sites_[static_cast<size_t>(i)];
    site.index = i;
    site.node = SiteNode(i);
    // Site clocks seconds off the hub's, drifting tens of ppm.
    site.offset = TimeDelta::Millis(static_cast<int64_t>(random_.Next() % 8000) - 4000);
    site.drift = (static_cast<double>(random_.Next() % 61) - 30.0) * 1e-6;
    auto store = open_store("site-" + std::to_string(site.node) + ".db");
    if (!store.ok()) return store.error();
    site.store = std::move(*store);
    auto blobs = open_blobs("site-" + std::to_string(site.node) + "-blobs.db");
    if (!blobs.ok()) return blobs.error();
    site.blobs = std::move(*blobs);
    site.session = std::make_unique<SessionNode>(
        SessionNode::Config{.node = site.node, .incarnation = config_.seed * 1000 + 2 + i}, roster,
        *site.store, site.blobs.get());
    site.session->set_on_applied(
        [this, i](const Operation& op, Timestamp) { OnApplied(i, op, loop_.Now()); });
    site.session->set_on_blob_complete([this, i](const Sha256Digest& digest, Timestamp) {
      if (digest != deck_) return;
      deck_at_.insert(i);
      if (static_cast<int>(deck_at_.size()) == config_.sites) {
        result_.deck_prepositioned = loop_.Now() - start_;
      }
    });

    link::LinkDirectionConfig site_uplink = uplink;
    link::LinkDirectionConfig site_downlink = downlink;
    if (i == 0) {
      site_uplink.outages = site0_down_;
      site_downlink.outages = site0_down_;
    }
    site.link = std::make_unique<link::SiteLink>(
        loop_, site_uplink, site_downlink, config_.seed * 7919 + static_cast<uint64_t>(i),
        [this, i](link::Delivery delivery) {
          sites_[static_cast<size_t>(i)].hub_end->flow().OnDatagram(delivery.packet.bytes,
                                                                    delivery.delivered);
        },
        [this, i](link::Delivery delivery) {
          sites_[static_cast<size_t>(i)].site_end->flow().OnDatagram(delivery.packet.bytes,
                                                                     delivery.delivered);
        });

    DataFlow::Config flow_config;
    flow_config.bulk_share = config_.bulk_share;
    flow_config.channel.incarnation = static_cast<uint32_t>(config_.seed * 100 + 2 * i + 1);
    flow_config.transport.rtx_ssrc = 0x0B1DE0F0 + static_cast<uint32_t>(i);
    auto packet_id = std::make_shared<uint64_t>(0);
    site.hub_end = std::make_unique<FlowEnd>(
        loop_, flow_config,
        [this, i, packet_id](std::span<const uint8_t> datagram, Timestamp) {
          (void)sites_[static_cast<size_t>(i)].link->SendToSite(
              link::LinkPacket{++*packet_id, {datagram.begin(), datagram.end()}});
        },
        [this, i](datachannel::ReliableChannel::Message message, Timestamp) {
          hub_->OnMessage(SiteNode(i), message.lane, message.data, loop_.Now());
        },
        [this, i](std::span<const uint8_t> datagram, Timestamp) {
          hub_->OnDatagram(SiteNode(i), datagram, loop_.Now());
        },
        [this, i](const RtpPacket& packet, Timestamp arrival) {
          if (packet.payload_type() != kAudioPayloadType || packet.payload().size() < 8) return;
          const TimeDelta delay =
              arrival - Timestamp::Micros(static_cast<int64_t>(LoadBE64(packet.payload().data())));
          if (i == 0) {
            site0_audio_.emplace_back(arrival, delay);
          } else {
            result_.audio_uplink.Add(delay);
          }
        },
        PacketPriority::kTeacherVideo, config_.bulk_share, 0x1000 + 16 * static_cast<uint32_t>(i));
    flow_config.channel.incarnation = static_cast<uint32_t>(config_.seed * 100 + 2 * i + 2);
    site.site_end = std::make_unique<FlowEnd>(
        loop_, flow_config,
        [this, i, packet_id](std::span<const uint8_t> datagram, Timestamp) {
          (void)sites_[static_cast<size_t>(i)].link->SendToHub(
              link::LinkPacket{++*packet_id, {datagram.begin(), datagram.end()}});
        },
        [this, i](datachannel::ReliableChannel::Message message, Timestamp) {
          sites_[static_cast<size_t>(i)].session->OnMessage(kHubNode, message.lane, message.data,
                                                            Local(i, loop_.Now()));
        },
        [this, i](std::span<const uint8_t> datagram, Timestamp) {
          sites_[static_cast<size_t>(i)].session->OnDatagram(kHubNode, datagram,
                                                             Local(i, loop_.Now()));
        },
        nullptr, PacketPriority::kSiteVideo, config_.bulk_share,
        0x2000 + 16 * static_cast<uint32_t>(i));
    hub_->AddPeer(site.node, *site.hub_end);
    site.session->AddPeer(kHubNode, *site.site_end);
  }
  for (Site& site : sites_) {
    site.hub_end->Start();
    site.site_end->Start();
  }

  // The hub pre-positions the lesson's deck before the lesson: each site takes it once heard.
  if (config_.deck_bytes > 0) {
    const std::vector<uint8_t> deck = RandomBytes(config_.deck_bytes, random_);
    Result<BlobManifest, std::string> added = hub_->AddBlob(deck, loop_.Now());
    if (!added.ok()) return added.error();
    deck_ = added->digest;
  }
  ScheduleScript();
  TaskHandle timers = loop_.StartRepeating(TimeDelta::Millis(100), [this] {
    const Timestamp now = loop_.Now();
    hub_->OnTimer(now);
    for (int i = 0; i < config_.sites; ++i) Node(i).OnTimer(Local(i, now));
    Sample(now);
    return TimeDelta::Millis(100);
  });

  TimeDelta lesson = config_.duration;
  if (config_.outage) lesson = std::max(lesson, config_.outage->end + TimeDelta::Seconds(10));
  loop_.RunFor(lesson);
  // The lesson is over: the run goes on until every replica holds the same, or the limit.
  loop_.RunUntil(
      [&] {
        return (!config_.outage || !all_resynced_.IsPlusInfinity()) &&
               photos_at_hub_.size() == photos_.size() &&
               (config_.deck_bytes == 0 || result_.deck_prepositioned) &&
               (loop_.Now() - start_).ms() % 1000 == 0 && AllIdentical();
      },
      config_.settle_limit);
  timers.Cancel();
  result_.simulated = loop_.Now() - start_;

  // Nothing acknowledged lost, nothing applied or stored twice.
  result_.ops_total = acknowledged_.size();
  for (const OperationId& id : acknowledged_) {
    bool everywhere = hub_->replica().version().Contains(id);
    for (const Site& site : sites_) everywhere &= site.session->replica().version().Contains(id);
    if (!everywhere) ++result_.ops_lost;
  }
  auto check_store = [&](const OperationStore& store, const Replica& replica) {
    Result<std::vector<Operation>, std::string> stored = store.LoadAll();
    if (!stored.ok()) return;
    std::set<OperationId> ids;
    for (const Operation& op : *stored) {
      if (!ids.insert(op.id).second) ++result_.ops_duplicated;
    }
    if (ids.size() != replica.operations()) ++result_.ops_lost;
  };
  check_store(*hub_store_, hub_->replica());
  for (const Site& site : sites_) check_store(*site.store, site.session->replica());
  result_.replicas_identical = AllIdentical();
  result_.messages_refused = hub_->stats().refused_messages;
  for (const Site& site : sites_)
    result_.messages_refused += site.session->stats().refused_messages;

  for (const auto& [site, made, delay] : propagation_) {
    // Site 0's link is down, or its backlog still crossing, from just before the outage until
    // its resync ends: what the teacher made then reached it by resync, measured there.
    if (site == 0 && config_.outage &&
        made + TimeDelta::Seconds(5) >= start_ + config_.outage->start && made <= site0_resynced_) {
      continue;
    }
    result_.propagation.Add(delay);
  }
  if (config_.outage) {
    result_.offline_ops = offline_made_.size();
    if (site0_resynced_.IsFinite()) result_.resync = site0_resynced_ - resync_start_;
    if (all_resynced_.IsFinite()) result_.resync_all = all_resynced_ - resync_start_;
    const TimeDelta end = config_.outage->end;
    result_.resync_allowance_capacity =
        result_.round_trip * 5 +
        std::max(
            result_.resync_uplink_bulk / (uplink.capacity.RateAt(end) * config_.bulk_share),
            result_.resync_downlink_bulk / (downlink.capacity.RateAt(end) * config_.bulk_share));
    if (target_samples_ > 0) {
      result_.resync_uplink_target = DataRate::BitsPerSec(uplink_target_sum_ / target_samples_);
      const DataRate downlink_target = DataRate::BitsPerSec(downlink_target_sum_ / target_samples_);
      result_.resync_allowance =
          result_.round_trip * 5 +
          std::max(result_.resync_uplink_bulk / (result_.resync_uplink_target * config_.bulk_share),
                   result_.resync_downlink_bulk / (downlink_target * config_.bulk_share));
    }
    for (const auto& [digest, chunks] : photos_) result_.blob_chunks_total += chunks;
    result_.blob_chunks_sent = sites_[0].session->stats().blob_chunks_sent;
    result_.blob_chunks_duplicate = hub_->stats().blob_chunks_duplicate;
    result_.blobs_intact = !photos_.empty();
    for (const auto& [digest, chunks] : photos_) {
      Result<std::vector<uint8_t>, std::string> read = hub_blobs_->Read(digest);
      result_.blobs_intact &= read.ok();
    }
    result_.blob_resumed_without_resend = result_.blobs_intact &&
                                          result_.blob_chunks_duplicate == 0 &&
                                          result_.blob_chunks_sent == result_.blob_chunks_total;
    for (const auto& [at, delay] : site0_audio_) {
      if (at < resync_start_ || at > site0_resynced_) continue;
      result_.audio_uplink_during_resync.Add(delay);
      if (at >= resync_start_ + TimeDelta::Seconds(5)) {
        result_.audio_uplink_during_resync_after_5s.Add(delay);
      }
    }
  }
  return result_;
}

}  // namespace

Result<LessonSimulationResult, std::string> RunLessonSimulation(
    const LessonSimulationConfig& config) {
  if (config.sites < 1 || config.sites > 30) return std::string("sites must be 1 to 30");
  if (config.store_dir.empty()) return std::string("no directory for the stores");
  Lesson lesson(config);
  return lesson.Run();
}

}  // namespace comodal::session
