#include "transport/datachannel/data_packet.h"

#include <gtest/gtest.h>

namespace comodal::datachannel {
namespace {

DataPacket Full(const std::vector<uint8_t>& data) {
  DataPacket packet;
  packet.incarnation = 0xA1B2C3D4;
  packet.epoch = 2;
  packet.ack = DataAck{0x01020304, 3, 17, 4096, {{19, 20}, {25, 25}}};
  packet.fragment = DataFragment{41, 30, Lane::kBulk, 7, 5000, 1000, data};
  return packet;
}

TEST(DataPacketTest, RoundTripsAckAndFragment) {
  const std::vector<uint8_t> data(300, 0x5A);
  const std::vector<uint8_t> bytes = Full(data).Serialize();
  ASSERT_EQ(bytes.size(), DataPacket::kHeaderSize + DataPacket::AckSize(2) +
                              DataPacket::kFragmentHeaderSize + data.size());
  Result<DataPacket> parsed = DataPacket::Parse(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->incarnation, 0xA1B2C3D4u);
  EXPECT_EQ(parsed->epoch, 2u);
  EXPECT_EQ(*parsed->ack, (DataAck{0x01020304, 3, 17, 4096, {{19, 20}, {25, 25}}}));
  ASSERT_TRUE(parsed->fragment);
  EXPECT_EQ(parsed->fragment->packet_number, 41u);
  EXPECT_EQ(parsed->fragment->floor, 30u);
  EXPECT_EQ(parsed->fragment->lane, Lane::kBulk);
  EXPECT_EQ(parsed->fragment->message_number, 7u);
  EXPECT_EQ(parsed->fragment->message_size, 5000u);
  EXPECT_EQ(parsed->fragment->offset, 1000u);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), parsed->fragment->data.begin(),
                         parsed->fragment->data.end()));
}

TEST(DataPacketTest, AnAckAloneRoundTrips) {
  DataPacket packet;
  packet.incarnation = 9;
  packet.epoch = 1;
  packet.ack = DataAck{4, 1, 0, 100, {}};
  Result<DataPacket> parsed = DataPacket::Parse(packet.Serialize());
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->fragment);
  EXPECT_EQ(parsed->ack->cumulative, 0u);
}

// Each malformed field is refused with its own reason.
TEST(DataPacketTest, RefusesEachMalformedField) {
  const std::vector<uint8_t> data(10, 1);
  const std::vector<uint8_t> good = Full(data).Serialize();
  auto refused = [&](auto&& change) {
    std::vector<uint8_t> bytes = good;
    change(bytes);
    Result<DataPacket> parsed = DataPacket::Parse(bytes);
    return parsed.ok() ? std::string("accepted") : std::string(parsed.error().detail);
  };
  EXPECT_EQ(refused([](auto& b) { b.resize(7); }), "data packet shorter than its header");
  EXPECT_EQ(refused([](auto& b) { b[0] = 2; }), "data packet version is not 1");
  EXPECT_EQ(refused([](auto& b) { b[1] |= 0x80; }), "data packet reserved bits set");
  EXPECT_EQ(refused([](auto& b) { b[1] = 0; }), "data packet with neither ack nor data");
  EXPECT_EQ(refused([](auto& b) { b[4] = b[5] = b[6] = b[7] = 0; }), "data incarnation or epoch 0");
  // Block count byte at 12 + 16.
  EXPECT_EQ(refused([](auto& b) { b[28] = 17; }), "data ack with more than 16 blocks");
  EXPECT_EQ(refused([](auto& b) { b[28] = 9; }), "data ack shorter than its blocks");
  // First block's first number (at 29) at or below cumulative + 1.
  EXPECT_EQ(refused([](auto& b) { b[32] = 4; }), "data ack blocks not increasing with gaps");
  const size_t fragment = 12 + 17 + 16;
  EXPECT_EQ(refused([&](auto& b) { b.resize(fragment + 10); }),
            "data fragment shorter than its header");
  EXPECT_EQ(refused([&](auto& b) { b[fragment + 3] = 0; }), "data packet number 0");
  EXPECT_EQ(refused([&](auto& b) { b[fragment + 7] = 0; }),
            "data packet floor 0 or above its number");
  EXPECT_EQ(refused([&](auto& b) { b[fragment + 7] = 42; }),
            "data packet floor 0 or above its number");
  EXPECT_EQ(refused([&](auto& b) { b[fragment + 8] = 2; }), "data fragment for an unknown lane");
  EXPECT_EQ(refused([&](auto& b) { b[fragment + 12] = 0; }), "data message number 0");
  EXPECT_EQ(refused([&](auto& b) { b[fragment + 14] = 0x20; }),
            "data message size 0 or over 1 MiB");
  EXPECT_EQ(refused([&](auto& b) { b.resize(fragment + 21); }),
            "data fragment empty or past its message's end");
  EXPECT_EQ(refused([&](auto& b) { b[fragment + 19] = 0xFF; }),
            "data fragment empty or past its message's end");
}

TEST(DataPacketTest, WriteRefusesWhatTheFormatCannotCarry) {
  const std::vector<uint8_t> data(10, 1);
  DataPacket packet = Full(data);
  packet.ack->blocks.assign(17, {100, 100});
  std::vector<uint8_t> room(2000);
  EXPECT_FALSE(packet.Write(room).ok());
  packet = Full(data);
  std::vector<uint8_t> small(packet.size() - 1);
  Result<size_t> written = packet.Write(small);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, ErrorCode::kBufferTooSmall);
}

}  // namespace
}  // namespace comodal::datachannel
