#ifndef TRANSPORT_CC_TRANSPORT_FEEDBACK_GENERATOR_H_
#define TRANSPORT_CC_TRANSPORT_FEEDBACK_GENERATOR_H_

#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "transport/rtcp/transport_feedback.h"
#include "transport/rtp/sequence_number.h"
#include "transport/units/data_rate.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// The receiver's side of transport-wide congestion control feedback
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): records the arrival time of every
// packet that carries a transport-wide sequence number and, at an interval chosen from the
// incoming rate, reports them to the sender. The interval is as short as `min_interval` (the
// sender's controller reacts sooner) but long enough that feedback stays within
// `max_overhead` of the rate it reports on, and never longer than `max_interval`.
//
// A pure state machine: every input carries its time; the caller sends what Build() returns at
// NextSendTime().
class TransportFeedbackGenerator {
 public:
  struct Config {
    TimeDelta min_interval = TimeDelta::Millis(50);
    TimeDelta max_interval = TimeDelta::Millis(250);
    double max_overhead = 0.03;
    // What one feedback datagram costs on the link, for the overhead bound: an RTCP compound
    // with a receiver report and a small feedback message, plus IP/UDP headers.
    DataSize datagram_size = DataSize::Bytes(120);
    size_t max_message_size = rtcp::TransportFeedback::kDefaultMaxSize;
  };

  TransportFeedbackGenerator(uint32_t sender_ssrc, uint32_t media_ssrc)
      : TransportFeedbackGenerator(sender_ssrc, media_ssrc, Config{}) {}
  TransportFeedbackGenerator(uint32_t sender_ssrc, uint32_t media_ssrc, Config config);

  void OnPacket(uint16_t transport_sequence_number, DataSize size, Timestamp arrival);
  // The messages that report every packet recorded since the last call (several when they do
  // not fit one), and the interval restarts. Empty when nothing arrived.
  [[nodiscard]] std::vector<rtcp::TransportFeedback> Build(Timestamp now);
  // When Build() is next due; plus infinity while nothing waits to be reported.
  Timestamp NextSendTime() const;
  // The current interval, from the incoming rate.
  TimeDelta interval() const { return interval_; }

 private:
  void UpdateInterval(Timestamp now);

  Config config_;
  rtcp::FeedbackSsrcs ssrcs_;
  SeqNumUnwrapper<uint16_t> unwrapper_;
  std::map<int64_t, Timestamp> arrivals_;  // Not reported yet; by unwrapped sequence number.
  int64_t next_to_report_ = -1;            // The first sequence number the next message covers.
  Timestamp last_arrival_ = Timestamp::MinusInfinity();
  std::optional<std::pair<int64_t, Timestamp>> last_reported_;  // Newest packet reported.
  uint8_t feedback_count_ = 0;
  Timestamp last_sent_ = Timestamp::MinusInfinity();
  TimeDelta interval_;
  // Incoming rate over the last second, for the interval.
  DataSize window_bytes_ = DataSize::Zero();
  Timestamp window_start_ = Timestamp::MinusInfinity();
  DataRate incoming_rate_ = DataRate::Zero();
};

}  // namespace comodal

#endif  // TRANSPORT_CC_TRANSPORT_FEEDBACK_GENERATOR_H_
