#include "transport/rtcp/transport_feedback.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "transport/rtcp/common_header.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::rtcp {
namespace {

using ::testing::ElementsAreArray;
using PacketStatus = TransportFeedback::PacketStatus;
using PacketResult = TransportFeedback::PacketResult;

constexpr PacketStatus kLost = PacketStatus::kNotReceived;
constexpr PacketStatus kSmall = PacketStatus::kReceivedSmallDelta;
constexpr PacketStatus kLarge = PacketStatus::kReceivedLargeOrNegativeDelta;
constexpr FeedbackSsrcs kSsrcs{.sender_ssrc = 0x11223344, .media_ssrc = 0x55667788};

std::vector<uint8_t> Serialize(const TransportFeedback& feedback) {
  std::vector<uint8_t> out(feedback.Size());
  Result<size_t> written = SerializeRtcp(feedback, out);
  EXPECT_TRUE(written.ok()) << written.error().ToString();
  if (written.ok()) EXPECT_EQ(*written, out.size());
  return out;
}

Result<TransportFeedback> ParseBytes(std::span<const uint8_t> bytes) {
  Result<RtcpCommonHeader> header = RtcpCommonHeader::Parse(bytes);
  if (!header.ok()) return header.error();
  EXPECT_EQ(header->packet_type, 205);
  EXPECT_EQ(header->count, 15);
  return TransportFeedback::Parse(*header);
}

// A TWCC message from its fields, chunks and delta bytes as given, zero padded to 32 bits.
std::vector<uint8_t> Assemble(uint16_t base, uint16_t count, uint32_t reference, uint8_t fb_count,
                              const std::vector<uint16_t>& chunks,
                              const std::vector<uint8_t>& deltas) {
  std::vector<uint8_t> out = {0x8F, 0xCD, 0,    0,  // V=2 P=0 FMT=15 | PT=205 | length (below)
                              0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88};
  out.push_back(static_cast<uint8_t>(base >> 8));
  out.push_back(static_cast<uint8_t>(base));
  out.push_back(static_cast<uint8_t>(count >> 8));
  out.push_back(static_cast<uint8_t>(count));
  out.push_back(static_cast<uint8_t>(reference >> 16));
  out.push_back(static_cast<uint8_t>(reference >> 8));
  out.push_back(static_cast<uint8_t>(reference));
  out.push_back(fb_count);
  for (uint16_t chunk : chunks) {
    out.push_back(static_cast<uint8_t>(chunk >> 8));
    out.push_back(static_cast<uint8_t>(chunk));
  }
  out.insert(out.end(), deltas.begin(), deltas.end());
  while (out.size() % 4 != 0) out.push_back(0);
  out[3] = static_cast<uint8_t>(out.size() / 4 - 1);
  out[2] = static_cast<uint8_t>((out.size() / 4 - 1) >> 8);
  return out;
}

// How many chunks a serialised message carries, decoded independently of the class.
size_t CountChunks(const std::vector<uint8_t>& bytes) {
  const size_t count = (size_t{bytes[14]} << 8) | bytes[15];
  size_t described = 0;
  size_t chunks = 0;
  for (size_t pos = 20; described < count; pos += 2, ++chunks) {
    const uint16_t chunk = static_cast<uint16_t>((bytes.at(pos) << 8) | bytes.at(pos + 1));
    if ((chunk & 0x8000) == 0) {
      described += chunk & 0x1FFF;
    } else {
      described += (chunk & 0x4000) ? 7 : 14;
    }
  }
  return chunks;
}

// Fewest chunks for `statuses`, by exhaustive recursion over every chunk choice (small inputs).
size_t OptimalChunksByRecursion(const std::vector<PacketStatus>& statuses) {
  const size_t n = statuses.size();
  std::map<size_t, size_t> memo;
  std::function<size_t(size_t)> best = [&](size_t i) -> size_t {
    if (i == n) return 0;
    if (auto it = memo.find(i); it != memo.end()) return it->second;
    size_t result = SIZE_MAX;
    for (size_t j = i; j < n && statuses[j] == statuses[i] && j - i < 8191; ++j) {
      result = std::min(result, 1 + best(j + 1));  // Run of statuses[i..j].
    }
    result = std::min(result, 1 + (i + 7 <= n ? best(i + 7) : 0));  // Two-bit vector.
    const size_t end = std::min(n, i + 14);
    if (std::none_of(statuses.begin() + i, statuses.begin() + end,
                     [](PacketStatus s) { return s == kLarge; })) {
      result = std::min(result, 1 + (i + 14 <= n ? best(i + 14) : 0));  // One-bit vector.
    }
    memo[i] = result;
    return result;
  };
  return best(0);
}

// The same optimum for long lists: best[i] covers the first i statuses exactly; a run may start
// anywhere in the current run of equal statuses within 8191 (sliding-window minimum), vectors
// take the last 7 or 14; the last chunk may be a partly used vector.
size_t OptimalChunks(const std::vector<PacketStatus>& statuses) {
  const size_t n = statuses.size();
  std::vector<size_t> best(n + 1, 0);
  std::deque<size_t> window;  // Candidate run starts, best[] increasing.
  size_t run_start = 0;
  size_t binary = 0;  // Statuses at the end without a large delta.
  for (size_t i = 1; i <= n; ++i) {
    if (i > 1 && statuses[i - 1] != statuses[i - 2]) {
      run_start = i - 1;
      window.clear();
    }
    binary = statuses[i - 1] == kLarge ? 0 : binary + 1;
    while (!window.empty() && best[window.back()] >= best[i - 1]) window.pop_back();
    window.push_back(i - 1);
    while (window.front() + 8191 < i || window.front() < run_start) window.pop_front();
    best[i] = best[window.front()] + 1;
    if (i >= 7) best[i] = std::min(best[i], best[i - 7] + 1);
    if (binary >= 14) best[i] = std::min(best[i], best[i - 14] + 1);
  }
  size_t result = best[n];
  for (size_t k = 1; k < 7 && k <= n; ++k) result = std::min(result, best[n - k] + 1);
  for (size_t k = 7; k < 14 && k <= binary; ++k) result = std::min(result, best[n - k] + 1);
  return result;
}

// Delta bytes a status list carries, 1 per small and 2 per large delta.
std::vector<uint8_t> DeltaBytesFor(const std::vector<PacketStatus>& statuses) {
  std::vector<uint8_t> deltas;
  for (PacketStatus s : statuses) {
    if (s == kSmall) deltas.push_back(4);                        // 1 ms.
    if (s == kLarge) deltas.insert(deltas.end(), {0xFF, 0xF0});  // -4 ms.
  }
  return deltas;
}

// `statuses` encoded naively, one run length chunk per status.
std::vector<uint8_t> NaiveEncoding(const std::vector<PacketStatus>& statuses) {
  std::vector<uint16_t> chunks;
  chunks.reserve(statuses.size());
  for (PacketStatus s : statuses) {
    chunks.push_back(static_cast<uint16_t>((static_cast<int>(s) << 13) | 1));
  }
  return Assemble(0, static_cast<uint16_t>(statuses.size()), 0, 0, chunks, DeltaBytesFor(statuses));
}

// ---------------------------------------------------------------------------------------------
// The draft's own chunk examples (§3.1.3, §3.1.4), each in a message with matching deltas.

TEST(TransportFeedbackTest, DraftRunLengthExample1Is221NotReceived) {
  // |0|0 0|0 0 0 0 0 1 1 0 1 1 1 0 1|  "a run of the 'packet not received' status of length 221"
  const uint16_t chunk = 0b0'00'0000011011101;
  ASSERT_EQ(chunk, 0x00DD);
  auto feedback = ParseBytes(Assemble(100, 221, 0, 0, {chunk}, {}));
  ASSERT_TRUE(feedback.ok()) << feedback.error().ToString();
  EXPECT_EQ(feedback->packet_status_count(), 221);
  EXPECT_EQ(feedback->received_count(), 0u);
  EXPECT_EQ(std::count(feedback->statuses().begin(), feedback->statuses().end(), kLost), 221);
  const std::vector<PacketResult> results = feedback->PacketResults();
  EXPECT_EQ(results.front().sequence_number, 100);
  EXPECT_EQ(results.back().sequence_number, 320);
  EXPECT_TRUE(std::none_of(results.begin(), results.end(),
                           [](const PacketResult& r) { return r.received; }));
}

TEST(TransportFeedbackTest, RunLengthOf221SmallDeltas) {
  // The same run with symbol 01: 221 packets received 5 ms apart, the first 5 ms after the
  // reference time.
  const uint16_t chunk = 0b0'01'0000011011101;
  std::vector<uint8_t> deltas(221, 20);  // 20 * 250 µs.
  auto feedback = ParseBytes(Assemble(65500, 221, 10, 3, {chunk}, deltas));
  ASSERT_TRUE(feedback.ok()) << feedback.error().ToString();
  EXPECT_EQ(feedback->received_count(), 221u);
  const std::vector<PacketResult> results = feedback->PacketResults();
  ASSERT_EQ(results.size(), 221u);
  for (size_t i = 0; i < results.size(); ++i) {
    EXPECT_EQ(results[i].sequence_number, static_cast<uint16_t>(65500 + i));  // Wraps at 36.
    EXPECT_TRUE(results[i].received);
    EXPECT_EQ(results[i].arrival_offset, TimeDelta::Millis(5) * static_cast<int64_t>(i + 1));
  }
  EXPECT_EQ(feedback->reference_time(), TimeDelta::Millis(640));
}

TEST(TransportFeedbackTest, DraftRunLengthExample2UsesReservedSymbolAndIsRefused) {
  // |0|1 1|0 0 0 0 0 0 0 0 1 1 0 0 0|  the draft calls it "received, w/o recv delta", a status
  // §3.1.1 lists as reserved; libwebrtc refuses it too.
  const uint16_t chunk = 0b0'11'0000000011000;
  auto feedback = ParseBytes(Assemble(0, 24, 0, 0, {chunk}, {}));
  ASSERT_FALSE(feedback.ok());
  EXPECT_EQ(feedback.error().code, ErrorCode::kMalformed);
}

TEST(TransportFeedbackTest, DraftStatusVectorExample1OneBitSymbols) {
  // |1|0|0 1 1 1 1 1 0 0 0 1 1 1 0 0|: 1 not received, 5 received, 3 not received, 3 received,
  // 2 not received. (The draft's prose says 0 = received; its example, libwebrtc and GStreamer
  // use 1 = received with a small delta, the value of the two-bit symbol.)
  const uint16_t chunk = 0b1'0'01111100011100;
  const std::vector<uint8_t> deltas = {4, 4, 4, 4, 4, 8, 8, 8};
  auto feedback = ParseBytes(Assemble(7, 14, 0, 0, {chunk}, deltas));
  ASSERT_TRUE(feedback.ok()) << feedback.error().ToString();
  const std::vector<PacketStatus> expected = {kLost, kSmall, kSmall, kSmall, kSmall, kSmall, kLost,
                                              kLost, kLost,  kSmall, kSmall, kSmall, kLost,  kLost};
  EXPECT_THAT(feedback->statuses(), ElementsAreArray(expected));
  const std::vector<PacketResult> results = feedback->PacketResults();
  EXPECT_EQ(results[1], (PacketResult{8, true, TimeDelta::Millis(1)}));
  EXPECT_EQ(results[5], (PacketResult{12, true, TimeDelta::Millis(5)}));
  EXPECT_EQ(results[6], (PacketResult{13, false, TimeDelta::Zero()}));
  EXPECT_EQ(results[9], (PacketResult{16, true, TimeDelta::Millis(7)}));
  EXPECT_EQ(results[11], (PacketResult{18, true, TimeDelta::Millis(11)}));
  EXPECT_FALSE(results[13].received);
}

TEST(TransportFeedbackTest, DraftStatusVectorExample2TwoBitSymbols) {
  // |1|1|0 0 1 1 0 1 0 1 0 1 0 0 0 0|: its second symbol is the reserved 11 -> refused.
  const uint16_t chunk = 0b1'1'00110101010000;
  auto refused = ParseBytes(Assemble(0, 7, 0, 0, {chunk}, {0, 0, 4, 4, 4}));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kMalformed);

