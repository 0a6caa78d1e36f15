#include "transport/rtcp/transport_feedback.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "transport/rtp/sequence_number.h"

namespace comodal::rtcp {
namespace {

// Packet status chunks (draft §3.1.2-3.1.4), 16 bits each:
//   run length chunk:     0 | S(2) | run length(13)
//   status vector chunk:  1 | 0 | 14 one-bit symbols   (0 = not received, 1 = small delta)
//                         1 | 1 | 7 two-bit symbols
constexpr size_t kChunkSize = 2;
constexpr size_t kMaxRunLength = 0x1FFF;
constexpr size_t kOneBitCapacity = 14;
constexpr size_t kTwoBitCapacity = 7;
constexpr uint8_t kReservedSymbol = 3;

using PacketStatus = TransportFeedback::PacketStatus;

constexpr bool IsOneBit(PacketStatus status) {
  return status != PacketStatus::kReceivedLargeOrNegativeDelta;
}

constexpr int64_t FloorDiv(int64_t a, int64_t b) {  // b > 0
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// Encodes `statuses` as one chunk. A chunk that is not the last must consume exactly
// its statuses: identical statuses make a run (any length up to 8191), otherwise the range is 14
// one-bit or 7 two-bit symbols. The last chunk may leave vector slots unused (written as zeros:
// the decoder stops at the packet status count).
uint16_t EncodeChunk(std::span<const PacketStatus> statuses, bool last) {
  const size_t length = statuses.size();
  const bool identical = std::all_of(statuses.begin(), statuses.end(),
                                     [&](PacketStatus s) { return s == statuses[0]; });
  if (identical && length <= kMaxRunLength) {
    return static_cast<uint16_t>((static_cast<unsigned>(statuses[0]) << 13) | length);
  }
  const bool one_bit = std::all_of(statuses.begin(), statuses.end(), IsOneBit);
  if (one_bit && (last ? length <= kOneBitCapacity : length == kOneBitCapacity)) {
    unsigned chunk = 0x8000;
    for (size_t i = 0; i < length; ++i) {
      chunk |= static_cast<unsigned>(statuses[i]) << (13 - i);
    }
    return static_cast<uint16_t>(chunk);
  }
  // The layout only ever asks for a two-bit vector of exactly 7 statuses (at most 7 if last).
  unsigned chunk = 0xC000;
  for (size_t i = 0; i < length && i < kTwoBitCapacity; ++i) {
    chunk |= static_cast<unsigned>(statuses[i]) << (12 - 2 * i);
  }
  return static_cast<uint16_t>(chunk);
}

size_t DeltaBytes(PacketStatus status) {
  switch (status) {
    case PacketStatus::kNotReceived:
      return 0;
    case PacketStatus::kReceivedSmallDelta:
      return 1;
    case PacketStatus::kReceivedLargeOrNegativeDelta:
      return 2;
  }
  return 0;
}

}  // namespace

// Chunk layout: an exact dynamic programme, not a greedy.
//
// steps_[i].chunks is the fewest chunks that cover exactly the first i statuses (every chunk
// consumed in full); the whole list may end with one partially used vector (Finish()). Adding
// status i-1 considers, as the last chunk ending at i:
//   - a two-bit vector of the last 7 statuses: steps_[i-7] + 1;
//   - a one-bit vector of the last 14, if none of them is a large/negative delta: steps_[i-14] + 1;
//   - a run of the last i-j statuses, if they are identical and at most 8191: steps_[j] + 1.
// For runs only a few starts j need trying. Take any optimal layout and a maximal run R of equal
// statuses: the chunks lying wholly inside R can be replaced by as many runs (or fewer), and
// those runs ordered so that all but the first are 8191 long. The first then starts either where
// R starts or just after the vector that crosses into R from the left, i.e. at most 13 statuses
// into R. So j ranges over the first 14 positions of R (their minimum is kept as R grows) plus
// i - 8191, and each status costs O(1).
//
// Why not the greedy that libwebrtc and GStreamer use (keep filling the current chunk, emit it
// when the next status does not fit): a local choice can cost a chunk later. For example, 8 small
// deltas, 4 not received, then large, small, not received: the greedy grows a one-bit vector
// with the first 12, has to cut it to a two-bit vector of 7 when the large delta comes, and ends
// with 3 chunks; a run of 8 and one two-bit vector of 7 make 2. The programme costs a few
// comparisons per status and never produces more chunks than any greedy.
void TransportFeedback::ChunkLayout::Append(PacketStatus status) {
  if (steps_.empty()) steps_.push_back({0, 0});  // Moved from.
  const size_t i = steps_.size();                // Prefix length once `status` is added.
  State& st = state_;
  if (i == 1 || status != st.last) {
    st.run_start = i - 1;
    st.run_best = steps_[i - 1].chunks;
    st.run_best_from = static_cast<uint32_t>(i - 1);
  } else if (i - 1 <= st.run_start + kOneBitCapacity - 1 && steps_[i - 1].chunks < st.run_best) {
    st.run_best = steps_[i - 1].chunks;
    st.run_best_from = static_cast<uint32_t>(i - 1);
  }
  st.last = status;
  st.binary_run = IsOneBit(status) ? st.binary_run + 1 : 0;

  uint32_t best = std::numeric_limits<uint32_t>::max();
  size_t from = 0;
  auto consider = [&](size_t j) {
    const uint32_t chunks = uint32_t{steps_[j].chunks} + 1;
    if (chunks < best) {
      best = chunks;
      from = j;
    }
  };
  if (i > kMaxRunLength && i - kMaxRunLength > st.run_start) {
    // The run is longer than one chunk: only starts within 8191 of i, among the first 14 of the
    // run or exactly 8191 back.
    const size_t lowest = i - kMaxRunLength;
    const size_t highest = std::max(lowest, std::min(st.run_start + kOneBitCapacity - 1, i - 1));
    for (size_t j = lowest; j <= highest; ++j) consider(j);
  } else {
    best = st.run_best + 1;
    from = st.run_best_from;
  }
  if (i >= kTwoBitCapacity) consider(i - kTwoBitCapacity);
  if (st.binary_run >= kOneBitCapacity) consider(i - kOneBitCapacity);
  steps_.push_back({static_cast<uint16_t>(best), static_cast<uint16_t>(from)});
}

// Past its first 14 statuses a run adds no choice: a chunk ending there lies wholly inside the
// run, and steps_ does not decrease along it (shorten the last chunk). So up to 8191 into the run
// the best is the run chunk from the best of the first 14 positions, and past 8191 + 14 it is the
// run chunk of exactly 8191. Append() computes the same, one status at a time.
void TransportFeedback::ChunkLayout::AppendRun(PacketStatus status, size_t count) {
  if (steps_.empty()) steps_.push_back({0, 0});  // Moved from.
  State& st = state_;
  while (count > 0) {
    const size_t i = steps_.size();
    const bool inside = i > 1 && status == st.last && i > st.run_start + kOneBitCapacity;
    if (inside && i <= st.run_start + kMaxRunLength) {
      const size_t fill = std::min(count, st.run_start + kMaxRunLength - i + 1);
      steps_.insert(
          steps_.end(), fill,
          {static_cast<uint16_t>(st.run_best + 1), static_cast<uint16_t>(st.run_best_from)});
      if (IsOneBit(status)) st.binary_run += fill;
      count -= fill;
    } else if (inside && i >= st.run_start + kMaxRunLength + kOneBitCapacity) {
      for (; count > 0; --count) {
        const size_t j = steps_.size() - kMaxRunLength;
        steps_.push_back({static_cast<uint16_t>(steps_[j].chunks + 1), static_cast<uint16_t>(j)});
        if (IsOneBit(status)) ++st.binary_run;
      }
    } else {
      Append(status);
      --count;
    }
  }
}

// The last chunk may be a vector with unused slots: a two-bit vector of the last 1-6 statuses,
// or a one-bit vector of the last 7-13 (shorter one-bit tails are as cheap as two-bit ones).
void TransportFeedback::ChunkLayout::Finish() {
  const size_t n = covered();
  if (n == 0) {
    state_.final_chunks = 0;
    state_.final_from = 0;
    return;
  }
  state_.final_chunks = steps_[n].chunks;
  state_.final_from = steps_[n].from;
  auto consider = [&](size_t length) {
    const uint32_t chunks = uint32_t{steps_[n - length].chunks} + 1;
    if (chunks < state_.final_chunks) {
      state_.final_chunks = chunks;
      state_.final_from = static_cast<uint32_t>(n - length);
    }
  };
  for (size_t length = 1; length < kTwoBitCapacity && length <= n; ++length) consider(length);
  for (size_t length = kTwoBitCapacity; length < kOneBitCapacity && length <= state_.binary_run;
       ++length) {
    consider(length);
  }
}

TransportFeedback::ChunkLayout TransportFeedback::ChunkLayout::For(
    std::span<const PacketStatus> statuses) {
  ChunkLayout layout;
  layout.steps_.reserve(statuses.size() + 1);
  for (size_t begin = 0; begin < statuses.size();) {
    size_t end = begin + 1;
    while (end < statuses.size() && statuses[end] == statuses[begin]) ++end;
    layout.AppendRun(statuses[begin], end - begin);
    begin = end;
  }
  layout.Finish();
  return layout;
}

void TransportFeedback::ChunkLayout::Restore(const State& state, size_t covered) {
  state_ = state;
  steps_.resize(covered + 1);
}

template <typename Emit>
void TransportFeedback::ChunkLayout::ForEachChunkBackwards(Emit&& emit) const {
  size_t end = covered();
  size_t begin = state_.final_from;
  for (size_t k = state_.final_chunks; k > 0; --k) {
    emit(begin, end, k == state_.final_chunks);
    end = begin;
    begin = steps_[begin].from;
  }
}

TransportFeedback::TransportFeedback(FeedbackSsrcs ssrcs, uint8_t feedback_packet_count,
                                     uint16_t base_sequence, uint32_t reference_ticks,
                                     Timestamp reference, size_t max_size)
    : ssrcs_(ssrcs),
      base_sequence_(base_sequence),
      reference_ticks_(reference_ticks),
      feedback_count_(feedback_packet_count),
      max_size_(std::clamp(max_size, kMinMaxSize, kMaxMaxSize)),
      last_reported_arrival_(reference) {}

TransportFeedback::TransportFeedback(FeedbackSsrcs ssrcs, uint8_t feedback_packet_count,
                                     uint16_t first_sequence_number, Timestamp first_arrival,
                                     size_t max_size)
    : TransportFeedback(ssrcs, feedback_packet_count, first_sequence_number, 0, Timestamp::Zero(),
                        max_size) {
  if (!first_arrival.IsFinite()) first_arrival = Timestamp::Zero();
  const int64_t tick_us = kReferenceTimeTick.us();
  const int64_t reference_ticks = FloorDiv(first_arrival.us(), tick_us);
  const int64_t modulus = kReferenceTimeModulus;
  reference_ticks_ = static_cast<uint32_t>(((reference_ticks % modulus) + modulus) % modulus);
  last_reported_arrival_ = Timestamp::Micros(reference_ticks * tick_us);
  // The first delta is in [0, 256] ticks: always representable, and 24 bytes fit any max_size.
  const int64_t ticks = FloorDiv(
      (first_arrival - last_reported_arrival_).us() + kDeltaTick.us() / 2, kDeltaTick.us());
  AppendReceived(ticks <= 0xFF ? PacketStatus::kReceivedSmallDelta
                               : PacketStatus::kReceivedLargeOrNegativeDelta,
                 static_cast<int16_t>(ticks));
  layout_.Finish();
  last_reported_arrival_ += kDeltaTick * ticks;
}

void TransportFeedback::AppendReceived(PacketStatus status, int16_t delta) {
  statuses_.push_back(status);
  layout_.Append(status);
  deltas_.push_back(delta);
  delta_bytes_ += DeltaBytes(status);
}

bool TransportFeedback::AddReceivedPacket(uint16_t sequence_number, Timestamp arrival) {
  if (statuses_.empty() || !arrival.IsFinite()) return false;
  const uint16_t last_sequence = static_cast<uint16_t>(base_sequence_ + statuses_.size() - 1);
  if (!IsNewerSequenceNumber(sequence_number, last_sequence)) return false;
  const size_t missing = static_cast<uint16_t>(sequence_number - last_sequence) - 1u;
  if (statuses_.size() + missing + 1 > kMaxStatusCount) return false;

  // Delta from the last reported arrival, rounded to the nearest tick (§3.1.5: 16 bits signed).
  const TimeDelta since_last = arrival - last_reported_arrival_;
  constexpr int64_t kLimitUs = int64_t{1} << 40;  // Far beyond 16 bits of ticks; no overflow.
  if (!since_last.IsFinite() || since_last.us() > kLimitUs || since_last.us() < -kLimitUs) {
    return false;
  }
  const int64_t ticks = FloorDiv(since_last.us() + kDeltaTick.us() / 2, kDeltaTick.us());
  if (ticks < std::numeric_limits<int16_t>::min() || ticks > std::numeric_limits<int16_t>::max()) {
    return false;
  }
  const PacketStatus status = (ticks >= 0 && ticks <= 0xFF)
                                  ? PacketStatus::kReceivedSmallDelta
                                  : PacketStatus::kReceivedLargeOrNegativeDelta;

  // A parsed message has no layout yet.
  if (layout_.covered() != statuses_.size()) layout_ = ChunkLayout::For(statuses_);
  const size_t status_count = statuses_.size();
  const size_t delta_bytes = delta_bytes_;
  const ChunkLayout::State layout_state = layout_.state();
  statuses_.insert(statuses_.end(), missing, PacketStatus::kNotReceived);
  layout_.AppendRun(PacketStatus::kNotReceived, missing);
  AppendReceived(status, static_cast<int16_t>(ticks));
  layout_.Finish();
  if (Size() > max_size_) {
    statuses_.resize(status_count);
    deltas_.pop_back();
    delta_bytes_ = delta_bytes;
    layout_.Restore(layout_state, status_count);
    return false;
  }
  last_reported_arrival_ += kDeltaTick * ticks;
  return true;
}

Result<TransportFeedback> TransportFeedback::Parse(const RtcpCommonHeader& header) {
  std::span<const uint8_t> fci;
  Result<FeedbackSsrcs> ssrcs = FeedbackSsrcs::Parse(header, fci);
  if (!ssrcs.ok()) return ssrcs.error();
  if (fci.size() < 8) {
    return Error{ErrorCode::kTruncated, "transport feedback shorter than its fixed fields"};
  }
  const uint16_t base_sequence = LoadBE16(&fci[0]);
  const size_t status_count = LoadBE16(&fci[2]);
  const uint32_t reference_ticks = LoadBE24(&fci[4]);
  const uint8_t feedback_count = fci[7];
  if (status_count == 0) {
    return Error{ErrorCode::kMalformed, "transport feedback reports no packet"};
  }
  TransportFeedback feedback(*ssrcs, feedback_count, base_sequence, reference_ticks,
                             Timestamp::Zero() + kReferenceTimeTick * int64_t{reference_ticks},
                             kMaxMaxSize);

  // Packet status chunks, until they describe `status_count` packets. Each chunk read consumes
  // two bytes of a bounded payload, so the loop ends; statuses never exceed `status_count`.
  size_t pos = 8;
  feedback.statuses_.reserve(status_count);
  feedback.deltas_.reserve(status_count);
  while (feedback.statuses_.size() < status_count) {
    if (fci.size() - pos < kChunkSize) {
      return Error{ErrorCode::kTruncated,
                   "transport feedback chunks end before the packet status count"};
    }
    const uint16_t chunk = LoadBE16(&fci[pos]);
    pos += kChunkSize;
    const size_t remaining = status_count - feedback.statuses_.size();
    if ((chunk & 0x8000) == 0) {  // Run length chunk, §3.1.3.
      const uint8_t symbol = (chunk >> 13) & 0x3;
      const size_t run = chunk & kMaxRunLength;
      if (symbol == kReservedSymbol) {
        return Error{ErrorCode::kMalformed, "transport feedback uses reserved status 11"};
      }
      // No sender writes an empty run or one past the status count (libwebrtc, GStreamer and
      // pion all write exact runs); such a chunk means the message is not what it claims.
      if (run == 0 || run > remaining) {
        return Error{ErrorCode::kMalformed,
                     "transport feedback run length is zero or passes the status count"};
      }
      feedback.statuses_.insert(feedback.statuses_.end(), run, static_cast<PacketStatus>(symbol));
    } else if ((chunk & 0x4000) == 0) {  // One-bit status vector, §3.1.4.
      // Slots after the status count are unused padding, whatever their value.
      const size_t count = std::min(kOneBitCapacity, remaining);
      for (size_t k = 0; k < count; ++k) {
        feedback.statuses_.push_back(static_cast<PacketStatus>((chunk >> (13 - k)) & 0x1));
      }
    } else {  // Two-bit status vector, §3.1.4.
      const size_t count = std::min(kTwoBitCapacity, remaining);
      for (size_t k = 0; k < count; ++k) {
        const uint8_t symbol = (chunk >> (12 - 2 * k)) & 0x3;
        if (symbol == kReservedSymbol) {
          return Error{ErrorCode::kMalformed, "transport feedback uses reserved status 11"};
        }
        feedback.statuses_.push_back(static_cast<PacketStatus>(symbol));
      }
    }
  }

  // Receive deltas, §3.1.5: one per received packet, 1 byte unsigned or 2 bytes signed.
  int64_t offset_ticks = 0;
  for (PacketStatus status : feedback.statuses_) {
    const size_t bytes = DeltaBytes(status);
    if (bytes == 0) continue;
    if (fci.size() - pos < bytes) {
      return Error{ErrorCode::kTruncated, "transport feedback receive deltas are missing"};
    }
    const int16_t delta =
        bytes == 1 ? int16_t{fci[pos]} : static_cast<int16_t>(LoadBE16(&fci[pos]));
    pos += bytes;
    feedback.deltas_.push_back(delta);
    feedback.delta_bytes_ += bytes;
    offset_ticks += delta;
  }
  feedback.last_reported_arrival_ += kDeltaTick * offset_ticks;

  // What may follow: zero padding to 32 bits inside the length (GStreamer, the draft's figure).
  // P-bit padding (libwebrtc, pion) was already removed with the common header.
  const std::span<const uint8_t> rest = fci.subspan(pos);
  if (rest.size() > 3) {
    return Error{ErrorCode::kBadLength, "transport feedback has bytes after its receive deltas"};
  }
  if (std::any_of(rest.begin(), rest.end(), [](uint8_t b) { return b != 0; })) {
    return Error{ErrorCode::kBadPadding, "transport feedback padding is not zero"};
  }
  return feedback;
}

size_t TransportFeedback::ChunkCount() const {
  if (statuses_.empty()) return 0;
  return layout_.covered() == statuses_.size() ? layout_.chunks()
                                               : ChunkLayout::For(statuses_).chunks();
}

size_t TransportFeedback::UnpaddedSize(size_t chunks) const {
  return kFixedSize + kChunkSize * chunks + delta_bytes_;
}

size_t TransportFeedback::Size() const { return (UnpaddedSize(ChunkCount()) + 3) & ~size_t{3}; }

Status TransportFeedback::Write(ByteWriter& out) const {
  if (statuses_.empty()) {
    return Error{ErrorCode::kInvalidArgument, "transport feedback needs at least one packet"};
  }
  std::optional<ChunkLayout> computed;
  const ChunkLayout* layout = &layout_;
  if (layout_.covered() != statuses_.size())
    layout = &computed.emplace(ChunkLayout::For(statuses_));
  const size_t unpadded = UnpaddedSize(layout->chunks());
  const size_t size = (unpadded + 3) & ~size_t{3};
  WriteRtcpCommonHeader(out, kFormat, kPacketType, size - RtcpCommonHeader::kSize);
  ssrcs_.Write(out);
  out.U16(base_sequence_);
  out.U16(packet_status_count());
  out.U24(reference_ticks_);
  out.U8(feedback_count_);

  // The layout knows each chunk's start from its end: fill the chunk area from the back.
  const std::span<uint8_t> chunks = out.Reserve(kChunkSize * layout->chunks());
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the transport feedback"};
  const std::span<const PacketStatus> statuses(statuses_);
  size_t index = layout->chunks();
  layout->ForEachChunkBackwards([&](size_t begin, size_t end, bool last) {
    --index;
    StoreBE16(&chunks[index * kChunkSize], EncodeChunk(statuses.subspan(begin, end - begin), last));
  });

  size_t delta_index = 0;
  for (PacketStatus status : statuses_) {
    if (status == PacketStatus::kReceivedSmallDelta) {
      out.U8(static_cast<uint8_t>(deltas_[delta_index++]));
    } else if (status == PacketStatus::kReceivedLargeOrNegativeDelta) {
      out.U16(static_cast<uint16_t>(deltas_[delta_index++]));
    }
  }
  out.Zeros(size - unpadded);
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the transport feedback"};
  return Status::Ok();
}

TimeDelta TransportFeedback::ReferenceTimeSince(const TransportFeedback& earlier) const {
  return ReferenceTimeBetween(reference_ticks_, earlier.reference_ticks_);
}

TimeDelta TransportFeedback::ReferenceTimeBetween(uint32_t later_ticks, uint32_t earlier_ticks) {
  const uint32_t forward = (later_ticks - earlier_ticks) % kReferenceTimeModulus;
  const int64_t ticks = forward >= kReferenceTimeModulus / 2
                            ? int64_t{forward} - int64_t{kReferenceTimeModulus}
                            : int64_t{forward};
  return kReferenceTimeTick * ticks;
}

std::vector<TransportFeedback::PacketResult> TransportFeedback::PacketResults() const {
  std::vector<PacketResult> results;
  results.reserve(statuses_.size());
  ForEachPacket([&](const PacketResult& result) { results.push_back(result); });
  return results;
}

bool operator==(const TransportFeedback& a, const TransportFeedback& b) {
  return a.ssrcs_.sender_ssrc == b.ssrcs_.sender_ssrc &&
         a.ssrcs_.media_ssrc == b.ssrcs_.media_ssrc && a.base_sequence_ == b.base_sequence_ &&
         a.reference_ticks_ == b.reference_ticks_ && a.feedback_count_ == b.feedback_count_ &&
         a.statuses_ == b.statuses_ && a.deltas_ == b.deltas_;
}

}  // namespace comodal::rtcp
