#include "transport/srtp/srtp_session.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {
namespace {

std::vector<uint8_t> KeyBytes(SrtpProfile profile, uint8_t first) {
  std::vector<uint8_t> key(MasterKeyAndSaltSize(profile));
  for (size_t i = 0; i < key.size(); ++i) key[i] = static_cast<uint8_t>(first + 7 * i);
  return key;
}

// Two ends of one flow: each protects with its key and verifies with the other's.
struct SessionPair {
  std::unique_ptr<SrtpSession> a;
  std::unique_ptr<SrtpSession> b;
};

SessionPair MakePair(SrtpProfile profile) {
  const std::vector<uint8_t> key_a = KeyBytes(profile, 1);
  const std::vector<uint8_t> key_b = KeyBytes(profile, 100);
  auto a = SrtpSession::Create({profile, key_a, key_b});
  auto b = SrtpSession::Create({profile, key_b, key_a});
  EXPECT_TRUE(a.ok()) << (a.ok() ? "" : a.error());
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error());
  return {std::move(*a), std::move(*b)};
}

// An RTP packet in a buffer with SRTP headroom, as the serialisers leave it.
struct Packet {
  std::array<uint8_t, kMaxPacketBufferSize> buffer{};
  size_t size = 0;
  std::vector<uint8_t> bytes() const { return {buffer.begin(), buffer.begin() + size}; }
};

Packet Rtp(uint16_t sequence_number, uint32_t ssrc = 0x0B1DE001, size_t payload_size = 200) {
  Packet packet;
  RtpPacketBuilder builder;
  builder.set_payload_type(96)
      .set_sequence_number(sequence_number)
      .set_timestamp(3000)
      .set_ssrc(ssrc);
  (void)builder.SetExtension<TransportSequenceNumber>(2, sequence_number);
  std::vector<uint8_t> payload(payload_size);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i);
  packet.size = builder.Build(payload, packet.buffer).value();
  return packet;
}

Packet Rtcp() {
  Packet packet;
  rtcp::RtcpCompound compound;
  rtcp::ReceiverReport rr;
  rr.sender_ssrc = 0x5EC0FEED;
  rr.report_blocks.resize(1);
  rr.report_blocks[0].source_ssrc = 0x0B1DE001;
  compound.messages = {rr, rtcp::Sdes::WithCname(0x5EC0FEED, "site")};
  packet.size = compound.Size();
  EXPECT_TRUE(rtcp::SerializeRtcp(compound, std::span(packet.buffer.data(), packet.size)).ok());
  return packet;
}

class SrtpSessionProfileTest : public ::testing::TestWithParam<SrtpProfile> {};

TEST_P(SrtpSessionProfileTest, RtpRoundTripsBothWays) {
  SessionPair pair = MakePair(GetParam());
  for (uint16_t seq : {uint16_t{65534}, uint16_t{65535}, uint16_t{0}, uint16_t{1}}) {
    Packet packet = Rtp(seq);
    const std::vector<uint8_t> plain = packet.bytes();
    auto srtp_size = pair.a->ProtectRtp(packet.buffer, packet.size);
    ASSERT_TRUE(srtp_size.ok()) << srtp_size.error().ToString();
    EXPECT_EQ(*srtp_size, plain.size() + SrtpRtpOverhead(GetParam()));
    // Header in the clear (RFC 3711 §3.1), payload encrypted.
    const size_t header_size = RtpPacket::Parse(plain).value().header_size();
    EXPECT_TRUE(std::equal(plain.begin(), plain.begin() + header_size, packet.buffer.begin()));
    EXPECT_FALSE(
        std::equal(plain.begin() + header_size, plain.end(), packet.buffer.begin() + header_size));

    auto plain_size = pair.b->UnprotectRtp(std::span(packet.buffer.data(), *srtp_size));
    ASSERT_TRUE(plain_size.ok()) << plain_size.error().ToString();
    EXPECT_EQ(std::vector<uint8_t>(packet.buffer.begin(), packet.buffer.begin() + *plain_size),
              plain);
  }
  // And the other way, with the other key.
  Packet back = Rtp(9, 0x5EC0FEED);
  const std::vector<uint8_t> plain = back.bytes();
  auto srtp_size = pair.b->ProtectRtp(back.buffer, back.size);
  ASSERT_TRUE(srtp_size.ok());
  auto plain_size = pair.a->UnprotectRtp(std::span(back.buffer.data(), *srtp_size));
  ASSERT_TRUE(plain_size.ok());
  EXPECT_EQ(std::vector<uint8_t>(back.buffer.begin(), back.buffer.begin() + *plain_size), plain);
}

