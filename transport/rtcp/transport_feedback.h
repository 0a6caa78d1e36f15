#ifndef TRANSPORT_RTCP_TRANSPORT_FEEDBACK_H_
#define TRANSPORT_RTCP_TRANSPORT_FEEDBACK_H_

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/feedback_header.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::rtcp {

// Transport-wide congestion control feedback, RTPFB PT=205 FMT=15
// (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1): for every transport-wide sequence
// number from `base_sequence_number()` to `base_sequence_number() + packet_status_count() - 1`,
// whether the packet arrived and, if it did, when, relative to a 24-bit reference time counted
// in 64 ms steps. Arrival times travel as deltas of 250 µs from the previous received packet
// (the first one from the reference time).
//
// Receiver side: construct with the first packet, then AddReceivedPacket() for each following
// packet in sequence order; Write() when it is time to send, or when AddReceivedPacket() returns
// false (send this one, start a new one with the refused packet).
//
// Sender side: Parse(), then ForEachPacket() / PacketResults() for what the congestion
// controller needs. Statuses and deltas are kept exactly as received, so a parsed message
// re-serialises to the same statuses and deltas (the chunk layout is always re-chosen, see
// Write()).
class TransportFeedback {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeRtpFeedback;
  static constexpr uint8_t kFormat = 15;

  // §3.1.5: receive deltas count 250 µs ticks; §3.1: the reference time counts 64 ms ticks in
  // 24 bits, so it wraps every 2^24 * 64 ms (about 12.4 days).
  static constexpr TimeDelta kDeltaTick = TimeDelta::Micros(250);
  static constexpr TimeDelta kReferenceTimeTick = TimeDelta::Millis(64);
  static constexpr uint32_t kReferenceTimeModulus = 1u << 24;
  static constexpr TimeDelta kReferenceTimeWrapPeriod =
      TimeDelta::Millis(int64_t{64} * kReferenceTimeModulus);

  // Header (4) + feedback SSRCs (8) + base sequence, status count, reference time, feedback
  // packet count (8).
  static constexpr size_t kFixedSize = RtcpCommonHeader::kSize + FeedbackSsrcs::kSize + 8;
  // A message for one packet: the fixed part, one chunk and a 2-byte delta.
  static constexpr size_t kMinMaxSize = kFixedSize + 4;
  // The RTCP length field counts at most 65536 words.
  static constexpr size_t kMaxMaxSize = size_t{65536} * 4;
  static constexpr size_t kDefaultMaxSize = 1200;
  static constexpr size_t kMaxStatusCount = 0xFFFF;

  // §3.1.1. The value 3 is reserved and refused by Parse().
  enum class PacketStatus : uint8_t {
    kNotReceived = 0,
    kReceivedSmallDelta = 1,            // Delta in [0, 255] ticks, sent in 1 byte.
    kReceivedLargeOrNegativeDelta = 2,  // Delta in [-32768, 32767] ticks, sent in 2 bytes.
  };

  // What a congestion controller needs about one transport-wide sequence number.
  struct PacketResult {
    uint16_t sequence_number = 0;
    bool received = false;
    // Arrival time minus the reference time (reference_time()), at 250 µs resolution. Zero when
    // not received.
    TimeDelta arrival_offset = TimeDelta::Zero();

    friend bool operator==(const PacketResult&, const PacketResult&) = default;
  };

  // Starts a message with its first packet: the base sequence number is `first_sequence_number`
  // and the reference time is `first_arrival` floored to a multiple of 64 ms (taken modulo the
  // 24-bit wrap). `max_size` bounds the serialised size in bytes, padding included; it is
  // clamped to [kMinMaxSize, kMaxMaxSize]. Precondition: `first_arrival` is finite (an infinite
  // one is treated as Timestamp::Zero()).
  TransportFeedback(FeedbackSsrcs ssrcs, uint8_t feedback_packet_count,
                    uint16_t first_sequence_number, Timestamp first_arrival,
                    size_t max_size = kDefaultMaxSize);

  // Adds the next received packet; sequence numbers skipped since the last added packet are
  // reported as not received. Returns false and leaves the message unchanged if
  // `sequence_number` is not newer than the last one (wrap-aware), if the delta from the last
  // reported arrival does not fit 16 bits signed of 250 µs (about ±8.19 s), if `arrival` is
  // infinite, if the status count would pass 65535, or if the message would grow past
  // max_size(). Arrival times are rounded to the nearest 250 µs without accumulating error: each
  // reported time is within 125 µs of the true one. A parsed message can be extended too; its
  // arrival times are then on a clock where the reference time is
  // Timestamp::Zero() + reference_time().
  [[nodiscard]] bool AddReceivedPacket(uint16_t sequence_number, Timestamp arrival);

  // The caller has dispatched on PT=205 and FMT=15; `header.count` is not checked. Accepts
  // padding either with the P bit (RFC 3550, as libwebrtc writes it) or as up to 3 zero bytes
  // inside the length (as GStreamer writes it and the draft draws it).
  static Result<TransportFeedback> Parse(const RtcpCommonHeader& header);

  // Serialised size in bytes, padding included. Always a multiple of 4 and at most max_size()
  // for a message built with AddReceivedPacket(). O(1) for a built message; a parsed one has its
  // chunk layout computed by each Size() and Write() (linear in the status count).
  size_t Size() const;
  // Writes exactly Size() bytes. Chunks are chosen to be as few as possible (see the .cc); the
  // message is padded to 32 bits with zero bytes inside the length and the P bit clear, so it can
  // sit anywhere in a compound packet (RFC 3550 §6.4.1 allows P only on the last packet).
  Status Write(ByteWriter& out) const;

  const FeedbackSsrcs& ssrcs() const { return ssrcs_; }
  uint32_t sender_ssrc() const { return ssrcs_.sender_ssrc; }
  uint32_t media_ssrc() const { return ssrcs_.media_ssrc; }
  uint16_t base_sequence_number() const { return base_sequence_; }
  uint16_t packet_status_count() const { return static_cast<uint16_t>(statuses_.size()); }
  uint8_t feedback_packet_count() const { return feedback_count_; }
  // The 24-bit reference time field, in 64 ms ticks, as on the wire.
  uint32_t reference_time_ticks() const { return reference_ticks_; }
  // reference_time_ticks() * 64 ms: a position in the 2^24 * 64 ms wrap period (the draft calls
  // the field signed; only differences between feedbacks mean anything, see
  // ReferenceTimeSince()).
  TimeDelta reference_time() const { return kReferenceTimeTick * int64_t{reference_ticks_}; }
  // How far this message's reference time is after `earlier`'s, wrap-aware: the difference
  // modulo the wrap period, in [-period/2, period/2).
  TimeDelta ReferenceTimeSince(const TransportFeedback& earlier) const;
  // The same for two reference_time_ticks() values (a sender keeps the last one, not the whole
  // message).
  static TimeDelta ReferenceTimeBetween(uint32_t later_ticks, uint32_t earlier_ticks);
  size_t max_size() const { return max_size_; }

  // One status per reported sequence number, base first.
  std::span<const PacketStatus> statuses() const { return statuses_; }
  // One receive delta per received packet, in 250 µs ticks, as on the wire.
  std::span<const int16_t> receive_deltas() const { return deltas_; }
  size_t received_count() const { return deltas_.size(); }

  // Calls `visit(const PacketResult&)` for every reported sequence number, base first.
  template <typename Visitor>
  void ForEachPacket(Visitor&& visit) const {
    PacketResult result;
    int64_t offset_ticks = 0;
    size_t delta_index = 0;
    for (size_t i = 0; i < statuses_.size(); ++i) {
      result.sequence_number = static_cast<uint16_t>(base_sequence_ + i);
      result.received = statuses_[i] != PacketStatus::kNotReceived;
      if (result.received) {
        offset_ticks += deltas_[delta_index++];
        result.arrival_offset = kDeltaTick * offset_ticks;
      } else {
        result.arrival_offset = TimeDelta::Zero();
      }
      visit(static_cast<const PacketResult&>(result));
    }
  }
  std::vector<PacketResult> PacketResults() const;

  // Equal when they carry the same feedback (SSRCs, base sequence number, reference time,
  // feedback packet count, statuses and deltas); max_size() and the chunk layout do not count.
  friend bool operator==(const TransportFeedback& a, const TransportFeedback& b);

 private:
  // The fewest chunks for a list of statuses, kept up to date as statuses are appended, O(1)
  // each (see the .cc). A builder keeps one in step with its statuses; Parse() does not compute
  // it, since a received message is rarely written again.
  class ChunkLayout {
   public:
    ChunkLayout() { steps_.push_back({0, 0}); }
    // The layout of `statuses` from scratch.
    static ChunkLayout For(std::span<const PacketStatus> statuses);

    // How many statuses the layout covers.
    size_t covered() const { return steps_.empty() ? 0 : steps_.size() - 1; }
    void Append(PacketStatus status);
    // `count` times Append(status), in O(1) per status but with long runs filled in bulk.
    void AppendRun(PacketStatus status, size_t count);
    // Settles the last chunk once a batch of statuses has been appended.
    void Finish();
    // Fewest chunks for all covered statuses (valid after Finish()).
    size_t chunks() const { return state_.final_chunks; }
    // Calls `emit(begin, end, last)` for each chunk's status range, last chunk first.
    template <typename Emit>
    void ForEachChunkBackwards(Emit&& emit) const;

    struct State {
      size_t run_start = 0;   // First status of the run of equal statuses the last one ends.
      size_t binary_run = 0;  // Statuses at the end without a large or negative delta.
      PacketStatus last = PacketStatus::kNotReceived;
      uint32_t run_best = 0;       // Fewest chunks before a run chunk of the current run ...
      uint32_t run_best_from = 0;  // ... and where it starts (first 14 positions of the run).
      uint32_t final_chunks = 0;   // Fewest chunks for everything, last chunk possibly partial,
      uint32_t final_from = 0;     // and where that last chunk starts.
    };
    State state() const { return state_; }
    // Back to an earlier state(), forgetting the statuses appended since.
    void Restore(const State& state, size_t covered);

   private:
    // steps_[i]: the fewest chunks covering exactly the first i statuses (every chunk used in
    // full), and where the last of them starts.
    struct Step {
      uint16_t chunks;
      uint16_t from;
    };
    std::vector<Step> steps_;
    State state_;
  };

  TransportFeedback(FeedbackSsrcs ssrcs, uint8_t feedback_packet_count, uint16_t base_sequence,
                    uint32_t reference_ticks, Timestamp reference, size_t max_size);

  void AppendReceived(PacketStatus status, int16_t delta);
  size_t ChunkCount() const;
  size_t UnpaddedSize(size_t chunks) const;

  FeedbackSsrcs ssrcs_;
  uint16_t base_sequence_;
  uint32_t reference_ticks_;  // 24 bits.
  uint8_t feedback_count_;
  size_t max_size_;
  std::vector<PacketStatus> statuses_;
  std::vector<int16_t> deltas_;
  size_t delta_bytes_ = 0;

  // Builder clock: the reported arrival time of the last received packet (reference time plus
  // the sum of the deltas), so rounding to 250 µs never accumulates.
  Timestamp last_reported_arrival_;

  // In step with statuses_ for a built message; empty (covering nothing) for a parsed one.
  ChunkLayout layout_;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_TRANSPORT_FEEDBACK_H_
