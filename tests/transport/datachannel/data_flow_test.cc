#include "transport/datachannel/data_flow.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "tests/transport/srtp/dtls_test_peers.h"
#include "transport/link/site_link.h"
#include "transport/srtp/secure_datagram_path.h"
#include "transport/time/simulated_loop.h"

namespace comodal::datachannel {
namespace {

using Bytes = std::vector<uint8_t>;

link::LinkDirectionConfig Geo(int kbps) {
  link::LinkDirectionConfig config;
  config.propagation_delay = TimeDelta::Millis(300);
  config.capacity = link::CapacitySchedule::Constant(DataRate::KilobitsPerSec(kbps));
  config.queue_limit_time = TimeDelta::Seconds(1);
  return config;
}

Bytes Message(uint32_t tag, size_t size) {
  Bytes data(size, static_cast<uint8_t>(tag));
  data[0] = static_cast<uint8_t>(tag >> 8);
  return data;
}

// The hub's and a site's ends of one flow over a GEO link, each DataFlow under a DTLS-keyed
// SRTP path with pinned certificates: what goes on the link is what a satellite carries.
class SecuredGeoFlow {
 public:
  struct End {
    std::unique_ptr<SecureDatagramPath> path;
    std::unique_ptr<DataFlow> flow;
    std::vector<std::pair<ReliableChannel::Message, Timestamp>> received;
    std::vector<Bytes> wire;  // Every datagram it put on the link.
  };

  SecuredGeoFlow()
      : link_(
            loop_, Geo(256), Geo(1000), 7, [this](link::Delivery d) { Deliver(hub_, d); },
            [this](link::Delivery d) { Deliver(site_, d); }) {
    auto hub_certificate = NewCertificate();
    auto site_certificate = NewCertificate();
    Make(site_, PinnedConfig(DtlsRole::kClient, site_certificate, *hub_certificate), false);
    Make(hub_, PinnedConfig(DtlsRole::kServer, hub_certificate, *site_certificate), true);
    site_.path->Start();
    EXPECT_TRUE(loop_.RunUntil([&] { return site_.path->secure() && hub_.path->secure(); },
                               TimeDelta::Seconds(10)));
    hub_.flow->Start();
    site_.flow->Start();
  }

  SimulatedLoop& loop() { return loop_; }
  End& hub() { return hub_; }
  End& site() { return site_; }
  // Puts a datagram on the uplink as if the site had sent it (a replay, a forgery).
  void InjectToHub(Bytes datagram) { (void)link_.SendToHub({next_id_++, std::move(datagram)}); }

 private:
  void Make(End& end, const DtlsConfig& config, bool hub) {
    auto path = SecureDatagramPath::WithDtls(
        loop_, config,
        [this, &end, hub](std::span<const uint8_t> datagram, Timestamp) {
          end.wire.emplace_back(datagram.begin(), datagram.end());
          Bytes bytes(datagram.begin(), datagram.end());
          (void)(hub ? link_.SendToSite({next_id_++, std::move(bytes)})
                     : link_.SendToHub({next_id_++, std::move(bytes)}));
        },
        [&end](std::span<const uint8_t> packet, Timestamp arrival) {
          end.flow->OnDatagram(packet, arrival);
        });
    ASSERT_TRUE(path.ok()) << path.error();
    end.path = std::move(*path);
    DataFlow::Config flow_config;
    flow_config.channel.incarnation = hub ? 11 : 22;
    end.flow = std::make_unique<DataFlow>(
        loop_, flow_config,
        [&end](std::span<const uint8_t> packet, Timestamp now) {
          end.path->SendPacket(packet, now);
        },
        [&end](ReliableChannel::Message message, Timestamp now) {
          end.received.emplace_back(std::move(message), now);
        });
  }
  void Deliver(End& end, const link::Delivery& delivery) {
    (void)end.path->OnDatagram(delivery.packet.bytes, delivery.delivered);
  }