  // The same vector with 10 (large or negative delta) there: not received, large, 3 small, 2 not
  // received.
  const uint16_t fixed = 0b1'1'00100101010000;
  auto feedback = ParseBytes(Assemble(0, 7, 0, 0, {fixed}, {0xFF, 0x38, 4, 4, 4}));
  ASSERT_TRUE(feedback.ok()) << feedback.error().ToString();
  EXPECT_THAT(feedback->statuses(),
              ElementsAreArray({kLost, kLarge, kSmall, kSmall, kSmall, kLost, kLost}));
  const std::vector<PacketResult> results = feedback->PacketResults();
  EXPECT_EQ(results[1].arrival_offset, TimeDelta::Millis(-50));  // 0xFF38 = -200 ticks.
  EXPECT_EQ(results[4].arrival_offset, TimeDelta::Millis(-47));
  EXPECT_FALSE(results[5].received);
}

// ---------------------------------------------------------------------------------------------
// A whole message, assembled by hand.

const std::vector<uint8_t> kHandAssembled = {
    0x8F, 0xCD, 0x00, 0x07,  // V=2 P=0 FMT=15 | PT=205 RTPFB | length 7 (32 bytes)
    0x11, 0x22, 0x33, 0x44,  // SSRC of packet sender
    0x55, 0x66, 0x77, 0x88,  // SSRC of media source
    0x03, 0xE8, 0x00, 0x06,  // base sequence number 1000 | packet status count 6
    0x00, 0x03, 0xE8, 0x07,  // reference time 1000 * 64 ms = 64 s | feedback packet count 7
    0xD4, 0xA4,              // two-bit vector 11|01 01 00 10 10 01 00: S S L B B S (+1 unused)
    0x05,                    // seq 1000: small, 5 ticks = 1.25 ms after the reference time
    0x15,                    // seq 1001: small, 21 ticks: 6.5 ms
    0x01, 0x76,              // seq 1003: large, 374 ticks: 100 ms
    0xFF, 0xFC,              // seq 1004: negative, -4 ticks: 99 ms (arrived before 1003)
    0x18,                    // seq 1005: small, 24 ticks: 105 ms
    0x00, 0x00, 0x00,        // zero padding to 32 bits
};

