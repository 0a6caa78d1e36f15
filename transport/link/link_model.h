#ifndef TRANSPORT_LINK_LINK_MODEL_H_
#define TRANSPORT_LINK_LINK_MODEL_H_

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "transport/base/latency_histogram.h"
#include "transport/link/capacity_schedule.h"
#include "transport/link/codel.h"
#include "transport/link/delay_schedule.h"
#include "transport/link/loss_model.h"
#include "transport/link/random.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::link {

// A window [start, end) of time since the link started during which the link carries nothing.
struct OutageWindow {
  TimeDelta start;
  TimeDelta end;
  bool Contains(TimeDelta t) const { return t >= start && t < end; }
};

// LEO path re-planning (Starlink-class constellations re-plan every 15 s): at each handover the
// propagation delay steps to a new value drawn uniformly from [delay_min, delay_max], and every
// packet leaving the bottleneck during the next `loss_burst` is lost.
struct HandoverConfig {
  TimeDelta period = TimeDelta::Seconds(15);
  TimeDelta first_at = TimeDelta::Seconds(15);  // Since the link started.
  TimeDelta delay_min = TimeDelta::Millis(10);
  TimeDelta delay_max = TimeDelta::Millis(30);
  TimeDelta loss_burst = TimeDelta::Millis(50);
};

// One direction of a link (a site's uplink or downlink).
struct LinkDirectionConfig {
  // Constant or a trace over time; until the first handover (or for ever without handovers).
  DelaySchedule propagation_delay = TimeDelta::Zero();
  // Extra delay per packet, uniform in [0, jitter]. Packets never overtake each other unless
  // `allow_reordering` is set (satellite links deliver in order).
  TimeDelta jitter = TimeDelta::Zero();
  bool allow_reordering = false;
  std::optional<HandoverConfig> handovers;
  CapacitySchedule capacity = CapacitySchedule::Constant(DataRate::PlusInfinity());
  // Drop-tail limit of the bottleneck queue, in bytes and/or in time at the current rate (a
  // satellite modem holding "1 s of data"); a packet that would pass either limit is dropped.
  std::optional<DataSize> queue_limit_bytes;
  std::optional<TimeDelta> queue_limit_time;
  // Active queue management on the bottleneck queue (none: plain drop-tail).
  std::optional<CoDelConfig> codel;
  LossConfig loss;
  std::vector<OutageWindow> outages;
};

struct LinkPacket {
  uint64_t id = 0;
  std::vector<uint8_t> bytes;
  DataSize size() const { return DataSize::Bytes(bytes.size()); }
};

enum class SendOutcome : uint8_t {
  kQueued,         // Will be delivered.
  kLost,           // Crosses the bottleneck, then is lost (random loss).
  kDroppedQueue,   // The bottleneck queue was full.
  kDroppedAqm,     // CoDel dropped it at the head of the queue.
  kDroppedOutage,  // The link is down when it arrives, or when it would leave the bottleneck.
  kLostHandover,   // Left the bottleneck during a handover's loss burst.
};

struct Delivery {
  LinkPacket packet;
  Timestamp sent;
  Timestamp delivered;
  TimeDelta queue_delay;  // Waiting behind earlier packets, before its own serialisation.
};

struct LinkStats {
  uint64_t packets_in = 0;
  uint64_t packets_out = 0;
  uint64_t dropped_queue = 0;  // Queue full, and CoDel drops.
  uint64_t dropped_aqm = 0;    // Of which CoDel drops.
  uint64_t dropped_loss = 0;
  uint64_t dropped_outage = 0;
  uint64_t dropped_handover = 0;
  uint64_t handovers = 0;
  LatencyHistogram queue_delay;                     // Of the packets delivered.
  TimeDelta delay_min = TimeDelta::PlusInfinity();  // Shortest sent-to-delivered time.
  std::vector<int64_t> delivered_bytes_by_second;   // Indexed by whole seconds since start.
};

// The model of one link direction, as a pure state machine: each call carries its time, and the
// caller (a simulated loop or the real-time relay) wakes it at NextDeliveryTime(). In order,
// a packet meets: an outage check, the drop-tail bottleneck queue served at the scheduled
// capacity (FIFO), random loss, handover loss bursts, and the propagation delay (stepped by
// handovers) plus jitter.
class LinkModel {
 public:
  LinkModel(LinkDirectionConfig config, Timestamp start, uint64_t seed);

  SendOutcome Send(LinkPacket packet, Timestamp now);
  // +inf when nothing is in flight.
  Timestamp NextDeliveryTime() const;
  // Packets whose delivery time is at or before `now`, in delivery order.
  std::vector<Delivery> DeliverDue(Timestamp now);

  // Bytes in the bottleneck (queued or being serialised) at `now`.
  DataSize QueuedBytes(Timestamp now);
  const LinkStats& stats() const { return stats_; }
  const LinkDirectionConfig& config() const { return config_; }
  // The propagation delay in force at `at` (applies handovers up to then).
  TimeDelta PropagationDelayAt(Timestamp at);

 private:
  struct InBottleneck {
    Timestamp transmission_end;
    DataSize size;
  };
  bool InOutage(Timestamp at) const;
  void Prune(Timestamp now);
  // Applies every handover due at or before `at`; true if `at` is inside a handover's loss burst.
  bool AdvanceHandovers(Timestamp at);
  // The delay at `at` once handovers up to `at` have been applied.
  TimeDelta DelayAfterHandovers(Timestamp at) const;

  LinkDirectionConfig config_;
  Timestamp start_;
  Random random_;
  LossModel loss_;
  std::optional<CoDel> codel_;
  Timestamp last_transmission_end_;
  std::deque<InBottleneck> bottleneck_;
  DataSize bottleneck_bytes_ = DataSize::Zero();
  std::deque<Delivery> in_flight_;               // Ordered by delivery time.
  TimeDelta current_delay_ = TimeDelta::Zero();  // Set by the last handover.
  Timestamp next_handover_ = Timestamp::PlusInfinity();
  Timestamp last_handover_ = Timestamp::MinusInfinity();
  Timestamp last_delivery_ = Timestamp::MinusInfinity();
  LinkStats stats_;
};

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_LINK_MODEL_H_