  SimulatedLoop loop_;
  link::SiteLink link_;
  End hub_;
  End site_;
  uint64_t next_id_ = 0;
};

// Session data over the secured flow: both lanes arrive whole and in order both ways, and a
// slide change sent while a large transfer fills the bulk lane arrives within the link's one-way
// delay plus 50 ms.
TEST(DataFlowTest, CarriesBothLanesOverSrtpAndSessionDataOvertakesBulk) {
  SecuredGeoFlow flow;
  std::vector<Bytes> sent_bulk;
  for (uint32_t i = 0; i < 30; ++i) {
    sent_bulk.push_back(Message(i, 16 * 1024));
    ASSERT_TRUE(flow.hub().flow->Send(Lane::kBulk, sent_bulk.back()).ok());
  }
  ASSERT_TRUE(flow.site().flow->Send(Lane::kSessionData, Message(900, 300)).ok());
  flow.loop().RunFor(TimeDelta::Seconds(2));
  const Timestamp slide_sent = flow.loop().Now();
  ASSERT_TRUE(flow.hub().flow->Send(Lane::kSessionData, Message(901, 40)).ok());
  ASSERT_TRUE(flow.loop().RunUntil(
      [&] { return flow.hub().flow->channel().idle() && flow.site().received.size() == 31; },
      TimeDelta::Seconds(60)));

  std::vector<Bytes> bulk;
  std::optional<Timestamp> slide_arrived;
  for (const auto& [message, at] : flow.site().received) {
    if (message.lane == Lane::kBulk) bulk.push_back(message.data);
    if (message.lane == Lane::kSessionData && message.data == Message(901, 40)) slide_arrived = at;
  }
  EXPECT_EQ(bulk, sent_bulk);
  ASSERT_TRUE(slide_arrived);
  EXPECT_LT(*slide_arrived - slide_sent, TimeDelta::Millis(350));
  ASSERT_EQ(flow.hub().received.size(), 1u);
  EXPECT_EQ(flow.hub().received[0].first.data, Message(900, 300));
  EXPECT_GT(flow.hub().path->stats().rtp_protected, 400u);
  EXPECT_EQ(flow.hub().flow->stats().refused, 0u);
}

// A datagram replayed or altered on the link is dropped by SRTP with its reason, and the
// message it carried is delivered once.
TEST(DataFlowTest, ReplayedAndForgedDatagramsAreDroppedAndCounted) {
  SecuredGeoFlow flow;
  ASSERT_TRUE(flow.site().flow->Send(Lane::kSessionData, Message(1, 200)).ok());
  ASSERT_TRUE(
      flow.loop().RunUntil([&] { return flow.hub().received.size() == 1; }, TimeDelta::Seconds(5)));
  // The last data packet the site sent (SRTP leaves the RTP header readable), and a copy under
  // another sequence number (a copy under the same one would be refused as a replay first).
  Bytes replay;
  for (const Bytes& datagram : flow.site().wire) {
    if (datagram.size() > 12 && (datagram[1] & 0x7F) == kDataPayloadType) replay = datagram;
  }
  ASSERT_FALSE(replay.empty());
  Bytes forged = replay;
  forged[3] ^= 0x40;
  flow.InjectToHub(replay);
  flow.InjectToHub(forged);
  flow.loop().RunFor(TimeDelta::Seconds(2));
  const auto& drops = flow.hub().path->stats().srtp_in_drops;
  EXPECT_GE(drops.count(ErrorCode::kReplayed), 1u);
  EXPECT_GE(drops.count(ErrorCode::kAuthenticationFailed), 1u);
  EXPECT_EQ(flow.hub().received.size(), 1u);
}

// The bulk lane keeps to its share of the controller's target: a transfer of 400 kB down a
// 1 Mbit/s link goes at about half the target, leaving the rest for the media.
TEST(DataFlowTest, TheBulkLaneKeepsToItsShareOfTheTarget) {
  SecuredGeoFlow flow;
  flow.loop().RunFor(TimeDelta::Seconds(10));  // The controller finds the link.
  const DataRate target = flow.hub().flow->target_rate();
  EXPECT_GT(target, DataRate::KilobitsPerSec(600));
  for (uint32_t i = 0; i < 25; ++i) {
    ASSERT_TRUE(flow.hub().flow->Send(Lane::kBulk, Message(i, 16'000)).ok());
  }
  const Timestamp start = flow.loop().Now();
  const DataSize sent_before = flow.hub().flow->stats().bulk_sent;
  flow.loop().RunFor(TimeDelta::Seconds(4));
  const DataRate bulk_rate =
      (flow.hub().flow->stats().bulk_sent - sent_before) / (flow.loop().Now() - start);
  const DataRate mean_target = (target + flow.hub().flow->target_rate()) / 2;
  EXPECT_GT(bulk_rate, mean_target * 0.4) << bulk_rate.kbps() << " of " << mean_target.kbps();
  EXPECT_LT(bulk_rate, mean_target * 0.55) << bulk_rate.kbps() << " of " << mean_target.kbps();
}

}  // namespace
}  // namespace comodal::datachannel
