#include "transport/fec/fec_receiver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "tests/transport/fec/fec_test_util.h"

#include <map>
#include <set>
#include <vector>

namespace comodal {
namespace {

using namespace fec_test;  // NOLINT(google-build-using-namespace): test constants.
using link::Random;

constexpr Timestamp kT0 = Timestamp::Seconds(50);

FlexfecReceiver::Config ReceiverConfig() {
  return {.fec_ssrc = kFecSsrc, .protected_ssrc = kMediaSsrc};
}

using Packets = std::vector<std::vector<uint8_t>>;

// A repair packet made by hand from `sources`, for masks the sender does not make.
std::vector<uint8_t> HandMadeRepair(uint16_t base, const Packets& sources) {
  FlexfecHeader header;
  FlexfecHeader::ProtectedStream stream;
  stream.ssrc = kMediaSsrc;
  stream.sequence_number_base = base;
  std::vector<uint8_t> repair;
  for (const auto& source : sources) {
    stream.mask.set(static_cast<uint16_t>(LoadBE16(&source[2]) - base));
    header.XorSourcePacket(source, repair);
  }
  header.streams.push_back(stream);
  std::vector<uint8_t> payload(header.Size() + repair.size());
  ByteWriter writer(payload);
  EXPECT_TRUE(header.Write(writer).ok());
  writer.Bytes(repair);
  RtpPacketBuilder builder;
  builder.set_payload_type(kFecPt).set_ssrc(kFecSsrc);
  (void)builder.SetCsrcs(std::span(&kMediaSsrc, 1));
  std::vector<uint8_t> out(kMaxPacketBufferSize);
  out.resize(builder.Build(payload, out).value());
  return out;
}

// Feeds everything not in `lost` (indices into media, then into repair) and returns what the
// receiver recovered, by sequence number.
std::map<uint16_t, std::vector<uint8_t>> Deliver(FlexfecReceiver& receiver, const Packets& media,
                                                 const Packets& repair,
                                                 const std::set<size_t>& lost_media,
                                                 const std::set<size_t>& lost_repair = {},
                                                 Timestamp at = kT0) {
  std::map<uint16_t, std::vector<uint8_t>> recovered;
  const auto collect = [&](Packets out) {
    for (auto& packet : out) recovered[LoadBE16(&packet[2])] = std::move(packet);
  };
  for (size_t i = 0; i < media.size(); ++i) {
    if (!lost_media.contains(i)) collect(receiver.OnPacket(media[i], at));
  }
  for (size_t i = 0; i < repair.size(); ++i) {
    if (!lost_repair.contains(i)) collect(receiver.OnPacket(repair[i], at));
  }
  return recovered;
}

TEST(FlexfecReceiverTest, RecoversALostPacketByteForByte) {
  const auto [frame, repair] = MakeProtectedFrame(11, 1000, 8, 0.25, 90000);
  ASSERT_EQ(repair.size(), 2u);
  for (size_t lost = 0; lost < frame.size(); ++lost) {
    FlexfecReceiver receiver(ReceiverConfig());
    auto recovered = Deliver(receiver, frame, repair, {lost});
    ASSERT_EQ(recovered.size(), 1u) << lost;
    EXPECT_EQ(recovered.begin()->second, frame[lost]) << lost;
    EXPECT_EQ(receiver.stats().recovered, 1u);
    EXPECT_EQ(receiver.stats().malformed, 0u);
  }
}

TEST(FlexfecReceiverTest, RepairBeforeMediaStillRecovers) {
  const auto [frame, repair] = MakeProtectedFrame(12, 300, 4, 0.5);
  FlexfecReceiver receiver(ReceiverConfig());
  // Groups {300, 302} and {301, 303}; 302 and 303 are lost, 301 comes late.
  EXPECT_TRUE(receiver.OnPacket(frame[0], kT0).empty());
  Packets recovered = receiver.OnPacket(repair[0], kT0);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0], frame[2]);
  EXPECT_TRUE(receiver.OnPacket(repair[1], kT0).empty());  // Two short.
  recovered = receiver.OnPacket(frame[1], kT0);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0], frame[3]);
}

