// RTP parse and build throughput: items_per_second is packets per second on one core.
#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "bench/transport/media_packet.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {
namespace {

void BM_RtpParse(benchmark::State& state) {
  const std::vector<uint8_t> packet = MakeMediaPacket();
  for (auto _ : state) {
    auto parsed = RtpPacket::Parse(packet);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RtpParse);

// Parse and read what a receiver reads of every packet: header fields and the transport-wide
// sequence number.
void BM_RtpParseWithTransportSequenceNumber(benchmark::State& state) {
  const std::vector<uint8_t> packet = MakeMediaPacket();
  uint64_t sum = 0;
  for (auto _ : state) {
    auto parsed = RtpPacket::Parse(packet);
    sum += parsed->sequence_number() + parsed->ssrc() + parsed->payload().size() +
           parsed->GetExtension<TransportSequenceNumber>(3).value_or(0);
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RtpParseWithTransportSequenceNumber);

void BM_RtpBuild(benchmark::State& state) {
  std::vector<uint8_t> payload(1100, 0x5A);
  std::array<uint8_t, kMaxPacketBufferSize> out{};
  uint16_t sequence_number = 0;
  for (auto _ : state) {
    RtpPacketBuilder builder;
    builder.set_payload_type(96)
        .set_sequence_number(sequence_number)
        .set_timestamp(90000)
        .set_ssrc(0x5173);
    (void)builder.SetExtension<TransportSequenceNumber>(3, sequence_number);
    (void)builder.SetExtension<AbsoluteSendTime>(2, 0x123456);
    auto size = builder.Build(payload, out);
    benchmark::DoNotOptimize(size);
    benchmark::ClobberMemory();
    ++sequence_number;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_RtpBuild);

}  // namespace
}  // namespace comodal