TEST(TransportFeedbackTest, ParsesHandAssembledMessage) {
  auto feedback = ParseBytes(kHandAssembled);
  ASSERT_TRUE(feedback.ok()) << feedback.error().ToString();
  EXPECT_EQ(feedback->sender_ssrc(), 0x11223344u);
  EXPECT_EQ(feedback->media_ssrc(), 0x55667788u);
  EXPECT_EQ(feedback->base_sequence_number(), 1000);
  EXPECT_EQ(feedback->packet_status_count(), 6);
  EXPECT_EQ(feedback->reference_time_ticks(), 1000u);
  EXPECT_EQ(feedback->reference_time(), TimeDelta::Seconds(64));
  EXPECT_EQ(feedback->feedback_packet_count(), 7);
  EXPECT_THAT(feedback->receive_deltas(), ElementsAreArray<int16_t>({5, 21, 374, -4, 24}));
  EXPECT_THAT(feedback->PacketResults(), ElementsAreArray({
                                             PacketResult{1000, true, TimeDelta::Micros(1250)},
                                             PacketResult{1001, true, TimeDelta::Micros(6500)},
                                             PacketResult{1002, false, TimeDelta::Zero()},
                                             PacketResult{1003, true, TimeDelta::Millis(100)},
                                             PacketResult{1004, true, TimeDelta::Millis(99)},
                                             PacketResult{1005, true, TimeDelta::Millis(105)},
                                         }));
  EXPECT_EQ(Serialize(*feedback), kHandAssembled);
}

TEST(TransportFeedbackTest, BuildsHandAssembledMessage) {
  const Timestamp reference = Timestamp::Seconds(64);
  TransportFeedback feedback(kSsrcs, 7, 1000, reference + TimeDelta::Micros(1250));
  ASSERT_TRUE(feedback.AddReceivedPacket(1001, reference + TimeDelta::Micros(6500)));
  ASSERT_TRUE(feedback.AddReceivedPacket(1003, reference + TimeDelta::Millis(100)));
  ASSERT_TRUE(feedback.AddReceivedPacket(1004, reference + TimeDelta::Millis(99)));
  ASSERT_TRUE(feedback.AddReceivedPacket(1005, reference + TimeDelta::Millis(105)));
  EXPECT_EQ(feedback.Size(), kHandAssembled.size());
  EXPECT_EQ(Serialize(feedback), kHandAssembled);
  auto parsed = ParseBytes(kHandAssembled);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, feedback);
}

TEST(TransportFeedbackTest, ParsedMessageCanBeExtended) {
  auto feedback = ParseBytes(kHandAssembled);
  ASSERT_TRUE(feedback.ok());
  // Its clock: the reference time is Timestamp::Zero() + 64 s; seq 1005 arrived 105 ms later.
  ASSERT_TRUE(feedback->AddReceivedPacket(1007, Timestamp::Seconds(64) + TimeDelta::Millis(110)));
  EXPECT_EQ(feedback->packet_status_count(), 8);
  auto parsed = ParseBytes(Serialize(*feedback));
  ASSERT_TRUE(parsed.ok());
  const std::vector<PacketResult> results = parsed->PacketResults();
  EXPECT_EQ(results[5], (PacketResult{1005, true, TimeDelta::Millis(105)}));
  EXPECT_EQ(results[6], (PacketResult{1006, false, TimeDelta::Zero()}));
  EXPECT_EQ(results[7], (PacketResult{1007, true, TimeDelta::Millis(110)}));
}

