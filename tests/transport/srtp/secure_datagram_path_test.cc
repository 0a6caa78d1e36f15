#include "transport/srtp/secure_datagram_path.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <vector>

#include "tests/support/real_time.h"
#include "tests/transport/srtp/dtls_test_peers.h"
#include "transport/link/scheduled_link.h"
#include "transport/net/asio_scheduler.h"
#include "transport/net/udp_socket.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/time/simulated_loop.h"

namespace comodal {
namespace {

using ::testing::HasSubstr;
using Bytes = std::vector<uint8_t>;

Bytes Rtp(uint16_t sequence_number, uint32_t ssrc = 0x0B1DE001) {
  std::array<uint8_t, kMaxPacketBufferSize> buffer{};
  RtpPacketBuilder builder;
  builder.set_payload_type(96).set_sequence_number(sequence_number).set_ssrc(ssrc);
  const Bytes payload(100, static_cast<uint8_t>(sequence_number));
  return Bytes(buffer.begin(), buffer.begin() + builder.Build(payload, buffer).value());
}

Bytes Rtcp(uint32_t ssrc) {
  rtcp::RtcpCompound compound;
  rtcp::ReceiverReport rr;
  rr.sender_ssrc = ssrc;
  compound.messages = {rr, rtcp::Sdes::WithCname(ssrc, "site")};
  Bytes out(compound.Size());
  EXPECT_TRUE(rtcp::SerializeRtcp(compound, out).ok());
  return out;
}

// One end of a flow: its path, what reached the media above it, and what it put on the wire.
struct End {
  std::unique_ptr<SecureDatagramPath> path;
  std::vector<Bytes> delivered;
  std::vector<Bytes> sent;
  std::vector<std::pair<DtlsState, std::string>> states;
  std::function<void(std::span<const uint8_t>)> wire;  // Where sent datagrams go.

  SecureDatagramPath::SendDatagram Send() {
    return [this](std::span<const uint8_t> datagram, Timestamp) {
      sent.emplace_back(datagram.begin(), datagram.end());
      if (wire) wire(datagram);
    };
  }
  SecureDatagramPath::DeliverPacket Deliver() {
    return [this](std::span<const uint8_t> packet, Timestamp) {
      delivered.emplace_back(packet.begin(), packet.end());
    };
  }
  void Watch() {
    path->set_state_handler(
        [this](DtlsState state, const std::string& error) { states.emplace_back(state, error); });
  }
};

void MakeDtlsEnd(End& end, TaskScheduler& scheduler, const DtlsConfig& config) {
  auto path = SecureDatagramPath::WithDtls(scheduler, config, end.Send(), end.Deliver());
  ASSERT_TRUE(path.ok()) << path.error();
  end.path = std::move(*path);
  end.Watch();
}

// Client and server over an emulated GEO link in simulated time: 280 ms propagation each way,
// 256 kbit/s up (client to server), 1 Mbit/s down. What the server sends reaches `downlink_to`.
struct GeoFlow {
  SimulatedLoop loop{Timestamp::Seconds(1000)};
  std::shared_ptr<const Certificate> client_certificate = NewCertificate();
  std::shared_ptr<const Certificate> server_certificate = NewCertificate();
  End client;
  End server;
  End* downlink_to = &client;
  std::unique_ptr<link::ScheduledLink> uplink;
  std::unique_ptr<link::ScheduledLink> downlink;
  uint64_t next_id = 0;

