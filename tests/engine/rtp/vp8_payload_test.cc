#include "engine/rtp/vp8_payload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <vector>

#include "engine/codec/video_frame.h"
#include "tests/engine/rtp/video_payload_test_util.h"
#include "tests/support/result_matchers.h"
#include "transport/base/byte_io.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal::engine {
namespace {

using testing::DescriptorWriteError;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using testing::WithData;
using testing::WriteDescriptor;

Error ParseError(const std::vector<uint8_t>& bytes) {
  auto parsed = Vp8PayloadDescriptor::Parse(bytes);
  EXPECT_FALSE(parsed.ok());
  return parsed.ok() ? Error{ErrorCode::kMalformed, "accepted"} : parsed.error();
}

EncodedVideoFrame Frame(size_t size, uint8_t temporal_id = 0, bool keyframe = false) {
  EncodedVideoFrame frame;
  frame.codec = VideoCodec::kVp8;
  frame.data.resize(size);
  for (size_t i = 0; i < size; ++i) frame.data[i] = static_cast<uint8_t>(i * 7 + 3);
  frame.keyframe = keyframe;
  frame.temporal_id = temporal_id;
  return frame;
}

Vp8PayloadDescriptor ParsedDescriptor(const RtpVideoPayload& payload) {
  auto parsed = Vp8PayloadDescriptor::Parse(payload.data);
  EXPECT_TRUE(parsed.ok()) << parsed.error().ToString();
  return parsed.ok() ? *parsed : Vp8PayloadDescriptor{};
}

// RFC 7741 §4.2: the required octet alone, |X|R|N|S|R| PID | = 0|0|0|1|0|000.
TEST(Vp8PayloadDescriptorTest, RequiredOctetOnly) {
  size_t size = 0;
  auto d = Vp8PayloadDescriptor::Parse(WithData({0x10}), &size);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(size, 1u);
  EXPECT_TRUE(d->start_of_partition);
  EXPECT_FALSE(d->non_reference);
  EXPECT_EQ(d->partition_index, 0);
  EXPECT_FALSE(d->picture_id || d->tl0_pic_idx || d->temporal_id || d->key_index);
  EXPECT_THAT(WriteDescriptor(*d), ElementsAre(0x10));
}

// RFC 7741 §4.2, left figure (M=0): every optional field, 7-bit PictureID.
const std::vector<uint8_t> kAllFields7BitPictureId = {
    0xB3,  // X=1 R=0 N=1 S=1 R=0 PID=3
    0xF0,  // I=1 L=1 T=1 K=1 RSV=0
    0x55,  // M=0 PictureID=0x55
    0x22,  // TL0PICIDX=0x22
    0xB1,  // TID=2 Y=1 KEYIDX=17
};

TEST(Vp8PayloadDescriptorTest, AllFieldsWith7BitPictureId) {
  size_t size = 0;
  auto d = Vp8PayloadDescriptor::Parse(WithData(kAllFields7BitPictureId), &size);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(size, 5u);
  EXPECT_TRUE(d->non_reference);
  EXPECT_TRUE(d->start_of_partition);
  EXPECT_EQ(d->partition_index, 3);
  EXPECT_EQ(d->picture_id, (PictureId{0x55, false}));
  EXPECT_EQ(d->tl0_pic_idx, 0x22);
  EXPECT_EQ(d->temporal_id, 2);
  EXPECT_TRUE(d->layer_sync);
  EXPECT_EQ(d->key_index, 17);
  EXPECT_EQ(d->Size(), 5u);
  EXPECT_THAT(WriteDescriptor(*d), ElementsAreArray(kAllFields7BitPictureId));
}

// RFC 7741 §4.2, right figure (M=1): the two-octet PictureID.
TEST(Vp8PayloadDescriptorTest, FifteenBitPictureId) {
  const std::vector<uint8_t> bytes = {
      0x90,        // X=1 S=1 PID=0
      0x80,        // I=1
      0xF2, 0x34,  // M=1 PictureID=0x7234
  };
  auto d = Vp8PayloadDescriptor::Parse(WithData(bytes));
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(d->picture_id, (PictureId{0x7234, true}));
  EXPECT_FALSE(d->tl0_pic_idx || d->temporal_id || d->key_index);
  EXPECT_THAT(WriteDescriptor(*d), ElementsAreArray(bytes));
}

TEST(Vp8PayloadDescriptorTest, ReservedBitsAndIgnoredFieldsAreDropped) {
  // R bits set in the first octet, RSV in the X octet; T=0 with K=1, so TID and Y are ignored
  // (RFC 7741 §4.2) and only KEYIDX=5 counts.
  auto d = Vp8PayloadDescriptor::Parse(WithData({0xC8 | 0x10, 0x1F, 0xE5}));
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_FALSE(d->temporal_id.has_value());
  EXPECT_FALSE(d->layer_sync);
  EXPECT_EQ(d->key_index, 5);
  EXPECT_THAT(WriteDescriptor(*d), ElementsAre(0x90, 0x10, 0x05));

  // T=1, K=0: KEYIDX bits are ignored.
  d = Vp8PayloadDescriptor::Parse(WithData({0x80, 0x20, 0x5F}));
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(d->temporal_id, 1);
  EXPECT_FALSE(d->layer_sync);
  EXPECT_FALSE(d->key_index.has_value());
  EXPECT_THAT(WriteDescriptor(*d), ElementsAre(0x80, 0x20, 0x40));

  // X=1 with no flag set carries nothing; it is written back without the X octet.
  d = Vp8PayloadDescriptor::Parse(WithData({0x90, 0x00}));
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_THAT(WriteDescriptor(*d), ElementsAre(0x10));
}

TEST(Vp8PayloadDescriptorTest, EveryMalformedInputHasItsError) {
  struct Case {
    std::vector<uint8_t> bytes;
    ErrorCode code;
    const char* detail;
  };
  const Case cases[] = {
      {{}, ErrorCode::kTruncated, "payload is empty"},
      {{0x80}, ErrorCode::kTruncated, "extension octet (X=1) is missing"},
      {{0x80, 0x80}, ErrorCode::kTruncated, "PictureID (I=1) is missing"},
      {{0x80, 0x80, 0x81}, ErrorCode::kTruncated, "15-bit PictureID (M=1) has only one octet"},
      {{0x80, 0x60}, ErrorCode::kTruncated, "TL0PICIDX (L=1) is missing"},
      {{0x80, 0xE0, 0x81, 0x00}, ErrorCode::kTruncated, "TL0PICIDX (L=1) is missing"},
      {{0x80, 0x20}, ErrorCode::kTruncated, "TID/Y/KEYIDX octet"},
      {{0x80, 0x10}, ErrorCode::kTruncated, "TID/Y/KEYIDX octet"},
      {{0x80, 0xE0, 0x01, 0x02}, ErrorCode::kTruncated, "TID/Y/KEYIDX octet"},
      {{0x80, 0x40, 0x01, 0xAA}, ErrorCode::kMalformed, "TL0PICIDX (L=1) without TID (T=0)"},
      {{0x10}, ErrorCode::kMalformed, "no data after the descriptor"},
      {kAllFields7BitPictureId, ErrorCode::kMalformed, "no data after the descriptor"},
  };
  for (const Case& c : cases) {
    const Error error = ParseError(c.bytes);
    EXPECT_EQ(error.code, c.code) << c.detail;
    EXPECT_THAT(std::string(error.detail), HasSubstr(c.detail));
  }
}

TEST(Vp8PayloadDescriptorTest, WriteRejectsWhatTheWireCannotCarry) {
  Vp8PayloadDescriptor d;
  d.partition_index = 8;
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d = {};
  d.picture_id = PictureId{0x80, false};
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d.picture_id = PictureId{0x8000, true};
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d = {};
  d.temporal_id = 4;
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d = {};
  d.key_index = 32;
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d = {};
  d.tl0_pic_idx = 1;  // L without T, RFC 7741 §4.2.
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);

