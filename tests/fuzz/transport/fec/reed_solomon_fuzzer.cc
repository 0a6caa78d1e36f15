// Fuzzes ReedSolomonRepair::Parse on RTP packets: a header that parses names 1 to 128 packets and
// a row under 128, views the packet's own bytes, and writes back to the same bytes; the decoder,
// given the parsed repair as the only row of a group missing its first packet, never reads past
// what it was given, and what it rebuilds is an RTP packet or nothing.
#include <cstdlib>
#include <vector>

#include "transport/fec/reed_solomon.h"

using comodal::ReedSolomonRepair;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto packet = comodal::RtpPacket::Parse(std::span(data, size));
  if (!packet.ok()) return 0;
  auto repair = ReedSolomonRepair::Parse(*packet);
  if (!repair.ok()) return 0;
  if (repair->source_count == 0 || repair->source_count > ReedSolomonRepair::kMaxSources ||
      repair->row >= ReedSolomonRepair::kMaxRows ||
      repair->bit_string.size() < ReedSolomonRepair::kBitStringHeaderSize) {
    std::abort();
  }
  const std::span<const uint8_t> payload = packet->payload();
  if (repair->bit_string.data() != payload.data() + ReedSolomonRepair::kHeaderSize) std::abort();
  std::vector<uint8_t> out(payload.size());
  comodal::ByteWriter writer(out);
  repair->Write(writer);
  if (writer.size() != out.size() || !std::equal(out.begin(), out.end(), payload.begin())) {
    std::abort();
  }
  // The group: the first packet missing, the others made of the repair's bytes.
  std::vector<std::vector<uint8_t>> received(repair->source_count);
  for (size_t i = 1; i < received.size(); ++i) {
    received[i].assign(
        repair->bit_string.begin(),
        repair->bit_string.begin() + static_cast<std::ptrdiff_t>(i % repair->bit_string.size()));
    if (received[i].empty()) received[i].push_back(0);
  }
  const uint8_t rows[] = {repair->row};
  const std::vector<std::vector<uint8_t>> repairs = {
      std::vector<uint8_t>(repair->bit_string.begin(), repair->bit_string.end())};
  auto rebuilt = comodal::ReedSolomonDecode(received, rows, repairs);
  if (rebuilt) {
    if (rebuilt->size() != 1) std::abort();
    if (auto recovered = comodal::PacketFromFecBitString((*rebuilt)[0], 7, 0x1234)) {
      if (!comodal::RtpPacket::Parse(*recovered).ok()) std::abort();
    }
  }
  return 0;
}
