// Fuzzes the entry point of every datagram on a secured flow, SecureDatagramPath::OnDatagram, in
// the states a listener meets: keyed statically, connected by DTLS (SRTP with real keys, DTLS
// records handed to OpenSSL after the handshake, new ClientHellos starting a second handshake),
// and a DTLS server that has seen nothing yet (the bytes reach OpenSSL's ClientHello parsing).
// Every datagram is either delivered as plain RTP/RTCP or dropped and counted; DTLS is never
// delivered.
// comodal-fuzz-runs: 20000
#include <cstdlib>
#include <deque>
#include <vector>

#include "transport/rtp/packet_demux.h"
#include "transport/srtp/secure_datagram_path.h"
#include "transport/time/simulated_loop.h"

namespace {

using comodal::DtlsConfig;
using comodal::DtlsRole;
using comodal::SecureDatagramPath;
using comodal::Timestamp;

comodal::SimulatedLoop& Loop() {
  static comodal::SimulatedLoop loop;
  return loop;
}

struct End {
  std::unique_ptr<SecureDatagramPath> path;
  std::deque<std::vector<uint8_t>> outbox;
  size_t delivered = 0;
};

uint64_t Drops(const SecureDatagramPath& path) {
  const comodal::SecureDatagramPathStats& stats = path.stats();
  return stats.srtp_in_drops.total() + stats.srtcp_in_drops.total() + stats.other_in_drops.total();
}

void MakeDtls(End& end, const DtlsConfig& config) {
  auto path = SecureDatagramPath::WithDtls(
      Loop(), config,
      [&end](std::span<const uint8_t> d, Timestamp) {
        end.outbox.emplace_back(d.begin(), d.end());
      },
      [&end](std::span<const uint8_t>, Timestamp) { ++end.delivered; });
  if (!path.ok()) std::abort();
  end.path = std::move(*path);
}

struct Fixture {
  std::shared_ptr<const comodal::Certificate> client_certificate;
  std::shared_ptr<const comodal::Certificate> server_certificate;
  DtlsConfig server_config;
  End keyed;
  End client;
  End server;

  Fixture() {
    auto a = comodal::Certificate::Generate();
    auto b = comodal::Certificate::Generate();
    if (!a.ok() || !b.ok()) std::abort();
    client_certificate = std::move(*a);
    server_certificate = std::move(*b);
    DtlsConfig client_config;
    client_config.role = DtlsRole::kClient;
    client_config.certificate = client_certificate;
    client_config.peer_fingerprint = server_certificate->fingerprint();
    server_config.role = DtlsRole::kServer;
    server_config.certificate = server_certificate;
    server_config.peer_fingerprint = client_certificate->fingerprint();
    // The timers are real time for OpenSSL; no retransmission may happen while fuzzing.
    for (DtlsConfig* config : {&client_config, &server_config}) {
      config->initial_retransmission_timeout = comodal::TimeDelta::Seconds(600);
      config->max_retransmission_timeout = comodal::TimeDelta::Seconds(600);
    }
    MakeDtls(client, client_config);
    MakeDtls(server, server_config);
    client.path->Start();
    for (int i = 0; i < 100 && !(client.outbox.empty() && server.outbox.empty()); ++i) {
      for (End* from : {&client, &server}) {
        End& to = from == &client ? server : client;
        while (!from->outbox.empty()) {
          (void)to.path->OnDatagram(from->outbox.front(), Loop().Now());
          from->outbox.pop_front();
        }
      }
    }
    if (!client.path->secure() || !server.path->secure()) std::abort();

    std::vector<uint8_t> key(
        comodal::MasterKeyAndSaltSize(comodal::SrtpProfile::kAesCm128HmacSha1_80), 7);
    auto path = SecureDatagramPath::WithStaticKeys(
        Loop(), {comodal::SrtpProfile::kAesCm128HmacSha1_80, key, key},
        [](std::span<const uint8_t>, Timestamp) {},
        [this](std::span<const uint8_t>, Timestamp) { ++keyed.delivered; });
    if (!path.ok()) std::abort();
    keyed.path = std::move(*path);
  }
};

// Exactly one outcome per datagram: delivered, or dropped and counted (DTLS: neither counted
// as a drop nor delivered when it went to the handshake).
void Feed(End& end, std::span<const uint8_t> datagram) {
  const size_t delivered = end.delivered;
  const uint64_t drops = Drops(*end.path);
  const uint64_t dtls_in = end.path->stats().dtls_datagrams_in;
  const bool attributed = end.path->OnDatagram(datagram, Loop().Now());
  end.outbox.clear();
  const bool was_delivered = end.delivered != delivered;
  const bool was_dropped = Drops(*end.path) != drops;
  const bool to_dtls = end.path->stats().dtls_datagrams_in != dtls_in;
  if (comodal::ClassifyPacket(datagram) == comodal::PacketKind::kDtls) {
    if (!to_dtls || was_delivered) std::abort();
  } else if (was_delivered == was_dropped || to_dtls || attributed != was_delivered) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture fixture;
  const std::span<const uint8_t> datagram(data, size);
  Feed(fixture.keyed, datagram);
  Feed(fixture.server, datagram);
  Feed(fixture.client, datagram);
  End fresh;
  MakeDtls(fresh, fixture.server_config);
  Feed(fresh, datagram);
  return 0;
}