TEST(TransportFeedbackTest, AcceptsPBitPaddingAsLibwebrtcWritesIt) {
  // The hand-assembled message with P set and the last padding octet holding the count.
  std::vector<uint8_t> padded = kHandAssembled;
  padded[0] |= 0x20;
  padded.back() = 3;
  auto feedback = ParseBytes(padded);
  ASSERT_TRUE(feedback.ok()) << feedback.error().ToString();
  EXPECT_EQ(*feedback, *ParseBytes(kHandAssembled));
  EXPECT_EQ(Serialize(*feedback), kHandAssembled);  // Written back with zero padding, P clear.
}

TEST(TransportFeedbackTest, AcceptsMessagesThatNeedNoPadding) {
  // A run of 6 small deltas: 20 + 2 + 6 = 28 bytes, already whole words.
  auto feedback = ParseBytes(Assemble(1, 6, 0, 0, {0x2006}, {1, 2, 3, 4, 5, 6}));
  ASSERT_TRUE(feedback.ok()) << feedback.error().ToString();
  EXPECT_EQ(feedback->Size(), 28u);
  EXPECT_EQ(feedback->PacketResults().back().arrival_offset, TimeDelta::Micros(250 * 21));
}

// ---------------------------------------------------------------------------------------------
// Building, then parsing what was built.

struct Arrival {
  uint16_t sequence_number;
  Timestamp at;
};

// Builds a message from `arrivals` (the first starts it), serialises and parses it, and checks
// that every packet is reported received or not as it should be, at its arrival time (to the
// nearest 250 µs) relative to the reference time.
TransportFeedback RoundTrip(const std::vector<Arrival>& arrivals) {
  TransportFeedback built(kSsrcs, 42, arrivals[0].sequence_number, arrivals[0].at);
  for (size_t i = 1; i < arrivals.size(); ++i) {
    EXPECT_TRUE(built.AddReceivedPacket(arrivals[i].sequence_number, arrivals[i].at)) << i;
  }
  const std::vector<uint8_t> bytes = Serialize(built);
  EXPECT_EQ(bytes.size() % 4, 0u);
  EXPECT_LE(bytes.size(), built.max_size());
  auto parsed = ParseBytes(bytes);
  EXPECT_TRUE(parsed.ok()) << parsed.error().ToString();
  if (!parsed.ok()) return built;
  EXPECT_EQ(*parsed, built);
  EXPECT_EQ(Serialize(*parsed), bytes);
  if (parsed->packet_status_count() <= 500) {
    const std::vector<PacketStatus> statuses(parsed->statuses().begin(), parsed->statuses().end());
    EXPECT_EQ(CountChunks(bytes), OptimalChunks(statuses));
  }

  const Timestamp reference =
      Timestamp::Zero() + TimeDelta::Millis(64) * (arrivals[0].at.us() / 64000);
  std::map<uint16_t, Timestamp> expected;
  for (const Arrival& a : arrivals) expected.emplace(a.sequence_number, a.at);
  const uint16_t last = arrivals.back().sequence_number;
  EXPECT_EQ(parsed->packet_status_count(),
            static_cast<uint16_t>(last - arrivals[0].sequence_number + 1));
  parsed->ForEachPacket([&](const PacketResult& r) {
    auto it = expected.find(r.sequence_number);
    EXPECT_EQ(r.received, it != expected.end()) << r.sequence_number;
    if (it != expected.end() && r.received) {
      const TimeDelta error = (reference + r.arrival_offset) - it->second;
      EXPECT_LE(error.Abs(), TimeDelta::Micros(125)) << r.sequence_number;
    }
  });
  return *parsed;
}