  GeoFlow() {
    link::LinkDirectionConfig up;
    up.propagation_delay = TimeDelta::Millis(280);
    up.capacity = link::CapacitySchedule::Constant(DataRate::KilobitsPerSec(256));
    link::LinkDirectionConfig down = up;
    down.capacity = link::CapacitySchedule::Constant(DataRate::KilobitsPerSec(1000));
    uplink = std::make_unique<link::ScheduledLink>(loop, up, 1, [this](link::Delivery d) {
      server.path->OnDatagram(d.packet.bytes, loop.Now());
    });
    downlink = std::make_unique<link::ScheduledLink>(loop, down, 2, [this](link::Delivery d) {
      downlink_to->path->OnDatagram(d.packet.bytes, loop.Now());
    });
    client.wire = UplinkWire();
    server.wire = [this](std::span<const uint8_t> d) {
      (void)downlink->Send({next_id++, Bytes(d.begin(), d.end())});
    };
  }
  std::function<void(std::span<const uint8_t>)> UplinkWire() {
    return [this](std::span<const uint8_t> d) {
      (void)uplink->Send({next_id++, Bytes(d.begin(), d.end())});
    };
  }
  void MakeEnds(const DtlsConfig& client_config, const DtlsConfig& server_config) {
    MakeDtlsEnd(client, loop, client_config);
    MakeDtlsEnd(server, loop, server_config);
  }
  void MakeEnds() {
    MakeEnds(PinnedConfig(DtlsRole::kClient, client_certificate, *server_certificate),
             PinnedConfig(DtlsRole::kServer, server_certificate, *client_certificate));
  }
};

TEST(SecureDatagramPathTest, DtlsHandshakeOverGeoThenSrtpBothWays) {
  GeoFlow flow;
  flow.MakeEnds();
  const Timestamp start = flow.loop.Now();
  // Before keys exist nothing passes: the media's first packets are dropped and counted.
  flow.client.path->SendPacket(Rtp(1), start);
  EXPECT_EQ(flow.client.path->stats().out_drops.count(ErrorCode::kNoKeys), 1u);
  EXPECT_TRUE(flow.client.sent.empty());

  flow.client.path->Start();
  ASSERT_TRUE(
      flow.loop.RunUntil([&] { return flow.client.path->secure() && flow.server.path->secure(); },
                         TimeDelta::Seconds(10)));
  // Two GEO round trips plus the flights' time on the 256 kbit/s uplink.
  const TimeDelta handshake = *flow.client.path->dtls()->handshake_duration();
  EXPECT_GE(handshake, TimeDelta::Millis(4 * 280));
  EXPECT_LT(handshake, TimeDelta::Millis(1400));
  EXPECT_EQ(flow.client.path->profile(), SrtpProfile::kAeadAes128Gcm);
  ASSERT_EQ(flow.client.states.size(), 1u);
  EXPECT_EQ(flow.client.states[0].first, DtlsState::kConnected);
  EXPECT_EQ(flow.server.states[0].first, DtlsState::kConnected);
  EXPECT_EQ(flow.client.path->stats().handshakes_completed, 1u);

  const Bytes media = Rtp(2);
  const Bytes feedback = Rtcp(0x5EC0FEED);
  flow.client.sent.clear();
  flow.client.path->SendPacket(media, flow.loop.Now());
  flow.server.path->SendPacket(feedback, flow.loop.Now());
  flow.loop.RunFor(TimeDelta::Seconds(1));
  // On the wire: SRTP (header in the clear, payload encrypted, 16-byte GCM tag).
  ASSERT_EQ(flow.client.sent.size(), 1u);
  EXPECT_EQ(flow.client.sent[0].size(), media.size() + 16);
  EXPECT_NE(Bytes(flow.client.sent[0].begin(), flow.client.sent[0].begin() + media.size()), media);
  // Above the path: the plain packets.
  EXPECT_THAT(flow.server.delivered, ::testing::ElementsAre(media));
  EXPECT_THAT(flow.client.delivered, ::testing::ElementsAre(feedback));
  EXPECT_EQ(flow.client.path->stats().rtp_protected, 1u);
  EXPECT_EQ(flow.server.path->stats().rtp_unprotected, 1u);
  EXPECT_EQ(flow.server.path->stats().rtcp_protected, 1u);
  EXPECT_EQ(flow.client.path->stats().rtcp_unprotected, 1u);
}

TEST(SecureDatagramPathTest, APeerWithAnUnpinnedCertificateGetsNoKeys) {
  GeoFlow flow;
  std::shared_ptr<const Certificate> impostor = NewCertificate();
  flow.MakeEnds(PinnedConfig(DtlsRole::kClient, impostor, *flow.server_certificate),
                PinnedConfig(DtlsRole::kServer, flow.server_certificate, *flow.client_certificate));
  flow.client.path->Start();
  flow.loop.RunFor(TimeDelta::Seconds(10));

  EXPECT_FALSE(flow.client.path->secure());
  EXPECT_FALSE(flow.server.path->secure());
  ASSERT_EQ(flow.server.states.size(), 1u);
  EXPECT_EQ(flow.server.states[0].first, DtlsState::kFailed);
  EXPECT_THAT(flow.server.states[0].second, HasSubstr(impostor->fingerprint().ToString()));
  ASSERT_EQ(flow.client.states.size(), 1u);
  EXPECT_EQ(flow.client.states[0].first, DtlsState::kFailed);
  EXPECT_EQ(flow.server.path->stats().handshakes_failed, 1u);
  // Whatever the impostor sends now is refused as unkeyed.
  flow.client.path->SendPacket(Rtp(1), flow.loop.Now());
  EXPECT_EQ(flow.client.path->stats().out_drops.count(ErrorCode::kNoKeys), 1u);
  EXPECT_FALSE(flow.server.path->OnDatagram(Rtp(2), flow.loop.Now()));
  EXPECT_EQ(flow.server.path->stats().srtp_in_drops.count(ErrorCode::kNoKeys), 1u);
  EXPECT_TRUE(flow.server.delivered.empty());
}

TEST(SecureDatagramPathTest, ServerTakesTheKeysOfAReconnectingPeerOnlyIfItIsPinned) {
  GeoFlow flow;
  flow.MakeEnds();
  flow.client.path->Start();
  ASSERT_TRUE(
      flow.loop.RunUntil([&] { return flow.server.path->secure(); }, TimeDelta::Seconds(10)));
  flow.loop.RunFor(TimeDelta::Seconds(1));

  // An impostor tries to take over from the same network path: its handshake fails...
  End impostor;
  MakeDtlsEnd(impostor, flow.loop,
              PinnedConfig(DtlsRole::kClient, NewCertificate(), *flow.server_certificate));
  impostor.wire = flow.UplinkWire();
  flow.downlink_to = &impostor;
  impostor.path->Start();
  flow.loop.RunFor(TimeDelta::Seconds(3));
  EXPECT_FALSE(impostor.path->secure());
  EXPECT_EQ(flow.server.path->stats().handshakes_failed, 1u);
  // ... and the session in use carries on.
  flow.downlink_to = &flow.client;
  flow.client.path->SendPacket(Rtp(10), flow.loop.Now());
  flow.loop.RunFor(TimeDelta::Seconds(1));
  EXPECT_THAT(flow.server.delivered, ::testing::ElementsAre(Rtp(10)));

  // The real client restarts (same certificate, a new process): its handshake replaces the keys.
  End restarted;
  MakeDtlsEnd(restarted, flow.loop,
              PinnedConfig(DtlsRole::kClient, flow.client_certificate, *flow.server_certificate));
  restarted.wire = flow.UplinkWire();
  flow.downlink_to = &restarted;
  restarted.path->Start();
  ASSERT_TRUE(flow.loop.RunUntil([&] { return restarted.path->secure(); }, TimeDelta::Seconds(10)));
  flow.loop.RunFor(TimeDelta::Seconds(1));
  EXPECT_EQ(flow.server.path->stats().handshakes_completed, 2u);
  restarted.path->SendPacket(Rtp(1), flow.loop.Now());
  // The old keys are gone: what the old process still sends is refused.
  flow.client.path->SendPacket(Rtp(11), flow.loop.Now());
  flow.loop.RunFor(TimeDelta::Seconds(1));
  EXPECT_THAT(flow.server.delivered, ::testing::ElementsAre(Rtp(10), Rtp(1)));
  EXPECT_EQ(flow.server.path->stats().srtp_in_drops.count(ErrorCode::kAuthenticationFailed), 1u);
}

TEST(SecureDatagramPathTest, OnlyHandshakesAndAuthenticPacketsAreAttributedToThePeer) {
  GeoFlow flow;
  flow.MakeEnds();
  // A DTLS record that is not a ClientHello starts nothing and says nothing about the peer.
  const Bytes stray = {22, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 9, 0, 1, 0x14};
  EXPECT_FALSE(flow.server.path->OnDatagram(stray, flow.loop.Now()));
  // The client's hello and the flight after it are attributed; so is its authenticated media.
  std::vector<bool> attributed;
  flow.uplink = std::make_unique<link::ScheduledLink>(
      flow.loop, link::LinkDirectionConfig{}, 4, [&](link::Delivery d) {
        attributed.push_back(flow.server.path->OnDatagram(d.packet.bytes, flow.loop.Now()));
      });
  flow.client.path->Start();
  ASSERT_TRUE(
      flow.loop.RunUntil([&] { return flow.client.path->secure(); }, TimeDelta::Seconds(10)));
  flow.client.path->SendPacket(Rtp(1), flow.loop.Now());
  flow.loop.RunFor(TimeDelta::Seconds(1));
  ASSERT_GE(attributed.size(), 3u);
  EXPECT_EQ(std::count(attributed.begin(), attributed.end(), false), 0);
  // Once connected, DTLS that is not a new hello is not.
  EXPECT_FALSE(flow.server.path->OnDatagram(stray, flow.loop.Now()));
}

// Two ends keyed with the same static key (SDES style), wired to each other directly.
struct StaticFlow {
  SimulatedLoop loop;
  End a;
  End b;
  StaticFlow() {
    const SrtpProfile profile = SrtpProfile::kAesCm128HmacSha1_80;
    Bytes key(MasterKeyAndSaltSize(profile));
    for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(3 * i + 1);
    const SrtpKeys keys{profile, key, key};
    for (End* end : {&a, &b}) {
      auto path = SecureDatagramPath::WithStaticKeys(loop, keys, end->Send(), end->Deliver());
      EXPECT_TRUE(path.ok());
      end->path = std::move(*path);
    }
  }
};

TEST(SecureDatagramPathTest, DropsAndCountsForgedReplayedAndForeignDatagrams) {
  StaticFlow flow;
  const Timestamp now = flow.loop.Now();
  EXPECT_TRUE(flow.a.path->secure());
  flow.a.path->SendPacket(Rtp(1), now);
  flow.a.path->SendPacket(Rtcp(0x0B1DE001), now);
  ASSERT_EQ(flow.a.sent.size(), 2u);
  const Bytes srtp = flow.a.sent[0];
  const Bytes srtcp = flow.a.sent[1];

  EXPECT_TRUE(flow.b.path->OnDatagram(srtp, now));
  EXPECT_TRUE(flow.b.path->OnDatagram(srtcp, now));
  ASSERT_EQ(flow.b.delivered.size(), 2u);
  EXPECT_EQ(flow.b.delivered[0], Rtp(1));

  // Replays.
  EXPECT_FALSE(flow.b.path->OnDatagram(srtp, now));
  EXPECT_FALSE(flow.b.path->OnDatagram(srtcp, now));
  // Modified: one payload bit, one tag bit.
  Bytes modified = flow.a.sent[0];
  flow.a.path->SendPacket(Rtp(2), now);
  modified = flow.a.sent.back();
  modified[30] ^= 0x04;
  EXPECT_FALSE(flow.b.path->OnDatagram(modified, now));
  modified = flow.a.sent.back();
  modified.back() ^= 0x80;
  EXPECT_FALSE(flow.b.path->OnDatagram(modified, now));
  // The unmodified packet still passes.
  EXPECT_TRUE(flow.b.path->OnDatagram(flow.a.sent.back(), now));
  // Plain RTP from someone without the key.
  EXPECT_FALSE(flow.b.path->OnDatagram(Rtp(3), now));
  // Not SRTP at all: STUN, DTLS on a statically keyed path, an unknown first byte, nothing.
  EXPECT_FALSE(flow.b.path->OnDatagram(Bytes{0x00, 0x01, 0x00, 0x00}, now));
  EXPECT_FALSE(flow.b.path->OnDatagram(Bytes{22, 0xFE, 0xFD}, now));
  EXPECT_FALSE(flow.b.path->OnDatagram(Bytes{0xFF}, now));
  EXPECT_FALSE(flow.b.path->OnDatagram(Bytes{}, now));

  const SecureDatagramPathStats& stats = flow.b.path->stats();
  EXPECT_EQ(stats.srtp_in_drops.count(ErrorCode::kReplayed), 1u);
  EXPECT_EQ(stats.srtcp_in_drops.count(ErrorCode::kReplayed), 1u);
  EXPECT_EQ(stats.srtp_in_drops.count(ErrorCode::kAuthenticationFailed), 3u);
  EXPECT_EQ(stats.other_in_drops.count(ErrorCode::kUnsupported), 4u);
  EXPECT_EQ(stats.rtp_unprotected, 2u);
  EXPECT_EQ(stats.rtcp_unprotected, 1u);
  EXPECT_EQ(flow.b.delivered.size(), 3u);
}

TEST(SecureDatagramPathTest, RefusesToSendWhatIsNotRtpOrRtcp) {
  StaticFlow flow;
  flow.a.path->SendPacket(Bytes{22, 0xFE, 0xFD, 0, 0}, flow.loop.Now());
  flow.a.path->SendPacket(Bytes{}, flow.loop.Now());
  EXPECT_TRUE(flow.a.sent.empty());
  EXPECT_EQ(flow.a.path->stats().out_drops.count(ErrorCode::kInvalidArgument), 2u);
}

// A flow between two paths on a real loop, through links (emulated or real sockets) that lose
// datagrams: the DTLS timers (OpenSSL measures them in real time) must recover.
struct RealTimeFlow {
  AsioScheduler scheduler;
  std::shared_ptr<const Certificate> client_certificate = NewCertificate();
  std::shared_ptr<const Certificate> server_certificate = NewCertificate();
  End client;
  End server;