  d = {};
  d.picture_id = PictureId{1, true};
  std::vector<uint8_t> small(3);
  ByteWriter writer(small);
  Status status = d.Write(writer);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kBufferTooSmall);
}

TEST(Vp8PayloadDescriptorTest, RoundTripsEveryCombination) {
  for (int flags = 0; flags < 16; ++flags) {
    for (bool fifteen : {false, true}) {
      Vp8PayloadDescriptor d;
      d.non_reference = flags & 1;
      d.start_of_partition = flags & 2;
      d.partition_index = static_cast<uint8_t>(flags % 8);
      if (flags & 1)
        d.picture_id = PictureId{static_cast<uint16_t>(fifteen ? 0x7FFF : 0x7F), fifteen};
      if (flags & 2) d.temporal_id = 3, d.layer_sync = true;
      if ((flags & 2) && (flags & 4)) d.tl0_pic_idx = 255;
      if (flags & 8) d.key_index = 31;
      auto parsed = Vp8PayloadDescriptor::Parse(WithData(WriteDescriptor(d)));
      ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
      EXPECT_EQ(*parsed, d);
      EXPECT_EQ(parsed->Size(), d.Size());
    }
  }
}

// RFC 7741 §4.3 / RFC 6386 §9.1: an interframe's 3-octet frame tag.
TEST(Vp8PayloadHeaderTest, Interframe) {
  // Size0=5, H=1, VER=2, P=1 | Size1=0x12 | Size2=0x03: size = 5 + 8*0x12 + 2048*3 = 6293.
  const std::vector<uint8_t> bytes = {0b101'1'010'1, 0x12, 0x03};
  auto h = Vp8PayloadHeader::Parse(bytes);
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_FALSE(h->keyframe);
  EXPECT_TRUE(h->show_frame);
  EXPECT_EQ(h->version, 2);
  EXPECT_EQ(h->first_partition_size, 6293u);
  EXPECT_EQ(h->width, 0);
}

TEST(Vp8PayloadHeaderTest, KeyframeSizeAndScale) {
  const std::vector<uint8_t> bytes = {
      0b000'1'000'0, 0x40, 0x00,  // Size0=0, H=1, VER=0, P=0 (keyframe) | size 0x40 * 8 = 512
      0x9D,          0x01, 0x2A,  // start code
      0x80,          0x02,        // width 640, no horizontal scale
      0x68,          0xC1,        // height 360, vertical scale 3 (x2)
  };
  auto h = Vp8PayloadHeader::Parse(bytes);
  ASSERT_TRUE(h.ok()) << h.error().ToString();
  EXPECT_TRUE(h->keyframe);
  EXPECT_TRUE(h->show_frame);
  EXPECT_EQ(h->first_partition_size, 512u);
  EXPECT_EQ(h->width, 640);
  EXPECT_EQ(h->horizontal_scale, 0);
  EXPECT_EQ(h->height, 360);
  EXPECT_EQ(h->vertical_scale, 3);
}

TEST(Vp8PayloadHeaderTest, MalformedHeaders) {
  auto code = [](std::vector<uint8_t> bytes) {
    return testing::ErrorCodeOf(Vp8PayloadHeader::Parse(bytes));
  };
  EXPECT_EQ(code({0x01, 0x00}), ErrorCode::kTruncated);  // Interframe tag cut short.
  EXPECT_EQ(code({0x10, 0x00, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0x68}),
            ErrorCode::kTruncated);  // Keyframe header needs 10 octets.
  EXPECT_EQ(code({0x10, 0x00, 0x00, 0x9D, 0x01, 0x2B, 0x80, 0x02, 0x68, 0x01}),
            ErrorCode::kMalformed);  // Bad start code.
}

TEST(Vp8PacketizerTest, FiveThousandBytesAt1100GiveFiveBalancedPackets) {
  Vp8Packetizer packetizer({.max_payload_size = 1100});
  const EncodedVideoFrame frame = Frame(5000);
  auto payloads = packetizer.Packetize(frame);
  ASSERT_TRUE(payloads.ok()) << payloads.error().ToString();
  testing::ExpectBalancedRun(*payloads, 5, 1100);
  for (size_t i = 0; i < payloads->size(); ++i) {
    const Vp8PayloadDescriptor d = ParsedDescriptor((*payloads)[i]);
    EXPECT_EQ(d.start_of_partition, i == 0);  // RFC 7741 §4.4.
    EXPECT_EQ(d.partition_index, 0);
    EXPECT_EQ(d.picture_id, (PictureId{0, true}));
    EXPECT_EQ(d.temporal_id, 0);
    EXPECT_EQ(d.tl0_pic_idx, 0);
  }
}

TEST(Vp8PacketizerTest, DefaultPayloadSizeFitsTheMtu) {
  EXPECT_EQ(kDefaultVideoMaxPayloadSize, 1136u);
  Vp8Packetizer packetizer;
  auto payloads = packetizer.Packetize(Frame(3000));
  ASSERT_TRUE(payloads.ok());
  ASSERT_EQ(payloads->size(), 3u);
  for (const RtpVideoPayload& p : *payloads) {
    EXPECT_EQ(p.data.size(), 1006u);  // 6-octet descriptor + 1000 bytes each.
  }
  // A frame smaller than one packet goes alone, first and last.
  payloads = packetizer.Packetize(Frame(10));
  ASSERT_TRUE(payloads.ok());
  ASSERT_EQ(payloads->size(), 1u);
  EXPECT_TRUE((*payloads)[0].first_in_frame && (*payloads)[0].last_in_frame);
  EXPECT_EQ((*payloads)[0].data.size(), 16u);
}

TEST(Vp8PacketizerTest, PictureIdCountsFramesAndWrapsAt32768) {
  Vp8Packetizer packetizer({.first_picture_id = 0x7FFE});
  std::vector<uint16_t> ids;
  for (int i = 0; i < 4; ++i) {
    auto payloads = packetizer.Packetize(Frame(2500));
    ASSERT_TRUE(payloads.ok());
    for (const RtpVideoPayload& p : *payloads) {
      EXPECT_EQ(ParsedDescriptor(p).picture_id->value,
                ParsedDescriptor((*payloads)[0]).picture_id->value);
    }
    ids.push_back(ParsedDescriptor((*payloads)[0]).picture_id->value);
  }
  EXPECT_THAT(ids, ElementsAre(0x7FFE, 0x7FFF, 0, 1));
  EXPECT_EQ(packetizer.next_picture_id(), 2);
}

TEST(Vp8PacketizerTest, Tl0PicIdxIncrementsOnlyOnBaseLayerFrames) {
  Vp8Packetizer packetizer({.first_tl0_pic_idx = 254});
  const uint8_t pattern[] = {0, 2, 1, 2, 0, 2, 1, 2, 0, 1};
  std::vector<int> tl0, tid;
  for (uint8_t t : pattern) {
    EncodedVideoFrame frame = Frame(100, t);
    frame.layer_sync = t == 1;
    auto payloads = packetizer.Packetize(frame);
    ASSERT_TRUE(payloads.ok());
    const Vp8PayloadDescriptor d = ParsedDescriptor((*payloads)[0]);
    tl0.push_back(*d.tl0_pic_idx);
    tid.push_back(*d.temporal_id);
    EXPECT_EQ(d.layer_sync, t == 1);
  }
  EXPECT_THAT(tl0, ElementsAre(254, 254, 254, 254, 255, 255, 255, 255, 0, 0));
  EXPECT_THAT(tid, ElementsAre(0, 2, 1, 2, 0, 2, 1, 2, 0, 1));
}

TEST(Vp8PacketizerTest, RejectsFramesItCannotSendWithoutMovingCounters) {
  Vp8Packetizer packetizer({.max_payload_size = 1100, .first_picture_id = 9});
  EXPECT_EQ(testing::ErrorCodeOf(packetizer.Packetize(Frame(0))), ErrorCode::kInvalidArgument);
  EXPECT_EQ(testing::ErrorCodeOf(packetizer.Packetize(Frame(10, 4))), ErrorCode::kInvalidArgument);
  Vp8Packetizer tiny({.max_payload_size = 6});
  EXPECT_EQ(testing::ErrorCodeOf(tiny.Packetize(Frame(10))), ErrorCode::kInvalidArgument);
  EXPECT_EQ(packetizer.next_picture_id(), 9);
  // The smallest usable size carries one byte per packet.
  Vp8Packetizer one_byte({.max_payload_size = 7});
  auto payloads = one_byte.Packetize(Frame(3));
  ASSERT_TRUE(payloads.ok());
  EXPECT_EQ(payloads->size(), 3u);
}

// A keyframe as libvpx would start it: the frame tag and the 640x360 keyframe header.
EncodedVideoFrame Keyframe(size_t size) {
  EncodedVideoFrame frame = Frame(size, 0, true);
  const uint8_t header[] = {0x10, 0x40, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0x68, 0x01};
  std::copy(std::begin(header), std::end(header), frame.data.begin());
  return frame;
}

std::vector<Vp8DepacketizedPacket> SendThroughRtp(const std::vector<RtpVideoPayload>& payloads,
                                                  uint16_t first_sequence_number,
                                                  std::vector<std::vector<uint8_t>>& packets) {
  packets.clear();
  for (size_t i = 0; i < payloads.size(); ++i) {
    RtpPacketBuilder builder;
    builder.set_payload_type(96)
        .set_sequence_number(static_cast<uint16_t>(first_sequence_number + i))
        .set_timestamp(90000)
        .set_ssrc(7)
        .set_marker(payloads[i].last_in_frame);
    std::vector<uint8_t> bytes(kMaxPacketBufferSize);
    bytes.resize(builder.Build(payloads[i].data, bytes).value());
    packets.push_back(std::move(bytes));
  }
  std::vector<Vp8DepacketizedPacket> out;
  for (const auto& bytes : packets) {
    auto rtp = RtpPacket::Parse(bytes);
    EXPECT_TRUE(rtp.ok());
    auto packet = DepacketizeVp8(ReceivedRtpPayload::From(*rtp));
    EXPECT_TRUE(packet.ok()) << packet.error().ToString();
    if (packet.ok()) out.push_back(*packet);
  }
  return out;
}

TEST(Vp8DepacketizerTest, KeyframeThroughRtpAndBack) {
  Vp8Packetizer packetizer({.max_payload_size = 1100, .first_picture_id = 300});
  const EncodedVideoFrame frame = Keyframe(4000);
  auto payloads = packetizer.Packetize(frame);
  ASSERT_TRUE(payloads.ok());
  std::vector<std::vector<uint8_t>> storage;
  const auto packets = SendThroughRtp(*payloads, 65534, storage);  // Across the wrap.
  ASSERT_EQ(packets.size(), 4u);
  EXPECT_TRUE(packets[0].starts_frame());
  EXPECT_TRUE(packets[0].keyframe());
  ASSERT_TRUE(packets[0].payload_header.has_value());
  EXPECT_EQ(packets[0].payload_header->width, 640);
  EXPECT_EQ(packets[0].payload_header->height, 360);
  for (size_t i = 1; i < packets.size(); ++i) {
    EXPECT_FALSE(packets[i].starts_frame());
    EXPECT_FALSE(packets[i].payload_header.has_value());
  }
  EXPECT_TRUE(packets.back().ends_frame());
  EXPECT_EQ(packets[2].descriptor.picture_id, (PictureId{300, true}));
  auto assembled = AssembleVp8Frame(packets);
  ASSERT_TRUE(assembled.ok()) << assembled.error().ToString();
  EXPECT_EQ(*assembled, frame.data);
}

TEST(Vp8DepacketizerTest, FrameStartTooShortForItsHeaderIsRejected) {
  // S=1, PID=0, then a keyframe tag with no room for the keyframe header.
  const std::vector<uint8_t> payload = {0x10, 0x10, 0x00, 0x00, 0x9D};
  EXPECT_EQ(testing::ErrorCodeOf(DepacketizeVp8({payload, true, 1, 2})), ErrorCode::kTruncated);
  // The same bytes in a continuation packet (S=0) are just data.
  const std::vector<uint8_t> continuation = {0x00, 0x10, 0x00, 0x00, 0x9D};
  auto packet = DepacketizeVp8({continuation, true, 1, 2});
  ASSERT_TRUE(packet.ok());
  EXPECT_THAT(packet->fragment, ElementsAre(0x10, 0x00, 0x00, 0x9D));
}

TEST(Vp8DepacketizerTest, AssemblyChecksTheRun) {
  Vp8Packetizer packetizer({.max_payload_size = 500});
  auto payloads = packetizer.Packetize(Keyframe(1200));
  ASSERT_TRUE(payloads.ok());
  std::vector<std::vector<uint8_t>> storage;
  const auto packets = SendThroughRtp(*payloads, 100, storage);
  ASSERT_EQ(packets.size(), 3u);
  auto error_of = [](std::vector<Vp8DepacketizedPacket> run) {
    auto result = AssembleVp8Frame(run);
    return result.ok() ? std::string("ok") : std::string(result.error().detail);
  };
  EXPECT_EQ(error_of(packets), "ok");
  EXPECT_THAT(error_of({}), HasSubstr("no packets"));
  EXPECT_THAT(error_of({packets[1], packets[2]}), HasSubstr("does not start a frame"));
  EXPECT_THAT(error_of({packets[0], packets[1]}), HasSubstr("does not end the frame"));
  EXPECT_THAT(error_of({packets[0], packets[2]}), HasSubstr("not consecutive"));
  auto late = packets;
  late[1].timestamp += 3000;
  EXPECT_THAT(error_of(late), HasSubstr("different timestamps"));
  auto early_marker = packets;
  early_marker[1].marker = true;
  EXPECT_THAT(error_of(early_marker), HasSubstr("inside the run"));
}

TEST(Vp8FragmentSizesTest, BalancedSplits) {
  EXPECT_THAT(BalancedFragmentSizes(5000, 1094), ElementsAre(1000, 1000, 1000, 1000, 1000));
  EXPECT_THAT(BalancedFragmentSizes(1001, 1000), ElementsAre(501, 500));
  EXPECT_THAT(BalancedFragmentSizes(1000, 1000), ElementsAre(1000));
  EXPECT_THAT(BalancedFragmentSizes(0, 1000), ElementsAre());
  // A first-packet extra (e.g. a VP9 SS of 9 octets) is balanced with the rest: 2009 bytes on
  // the wire in two packets of 1005 and 1004.
  EXPECT_THAT(BalancedFragmentSizes(2000, 1100, 9), ElementsAre(996, 1004));
  // An extra larger than a balanced share: the first packet carries what fits beside it.
  EXPECT_THAT(BalancedFragmentSizes(102, 100, 99), ElementsAre(1, 51, 50));
  EXPECT_THAT(BalancedFragmentSizes(10, 100, 100), ElementsAre());
}

}  // namespace
}  // namespace comodal::engine