TEST_P(SrtpSessionProfileTest, RtcpRoundTrips) {
  SessionPair pair = MakePair(GetParam());
  std::optional<uint32_t> first_index;
  for (uint32_t i = 0; i < 3; ++i) {
    Packet packet = Rtcp();
    const std::vector<uint8_t> plain = packet.bytes();
    auto srtcp_size = pair.b->ProtectRtcp(packet.buffer, packet.size);
    ASSERT_TRUE(srtcp_size.ok()) << srtcp_size.error().ToString();
    EXPECT_EQ(*srtcp_size, plain.size() + SrtpRtcpOverhead(GetParam()));
    // The E flag is set (encrypted) and the SRTCP index counts up by one; it follows the
    // payload (RFC 3711 §3.4), or the GCM tag (RFC 7714 §9.1).
    const size_t index_at =
        GetParam() == SrtpProfile::kAeadAes128Gcm ? *srtcp_size - 4 : plain.size();
    const uint32_t e_and_index = LoadBE32(packet.buffer.data() + index_at);
    EXPECT_TRUE(e_and_index & 0x80000000u);
    if (!first_index) first_index = e_and_index & 0x7FFFFFFFu;
    EXPECT_EQ(e_and_index & 0x7FFFFFFFu, *first_index + i);
    auto plain_size = pair.a->UnprotectRtcp(std::span(packet.buffer.data(), *srtcp_size));
    ASSERT_TRUE(plain_size.ok()) << plain_size.error().ToString();
    EXPECT_EQ(std::vector<uint8_t>(packet.buffer.begin(), packet.buffer.begin() + *plain_size),
              plain);
  }
}

TEST_P(SrtpSessionProfileTest, ModifiedPacketsFailAuthentication) {
  SessionPair pair = MakePair(GetParam());
  Packet packet = Rtp(100);
  const size_t srtp_size = pair.a->ProtectRtp(packet.buffer, packet.size).value();
  const std::vector<uint8_t> srtp(packet.buffer.begin(), packet.buffer.begin() + srtp_size);
  // One bit flipped in the header, the payload, or the tag: each is refused.
  for (size_t at : {size_t{1}, size_t{8}, size_t{40}, srtp_size - 1}) {
    std::vector<uint8_t> modified = srtp;
    modified[at] ^= 0x01;
    auto result = pair.b->UnprotectRtp(modified);
    ASSERT_FALSE(result.ok()) << "bit flipped at " << at;
    EXPECT_EQ(result.error().code, ErrorCode::kAuthenticationFailed) << at;
  }
  // The original still authenticates: a forgery does not poison the replay window.
  std::vector<uint8_t> original = srtp;
  EXPECT_TRUE(pair.b->UnprotectRtp(original).ok());

  Packet report = Rtcp();
  const size_t srtcp_size = pair.a->ProtectRtcp(report.buffer, report.size).value();
  std::vector<uint8_t> modified(report.buffer.begin(), report.buffer.begin() + srtcp_size);
  modified[12] ^= 0x80;
  auto result = pair.b->UnprotectRtcp(modified);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kAuthenticationFailed);
}

