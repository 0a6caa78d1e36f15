// Transport-wide CC feedback (RTPFB FMT=15): building and parsing one message of 100 packets,
// 5 ms apart (a 200 packet/s video stream reported every 500 ms), 3 of them lost. One item is
// one feedback message: items_per_second is messages per second.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/feedback_header.h"
#include "transport/rtcp/transport_feedback.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::rtcp {
namespace {

constexpr FeedbackSsrcs kSsrcs{.sender_ssrc = 0x11223344, .media_ssrc = 0x55667788};
constexpr int kPackets = 100;
constexpr uint16_t kFirstSequence = 65500;  // Wraps during the message.

bool IsLost(int i) { return i == 23 || i == 24 || i == 71; }

// Arrival of packet i: 5 ms apart, with up to 0.75 ms of jitter.
Timestamp ArrivalOf(int i) {
  return Timestamp::Seconds(3600) + TimeDelta::Millis(5) * i + TimeDelta::Micros((i * 37) % 750);
}

TransportFeedback Build() {
  TransportFeedback feedback(kSsrcs, 7, kFirstSequence, ArrivalOf(0));
  for (int i = 1; i < kPackets; ++i) {
    if (IsLost(i)) continue;
    if (!feedback.AddReceivedPacket(static_cast<uint16_t>(kFirstSequence + i), ArrivalOf(i))) {
      std::abort();
    }
  }
  return feedback;
}

void BM_TransportFeedbackBuild(benchmark::State& state) {
  std::vector<uint8_t> buffer(1500);
  for (auto _ : state) {
    TransportFeedback feedback = Build();
    ByteWriter writer(buffer);
    Status status = feedback.Write(writer);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(buffer.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(Build().Size());
}
BENCHMARK(BM_TransportFeedbackBuild);

void BM_TransportFeedbackParse(benchmark::State& state) {
  const TransportFeedback built = Build();
  std::vector<uint8_t> bytes(built.Size());
  if (!SerializeRtcp(built, bytes).ok()) std::abort();
  for (auto _ : state) {
    Result<RtcpCommonHeader> header = RtcpCommonHeader::Parse(bytes);
    Result<TransportFeedback> feedback = TransportFeedback::Parse(*header);
    // What a congestion controller does next: walk the per-packet results.
    int64_t received = 0;
    feedback->ForEachPacket([&](const TransportFeedback::PacketResult& result) {
      received += result.received ? result.arrival_offset.us() : 0;
    });
    benchmark::DoNotOptimize(received);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_TransportFeedbackParse);

}  // namespace
}  // namespace comodal::rtcp