  void MakeEnds() {
    DtlsConfig client_config =
        PinnedConfig(DtlsRole::kClient, client_certificate, *server_certificate);
    DtlsConfig server_config =
        PinnedConfig(DtlsRole::kServer, server_certificate, *client_certificate);
    for (DtlsConfig* config : {&client_config, &server_config}) {
      config->initial_retransmission_timeout = TimeDelta::Millis(150);
      config->max_retransmission_timeout = TimeDelta::Millis(600);
    }
    MakeDtlsEnd(client, scheduler, client_config);
    MakeDtlsEnd(server, scheduler, server_config);
    for (End* end : {&client, &server}) {
      end->path->set_state_handler([this, end](DtlsState state, const std::string& error) {
        end->states.emplace_back(state, error);
        if (client.path->secure() && server.path->secure()) scheduler.Stop();
      });
    }
  }
  // Runs until both ends have keys, for at most 20 s.
  bool Connect() {
    client.path->Start();
    scheduler.RunFor(TimeDelta::Seconds(20));
    return client.path->secure() && server.path->secure();
  }
};

TEST(SecureDatagramPathRealTimeTest, HandshakeCompletesOverALossyEmulatedPath) {
  RealTimeFlow flow;
  link::LinkDirectionConfig lossy;
  lossy.propagation_delay = TimeDelta::Millis(30);
  lossy.loss = link::BernoulliLoss{0.3};
  uint64_t id = 0;
  int client_sent = 0;
  link::ScheduledLink uplink(flow.scheduler, lossy, 7, [&](link::Delivery d) {
    flow.server.path->OnDatagram(d.packet.bytes, flow.scheduler.Now());
  });
  link::ScheduledLink downlink(flow.scheduler, lossy, 8, [&](link::Delivery d) {
    flow.client.path->OnDatagram(d.packet.bytes, flow.scheduler.Now());
  });
  flow.client.wire = [&](std::span<const uint8_t> d) {
    // The first ClientHello is always lost: at least one retransmission is needed.
    if (client_sent++ == 0) return;
    (void)uplink.Send({id++, Bytes(d.begin(), d.end())});
  };
  flow.server.wire = [&](std::span<const uint8_t> d) {
    (void)downlink.Send({id++, Bytes(d.begin(), d.end())});
  };
  flow.MakeEnds();
  ASSERT_TRUE(flow.Connect()) << "client: " << ToString(flow.client.path->dtls()->state()) << " "
                              << flow.client.path->dtls()->error();
  EXPECT_GE(flow.client.path->dtls()->retransmissions(), 1u);
  EXPECT_GT(uplink.stats().dropped_loss + downlink.stats().dropped_loss, 0u);
  EXPECT_EQ(flow.client.path->dtls()->srtp_keys()->local,
            flow.server.path->dtls()->srtp_keys()->remote);
}

TEST(SecureDatagramPathRealTimeTest, HandshakeAndSrtpOverLoopbackUdpWithLostFlights) {
  RealTimeFlow flow;
  auto client_socket = UdpSocket::Open(flow.scheduler, {"127.0.0.1", 0});
  auto server_socket = UdpSocket::Open(flow.scheduler, {"127.0.0.1", 0});
  ASSERT_TRUE(client_socket.ok() && server_socket.ok());
  const SocketAddress server_address = (*server_socket)->local_address();
  std::optional<SocketAddress> client_address;  // Learnt as a listener does.
  int client_sent = 0;
  int server_sent = 0;
  flow.client.wire = [&](std::span<const uint8_t> d) {
    if (client_sent++ == 0) return;  // The first ClientHello is lost.
    (*client_socket)->SendTo(d, server_address);
  };
  flow.server.wire = [&](std::span<const uint8_t> d) {
    if (server_sent++ < 2) return;  // So is the start of the server's first flight.
    if (client_address) (*server_socket)->SendTo(d, *client_address);
  };
  flow.MakeEnds();
  (*client_socket)
      ->StartReceiving([&](std::span<const uint8_t> d, const SocketAddress&, Timestamp arrival) {
        flow.client.path->OnDatagram(d, arrival);
      });
  (*server_socket)
      ->StartReceiving(
          [&](std::span<const uint8_t> d, const SocketAddress& from, Timestamp arrival) {
            if (flow.server.path->OnDatagram(d, arrival)) client_address = from;
          });
  ASSERT_TRUE(flow.Connect()) << flow.client.path->dtls()->error();
  EXPECT_GE(
      flow.client.path->dtls()->retransmissions() + flow.server.path->dtls()->retransmissions(),
      2u);

  // SRTP both ways over the sockets, until both arrived.
  flow.server.path->set_state_handler(nullptr);
  flow.client.path->SendPacket(Rtp(1), flow.scheduler.Now());
  flow.server.path->SendPacket(Rtcp(0x5EC0FEED), flow.scheduler.Now());
  EXPECT_TRUE(testing::RunUntil(
      flow.scheduler,
      [&] { return !flow.server.delivered.empty() && !flow.client.delivered.empty(); },
      TimeDelta::Seconds(20)));
  EXPECT_THAT(flow.server.delivered, ::testing::ElementsAre(Rtp(1)));
  EXPECT_THAT(flow.client.delivered, ::testing::ElementsAre(Rtcp(0x5EC0FEED)));
}

TEST(SecureDatagramPathRealTimeTest, ClientGivesUpWhenNoServerAnswers) {
  RealTimeFlow flow;
  int hellos = 0;
  flow.client.wire = [&](std::span<const uint8_t>) { ++hellos; };  // Into the void.
  flow.server.wire = [](std::span<const uint8_t>) {};
  DtlsConfig config =
      PinnedConfig(DtlsRole::kClient, flow.client_certificate, *flow.server_certificate);
  config.initial_retransmission_timeout = TimeDelta::Millis(10);
  config.max_retransmission_timeout = TimeDelta::Millis(20);
  MakeDtlsEnd(flow.client, flow.scheduler, config);
  flow.client.path->set_state_handler([&](DtlsState state, const std::string& error) {
    flow.client.states.emplace_back(state, error);
    flow.scheduler.Stop();
  });
  flow.client.path->Start();
  flow.scheduler.RunFor(TimeDelta::Seconds(10));
  ASSERT_EQ(flow.client.states.size(), 1u);
  EXPECT_EQ(flow.client.states[0].first, DtlsState::kFailed);
  EXPECT_THAT(flow.client.states[0].second, HasSubstr("no answer from the peer"));
  // OpenSSL's limit: the hello and 12 retransmissions of it (DTLS1_TMO_ALERT_COUNT).
  EXPECT_EQ(hellos, 13);
  EXPECT_EQ(flow.client.path->dtls()->retransmissions(), 12u);
  EXPECT_THAT(flow.client.states[0].second, HasSubstr("after 12 retransmissions"));
  EXPECT_FALSE(flow.client.path->secure());
}

}  // namespace
}  // namespace comodal
