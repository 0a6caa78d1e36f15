// Fuzzes DataPacket::Parse (the reliable channel's wire format) and feeds what parses to a
// channel: parsing writes back the same bytes, and no input makes the channel fail an invariant.
#include <algorithm>
#include <cstdlib>

#include "transport/datachannel/data_packet.h"
#include "transport/datachannel/reliable_channel.h"

using namespace comodal;
using namespace comodal::datachannel;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto packet = DataPacket::Parse(std::span(data, size));
  if (packet.ok()) {
    if (packet->size() != size) std::abort();
    const std::vector<uint8_t> written = packet->Serialize();
    if (written.size() != size || !std::equal(written.begin(), written.end(), data)) std::abort();
  }
  // The same bytes, then a couple of variations, into one channel.
  ReliableChannel channel({.incarnation = 1});
  const Timestamp now = Timestamp::Seconds(100);
  (void)channel.Send(Lane::kSessionData, std::vector<uint8_t>(3000, 1));
  while (channel.NextPacket(Lane::kSessionData, now)) {
  }
  (void)channel.OnPacket(std::span(data, size), now);
  (void)channel.OnPacket(std::span(data, size), now);
  channel.OnTimeout(now + TimeDelta::Seconds(5));
  for (const auto& message : channel.TakeMessages()) {
    if (message.data.empty()) std::abort();
  }
  (void)channel.TakeAck(now + TimeDelta::Seconds(5));
  (void)channel.NextPacket(Lane::kSessionData, now + TimeDelta::Seconds(5));
  return 0;
}