// Protects `packet` at `from` and hands the result to `to` twice: the first delivery must pass;
// returns the verdict on the second.
Result<size_t> DeliverTwice(SrtpSession& from, SrtpSession& to, Packet packet, bool rtcp) {
  const size_t size = (rtcp ? from.ProtectRtcp(packet.buffer, packet.size)
                            : from.ProtectRtp(packet.buffer, packet.size))
                          .value();
  const std::vector<uint8_t> sent(packet.buffer.begin(), packet.buffer.begin() + size);
  std::vector<uint8_t> first = sent;
  EXPECT_TRUE((rtcp ? to.UnprotectRtcp(first) : to.UnprotectRtp(first)).ok());
  std::vector<uint8_t> again = sent;
  return rtcp ? to.UnprotectRtcp(again) : to.UnprotectRtp(again);
}

TEST_P(SrtpSessionProfileTest, ReplayedPacketsAreRefused) {
  SessionPair pair = MakePair(GetParam());
  auto replay = DeliverTwice(*pair.a, *pair.b, Rtp(5000), /*rtcp=*/false);
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().code, ErrorCode::kReplayed);
  auto report_replay = DeliverTwice(*pair.a, *pair.b, Rtcp(), /*rtcp=*/true);
  ASSERT_FALSE(report_replay.ok());
  EXPECT_EQ(report_replay.error().code, ErrorCode::kReplayed);
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpSessionProfileTest,
                         ::testing::Values(SrtpProfile::kAeadAes128Gcm,
                                           SrtpProfile::kAesCm128HmacSha1_80),
                         [](const auto& info) {
                           return info.param == SrtpProfile::kAeadAes128Gcm ? "Gcm" : "AesCm";
                         });

TEST(SrtpSessionTest, LateRepairIsAcceptedWithinTheWindowAndRefusedBeyondIt) {
  SessionPair pair = MakePair(SrtpProfile::kAeadAes128Gcm);
  std::vector<std::vector<uint8_t>> sent;
  for (uint16_t seq = 0; seq < 3000; ++seq) {
    Packet packet = Rtp(seq, 0x0B1DE001, 20);
    const size_t size = pair.a->ProtectRtp(packet.buffer, packet.size).value();
    sent.emplace_back(packet.buffer.begin(), packet.buffer.begin() + size);
  }
  // Packet 10 was lost; everything after it arrived.
  for (size_t i = 0; i < sent.size(); ++i) {
    if (i == 10) continue;
    ASSERT_TRUE(pair.b->UnprotectRtp(sent[i]).ok()) << i;
  }
  // Its repair (the same packet again) comes 2989 packets later: within the window.
  Packet repair = Rtp(10, 0x0B1DE001, 20);
  const size_t repair_size = pair.a->ProtectRtp(repair.buffer, repair.size).value();
  EXPECT_EQ(std::vector<uint8_t>(repair.buffer.begin(), repair.buffer.begin() + repair_size),
            sent[10]);
  EXPECT_TRUE(pair.b->UnprotectRtp(std::span(repair.buffer.data(), repair_size)).ok());

  // kReplayWindow more packets later, an index that old is refused.
  for (uint16_t seq = 3000; seq < 3000 + SrtpSession::kReplayWindow + 10; ++seq) {
    Packet packet = Rtp(seq, 0x0B1DE001, 20);
    const size_t size = pair.a->ProtectRtp(packet.buffer, packet.size).value();
    ASSERT_TRUE(pair.b->UnprotectRtp(std::span(packet.buffer.data(), size)).ok());
  }
  Packet stale = Rtp(2990, 0x0B1DE001, 20);
  auto stale_result = pair.a->ProtectRtp(stale.buffer, stale.size);
  ASSERT_FALSE(stale_result.ok());
  EXPECT_EQ(stale_result.error().code, ErrorCode::kReplayed);
}

TEST(SrtpSessionTest, RefusesToProtectOtherBytesUnderAnIndexAlreadyUsed) {
  SessionPair pair = MakePair(SrtpProfile::kAeadAes128Gcm);
  Packet packet = Rtp(77);
  const std::vector<uint8_t> plain = packet.bytes();
  ASSERT_TRUE(pair.a->ProtectRtp(packet.buffer, packet.size).ok());
  // Same sequence number, one payload byte different: GCM would reuse its nonce.
  Packet other = Rtp(77);
  other.buffer[other.size - 1] ^= 0xFF;
  auto refused = pair.a->ProtectRtp(other.buffer, other.size);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  // The identical packet again is fine (a retransmission).
  Packet same = Rtp(77);
  EXPECT_TRUE(same.bytes() == plain);
  EXPECT_TRUE(pair.a->ProtectRtp(same.buffer, same.size).ok());
  // Another SSRC has its own sequence numbers.
  Packet audio = Rtp(77, 0x0A0D1001);
  EXPECT_TRUE(pair.a->ProtectRtp(audio.buffer, audio.size).ok());
}

