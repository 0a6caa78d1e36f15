#ifndef TRANSPORT_RTP_NACK_REQUESTER_H_
#define TRANSPORT_RTP_NACK_REQUESTER_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

#include "transport/rtp/sequence_number.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// The receiver's list of missing packets of one RTP stream, and when to ask for each again with
// a Generic NACK (RFC 4585 §6.2.1; the caller builds rtcp::Nack from TakeRequests()).
//
// A gap in the sequence numbers makes its packets missing. A missing packet is first requested
// `reorder_grace` after the gap was seen (a packet merely overtaken arrives within it), then
// again every RTT plus `retry_margin` (sooner, the retransmission could not be back yet:
// RFC 4585 §3.2 warns against feedback that cannot help), up to `max_retries` requests. It is
// given up when older than `max_packet_age` (by then it is past its playout deadline and the
// sender's history) or when the list would exceed `max_list_size` (the oldest go first).
//
// A pure state machine: every input carries its time. The caller arms one timer at
// NextRequestTime() and calls TakeRequests() when it fires (and may call it after any packet).
class NackRequester {
 public:
  struct Config {
    int max_retries = 10;
    size_t max_list_size = 500;
    TimeDelta max_packet_age = TimeDelta::Seconds(3);
    TimeDelta reorder_grace = TimeDelta::Millis(10);
    // The retry interval until SetRtt() is called: a GEO round trip, so that the first retries
    // of a session on a satellite link are not wasted.
    TimeDelta initial_rtt = TimeDelta::Millis(600);
    // Added to the RTT between two requests for one packet: the NACK and the retransmission
    // queue behind other traffic.
    TimeDelta retry_margin = TimeDelta::Millis(20);
  };
  struct Stats {
    uint64_t requested = 0;  // Sequence numbers put in NACKs (each retry counts).
    uint64_t recovered = 0;  // Requested, then arrived.
    uint64_t given_up = 0;   // Too old, too many retries, pushed out of the list, or a restart.
    uint64_t cleared = 0;    // Forgotten by ClearUpTo(): no longer needed.
  };

  // A jump at least this large, forwards or back, is the sender restarting its sequence numbers
  // (RFC 3550 §A.1 MAX_DROPOUT), not thousands of losses. (A stale original packet this old
  // cannot get here: SRTP replay protection drops it.)
  static constexpr int64_t kMaxDropout = 3000;

  NackRequester() : NackRequester(Config{}) {}
  explicit NackRequester(Config config);

  // Every packet of the stream, in arrival order. `retransmission`: it came as a repair (RFC
  // 4588); such a packet beyond the newest one does not open a gap (the sender's own probing).
  void OnPacket(uint16_t sequence_number, Timestamp arrival, bool retransmission = false);
  // The round trip to the sender (RTCP, RFC 3550 §6.4.1). Packets already requested are due
  // again one new RTT (plus margin) after their last request.
  void SetRtt(TimeDelta rtt);
  // How long a gap waits before its first request, in place of `reorder_grace` (never less):
  // where FEC rebuilds most losses some time after them, a request sent sooner would bring a
  // retransmission of a packet already rebuilt. Applies to gaps seen from now on.
  void SetFirstRequestDelay(TimeDelta delay) { first_delay_ = delay; }
  // The missing packets due at `now`, oldest first; marks them requested. Drops (and counts)
  // those too old or out of retries.
  [[nodiscard]] std::vector<uint16_t> TakeRequests(Timestamp now);
  // Forgets missing packets before `sequence_number` (not itself), e.g. when a keyframe starting
  // there has arrived and nothing older is needed.
  void ClearUpTo(uint16_t sequence_number);
  // When TakeRequests() next has something to do; plus infinity when nothing is missing.
  Timestamp NextRequestTime() const;

  size_t missing_count() const { return missing_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  struct Missing {
    Timestamp detected;        // When the gap was seen: the age counts from here.
    Timestamp due;             // Next request, or (out of retries) when to give up.
    Timestamp last_requested;  // Minus infinity until requested.
    int requests = 0;
  };
  TimeDelta RetryInterval() const { return rtt_ + config_.retry_margin; }
  void TrimToMaxSize();

  Config config_;
  TimeDelta rtt_;
  TimeDelta first_delay_ = TimeDelta::Zero();
  SeqNumUnwrapper<uint16_t> unwrapper_;
  bool started_ = false;
  int64_t newest_ = 0;                  // Highest unwrapped sequence number seen.
  std::map<int64_t, Missing> missing_;  // By unwrapped sequence number.
  Stats stats_;
};

}  // namespace comodal

#endif  // TRANSPORT_RTP_NACK_REQUESTER_H_