TEST(TransportFeedbackTest, SinglePacket) {
  // 12.3 s + 0.75 ms: reference 192 * 64 ms = 12.288 s, delta 12.75 ms = 51 ticks.
  TransportFeedback feedback(kSsrcs, 0, 4242, Timestamp::Micros(12'300'750));
  EXPECT_EQ(feedback.reference_time_ticks(), 192u);
  EXPECT_EQ(feedback.Size(), 24u);  // 20 + one chunk + one delta, padded.
  const std::vector<uint8_t> bytes = Serialize(feedback);
  EXPECT_THAT(std::vector<uint8_t>(bytes.begin() + 12, bytes.end()),
              ElementsAreArray({0x10, 0x92, 0x00, 0x01,     // base 4242, count 1
                                0x00, 0x00, 0xC0, 0x00,     // reference 192, fb count 0
                                0x20, 0x01, 0x33, 0x00}));  // run of 1 small | 51 | pad
  auto parsed = ParseBytes(bytes);
  ASSERT_TRUE(parsed.ok());
  EXPECT_THAT(parsed->PacketResults(),
              ElementsAreArray({PacketResult{4242, true, TimeDelta::Micros(12'750)}}));
}

TEST(TransportFeedbackTest, RoundTripsRegularStreamWithLosses) {
  // 100 packets 5 ms apart, with a few lost.
  std::vector<Arrival> arrivals;
  for (uint16_t seq = 0; seq < 100; ++seq) {
    if (seq == 17 || seq == 18 || seq == 50 || seq == 77) continue;
    arrivals.push_back({seq, Timestamp::Millis(1000) + TimeDelta::Millis(5) * int64_t{seq}});
  }
  TransportFeedback parsed = RoundTrip(arrivals);
  EXPECT_EQ(parsed.packet_status_count(), 100);
  EXPECT_EQ(parsed.received_count(), 96u);
  const std::vector<PacketResult> results = parsed.PacketResults();
  EXPECT_FALSE(results[17].received);
  EXPECT_FALSE(results[50].received);
  EXPECT_TRUE(results[51].received);
  // 1000 ms is 15 * 64 + 40: packet 51 arrived at 1255 ms, 295 ms after the reference time.
  EXPECT_EQ(results[51].arrival_offset, TimeDelta::Millis(295));
}

TEST(TransportFeedbackTest, RoundTripsLargeAndNegativeDeltas) {
  const Timestamp t0 = Timestamp::Seconds(3600);
  TransportFeedback parsed = RoundTrip({
      {10, t0},
      {11, t0 + TimeDelta::Millis(8000)},     // +8 s: 32000 ticks, 2-byte delta.
      {12, t0 + TimeDelta::Millis(1)},        // -7.999 s: negative, 2 bytes.
      {13, t0 + TimeDelta::Micros(64'750)},   // +63.75 ms: 255 ticks, the largest small delta.
      {14, t0 + TimeDelta::Micros(129'000)},  // +64.25 ms: 257 ticks, large.
      {15, t0 + TimeDelta::Micros(129'000)},  // 0: small.
  });
  EXPECT_THAT(parsed.statuses(),
              ElementsAreArray({kSmall, kLarge, kLarge, kSmall, kLarge, kSmall}));
  EXPECT_THAT(parsed.receive_deltas(), ElementsAreArray<int16_t>({0, 32000, -31996, 255, 257, 0}));
}

TEST(TransportFeedbackTest, RefusesDeltasBeyond16Bits) {
  const Timestamp t0 = Timestamp::Millis(640);
  TransportFeedback feedback(kSsrcs, 0, 0, t0);
  const std::vector<uint8_t> before = Serialize(feedback);
  // 32767 ticks = 8191.75 ms is the largest; 8191.875 ms rounds to 32768.
  EXPECT_FALSE(feedback.AddReceivedPacket(1, t0 + TimeDelta::Micros(8'191'875)));
  EXPECT_FALSE(feedback.AddReceivedPacket(1, t0 - TimeDelta::Micros(8'192'125 + 1)));
  EXPECT_FALSE(feedback.AddReceivedPacket(1, Timestamp::PlusInfinity()));
  EXPECT_EQ(Serialize(feedback), before);
  EXPECT_TRUE(feedback.AddReceivedPacket(1, t0 - TimeDelta::Millis(8192)));  // -32768 ticks.
  EXPECT_TRUE(feedback.AddReceivedPacket(2, t0 + TimeDelta::Micros(-250)));  // Back: +32767.
  EXPECT_THAT(feedback.receive_deltas(), ElementsAreArray<int16_t>({0, -32768, 32767}));
}

TEST(TransportFeedbackTest, RoundingDoesNotAccumulate) {
  // 1000 packets 1.1 ms apart (4.4 ticks): each reported time stays within 125 µs.
  std::vector<Arrival> arrivals;
  arrivals.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    arrivals.push_back({static_cast<uint16_t>(i), Timestamp::Micros(5'000'000 + 1100 * i)});
  }
  TransportFeedback built(kSsrcs, 0, 0, arrivals[0].at, TransportFeedback::kMaxMaxSize);
  for (size_t i = 1; i < arrivals.size(); ++i) {
    ASSERT_TRUE(built.AddReceivedPacket(arrivals[i].sequence_number, arrivals[i].at));
  }
  const Timestamp reference = Timestamp::Millis(64 * 78);  // 4.992 s.
  EXPECT_EQ(built.reference_time(), reference - Timestamp::Zero());
  built.ForEachPacket([&](const PacketResult& r) {
    const TimeDelta error = reference + r.arrival_offset - arrivals[r.sequence_number].at;
    EXPECT_LE(error.Abs(), TimeDelta::Micros(125)) << r.sequence_number;
  });
}

TEST(TransportFeedbackTest, RoundTripsSequenceNumbersWrapping) {
  const Timestamp t0 = Timestamp::Millis(7);
  TransportFeedback parsed = RoundTrip({
      {65533, t0},
      {65535, t0 + TimeDelta::Millis(10)},
      {0, t0 + TimeDelta::Millis(15)},
      {3, t0 + TimeDelta::Millis(30)},
  });
  EXPECT_EQ(parsed.base_sequence_number(), 65533);
  EXPECT_EQ(parsed.packet_status_count(), 7);
  const std::vector<PacketResult> results = parsed.PacketResults();
  EXPECT_EQ(results[1], (PacketResult{65534, false, TimeDelta::Zero()}));
  EXPECT_EQ(results[2], (PacketResult{65535, true, TimeDelta::Millis(17)}));
  EXPECT_EQ(results[3], (PacketResult{0, true, TimeDelta::Millis(22)}));
  EXPECT_EQ(results[6], (PacketResult{3, true, TimeDelta::Millis(37)}));
}

TEST(TransportFeedbackTest, LongLossRunsUseRunLengthChunks) {
  // A satellite outage: 20000 packets lost between two received ones. The losses need
  // ceil((20000 - 26) / 8191) = 3 runs of 8191 at most once two vectors take 13 each, plus one
  // chunk for each received packet: 5 chunks in all.
  const Timestamp t0 = Timestamp::Seconds(10);
  TransportFeedback parsed = RoundTrip({{60000, t0}, {14465, t0 + TimeDelta::Seconds(8)}});
  EXPECT_EQ(parsed.packet_status_count(), 20002);
  EXPECT_EQ(CountChunks(Serialize(parsed)), 5u);
  EXPECT_EQ(parsed.Size(), 20u + 5 * 2 + 1 + 2 + 3);
  EXPECT_EQ(parsed.PacketResults().back(),
            (PacketResult{14465, true, TimeDelta::Seconds(8) + TimeDelta::Millis(10'000 % 64)}));

  // Exactly one run's worth, and one more.
  for (uint16_t lost : {8191, 8192, 8191 + 14, 2 * 8191}) {
    TransportFeedback feedback(kSsrcs, 0, 0, t0);
    ASSERT_TRUE(feedback.AddReceivedPacket(static_cast<uint16_t>(lost + 1), t0));
    const std::vector<uint8_t> bytes = Serialize(feedback);
    // Two received packets need two chunks; the losses between them ceil((lost - 26) / 8191)
    // more once vectors at each end take 13 of them.
    const size_t expected = 2 + (lost - 26 + 8190) / 8191;
    EXPECT_EQ(CountChunks(bytes), expected) << lost;
    auto parsed_again = ParseBytes(bytes);
    ASSERT_TRUE(parsed_again.ok());
    EXPECT_EQ(*parsed_again, feedback);
    EXPECT_EQ(parsed_again->PacketResults()[lost + 1].received, true);
    EXPECT_EQ(parsed_again->PacketResults()[lost].received, false);
  }
}

TEST(TransportFeedbackTest, RefusesPacketsNotNewerThanTheLast) {
  const Timestamp t0 = Timestamp::Seconds(1);
  TransportFeedback feedback(kSsrcs, 0, 100, t0);
  ASSERT_TRUE(feedback.AddReceivedPacket(105, t0 + TimeDelta::Millis(5)));
  const TransportFeedback before = feedback;
  EXPECT_FALSE(feedback.AddReceivedPacket(105, t0 + TimeDelta::Millis(6)));  // Duplicate.
  EXPECT_FALSE(feedback.AddReceivedPacket(104, t0 + TimeDelta::Millis(6)));  // Reordered.
  EXPECT_FALSE(feedback.AddReceivedPacket(static_cast<uint16_t>(105 + 0x8001),
                                          t0 + TimeDelta::Millis(6)));  // Behind, wrap-aware.
  EXPECT_EQ(feedback, before);
  EXPECT_EQ(Serialize(feedback), Serialize(before));
}

TEST(TransportFeedbackTest, StatusCountStopsAt65535) {
  const Timestamp t0 = Timestamp::Seconds(1);
  TransportFeedback feedback(kSsrcs, 0, 0, t0, TransportFeedback::kMaxMaxSize);
  ASSERT_TRUE(feedback.AddReceivedPacket(32767, t0));
  ASSERT_TRUE(feedback.AddReceivedPacket(65534, t0));
  EXPECT_EQ(feedback.packet_status_count(), 65535);
  EXPECT_FALSE(feedback.AddReceivedPacket(65535, t0));
  EXPECT_EQ(feedback.packet_status_count(), 65535);
  auto parsed = ParseBytes(Serialize(feedback));
  ASSERT_TRUE(parsed.ok());
  // 1 s is 15 * 64 ms + 40 ms; every packet arrived then.
  EXPECT_EQ(parsed->PacketResults().back(), (PacketResult{65534, true, TimeDelta::Millis(40)}));
}

TEST(TransportFeedbackTest, MaximumSizeIsNeverExceeded) {
  // Default 1200 bytes, every packet a small delta: one run chunk, so 20 + 2 + n <= 1200.
  const Timestamp t0 = Timestamp::Seconds(2);
  TransportFeedback feedback(kSsrcs, 9, 0, t0);
  EXPECT_EQ(feedback.max_size(), 1200u);
  uint16_t seq = 1;
  while (feedback.AddReceivedPacket(seq, t0 + TimeDelta::Millis(1) * int64_t{seq})) ++seq;
  EXPECT_EQ(seq, 1178);  // Packets 0..1177 fit.
  EXPECT_EQ(feedback.Size(), 1200u);

  // A refused packet changes nothing: not the bytes, not what a later packet produces.
  const TransportFeedback before = feedback;
  const std::vector<uint8_t> before_bytes = Serialize(feedback);
  EXPECT_FALSE(feedback.AddReceivedPacket(seq + 500, t0 + TimeDelta::Seconds(5)));
  EXPECT_EQ(feedback, before);
  EXPECT_EQ(Serialize(feedback), before_bytes);
  EXPECT_EQ(feedback.Size(), 1200u);

  // Small limit, mixed statuses: every accepted packet keeps the size within the limit, and the
  // refused one starts the next message.
  std::mt19937 rng(7);
  TransportFeedback small(kSsrcs, 0, 0, t0, 64);
  Timestamp at = t0;
  uint16_t next = 1;
  for (int i = 0; i < 200; ++i) {
    next = static_cast<uint16_t>(next + 1 + rng() % 3);
    at += TimeDelta::Millis(rng() % 2 ? 5 : 90);
    const TransportFeedback copy = small;
    if (!small.AddReceivedPacket(next, at)) {
      EXPECT_EQ(small, copy);
      // Refusal leaves the builder exactly as it was: adding elsewhere gives the copy's result.
      TransportFeedback copy2 = copy;
      const bool a = small.AddReceivedPacket(static_cast<uint16_t>(next - 1), at);
      const bool b = copy2.AddReceivedPacket(static_cast<uint16_t>(next - 1), at);
      EXPECT_EQ(a, b);
      EXPECT_EQ(Serialize(small), Serialize(copy2));
      small = TransportFeedback(kSsrcs, 1, next, at, 64);
    }
    EXPECT_LE(small.Size(), 64u);
    auto parsed = ParseBytes(Serialize(small));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, small);
  }
  // Limits below one packet's message are raised to it.
  EXPECT_EQ(TransportFeedback(kSsrcs, 0, 0, t0, 1).max_size(), TransportFeedback::kMinMaxSize);
}

TEST(TransportFeedbackTest, ReferenceTimeIsFlooredTo64MsAndWraps) {
  TransportFeedback a(kSsrcs, 0, 0, Timestamp::Micros(63'999));
  EXPECT_EQ(a.reference_time_ticks(), 0u);
  EXPECT_EQ(a.PacketResults()[0].arrival_offset, TimeDelta::Micros(64'000));  // 255.996 -> 256.
  EXPECT_EQ(a.statuses()[0], kLarge);
  TransportFeedback b(kSsrcs, 0, 0, Timestamp::Millis(64));
  EXPECT_EQ(b.reference_time_ticks(), 1u);
  // Before the clock's zero: floored, not truncated, and taken modulo 2^24.
  TransportFeedback c(kSsrcs, 0, 0, Timestamp::Millis(-1));
  EXPECT_EQ(c.reference_time_ticks(), 0xFFFFFFu);
  EXPECT_EQ(c.PacketResults()[0].arrival_offset, TimeDelta::Millis(63));
  // A clock past the 24-bit wrap (2^24 * 64 ms).
  const Timestamp wrap = Timestamp::Zero() + TransportFeedback::kReferenceTimeWrapPeriod;
  TransportFeedback d(kSsrcs, 0, 0, wrap + TimeDelta::Millis(130));
  EXPECT_EQ(d.reference_time_ticks(), 2u);
  EXPECT_EQ(d.ReferenceTimeSince(c), TimeDelta::Millis(3 * 64));  // Across the wrap.
  EXPECT_EQ(c.ReferenceTimeSince(d), TimeDelta::Millis(-3 * 64));
  EXPECT_EQ(b.ReferenceTimeSince(a), TimeDelta::Millis(64));
}

TEST(TransportFeedbackTest, ChunkLayoutIsMinimal) {
  // The case where the greedy encoders of libwebrtc and GStreamer need 3 chunks: 8 small, 4 not
  // received, large, small, not received. A run of 8 and a two-bit vector of 7 make 2.
  const std::vector<PacketStatus> tricky = {kSmall, kSmall, kSmall, kSmall, kSmall,
                                            kSmall, kSmall, kSmall, kLost,  kLost,
                                            kLost,  kLost,  kLarge, kSmall, kLost};
  auto parsed = ParseBytes(NaiveEncoding(tricky));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(CountChunks(Serialize(*parsed)), 2u);

  // A one-bit vector that reaches 6 statuses into the next run: 4 small, 4 not received, 21
  // small. A vector of the first 14 and a run of 15 make 2.
  std::vector<PacketStatus> reaching(4, kSmall);
  reaching.insert(reaching.end(), 4, kLost);
  reaching.insert(reaching.end(), 21, kSmall);
  parsed = ParseBytes(NaiveEncoding(reaching));
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(CountChunks(Serialize(*parsed)), 2u);

  // Random status lists, made of runs of random length, against an exhaustive search.
  std::mt19937 rng(2024);
  for (int trial = 0; trial < 20000; ++trial) {
    const size_t size = 1 + rng() % 40;
    const uint32_t single_odds = rng() % 10;  // How often a run has length 1.
    std::vector<PacketStatus> statuses;
    while (statuses.size() < size) {
      const uint32_t r = rng() % 10;
      const PacketStatus s = r < 5 ? kSmall : (r < 8 ? kLost : kLarge);
      const size_t length = rng() % 10 < single_odds ? 1 : 1 + rng() % 20;
      statuses.insert(statuses.end(), std::min(length, size - statuses.size()), s);
    }
    auto feedback = ParseBytes(NaiveEncoding(statuses));
    ASSERT_TRUE(feedback.ok()) << feedback.error().ToString();
    ASSERT_THAT(feedback->statuses(), ElementsAreArray(statuses));
    const std::vector<uint8_t> bytes = Serialize(*feedback);
    ASSERT_EQ(CountChunks(bytes), OptimalChunksByRecursion(statuses)) << trial;
    ASSERT_EQ(OptimalChunks(statuses), OptimalChunksByRecursion(statuses)) << trial;
    auto reparsed = ParseBytes(bytes);
    ASSERT_TRUE(reparsed.ok());
    ASSERT_EQ(*reparsed, *feedback);
  }
}

TEST(TransportFeedbackTest, ChunkLayoutIsMinimalAroundTheLongestRun) {
  // Runs near multiples of 8191, between random statuses, where the runs are cut matters.
  std::mt19937 rng(99);
  const PacketStatus kinds[] = {kLost, kSmall, kLarge};
  for (int trial = 0; trial < 60; ++trial) {
    std::vector<PacketStatus> statuses;
    for (uint32_t k = rng() % 21; k > 0; --k) statuses.push_back(kinds[rng() % 3]);
    const size_t run = 8191 * (1 + rng() % 2) + rng() % 31 - 15;
    statuses.insert(statuses.end(), run, kinds[rng() % 3]);
    for (uint32_t k = rng() % 21; k > 0; --k) statuses.push_back(kinds[rng() % 3]);
    auto feedback = ParseBytes(NaiveEncoding(statuses));
    ASSERT_TRUE(feedback.ok()) << feedback.error().ToString();
    const std::vector<uint8_t> bytes = Serialize(*feedback);
    ASSERT_EQ(CountChunks(bytes), OptimalChunks(statuses)) << trial;
    auto reparsed = ParseBytes(bytes);
    ASSERT_TRUE(reparsed.ok());
    ASSERT_EQ(*reparsed, *feedback);
  }
}

// ---------------------------------------------------------------------------------------------
// Malformed input.

TEST(TransportFeedbackTest, TruncatedInputIsRefusedAtEveryLength) {
  // A message with every kind of chunk and delta.
  const Timestamp t0 = Timestamp::Seconds(5);
  TransportFeedback built(kSsrcs, 1, 500, t0);
  ASSERT_TRUE(built.AddReceivedPacket(501, t0 + TimeDelta::Millis(100)));
  ASSERT_TRUE(built.AddReceivedPacket(503, t0 + TimeDelta::Millis(99)));
  ASSERT_TRUE(built.AddReceivedPacket(540, t0 + TimeDelta::Millis(120)));
  for (uint16_t seq = 541; seq < 560; ++seq) {
    ASSERT_TRUE(built.AddReceivedPacket(seq, t0 + TimeDelta::Millis(seq - 420)));
  }
  ASSERT_TRUE(built.AddReceivedPacket(562, t0 + TimeDelta::Millis(145)));
  for (const std::vector<uint8_t>& bytes : {Serialize(built), kHandAssembled}) {
    ASSERT_TRUE(ParseBytes(bytes).ok());
    // Shorter datagrams: the length field no longer fits.
    for (size_t size = 0; size < bytes.size(); ++size) {
      EXPECT_FALSE(ParseBytes(std::span(bytes.data(), size)).ok()) << size;
    }
    // Shorter payloads behind a consistent header (as after P-bit padding removal): only the
    // zero padding may go.
    RtcpCommonHeader header = *RtcpCommonHeader::Parse(bytes);
    size_t padding = 0;
    while (bytes[bytes.size() - 1 - padding] == 0) ++padding;
    const std::span<const uint8_t> full = header.payload;
    for (size_t size = 0; size < full.size(); ++size) {
      header.payload = full.first(size);
      auto parsed = TransportFeedback::Parse(header);
      EXPECT_EQ(parsed.ok(), size >= full.size() - padding) << size;
      if (!parsed.ok()) EXPECT_EQ(parsed.error().code, ErrorCode::kTruncated) << size;
    }
  }
}

TEST(TransportFeedbackTest, RefusesCorruptedFields) {
  auto code_of = [](std::vector<uint8_t> bytes) {
    auto parsed = ParseBytes(bytes);
    return parsed.ok() ? std::optional<ErrorCode>() : parsed.error().code;
  };
  std::vector<uint8_t> bad = kHandAssembled;
  bad[14] = 0;
  bad[15] = 0;  // Status count 0.
  EXPECT_EQ(code_of(bad), ErrorCode::kMalformed);

  bad = kHandAssembled;
  bad[15] = 8;  // 8 statuses: the first delta byte is taken as a chunk that runs too far.
  EXPECT_EQ(code_of(bad), ErrorCode::kMalformed);

  bad = kHandAssembled;
  bad[15] = 40;  // The data runs out before 40 statuses are described.
  EXPECT_TRUE(code_of(bad).has_value());

  bad = kHandAssembled;
  bad[20] = 0xDC;  // Two-bit vector 11|01 11 ...: reserved symbol.
  EXPECT_EQ(code_of(bad), ErrorCode::kMalformed);

  bad = kHandAssembled;
  bad[20] = 0x60;  // Run length chunk of symbol 11.
  bad[21] = 0x06;
  EXPECT_EQ(code_of(bad), ErrorCode::kMalformed);

  bad = kHandAssembled;
  bad[20] = 0x20;  // Run of 0.
  bad[21] = 0x00;
  EXPECT_EQ(code_of(bad), ErrorCode::kMalformed);

  bad = kHandAssembled;
  bad[20] = 0x20;  // Run of 7 for 6 statuses.
  bad[21] = 0x07;
  EXPECT_EQ(code_of(bad), ErrorCode::kMalformed);

  // The hand-assembled statuses with the last delta missing (28 bytes, no padding needed).
  EXPECT_EQ(code_of(Assemble(1000, 6, 1000, 7, {0xD4A4}, {5, 0x15, 0x01, 0x76, 0xFF, 0xFC})),
            ErrorCode::kTruncated);

  // Unused slots of the last vector carry no status: whatever their bits, they are ignored.
  bad = kHandAssembled;
  bad[21] |= 0x03;  // The unused 7th two-bit slot set to 11.
  auto ignored = ParseBytes(bad);
  ASSERT_TRUE(ignored.ok());
  EXPECT_EQ(*ignored, *ParseBytes(kHandAssembled));

  // Non-zero padding, and more than 3 bytes after the deltas.
  bad = kHandAssembled;
  bad[31] = 0x01;
  EXPECT_EQ(code_of(bad), ErrorCode::kBadPadding);
  bad = kHandAssembled;
  bad.insert(bad.end(), {0, 0, 0, 0});
  bad[3] = 8;
  EXPECT_EQ(code_of(bad), ErrorCode::kBadLength);

  // Too short for the fixed fields.
  EXPECT_EQ(code_of({0x8F, 0xCD, 0x00, 0x03, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 1}),
            ErrorCode::kTruncated);
}

TEST(TransportFeedbackTest, RefusesMissingDeltas) {
  // libwebrtc accepts a message whose deltas are all absent (its timestamp-less mode); draft-01
  // always carries them, so the message is refused.
  auto parsed = ParseBytes(Assemble(0, 3, 0, 0, {0x2003}, {}));
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, ErrorCode::kTruncated);
  // Two of three deltas present.
  parsed = ParseBytes(Assemble(0, 3, 0, 0, {0x2003}, {1, 2}));
  ASSERT_FALSE(parsed.ok());
}

TEST(TransportFeedbackTest, MovedFromMessageIsNotWritten) {
  TransportFeedback feedback(kSsrcs, 0, 0, Timestamp::Seconds(1));
  TransportFeedback taken = std::move(feedback);
  EXPECT_EQ(taken.packet_status_count(), 1);
  std::vector<uint8_t> out(64);
  ByteWriter writer(out);
  // A moved-from message is safe to use: it reports nothing and refuses to grow or be written.
  Status status = feedback.Write(writer);  // NOLINT(bugprone-use-after-move,clang-analyzer-*)
  EXPECT_FALSE(status.ok());
  EXPECT_FALSE(feedback.AddReceivedPacket(1, Timestamp::Seconds(1)));  // NOLINT(clang-analyzer-*)
}

TEST(TransportFeedbackTest, WriteFailsWithoutRoom) {
  auto feedback = ParseBytes(kHandAssembled);
  ASSERT_TRUE(feedback.ok());
  for (size_t size = 0; size < kHandAssembled.size(); ++size) {
    std::vector<uint8_t> out(size);
    ByteWriter writer(out);
    Status status = feedback->Write(writer);
    ASSERT_FALSE(status.ok()) << size;
    EXPECT_EQ(status.error().code, ErrorCode::kBufferTooSmall);
  }
}

}  // namespace
}  // namespace comodal::rtcp
