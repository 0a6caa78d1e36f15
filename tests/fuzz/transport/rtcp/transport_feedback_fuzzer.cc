// comodal-fuzz-runs: 10000
// Fuzzes transport/rtcp/transport_feedback.h two ways with each input:
//  1. as an RTCP packet: header, then TransportFeedback::Parse; every accessor is read and checked
//     against the others, the message is re-serialised (must succeed, be no larger than the input
//     packet, reparse equal and re-serialise to the same bytes);
//  2. as a script for the builder: a first packet, then (sequence step, arrival step) pairs fed to
//     AddReceivedPacket; what it accepts must parse back to the same packets and arrival times.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/feedback_header.h"
#include "transport/rtcp/transport_feedback.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::rtcp {
namespace {

using PacketStatus = TransportFeedback::PacketStatus;

void Require(bool condition) {
  if (!condition) __builtin_trap();
}

std::vector<uint8_t> Serialize(const TransportFeedback& feedback) {
  std::vector<uint8_t> out(feedback.Size());
  Result<size_t> written = SerializeRtcp(feedback, out);
  Require(written.ok() && *written == out.size());
  Require(out.size() % 4 == 0);
  return out;
}

Result<TransportFeedback> Reparse(std::span<const uint8_t> bytes) {
  Result<RtcpCommonHeader> header = RtcpCommonHeader::Parse(bytes);
  Require(header.ok());
  Require(header->packet_type == TransportFeedback::kPacketType);
  Require(header->count == TransportFeedback::kFormat);
  Require(!header->has_padding && header->packet_size == bytes.size());
  return TransportFeedback::Parse(*header);
}

// Every accessor, checked for consistency, then a serialisation round trip.
void CheckParsed(const TransportFeedback& feedback, size_t input_packet_size) {
  const size_t count = feedback.packet_status_count();
  Require(count > 0 && feedback.statuses().size() == count);
  size_t received = 0;
  for (PacketStatus status : feedback.statuses()) {
    Require(status == PacketStatus::kNotReceived || status == PacketStatus::kReceivedSmallDelta ||
            status == PacketStatus::kReceivedLargeOrNegativeDelta);
    if (status != PacketStatus::kNotReceived) ++received;
  }
  Require(feedback.received_count() == received && feedback.receive_deltas().size() == received);
  Require(feedback.reference_time_ticks() < TransportFeedback::kReferenceTimeModulus);
  Require(feedback.reference_time() ==
          TransportFeedback::kReferenceTimeTick * int64_t{feedback.reference_time_ticks()});
  Require(feedback.ReferenceTimeSince(feedback).IsZero());
  Require(feedback.sender_ssrc() == feedback.ssrcs().sender_ssrc);
  Require(feedback.media_ssrc() == feedback.ssrcs().media_ssrc);
  (void)feedback.feedback_packet_count();
  (void)feedback.max_size();

  const std::vector<TransportFeedback::PacketResult> results = feedback.PacketResults();
  Require(results.size() == count);
  int64_t offset_ticks = 0;
  size_t delta_index = 0;
  for (size_t i = 0; i < count; ++i) {
    Require(results[i].sequence_number ==
            static_cast<uint16_t>(feedback.base_sequence_number() + i));
    Require(results[i].received == (feedback.statuses()[i] != PacketStatus::kNotReceived));
    if (results[i].received) {
      const int16_t delta = feedback.receive_deltas()[delta_index++];
      if (feedback.statuses()[i] == PacketStatus::kReceivedSmallDelta) {
        Require(delta >= 0 && delta <= 0xFF);
      }
      offset_ticks += delta;
      Require(results[i].arrival_offset == TransportFeedback::kDeltaTick * offset_ticks);
    } else {
      Require(results[i].arrival_offset.IsZero());
    }
  }

  // Chunks are re-chosen as few as possible and padding is at most 3 bytes, so the message never
  // grows.
  const std::vector<uint8_t> bytes = Serialize(feedback);
  Require(bytes.size() == feedback.Size() && bytes.size() <= input_packet_size);
  Result<TransportFeedback> again = Reparse(bytes);
  Require(again.ok());
  Require(*again == feedback);
  Require(Serialize(*again) == bytes);
}

// Reads the builder script; past the end of the input it yields zeros.
class Script {
 public:
  explicit Script(std::span<const uint8_t> data) : data_(data) {}
  bool done() const { return pos_ >= data_.size(); }
  uint8_t U8() { return pos_ < data_.size() ? data_[pos_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>((U8() << 8) | U8()); }
  uint32_t U32() { return (uint32_t{U16()} << 16) | U16(); }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

struct Sent {
  uint16_t sequence_number;
  Timestamp arrival;
};

// The message built from `accepted` must report exactly those packets received, each within
// 125 µs of its arrival, and every sequence number between them not received.
void CheckBuilt(const TransportFeedback& built, const std::vector<Sent>& accepted) {
  Require(built.Size() <= built.max_size());
  const std::vector<uint8_t> bytes = Serialize(built);
  Result<TransportFeedback> parsed = Reparse(bytes);
  Require(parsed.ok());
  Require(*parsed == built);
  Require(parsed->base_sequence_number() == accepted.front().sequence_number);
  Require(parsed->received_count() == accepted.size());
  Require(parsed->packet_status_count() ==
          static_cast<uint16_t>(accepted.back().sequence_number - accepted.front().sequence_number +
                                1));
  // The builder's reference: the first arrival floored to 64 ms.
  const int64_t tick = TransportFeedback::kReferenceTimeTick.us();
  const int64_t first_us = accepted.front().arrival.us();
  const Timestamp reference = Timestamp::Micros(
      (first_us >= 0 ? first_us / tick : -((-first_us + tick - 1) / tick)) * tick);
  size_t next = 0;
  parsed->ForEachPacket([&](const TransportFeedback::PacketResult& result) {
    const bool expected =
        next < accepted.size() && accepted[next].sequence_number == result.sequence_number;
    Require(result.received == expected);
    if (expected) {
      const TimeDelta error = reference + result.arrival_offset - accepted[next].arrival;
      Require(error.Abs() <= TimeDelta::Micros(125));
      ++next;
    }
  });
  Require(next == accepted.size());
}

void FuzzBuilder(std::span<const uint8_t> data) {
  Script script(data);
  const size_t max_size = script.U16();
  uint16_t sequence = script.U16();
  // Milliseconds, signed: reaches past the 24-bit reference time wrap (~12.4 days) both ways.
  Timestamp arrival =
      Timestamp::Millis(static_cast<int32_t>(script.U32())) + TimeDelta::Micros(script.U8());
  const FeedbackSsrcs ssrcs{.sender_ssrc = 1, .media_ssrc = 2};
  TransportFeedback feedback(ssrcs, 0, sequence, arrival, max_size);
  std::vector<Sent> accepted = {{sequence, arrival}};
  uint8_t feedback_count = 0;
  while (!script.done()) {
    const uint8_t step = script.U8();
    const int16_t move = static_cast<int16_t>(script.U16());
    // Mostly the next few sequence numbers; sometimes a loss run of 16 to 1024, or of 8200
    // (past one run chunk), or a step back (refused). Longer runs and status counts near 65535
    // are left to the unit tests and the parse side: here they would make every input slow.
    const int jump = step < 240   ? 1 + (step & 3)
                     : step < 247 ? 1 << (step - 236)
                     : step < 248 ? 8200
                                  : 0x8000 + (step - 248) * 4096;
    const uint16_t next = static_cast<uint16_t>(sequence + jump);
    // Arrival steps from microseconds to about a minute, either way.
    const Timestamp next_arrival = arrival + TimeDelta::Micros(int64_t{move} * (16 << (step >> 5)));
    const size_t size_before = feedback.Size();
    const size_t count_before = feedback.packet_status_count();
    const size_t received_before = feedback.received_count();
    if (feedback.AddReceivedPacket(next, next_arrival)) {
      accepted.push_back({next, next_arrival});
      sequence = next;
      arrival = next_arrival;
      Require(feedback.Size() <= feedback.max_size());
      continue;
    }
    // Refused: nothing changed. Send what there is, start the next message with this packet
    // (as a receiver would), unless it is older than what was already reported.
    Require(feedback.Size() == size_before && feedback.packet_status_count() == count_before &&
            feedback.received_count() == received_before);
    CheckBuilt(feedback, accepted);
    sequence = next;
    arrival = next_arrival;
    feedback = TransportFeedback(ssrcs, ++feedback_count, sequence, arrival, max_size);
    accepted = {{sequence, arrival}};
  }
  CheckBuilt(feedback, accepted);
}

void FuzzOne(std::span<const uint8_t> input) {
  Result<RtcpCommonHeader> header = RtcpCommonHeader::Parse(input);
  if (header.ok()) {
    Result<TransportFeedback> feedback = TransportFeedback::Parse(*header);
    if (feedback.ok()) CheckParsed(*feedback, header->packet_size);
  }
  FuzzBuilder(input);
}

}  // namespace
}  // namespace comodal::rtcp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  comodal::rtcp::FuzzOne(std::span<const uint8_t>(data, size));
  return 0;
}
