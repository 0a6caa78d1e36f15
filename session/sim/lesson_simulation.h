#ifndef SESSION_SIM_LESSON_SIMULATION_H_
#define SESSION_SIM_LESSON_SIMULATION_H_

#include <cstdint>
#include <optional>
#include <string>

#include "transport/base/latency_histogram.h"
#include "transport/base/result.h"
#include "transport/link/link_model.h"
#include "transport/units/data_rate.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"

namespace comodal::session {

// A scripted lesson in simulated time (DESIGN.md: "a whole lesson over an emulated GEO link in
// seconds of wall time"): one hub and `sites` sites, each site on its own emulated link, every
// node a SessionNode with its own SQLite store and its own clock (offset and drifting from the
// hub's), each flow a DataFlow carrying audio both ways, video that leaves room for the bulk
// lane when it has something to send, and the session data.
//
// The teacher shows slides, draws, runs quizzes, timers and the chat; pupils answer, raise hands
// and chat; tutors take attendance and draw. Site 0 may be cut off (`outage`, both directions of
// its link only): while it is, its pupils and tutor go on working on a worksheet the teacher
// opened before (`offline_operations` in all), and afterwards it resyncs.
struct LessonSimulationConfig {
  link::LinkDirectionConfig uplink;    // Each site -> hub (outages here are ignored).
  link::LinkDirectionConfig downlink;  // Hub -> each site.
  int sites = 3;
  uint64_t seed = 1;
  // The lesson's length; with an outage, at least until it ends.
  TimeDelta duration = TimeDelta::Seconds(600);
  std::optional<link::OutageWindow> outage;  // Site 0's, from the start of the run.
  uint64_t offline_operations = 10'000;
  // Photos of the pupils' work the cut-off site takes while offline (`offline_blobs` of equal
  // size, `offline_blob_bytes` in all), sent to the hub when the link is back. Their transfer is
  // cut once more, for `transfer_cut`, about halfway through.
  int offline_blobs = 0;
  uint64_t offline_blob_bytes = 0;
  TimeDelta transfer_cut = TimeDelta::Seconds(60);
  // The lesson's deck, which the hub pre-positions at every site before the lesson starts.
  uint64_t deck_bytes = 2'000'000;
  // After the lesson, how long the run may go on for the replicas to converge.
  TimeDelta settle_limit = TimeDelta::Seconds(1800);
  double bulk_share = 0.5;
  std::string store_dir;  // Where the nodes' SQLite files go (created; files replaced).
};

struct LessonSimulationResult {
  uint64_t ops_total = 0;       // Acknowledged to a participant, at any node.
  uint64_t ops_lost = 0;        // Acknowledged, and missing at some node at the end.
  uint64_t ops_duplicated = 0;  // Applied, or stored, twice at some node.
  uint64_t ops_refused = 0;     // Made by the script and refused by the replica (none expected).
  uint64_t messages_refused = 0;
  bool replicas_identical = false;
  // Teacher's operation made at the hub -> applied at a site, for sites whose link is up.
  LatencyHistogram propagation;
  TimeDelta one_way_delay = TimeDelta::Zero();  // The downlink's propagation delay.
  TimeDelta round_trip = TimeDelta::Zero();     // Propagation both ways.
  // From site 0's link coming back until the hub and site 0 hold the same operations, and
  // until every node does.
  std::optional<TimeDelta> resync;
  std::optional<TimeDelta> resync_all;
  uint64_t offline_ops = 0;                  // Made at site 0 while it was cut off.
  DataSize resync_bytes = DataSize::Zero();  // Session data and bulk, both ways, on site 0's flow.
  DataSize resync_uplink_bulk = DataSize::Zero();
  DataSize resync_downlink_bulk = DataSize::Zero();
  // What the exchange may take: 5 round trips plus the bulk bytes of each direction at the bulk
  // lane's share of the congestion controller's target (its mean over the exchange), and the
  // same at the share of the link's capacity (stricter: the target stays below it).
  TimeDelta resync_allowance = TimeDelta::Zero();
  TimeDelta resync_allowance_capacity = TimeDelta::Zero();
  DataRate resync_uplink_target = DataRate::Zero();  // Mean over the exchange.
  // |site's estimate of the hub's clock - the hub's clock|, each second after the first 30 s.
  LatencyHistogram clock_offset_error;
  // Audio packets' one-way delay from site 0 to the hub, while its resync runs, and over the
  // whole lesson at the other sites.
  LatencyHistogram audio_uplink_during_resync;
  LatencyHistogram audio_uplink_during_resync_after_5s;  // The link's first 5 s back left out.
  LatencyHistogram audio_uplink;
  // The deck at every site, from the start.
  std::optional<TimeDelta> deck_prepositioned;
  // Site 0's photos at the hub: bytes, time from the link's return, and how the transfer went.
  uint64_t blob_bytes = 0;
  std::optional<TimeDelta> blob_transfer;
  std::optional<link::OutageWindow> blob_cut;  // From the start of the run.
  double blob_fraction_at_cut = 0;             // Of the chunks, at the hub when the cut began.
  uint64_t blob_chunks_total = 0;
  uint64_t blob_chunks_sent = 0;       // By site 0 (each chunk once if nothing was resent).
  uint64_t blob_chunks_duplicate = 0;  // Received again at the hub.
  bool blobs_intact = false;           // Read back whole at the hub, SHA-256 checked.
  bool blob_resumed_without_resend = false;
  TimeDelta simulated = TimeDelta::Zero();
};

// Runs the lesson; the error names what failed (a store that cannot be opened).
Result<LessonSimulationResult, std::string> RunLessonSimulation(
    const LessonSimulationConfig& config);

}  // namespace comodal::session

#endif  // SESSION_SIM_LESSON_SIMULATION_H_
