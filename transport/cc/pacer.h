#ifndef TRANSPORT_CC_PACER_H_
#define TRANSPORT_CC_PACER_H_

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <vector>

#include "transport/units/data_rate.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// What a packet carries, in the order the pacer serves them (DESIGN.md, principle 2): audio is
// the last thing to go, bulk sync the first.
enum class PacketPriority : uint8_t {
  kAudio = 0,
  kSessionData = 1,
  kTeacherVideo = 2,
  kSlides = 3,
  kSiteVideo = 4,
  kBulk = 5,
};
inline constexpr size_t kPacketPriorityCount = 6;

// A bandwidth probe: send `rate` for at least `min_duration` and `min_size`, padding when there
// is no media to send, so that the receiver's arrival times measure what the path carries.
struct ProbeCluster {
  int id = 0;
  DataRate rate = DataRate::Zero();
  DataSize min_size = DataSize::Zero();
  TimeDelta min_duration = TimeDelta::Zero();
};

// Shares one flow's send rate between every stream to one peer (DESIGN.md principle 2): packets
// wait in one queue per priority and leave, highest priority first and in order within a
// priority (a repair ahead of new packets of its priority), at the pacing rate of a leaky
// bucket. Audio is not held back: it leaves at once, and what it sends counts against the budget
// of the rest. While a probe cluster runs, the pacer sends at the probe's rate, and asks for
// padding when there is no media to fill it.
//
// A pure state machine: the caller enqueues packets, and at NextSendTime() takes what
// TakeNext() hands out (media first; then padding of the size PaddingToSend() says), sending
// each at once.
class Pacer {
 public:
  struct Config {
    // The bucket may run ahead by this much sending time: packets leave in small bursts rather
    // than one by one on a timer (and a 1 200-byte packet can always leave at once below
    // 1 Mbit/s).
    TimeDelta max_burst = TimeDelta::Millis(10);
    // Padding packets are no larger than this (nor than what the probe still needs).
    DataSize max_padding_size = DataSize::Bytes(1200);
    DataSize min_padding_size = DataSize::Bytes(200);
    // Over this much time the pacer sends no more than the average rate (when one is set),
    // however fast it may burst: a source that makes more than its target (an encoder at the
    // floor of its quality) fills the pacer's queue, not the path's.
    TimeDelta average_window = TimeDelta::Millis(300);
  };
  struct Packet {
    std::vector<uint8_t> data;
    PacketPriority priority = PacketPriority::kBulk;
    bool repair = false;  // A retransmission: ahead of new packets of its priority.
    Timestamp enqueued = Timestamp::MinusInfinity();
    std::optional<int> probe_cluster_id;  // Set by TakeNext() while a probe runs.
  };
  struct Stats {
    uint64_t packets_sent = 0;
    DataSize bytes_sent = DataSize::Zero();
    DataSize padding_sent = DataSize::Zero();
    uint64_t probes_started = 0;
    uint64_t probes_finished = 0;
  };

  Pacer() : Pacer(Config{}) {}
  explicit Pacer(Config config) : config_(config) {}

  // Zero holds everything but audio (the link is down, or nothing is known yet).
  void SetPacingRate(DataRate rate) { pacing_rate_ = rate; }
  DataRate pacing_rate() const { return pacing_rate_; }
  // The rate the pacer keeps to on average (the congestion controller's target); zero: no
  // limit beyond the pacing rate. Probes are not held by it.
  void SetAverageRate(DataRate rate);
  DataRate average_rate() const { return average_rate_; }

  void Enqueue(Packet packet, Timestamp now);
  // Removes the packets of `priority` still waiting that `stale` picks (made useless by a newer
  // one: a video stream starting over from a keyframe). Returns how many.
  size_t Discard(PacketPriority priority, const std::function<bool(const Packet&)>& stale);
  // Starts a probe now (replacing one that runs).
  void StartProbe(const ProbeCluster& cluster, Timestamp now);

  // The next packet that may leave at `now`, if any; the caller sends it at once.
  [[nodiscard]] std::optional<Packet> TakeNext(Timestamp now);
  // The first packet by priority whatever the budget (to flush the queue), if any.
  [[nodiscard]] std::optional<Packet> TakeFirst(Timestamp now);
  // While a probe runs and no media waits: the size of padding to send now (the caller sends it
  // and reports it with OnPaddingSent()).
  [[nodiscard]] std::optional<DataSize> PaddingToSend(Timestamp now);
  void OnPaddingSent(DataSize size, Timestamp now);
  // The probe padding counts toward, if one runs.
  std::optional<int> active_probe_id() const;

  // When something can next leave: now if it can already, plus infinity when nothing waits.
  Timestamp NextSendTime(Timestamp now) const;

  bool empty() const;
  DataSize queued_size() const { return queued_size(PacketPriority::kBulk); }
  // What waits at `priority` and above: what a new packet of that priority leaves behind.
  DataSize queued_size(PacketPriority priority) const;
  const Stats& stats() const { return stats_; }

 private:
  // The rate the bucket drains at now: the probe's while one runs.
  DataRate CurrentRate() const;
  void Drain(Timestamp now);
  void Account(DataSize size, Timestamp now);
  // The queue of the highest priority with something waiting, below audio.
  std::deque<Packet>* FirstNonEmpty();
  // The next packet by priority: within the buckets if `paced`, else whatever they hold.
  std::optional<Packet> Take(Timestamp now, bool paced);
  Packet Take(std::deque<Packet>& queue, Timestamp now);
  // What `owed` is down to at `now`, drained at `rate` since the last drain.
  DataSize Drained(DataSize owed, DataRate rate, Timestamp now) const;

  struct ActiveProbe {
    ProbeCluster cluster;
    Timestamp started;
    DataSize sent = DataSize::Zero();
  };

  Config config_;
  DataRate pacing_rate_ = DataRate::Zero();
  std::array<std::deque<Packet>, kPacketPriorityCount> queues_;
  std::array<int64_t, kPacketPriorityCount> queued_bytes_{};  // Per priority.
  // Whether the average bucket lets media out now.
  bool AverageAllows() const;
  // The leaky bucket: bytes sent and not yet drained at the current rate.
  DataSize debt_ = DataSize::Zero();
  // The same at the average rate, up to the average window.
  DataRate average_rate_ = DataRate::Zero();
  DataSize average_debt_ = DataSize::Zero();
  Timestamp last_drain_ = Timestamp::MinusInfinity();
  std::optional<ActiveProbe> probe_;
  Stats stats_;
};

}  // namespace comodal

#endif  // TRANSPORT_CC_PACER_H_