TEST(FlexfecReceiverTest, RecoversAcrossTheSequenceWrap) {
  // 65526 .. 65535, then 0 .. 9.
  const auto [frame, repair] = MakeProtectedFrame(13, 65526, 20, 0.5, 0xFFFFFF00);
  FlexfecReceiver receiver(ReceiverConfig());
  // 65535 and 0, on either side of the wrap, are in different repair groups.
  auto recovered = Deliver(receiver, frame, repair, {9, 10, 12});
  ASSERT_EQ(recovered.size(), 3u);
  EXPECT_EQ(recovered[65535], frame[9]);
  EXPECT_EQ(recovered[0], frame[10]);
  EXPECT_EQ(recovered[2], frame[12]);
}

TEST(FlexfecReceiverTest, InterleavingRepairsABurst) {
  const auto [frame, repair] = MakeProtectedFrame(14, 500, 20, 0.5);
  FlexfecReceiver receiver(ReceiverConfig());
  std::set<size_t> burst;
  for (size_t i = 5; i < 15; ++i) burst.insert(i);  // Ten in a row: one per repair group.
  auto recovered = Deliver(receiver, frame, repair, burst);
  ASSERT_EQ(recovered.size(), 10u);
  for (size_t i : burst) EXPECT_EQ(recovered[static_cast<uint16_t>(500 + i)], frame[i]);
}

TEST(FlexfecReceiverTest, RecoversIteratively) {
  Random random(15);
  const Packets media = Frame(10, 3, 0, random);
  // A = {10, 11}, B = {11, 12}. With 10 and 11 lost, A is two short, B one: B gives 11, then A
  // gives 10.
  const Packets repair = {HandMadeRepair(10, {media[0], media[1]}),
                          HandMadeRepair(10, {media[1], media[2]})};
  FlexfecReceiver receiver(ReceiverConfig());
  auto recovered = Deliver(receiver, media, repair, {0, 1});
  ASSERT_EQ(recovered.size(), 2u);
  EXPECT_EQ(recovered[10], media[0]);
  EXPECT_EQ(recovered[11], media[1]);
  EXPECT_EQ(receiver.stats().recovered, 2u);
  EXPECT_EQ(receiver.stored_fec_packets(), 0u);  // Both used up.
}

TEST(FlexfecReceiverTest, DuplicatesAreHarmless) {
  const auto [frame, repair] = MakeProtectedFrame(16, 40, 6, 0.5);
  FlexfecReceiver receiver(ReceiverConfig());
  Packets doubled_media, doubled_repair;
  for (const auto& p : frame) doubled_media.insert(doubled_media.end(), {p, p});
  for (const auto& p : repair) doubled_repair.insert(doubled_repair.end(), {p, p});
  // Packet 1 (both copies) lost.
  auto recovered = Deliver(receiver, doubled_media, doubled_repair, {2, 3});
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[41], frame[1]);
  EXPECT_EQ(receiver.stats().recovered, 1u);
  EXPECT_EQ(receiver.stats().malformed, 0u);
  // The lost packet arriving late (a retransmission) changes nothing.
  EXPECT_TRUE(receiver.OnPacket(frame[1], kT0).empty());
}

