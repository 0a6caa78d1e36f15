#include "transport/fec/reed_solomon.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <vector>

#include "tests/transport/fec/fec_test_util.h"
#include "transport/fec/fec_receiver.h"
#include "transport/fec/gf256.h"

namespace comodal {
namespace {

using namespace fec_test;  // NOLINT(google-build-using-namespace): test constants.
using Packets = std::vector<std::vector<uint8_t>>;

constexpr uint8_t kRsPt = 119;
constexpr Timestamp kT0 = Timestamp::Seconds(50);

// Groups of 12 packets, up to 150 ms of media (the default span is shorter; the groups here
// must be full).
FlexfecSender::Config RsSenderConfig() {
  FlexfecSender::Config config = SenderConfig();
  config.reed_solomon_payload_type = kRsPt;
  config.reed_solomon_max_span = 13'500;
  return config;
}

FlexfecReceiver::Config RsReceiverConfig() {
  return {.fec_ssrc = kFecSsrc, .protected_ssrc = kMediaSsrc, .reed_solomon_payload_type = kRsPt};
}

// Delta frames of 2 to 4 packets, 33 ms apart, through a sender protecting them at `rate` and
// `loss`; stops once the first group's repair is out. Returns the group's media and repair.
std::pair<Packets, Packets> OneGroup(double rate, double loss, Random& random) {
  FlexfecSender sender(RsSenderConfig());
  sender.SetProtection(rate, rate, loss);
  Packets media, repair;
  uint16_t sequence_number = 100;
  for (uint32_t frame = 0; repair.empty(); ++frame) {
    const Packets packets = Frame(sequence_number, 2 + random.Next() % 3, 3000 * frame, random);
    sequence_number = static_cast<uint16_t>(sequence_number + packets.size());
    media.insert(media.end(), packets.begin(), packets.end());
    repair = Protect(sender, packets, /*keyframe=*/false);
  }
  return {media, repair};
}

std::map<uint16_t, std::vector<uint8_t>> Deliver(FlexfecReceiver& receiver, const Packets& media,
                                                 const Packets& repair,
                                                 const std::set<size_t>& lost) {
  std::map<uint16_t, std::vector<uint8_t>> recovered;
  for (size_t i = 0; i < media.size() + repair.size(); ++i) {
    if (lost.contains(i)) continue;
    const auto& packet = i < media.size() ? media[i] : repair[i - media.size()];
    for (auto& out : receiver.OnPacket(packet, kT0)) recovered[LoadBE16(&out[2])] = out;
  }
  return recovered;
}

TEST(Gf256Test, EveryNonZeroElementHasAnInverseAndMultiplicationDistributes) {
  for (unsigned a = 1; a < 256; ++a) {
    EXPECT_EQ(gf256::Mul(static_cast<uint8_t>(a), gf256::Inv(static_cast<uint8_t>(a))), 1) << a;
  }
  for (unsigned a = 0; a < 256; a += 7) {
    for (unsigned b = 0; b < 256; b += 11) {
      for (unsigned c = 0; c < 256; c += 13) {
        const auto x = static_cast<uint8_t>(a), y = static_cast<uint8_t>(b),
                   z = static_cast<uint8_t>(c);
        ASSERT_EQ(gf256::Mul(x, y ^ z), gf256::Mul(x, y) ^ gf256::Mul(x, z));
      }
    }
  }
  EXPECT_EQ(gf256::Mul(2, 0x80), 0x1D);  // x * x^7 = x^8 = x^4 + x^3 + x^2 + 1.
}

// The repair count follows the binomial tail: 12 packets at 10 % loss need 6 repair packets for a
// group to fail less than once in 500 (one in 850), 4 at 5 %; none without loss.
TEST(ReedSolomonTest, RepairCountMakesAGroupFailureRarerThanAsked) {
  EXPECT_EQ(FlexfecSender::ReedSolomonRepairCount(12, 0.10, 2e-3), 6u);
  EXPECT_EQ(FlexfecSender::ReedSolomonRepairCount(12, 0.10, 1e-3), 7u);
  EXPECT_EQ(FlexfecSender::ReedSolomonRepairCount(12, 0.05, 2e-3), 4u);
  EXPECT_EQ(FlexfecSender::ReedSolomonRepairCount(12, 0.0, 2e-3), 0u);
  EXPECT_EQ(FlexfecSender::ReedSolomonRepairCount(3, 0.5, 1e-9), 3u);  // Never more than n.
}

// The property that makes it worth having: ANY m of the k + m packets may be lost, media or
// repair, and every media packet comes back byte for byte. XOR parity at the same overhead loses
// a packet whenever two fall in one parity group.
TEST(ReedSolomonTest, AnyMLossesAmongTheGroupAreRecoveredByteForByte) {
  Random random(7);
  for (int trial = 0; trial < 200; ++trial) {
    auto [media, repair] = OneGroup(0.32, 0.10, random);
    ASSERT_GE(media.size(), 12u);
    ASSERT_EQ(repair.size(), FlexfecSender::ReedSolomonRepairCount(media.size(), 0.10, 2e-3));
    const size_t total = media.size() + repair.size();
    std::set<size_t> lost;
    while (lost.size() < repair.size()) lost.insert(random.Next() % total);
    FlexfecReceiver receiver(RsReceiverConfig());
    auto recovered = Deliver(receiver, media, repair, lost);
    size_t lost_media = 0;
    for (size_t i : lost) {
      if (i >= media.size()) continue;
      ++lost_media;
      const uint16_t sequence_number = LoadBE16(&media[i][2]);
      ASSERT_TRUE(recovered.contains(sequence_number)) << "trial " << trial << " packet " << i;
      EXPECT_EQ(recovered[sequence_number], media[i]);
    }
    EXPECT_EQ(recovered.size(), lost_media);
    EXPECT_EQ(receiver.stats().recovered, lost_media);
    EXPECT_EQ(receiver.stats().malformed, 0u);
  }
}

// One loss more than the repair rows: nothing can be rebuilt, nothing wrong is made up, and when
// the rows age out the lost packets are counted as unrecoverable.
TEST(ReedSolomonTest, OneLossTooManyRecoversNothingAndIsCounted) {
  Random random(8);
  auto [media, repair] = OneGroup(0.32, 0.10, random);
  std::set<size_t> lost;
  for (size_t i = 0; i <= repair.size(); ++i) lost.insert(i);  // m + 1 media packets.
  FlexfecReceiver receiver(RsReceiverConfig());
  EXPECT_TRUE(Deliver(receiver, media, repair, lost).empty());
  EXPECT_EQ(receiver.stats().recovered, 0u);
  (void)receiver.OnPacket(media.back(), kT0 + TimeDelta::Seconds(2));  // Ages the rows out.
  EXPECT_EQ(receiver.stats().unrecoverable, repair.size() + 1);
}

// Below `reed_solomon_from_loss` the sender keeps FlexFEC's XOR parity on its own payload type.
TEST(ReedSolomonTest, BelowTheConfiguredLossFlexfecIsKept) {
  FlexfecSender::Config config = RsSenderConfig();
  config.reed_solomon_from_loss = 0.04;
  FlexfecSender sender(config);
  sender.SetProtection(0.1, 0.2, 0.02);
  Random random(9);
  Packets repair;
  for (uint32_t frame = 0; repair.empty(); ++frame) {
    repair =
        Protect(sender, Frame(static_cast<uint16_t>(10 * frame), 4, 3000 * frame, random), false);
  }
  for (const auto& packet : repair) EXPECT_EQ(packet[1] & 0x7F, kFecPt);
  sender.SetProtection(0.3, 0.6, 0.1);
  repair.clear();
  for (uint32_t frame = 100; repair.empty(); ++frame) {
    repair =
        Protect(sender, Frame(static_cast<uint16_t>(10 * frame), 4, 3000 * frame, random), false);
  }
  for (const auto& packet : repair) EXPECT_EQ(packet[1] & 0x7F, kRsPt);
}

// A delta group stops at 12 packets or 100 ms of media, so that the frames waiting for its repair
// wait at most that long.
TEST(ReedSolomonTest, GroupsCloseAtTwelvePacketsOrOneHundredMilliseconds) {
  Random random(10);
  FlexfecSender::Config config = SenderConfig();
  config.reed_solomon_payload_type = kRsPt;
  FlexfecSender sender(config);
  sender.SetProtection(0.3, 0.6, 0.08);
  // One-packet frames at 30 frames/s: the span closes the group after 100 ms (4 frames).
  for (uint32_t frame = 0; frame < 3; ++frame) {
    EXPECT_TRUE(Protect(sender, Frame(static_cast<uint16_t>(frame), 1, 3000 * frame, random), false)
                    .empty());
  }
  auto repair = Protect(sender, Frame(3, 1, 9'000, random), false);
  ASSERT_FALSE(repair.empty());
  auto parsed = ReedSolomonRepair::Parse(RtpPacket::Parse(repair[0]).value());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->source_count, 4);
  EXPECT_EQ(parsed->sequence_number_base, 0);
  // A group cut short by its span is sized to fail in proportion to its packets (4 of 12): at 8 %
  // loss 3 repair packets would keep 4 under 1 failure in 500, 4 keep it under 1 in 1 500.
  ASSERT_EQ(FlexfecSender::ReedSolomonRepairCount(4, 0.08, 2e-3), 3u);
  EXPECT_EQ(repair.size(), 4u);
  // Frames of 5 packets: the group closes at the end of the frame that reaches 12.
  repair.clear();
  uint16_t sequence_number = 4;
  for (uint32_t frame = 4; repair.empty(); ++frame) {
    repair = Protect(sender, Frame(sequence_number, 5, 3000 * frame, random), false);
    sequence_number = static_cast<uint16_t>(sequence_number + 5);
  }
  parsed = ReedSolomonRepair::Parse(RtpPacket::Parse(repair[0]).value());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->source_count, 15);
}

// The stream ends (MediaSender::Stop) with a group that no later frame will close: Flush sends
// its repair, which rebuilds a loss among its last frames; with nothing collected it sends none.
TEST(ReedSolomonTest, FlushProtectsTheLastFramesOfAStream) {
  Random random(11);
  FlexfecSender sender(RsSenderConfig());
  sender.SetProtection(0.3, 0.6, 0.1);
  Packets media;
  for (uint16_t frame = 0; frame < 2; ++frame) {
    const Packets packets = Frame(static_cast<uint16_t>(2 * frame), 2, 3000 * frame, random);
    EXPECT_TRUE(Protect(sender, packets, false).empty());
    media.insert(media.end(), packets.begin(), packets.end());
  }
  const Packets repair = sender.Flush();
  ASSERT_FALSE(repair.empty());
  FlexfecReceiver receiver(RsReceiverConfig());
  const auto recovered = Deliver(receiver, media, repair, {3});
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered.at(3), media[3]);
  EXPECT_TRUE(sender.Flush().empty());
}

RtpPacket RepairWithPayload(const std::vector<uint8_t>& payload, std::vector<uint8_t>& storage) {
  RtpPacketBuilder builder;
  builder.set_payload_type(kRsPt).set_ssrc(kFecSsrc);
  (void)builder.SetCsrcs(std::span(&kMediaSsrc, 1));
  storage.resize(kMaxPacketBufferSize);
  storage.resize(builder.Build(payload, storage).value());
  return RtpPacket::Parse(storage).value();
}

TEST(ReedSolomonTest, MalformedHeadersAreRejectedWithTheirReason) {
  std::vector<uint8_t> storage;
  auto error = [&](std::vector<uint8_t> payload) {
    auto parsed = ReedSolomonRepair::Parse(RepairWithPayload(payload, storage));
    return parsed.ok() ? std::string("ok") : std::string(parsed.error().detail);
  };
  EXPECT_EQ(error({0, 1, 2}), "Reed-Solomon repair header under 4 bytes");
  EXPECT_EQ(error({0, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}),
            "Reed-Solomon repair source count not in 1..128");
  EXPECT_EQ(error({0, 1, 200, 0, 1, 2, 3, 4, 5, 6, 7, 8}),
            "Reed-Solomon repair source count not in 1..128");
  EXPECT_EQ(error({0, 1, 5, 128, 1, 2, 3, 4, 5, 6, 7, 8}), "Reed-Solomon repair row not in 0..127");
  EXPECT_EQ(error({0, 1, 5, 0, 1, 2, 3}), "Reed-Solomon repair bit string under 8 bytes");
  EXPECT_EQ(error({0, 1, 5, 0, 0, 96, 0, 0, 0, 0, 0, 0}), "ok");
}

// A repair packet that does not agree with what was received (corrupted, or another sender's)
// rebuilds nothing and is counted; the receiver goes on as before.
TEST(ReedSolomonTest, AnInconsistentRepairRebuildsNothing) {
  Random random(11);
  auto [media, repair] = OneGroup(0.32, 0.10, random);
  // Row 0's bit string, with the length field of the missing packet's combination spoiled: the
  // rebuilt length runs past the string.
  std::vector<uint8_t> bad = repair[0];
  const size_t header =
      bad.size() - (ReedSolomonRepair::Parse(RtpPacket::Parse(bad).value())->bit_string.size());
  bad[header + 2] ^= 0xFF;
  bad[header + 3] ^= 0xFF;
  FlexfecReceiver receiver(RsReceiverConfig());
  Packets only_bad = {bad};
  auto recovered = Deliver(receiver, media, only_bad, {0});
  EXPECT_TRUE(recovered.empty());
  EXPECT_EQ(receiver.stats().malformed, 1u);
  EXPECT_EQ(receiver.stats().recovered, 0u);
}

}  // namespace
}  // namespace comodal
