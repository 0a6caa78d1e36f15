// DTLS-SRTP between two DtlsTransport instances, datagrams handed across by the test with the
// times of a GEO path. Deterministic: no timer is needed when nothing is lost (the retransmission
// timeout is set far beyond what the test takes in real time, since OpenSSL measures it in real
// time); loss is exercised in secure_datagram_path_test.cc in real time.
#include "transport/srtp/dtls_transport.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "tests/transport/srtp/dtls_test_peers.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {
namespace {

using ::testing::HasSubstr;

constexpr TimeDelta kGeoOneWay = TimeDelta::Millis(300);

DtlsConfig Config(DtlsRole role, std::shared_ptr<const Certificate> own, const Certificate& peer) {
  DtlsConfig config = PinnedConfig(role, std::move(own), peer);
  // Far beyond the test's real duration: no retransmission can interfere.
  config.initial_retransmission_timeout = TimeDelta::Seconds(60);
  config.max_retransmission_timeout = TimeDelta::Seconds(60);
  return config;
}

std::unique_ptr<DtlsTransport> Make(const DtlsConfig& config) {
  auto dtls = DtlsTransport::Create(config);
  EXPECT_TRUE(dtls.ok()) << (dtls.ok() ? "" : dtls.error());
  return std::move(*dtls);
}

// Runs the handshake: the client's flights and the server's answers cross a path of `one_way`
// delay, each flight whole; at most 16 crossings.
void Exchange(DtlsTransport& client, DtlsTransport& server, Timestamp start,
              TimeDelta one_way = kGeoOneWay) {
  Timestamp t = start;
  std::vector<std::vector<uint8_t>> in_flight = client.Start(t).datagrams;
  bool towards_server = true;
  for (int hop = 0; hop < 16 && !in_flight.empty(); ++hop) {
    t = t + one_way;
    DtlsTransport& receiver = towards_server ? server : client;
    std::vector<std::vector<uint8_t>> answers;
    for (const std::vector<uint8_t>& datagram : in_flight) {
      DtlsOutput out = receiver.OnDatagram(datagram, t);
      answers.insert(answers.end(), out.datagrams.begin(), out.datagrams.end());
    }
    in_flight = std::move(answers);
    towards_server = !towards_server;
  }
}

struct Pair {
  std::shared_ptr<const Certificate> client_certificate = NewCertificate();
  std::shared_ptr<const Certificate> server_certificate = NewCertificate();
  DtlsConfig client_config = Config(DtlsRole::kClient, client_certificate, *server_certificate);
  DtlsConfig server_config = Config(DtlsRole::kServer, server_certificate, *client_certificate);
};

TEST(DtlsTransportTest, HandshakeCompletesAndBothEndsDeriveMatchingKeys) {
  Pair pair;
  auto client = Make(pair.client_config);
  auto server = Make(pair.server_config);
  Exchange(*client, *server, Timestamp::Seconds(100));

  ASSERT_EQ(client->state(), DtlsState::kConnected) << client->error();
  ASSERT_EQ(server->state(), DtlsState::kConnected) << server->error();
  const SrtpKeys& client_keys = *client->srtp_keys();
  const SrtpKeys& server_keys = *server->srtp_keys();
  EXPECT_EQ(client_keys.profile, SrtpProfile::kAeadAes128Gcm);  // The default preference.
  EXPECT_EQ(server_keys.profile, SrtpProfile::kAeadAes128Gcm);
  EXPECT_EQ(client_keys.local.size(), 28u);  // 16-byte key + 12-byte salt.
  // RFC 5764 §4.2: the client writes with the client key, which the server reads with.
  EXPECT_EQ(client_keys.local, server_keys.remote);
  EXPECT_EQ(client_keys.remote, server_keys.local);
  EXPECT_NE(client_keys.local, client_keys.remote);
  EXPECT_EQ(*client->presented_fingerprint(), pair.server_certificate->fingerprint());
  EXPECT_EQ(*server->presented_fingerprint(), pair.client_certificate->fingerprint());
  // DTLS 1.2 without a cookie exchange: two round trips for the client, one for the server
  // (from its first ClientHello to the client's Finished).
  EXPECT_EQ(client->handshake_duration(), 4 * kGeoOneWay);
  EXPECT_EQ(server->handshake_duration(), 2 * kGeoOneWay);
  EXPECT_EQ(client->retransmissions() + server->retransmissions(), 0u);

  // SRTP flows both ways with the exported keys.
  auto client_srtp = SrtpSession::Create(client_keys);
  auto server_srtp = SrtpSession::Create(server_keys);
  ASSERT_TRUE(client_srtp.ok() && server_srtp.ok());
  for (int direction = 0; direction < 2; ++direction) {
    SrtpSession& from = direction == 0 ? **client_srtp : **server_srtp;
    SrtpSession& to = direction == 0 ? **server_srtp : **client_srtp;
    std::array<uint8_t, kMaxPacketBufferSize> buffer{};
    RtpPacketBuilder builder;
    builder.set_payload_type(111).set_sequence_number(1).set_ssrc(direction + 1u);
    const std::vector<uint8_t> payload(80, 0x42);
    const size_t size = builder.Build(payload, buffer).value();
    const std::vector<uint8_t> plain(buffer.begin(), buffer.begin() + size);
    const size_t srtp_size = from.ProtectRtp(buffer, size).value();
    const auto plain_size = to.UnprotectRtp(std::span(buffer.data(), srtp_size));
    ASSERT_TRUE(plain_size.ok()) << plain_size.error().ToString();
    EXPECT_EQ(std::vector<uint8_t>(buffer.begin(), buffer.begin() + *plain_size), plain);
  }
}

TEST(DtlsTransportTest, ServerRefusesAClientWithAnUnpinnedCertificate) {
  Pair pair;
  // The client presents a certificate the server did not pin (e.g. an impostor site box).
  std::shared_ptr<const Certificate> impostor = NewCertificate();
  DtlsConfig client_config = pair.client_config;
  client_config.certificate = impostor;
  auto client = Make(client_config);
  auto server = Make(pair.server_config);
  Exchange(*client, *server, Timestamp::Seconds(100));

  EXPECT_EQ(server->state(), DtlsState::kFailed);
  EXPECT_THAT(server->error(), HasSubstr(impostor->fingerprint().ToString()));
  EXPECT_THAT(server->error(),
              HasSubstr("not the pinned " + pair.client_certificate->fingerprint().ToString()));
  EXPECT_FALSE(server->srtp_keys().has_value());
  // The server's alert tells the client.
  EXPECT_EQ(client->state(), DtlsState::kFailed);
  EXPECT_THAT(client->error(), HasSubstr("refused this end's certificate"));
  EXPECT_THAT(client->error(), HasSubstr(impostor->fingerprint().ToString()));
  EXPECT_FALSE(client->srtp_keys().has_value());
}

TEST(DtlsTransportTest, ClientRefusesAServerWithAnUnpinnedCertificate) {
  Pair pair;
  std::shared_ptr<const Certificate> impostor = NewCertificate();
  DtlsConfig server_config = pair.server_config;
  server_config.certificate = impostor;
  auto client = Make(pair.client_config);
  auto server = Make(server_config);
  Exchange(*client, *server, Timestamp::Seconds(100));

  EXPECT_EQ(client->state(), DtlsState::kFailed);
  EXPECT_THAT(client->error(), HasSubstr("fingerprint " + impostor->fingerprint().ToString()));
  EXPECT_FALSE(client->srtp_keys().has_value());
  EXPECT_EQ(server->state(), DtlsState::kFailed);
  EXPECT_FALSE(server->srtp_keys().has_value());
}

TEST(DtlsTransportTest, NegotiatesAProfileBothEndsAccept) {
  Pair pair;
  pair.client_config.srtp_profiles = {SrtpProfile::kAesCm128HmacSha1_80};
  auto client = Make(pair.client_config);
  auto server = Make(pair.server_config);
  Exchange(*client, *server, Timestamp::Seconds(1));
  ASSERT_EQ(client->state(), DtlsState::kConnected) << client->error();
  EXPECT_EQ(client->srtp_keys()->profile, SrtpProfile::kAesCm128HmacSha1_80);
  EXPECT_EQ(server->srtp_keys()->profile, SrtpProfile::kAesCm128HmacSha1_80);
  EXPECT_EQ(client->srtp_keys()->local.size(), 30u);  // 16-byte key + 14-byte salt.
  EXPECT_EQ(client->srtp_keys()->local, server->srtp_keys()->remote);
}

TEST(DtlsTransportTest, NoCommonSrtpProfileFails) {
  Pair pair;
  pair.client_config.srtp_profiles = {SrtpProfile::kAesCm128HmacSha1_80};
  pair.server_config.srtp_profiles = {SrtpProfile::kAeadAes128Gcm};
  auto client = Make(pair.client_config);
  auto server = Make(pair.server_config);
  Exchange(*client, *server, Timestamp::Seconds(1));
  EXPECT_EQ(client->state(), DtlsState::kFailed);
  EXPECT_THAT(client->error(), HasSubstr("SRTP profile"));
  EXPECT_FALSE(client->srtp_keys().has_value());
  EXPECT_NE(server->state(), DtlsState::kConnected);
  EXPECT_FALSE(server->srtp_keys().has_value());
}

TEST(DtlsTransportTest, AsksForItsTimerAfterTheConfiguredTimeout) {
  Pair pair;
  pair.client_config.initial_retransmission_timeout = TimeDelta::Seconds(40);
  auto client = Make(pair.client_config);
  const Timestamp start = Timestamp::Seconds(7);
  DtlsOutput hello = client->Start(start);
  ASSERT_EQ(hello.datagrams.size(), 1u);
  EXPECT_EQ(client->state(), DtlsState::kConnecting);
  // What OpenSSL says remains of the 40 s it was given, measured from the time passed in.
  EXPECT_GT(hello.next_timeout, start + TimeDelta::Seconds(39));
  EXPECT_LE(hello.next_timeout, start + TimeDelta::Seconds(40));
  // Called early, it resends nothing.
  EXPECT_TRUE(client->OnTimeout(start + TimeDelta::Millis(10)).datagrams.empty());
  EXPECT_EQ(client->retransmissions(), 0u);
}

TEST(DtlsTransportTest, DatagramsAreAtMostTheMtu) {
  Pair pair;
  pair.client_config.mtu = 300;
  pair.server_config.mtu = 300;
  auto client = Make(pair.client_config);
  auto server = Make(pair.server_config);
  size_t largest = 0;
  Timestamp t = Timestamp::Seconds(1);
  std::vector<std::vector<uint8_t>> in_flight = client->Start(t).datagrams;
  for (int hop = 0; hop < 16 && !in_flight.empty(); ++hop) {
    DtlsTransport& receiver = hop % 2 == 0 ? *server : *client;
    std::vector<std::vector<uint8_t>> answers;
    for (const auto& datagram : in_flight) {
      largest = std::max(largest, datagram.size());
      DtlsOutput out = receiver.OnDatagram(datagram, t);
      answers.insert(answers.end(), out.datagrams.begin(), out.datagrams.end());
    }
    in_flight = std::move(answers);
  }
  EXPECT_EQ(client->state(), DtlsState::kConnected) << client->error();
  EXPECT_LE(largest, 300u);
}

TEST(DtlsTransportTest, ServerStartsOnlyOnAClientHello) {
  Pair pair;
  auto server = Make(pair.server_config);
  const std::vector<uint8_t> not_a_hello = {22, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3};
  DtlsOutput out = server->OnDatagram(not_a_hello, Timestamp::Seconds(1));
  EXPECT_TRUE(out.datagrams.empty());
  EXPECT_EQ(server->state(), DtlsState::kNew);

  auto client = Make(pair.client_config);
  DtlsOutput hello = client->Start(Timestamp::Seconds(1));
  ASSERT_EQ(hello.datagrams.size(), 1u);
  EXPECT_TRUE(DtlsClientHelloRandom(hello.datagrams[0]).has_value());
  EXPECT_FALSE(DtlsClientHelloRandom(not_a_hello).has_value());
  DtlsOutput flight = server->OnDatagram(hello.datagrams[0], Timestamp::Seconds(2));
  EXPECT_EQ(server->state(), DtlsState::kConnecting);
  ASSERT_FALSE(flight.datagrams.empty());
  EXPECT_FALSE(DtlsClientHelloRandom(flight.datagrams[0]).has_value());
  // Every prefix of a hello is too short to be one, and harmless to the server.
  for (size_t size = 0; size < hello.datagrams[0].size(); size += 7) {
    std::span<const uint8_t> prefix(hello.datagrams[0].data(), size);
    if (size < 61) EXPECT_FALSE(DtlsClientHelloRandom(prefix).has_value()) << size;
    (void)server->OnDatagram(prefix, Timestamp::Seconds(2));
  }
}

TEST(DtlsTransportTest, ConfigurationErrorsAreReported) {
  Pair pair;
  DtlsConfig no_pin = pair.client_config;
  no_pin.peer_fingerprint.reset();
  auto refused = DtlsTransport::Create(no_pin);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.error(), HasSubstr("fingerprint"));
  DtlsConfig no_certificate = pair.client_config;
  no_certificate.certificate.reset();
  EXPECT_FALSE(DtlsTransport::Create(no_certificate).ok());
}

}  // namespace
}  // namespace comodal
