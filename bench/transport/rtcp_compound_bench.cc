// RTCP compound parse throughput: items_per_second is compound packets per second.
#include <benchmark/benchmark.h>

#include <vector>

#include "transport/rtcp/compound_packet.h"

namespace comodal::rtcp {
namespace {

// What a site sends every RTCP interval: SR (one report block) + SDES CNAME, and with feedback
// a NACK and a transport-wide CC report on 50 packets.
std::vector<uint8_t> MakeCompound(bool with_feedback) {
  SenderReport sr;
  sr.sender_ssrc = 0x5173;
  sr.ntp = NtpTime(0xE98B0A00, 0x80000000);
  sr.report_blocks.resize(1);
  RtcpCompound compound;
  compound.messages = {sr, Sdes::WithCname(0x5173, "site-3@comodal")};
  if (with_feedback) {
    Nack nack;
    nack.lost_sequence_numbers = {100, 101, 117};
    compound.messages.push_back(nack);
    TransportFeedback feedback({0x5173, 0x4B1B}, 1, 1000, Timestamp::Millis(10'000));
    for (int i = 1; i < 50; ++i) {
      if (i % 17 == 0) continue;
      (void)feedback.AddReceivedPacket(static_cast<uint16_t>(1000 + i),
                                       Timestamp::Millis(10'000 + 5 * i));
    }
    compound.messages.push_back(feedback);
  }
  std::vector<uint8_t> out(compound.Size());
  (void)SerializeRtcp(compound, out);
  return out;
}

void BM_RtcpCompoundParse(benchmark::State& state) {
  const std::vector<uint8_t> bytes = MakeCompound(state.range(0) != 0);
  for (auto _ : state) {
    auto parsed = RtcpCompound::Parse(bytes);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(state.range(0) ? "SR+SDES+NACK+TWCC(50)" : "SR+SDES");
}
BENCHMARK(BM_RtcpCompoundParse)->Arg(0)->Arg(1);

}  // namespace
}  // namespace comodal::rtcp