// 10 % random loss on media and repair alike, 20-packet frames at 50 % protection: the receiver
// recovers exactly what the masks allow (a lost packet whose repair packet arrived and is the only
// loss in its group: the groups do not overlap, so nothing else is recoverable), byte for byte.
TEST(FlexfecReceiverTest, RandomLossRecoversWhatIsRecoverable) {
  Random random(2024);
  Random loss(99);
  FlexfecSender sender(SenderConfig());
  sender.SetProtection(0.5, 0.5);
  FlexfecReceiver receiver(ReceiverConfig());
  constexpr size_t kFrames = 300, kPacketsPerFrame = 20, kGroups = 10;
  uint16_t seq = 65000;  // Wraps during the run.
  size_t lost_total = 0, recoverable = 0, recovered_total = 0;
  Timestamp at = kT0;
  for (size_t f = 0; f < kFrames; ++f, at += TimeDelta::Millis(33)) {
    const Packets frame = Frame(seq, kPacketsPerFrame, static_cast<uint32_t>(3000 * f), random);
    const Packets repair = Protect(sender, frame, f % 30 == 0);
    ASSERT_EQ(repair.size(), kGroups);
    std::set<size_t> lost_media, lost_repair;
    for (size_t i = 0; i < frame.size(); ++i) {
      if (loss.Bernoulli(0.1)) lost_media.insert(i);
    }
    for (size_t k = 0; k < repair.size(); ++k) {
      if (loss.Bernoulli(0.1)) lost_repair.insert(k);
    }
    // Group k holds packets k and k + 10.
    for (size_t k = 0; k < kGroups; ++k) {
      const size_t losses = lost_media.count(k) + lost_media.count(k + kGroups);
      if (losses == 1 && !lost_repair.contains(k)) ++recoverable;
    }
    lost_total += lost_media.size();
    auto recovered = Deliver(receiver, frame, repair, lost_media, lost_repair, at);
    for (const auto& [sequence_number, packet] : recovered) {
      const size_t index = static_cast<uint16_t>(sequence_number - seq);
      ASSERT_TRUE(lost_media.contains(index));
      EXPECT_EQ(packet, frame[index]);
    }
    recovered_total += recovered.size();
    seq = static_cast<uint16_t>(seq + kPacketsPerFrame);
  }
  EXPECT_EQ(recovered_total, recoverable);
  RecordProperty("lost", static_cast<int>(lost_total));
  RecordProperty("recovered", static_cast<int>(recovered_total));
  EXPECT_EQ(receiver.stats().recovered, recoverable);
  EXPECT_EQ(receiver.stats().malformed, 0u);
  // With this seed about 600 of 6000 packets are lost; most come back.
  EXPECT_GT(lost_total, 500u);
  EXPECT_GT(static_cast<double>(recovered_total) / static_cast<double>(lost_total), 0.75);
}

// Packets of 5-packet frames lost for good at 10 % random loss (media and repair alike), with
// the same overhead (0.4 repair packets per media packet) as 1-D groups or as 2-D grids. The
// receiver rebuilds every packet byte for byte.
size_t LostForGood(double two_d_from_rate, size_t& lost_total) {
  Random random(7);
  Random loss(11);
  FlexfecSender sender(SenderConfig(/*max_frames_per_group=*/3, two_d_from_rate));
  sender.SetProtection(0.4, 0.8);
  FlexfecReceiver receiver(ReceiverConfig());
  uint16_t seq = 1000;
  Timestamp at = kT0;
  std::map<uint16_t, std::vector<uint8_t>> sent, lost;
  lost_total = 0;
  for (size_t f = 0; f < 2000; ++f, at += TimeDelta::Millis(33)) {
    const Packets frame = Frame(seq, 5, static_cast<uint32_t>(3000 * f), random);
    for (size_t i = 0; i < frame.size(); ++i) {
      const uint16_t sequence_number = static_cast<uint16_t>(seq + i);
      sent[sequence_number] = frame[i];
      if (loss.Bernoulli(0.1)) {
        lost[sequence_number] = frame[i];
        ++lost_total;
      } else {
        for (auto& packet : receiver.OnPacket(frame[i], at)) lost.erase(LoadBE16(&packet[2]));
      }
      for (auto& repair : sender.OnMediaPacket(frame[i], i + 1 == frame.size(), false)) {
        if (loss.Bernoulli(0.1)) continue;
        for (auto& packet : receiver.OnPacket(repair, at)) {
          const uint16_t recovered = LoadBE16(&packet[2]);
          EXPECT_EQ(packet, sent[recovered]);
          lost.erase(recovered);
        }
      }
    }
    seq = static_cast<uint16_t>(seq + frame.size());
    // Only the last second's packets are kept.
    while (sent.size() > 200) sent.erase(sent.begin());
  }
  EXPECT_EQ(receiver.stats().malformed, 0u);
  return lost.size();
}

// 2-D parity at heavy loss: a packet stays lost only when its row and its column both lose
// another one too. At 10 % loss and the same 40 % overhead, 1-D groups (a repair per 2.5 packets)
// leave about 2 % of the packets lost; the grids several times fewer.
TEST(FlexfecReceiverTest, GridsRecoverFarMoreThanOneDGroupsAtTheSameOverhead) {
  size_t lost_1d = 0, lost_2d = 0;
  const size_t left_1d = LostForGood(/*two_d_from_rate=*/2, lost_1d);
  const size_t left_2d = LostForGood(/*two_d_from_rate=*/0.25, lost_2d);
  std::printf("10 %% loss, 40 %% overhead: lost %zu / %zu; left 1-D %zu, 2-D %zu of 10000\n",
              lost_1d, lost_2d, left_1d, left_2d);
  EXPECT_GT(lost_1d, 800u);
  EXPECT_GT(left_1d, 100u);
  EXPECT_LT(left_2d * 4, left_1d);
}