TEST(SrtpSessionTest, WrongKeyFailsAuthentication) {
  const SrtpProfile profile = SrtpProfile::kAesCm128HmacSha1_80;
  auto sender = SrtpSession::Create({profile, KeyBytes(profile, 1), KeyBytes(profile, 2)});
  auto stranger = SrtpSession::Create({profile, KeyBytes(profile, 3), KeyBytes(profile, 4)});
  ASSERT_TRUE(sender.ok() && stranger.ok());
  Packet packet = Rtp(1);
  const size_t size = (*sender)->ProtectRtp(packet.buffer, packet.size).value();
  auto result = (*stranger)->UnprotectRtp(std::span(packet.buffer.data(), size));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kAuthenticationFailed);
}

TEST(SrtpSessionTest, ShortAndMalformedInputIsAnErrorNotACrash) {
  SessionPair pair = MakePair(SrtpProfile::kAeadAes128Gcm);
  std::vector<uint8_t> empty;
  EXPECT_EQ(pair.b->UnprotectRtp(empty).error().code, ErrorCode::kTruncated);
  std::vector<uint8_t> header_only = {0x80, 0x60, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(pair.b->UnprotectRtp(header_only).error().code, ErrorCode::kTruncated);
  std::vector<uint8_t> wrong_version(40, 0x40);
  EXPECT_EQ(pair.b->UnprotectRtp(wrong_version).error().code, ErrorCode::kBadVersion);
  // Extension length pointing past the end.
  std::vector<uint8_t> long_extension = {0x90, 0x60, 0, 1, 0,    0,    0,    0,
                                         0,    0,    0, 1, 0xBE, 0xDE, 0xFF, 0xFF};
  long_extension.resize(60);
  EXPECT_EQ(pair.b->UnprotectRtp(long_extension).error().code, ErrorCode::kTruncated);
  std::vector<uint8_t> short_rtcp = {0x80, 0xC9, 0, 1, 0, 0, 0, 5, 0x80, 0, 0, 1};
  EXPECT_EQ(pair.b->UnprotectRtcp(short_rtcp).error().code, ErrorCode::kTruncated);
}

TEST(SrtpSessionTest, ProtectNeedsRoomForTheTrailer) {
  SessionPair pair = MakePair(SrtpProfile::kAeadAes128Gcm);
  Packet packet = Rtp(3);
  auto no_room = pair.a->ProtectRtp(std::span(packet.buffer.data(), packet.size + 15), packet.size);
  ASSERT_FALSE(no_room.ok());
  EXPECT_EQ(no_room.error().code, ErrorCode::kBufferTooSmall);
  EXPECT_TRUE(
      pair.a->ProtectRtp(std::span(packet.buffer.data(), packet.size + 16), packet.size).ok());

  Packet report = Rtcp();
  auto no_rtcp_room =
      pair.a->ProtectRtcp(std::span(report.buffer.data(), report.size + 19), report.size);
  ASSERT_FALSE(no_rtcp_room.ok());
  EXPECT_EQ(no_rtcp_room.error().code, ErrorCode::kBufferTooSmall);
}

TEST(SrtpSessionTest, KeysOfTheWrongSizeAreRefused) {
  auto session = SrtpSession::Create(
      {SrtpProfile::kAeadAes128Gcm, std::vector<uint8_t>(30), std::vector<uint8_t>(28)});
  ASSERT_FALSE(session.ok());
  EXPECT_NE(session.error().find("28 bytes"), std::string::npos) << session.error();
}

}  // namespace
}  // namespace comodal