TEST(FlexfecReceiverTest, CountsUnrecoverableWhenTheRepairAgesOut) {
  const auto [frame, repair] = MakeProtectedFrame(17, 0, 8, 0.25);  // {0, 2, 4, 6}, {1, 3, 5, 7}.
  Random random(17);
  FlexfecReceiver receiver(ReceiverConfig());
  EXPECT_TRUE(Deliver(receiver, frame, repair, {0, 2}).empty());
  EXPECT_EQ(receiver.stored_fec_packets(), 1u);  // The complete group's repair is let go.
  EXPECT_EQ(receiver.stats().unrecoverable, 0u);
  // A packet long after: everything stored has aged out.
  EXPECT_TRUE(
      receiver.OnPacket(MediaPacket(9, 0, true, random), kT0 + TimeDelta::Seconds(5)).empty());
  EXPECT_EQ(receiver.stored_fec_packets(), 0u);
  EXPECT_EQ(receiver.stored_media_packets(), 1u);
  EXPECT_EQ(receiver.stats().unrecoverable, 2u);
}

TEST(FlexfecReceiverTest, CountsAndDropsBadRepairPackets) {
  const auto [frame, repair] = MakeProtectedFrame(18, 200, 2, 0.5);
  ASSERT_EQ(repair.size(), 1u);
  FlexfecReceiver receiver(ReceiverConfig());

  std::vector<uint8_t> garbage = {0x80, kFecPt, 0, 1, 0, 0, 0, 0};
  EXPECT_TRUE(receiver.OnFecPacket(garbage, kT0).empty());  // Not even RTP.
  std::vector<uint8_t> retransmission = repair[0];
  retransmission[16] |= 0x80;  // R=1 (after the 12-byte header and one CSRC).
  EXPECT_TRUE(receiver.OnPacket(retransmission, kT0).empty());
  std::vector<uint8_t> renamed = HandMadeRepair(200, {frame[0]});
  StoreBE32(&renamed[12], 0xBAD);  // The CSRC: protects another stream.
  EXPECT_TRUE(receiver.OnPacket(renamed, kT0).empty());
  EXPECT_EQ(receiver.stats().malformed, 1u);
  EXPECT_EQ(receiver.stats().unsupported, 2u);

  // A repair packet altered in transit so that the length it recovers runs past its payload:
  // dropped, nothing handed up.
  std::vector<uint8_t> tampered = repair[0];
  tampered[18] = 0xFF;  // Length recovery, after the 12-byte header, one CSRC and 2 bytes.
  tampered[19] = 0xFF;
  EXPECT_TRUE(receiver.OnPacket(frame[0], kT0).empty());
  EXPECT_TRUE(receiver.OnPacket(tampered, kT0).empty());
  EXPECT_EQ(receiver.stats().recovered, 0u);
  EXPECT_EQ(receiver.stats().malformed, 2u);
  // The genuine repair still works.
  const Packets recovered = receiver.OnPacket(repair[0], kT0);
  ASSERT_EQ(recovered.size(), 1u);
  EXPECT_EQ(recovered[0], frame[1]);
}

TEST(FlexfecReceiverTest, StorageIsBounded) {
  Random random(19);
  FlexfecReceiver::Config config = ReceiverConfig();
  config.max_media_packets = 100;
  config.max_fec_packets = 20;
  FlexfecReceiver receiver(config);
  for (uint16_t i = 0; i < 1000; ++i) {
    (void)receiver.OnPacket(MediaPacket(static_cast<uint16_t>(2 * i), 0, false, random), kT0);
    // Each repair covers a packet never sent and one never sent after it: never usable.
    const Packets fake = {MediaPacket(static_cast<uint16_t>(2 * i + 1), 0, false, random),
                          MediaPacket(static_cast<uint16_t>(2 * i + 3), 0, false, random)};
    (void)receiver.OnPacket(HandMadeRepair(static_cast<uint16_t>(2 * i + 1), fake), kT0);
  }
  EXPECT_LE(receiver.stored_media_packets(), 100u);
  EXPECT_LE(receiver.stored_fec_packets(), 20u);
}

}  // namespace
}  // namespace comodal
