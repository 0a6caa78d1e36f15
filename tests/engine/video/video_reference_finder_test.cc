// The receive path from RTP packets to frames with ids and references: VideoPacketBuffer
// assembles, VideoReferenceFinder works out the references. Streams come from the real encoder
// and packetizers, so "the references the receiver works out" can be checked against "the
// references the encoder used".
#include "engine/video/video_reference_finder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "engine/codec/vpx_encoder.h"
#include "engine/rtp/vp8_payload.h"
#include "engine/rtp/vp9_payload.h"
#include "engine/video/video_packet_buffer.h"
#include "tests/support/zone_plate.h"

namespace comodal::engine {
namespace {

struct Sent {
  std::vector<std::vector<uint8_t>> packets;  // Whole RTP packets.
  EncodedVideoFrame frame;
};

std::vector<uint8_t> RtpBytes(uint16_t seq, uint32_t timestamp, bool marker, uint8_t pt,
                              std::span<const uint8_t> payload) {
  RtpPacketBuilder builder;
  builder.set_sequence_number(seq).set_timestamp(timestamp).set_marker(marker).set_payload_type(pt);
  std::vector<uint8_t> out(kMaxPacketBufferSize);
  auto size = builder.Build(payload, out);
  EXPECT_TRUE(size.ok());
  out.resize(*size);
  return out;
}

// Encodes `count` frames of the zone plate and packetizes them, sequence numbers starting just
// before the 16-bit wrap. `picture_id`: false sends VP8 descriptors without PictureID (as
// GStreamer's rtpvp8pay does by default).
std::vector<Sent> EncodeStream(VideoCodec codec, TemporalLayering layering, int count,
                               bool picture_id = true,
                               TimeDelta keyframe_interval = TimeDelta::Seconds(60)) {
  VpxEncoderConfig config;
  config.codec = codec;
  config.width = 320;
  config.height = 180;
  config.target_bitrate = DataRate::KilobitsPerSec(600);
  config.layering = layering;
  config.drop_frame_threshold_pct = 0;
  config.max_keyframe_interval = keyframe_interval;
  auto encoder = VpxEncoder::Create(config);
  EXPECT_TRUE(encoder.ok());
  const testing::ZonePlate plate(320, 180);
  Vp8Packetizer::Config vp8_config;
  vp8_config.max_payload_size = 400;
  vp8_config.first_picture_id = 0x7FF0;  // Wraps during the stream.
  Vp8Packetizer vp8(vp8_config);
  Vp9Packetizer::Config vp9_config;
  vp9_config.max_payload_size = 400;
  vp9_config.first_picture_id = 0x7FF0;
  Vp9Packetizer vp9(vp9_config);
  uint16_t seq = 65'500;
  std::vector<Sent> stream;
  for (int i = 0; i < count; ++i) {
    auto encoded = (*encoder)->Encode(plate.Frame(i));
    EXPECT_TRUE(encoded.ok() && encoded->has_value());
    Sent sent{{}, std::move(**encoded)};
    const uint32_t timestamp = static_cast<uint32_t>(i * 3000);
    std::vector<RtpVideoPayload> payloads;
    if (!picture_id) {
      // S=1 on the first packet, no extension octets.
      for (size_t offset = 0; offset < sent.frame.data.size(); offset += 390) {
        RtpVideoPayload payload;
        payload.first_in_frame = offset == 0;
        payload.last_in_frame = offset + 390 >= sent.frame.data.size();
        payload.data.push_back(payload.first_in_frame ? 0x10 : 0x00);
        const size_t end = std::min(sent.frame.data.size(), offset + 390);
        payload.data.insert(payload.data.end(), sent.frame.data.begin() + offset,
                            sent.frame.data.begin() + end);
        payloads.push_back(std::move(payload));
      }
    } else {
      auto packetized =
          codec == VideoCodec::kVp8 ? vp8.Packetize(sent.frame) : vp9.Packetize(sent.frame);
      EXPECT_TRUE(packetized.ok());
      payloads = std::move(*packetized);
    }
    for (const RtpVideoPayload& payload : payloads) {
      sent.packets.push_back(RtpBytes(seq++, timestamp, payload.last_in_frame,
                                      codec == VideoCodec::kVp8 ? 96 : 98, payload.data));
    }
    stream.push_back(std::move(sent));
  }
  return stream;
}

struct Received {
  std::vector<EncodedVideoFrame> frames;  // In the order the finder handed them out.
  VideoPacketBuffer::Stats buffer;
  VideoReferenceFinder::Stats finder;
  size_t stashed = 0;
};

Received Receive(VideoCodec codec, const std::vector<std::vector<uint8_t>>& packets) {
  VideoPacketBuffer buffer(codec);
  VideoReferenceFinder finder;
  Received received;
  for (const auto& bytes : packets) {
    auto packet = RtpPacket::Parse(bytes);
    EXPECT_TRUE(packet.ok());
    auto assembled = buffer.Insert(*packet, Timestamp::MinusInfinity());
    EXPECT_TRUE(assembled.ok());
    if (!assembled.ok() || !assembled->has_value()) continue;
    for (EncodedVideoFrame& frame : finder.Insert(std::move(**assembled))) {
      received.frames.push_back(std::move(frame));
    }
  }
  received.buffer = buffer.stats();
  received.finder = finder.stats();
  received.stashed = finder.stashed();
  return received;
}

// The sent frame each received frame is (by content), and checks that its references are exactly
// the encoder's, through the id mapping the keyframe fixes: then the frame buffer never decodes a
// frame whose references it does not hold. No frame comes out twice.
void ExpectReferencesMatchEncoder(const std::vector<Sent>& stream, const Received& received) {
  ASSERT_FALSE(received.frames.empty());
  ASSERT_TRUE(received.frames.front().keyframe);
  // Ids follow the PictureID when there is one; chained ids only keep the order.
  const uint64_t offset = received.frames.front().frame_id - stream.front().frame.frame_id;
  std::map<std::vector<uint8_t>, uint64_t> sent_by_content;
  for (const Sent& sent : stream) sent_by_content[sent.frame.data] = sent.frame.frame_id;
  std::map<uint64_t, uint64_t> sent_id_of;  // Received id -> sent id.
  for (const EncodedVideoFrame& frame : received.frames) {
    auto found = sent_by_content.find(frame.data);
    ASSERT_NE(found, sent_by_content.end()) << "a frame that was not sent";
    const uint64_t sent_id = found->second;
    const EncodedVideoFrame& sent = stream[sent_id].frame;
    EXPECT_EQ(frame.keyframe, sent.keyframe) << sent_id;
    EXPECT_EQ(frame.temporal_id, sent.temporal_id) << sent_id;
    std::set<uint64_t> references;
    for (uint64_t id : frame.references) {
      auto known = sent_id_of.find(id);
      references.insert(known != sent_id_of.end() ? known->second : id - offset);
    }
    EXPECT_EQ(references, std::set<uint64_t>(sent.references.begin(), sent.references.end()))
        << "frame " << sent_id;
    EXPECT_TRUE(sent_id_of.emplace(frame.frame_id, sent_id).second) << "twice: " << sent_id;
  }
}

struct StreamCase {
  VideoCodec codec;
  TemporalLayering layering;
  bool picture_id;
};

class VideoReferenceFinderTest : public ::testing::TestWithParam<StreamCase> {};

TEST_P(VideoReferenceFinderTest, WorksOutTheEncodersReferencesWithPacketsReversedInEachFrame) {
  const StreamCase c = GetParam();
  // Longer than the finder's memory of frames since the keyframe.
  const auto stream = EncodeStream(c.codec, c.layering, 300, c.picture_id);
  std::vector<std::vector<uint8_t>> packets;
  for (const Sent& sent : stream)
    packets.insert(packets.end(), sent.packets.rbegin(), sent.packets.rend());
  const Received received = Receive(c.codec, packets);
  EXPECT_EQ(received.frames.size(), stream.size());
  ExpectReferencesMatchEncoder(stream, received);
  EXPECT_EQ(received.finder.frames_dropped, 0u);
}

// Random loss and reordering (fixed seed): whatever comes out carries the encoder's exact
// references and only references frames that came out before it; nothing comes out twice.
TEST_P(VideoReferenceFinderTest, UnderLossAndReorderingNeverHandsOutAFrameWithMissingReferences) {
  const StreamCase c = GetParam();
  // A keyframe a second, so that streams without layers recover too.
  const auto stream = EncodeStream(c.codec, c.layering, 120, c.picture_id, TimeDelta::Seconds(1));
  std::mt19937 random(7);
  // Keyframes arrive whole (protected better than the rest, as a sender does).
  std::vector<std::vector<uint8_t>> packets;
  for (const Sent& sent : stream) {
    for (const auto& packet : sent.packets) {
      if (sent.frame.keyframe || !std::bernoulli_distribution(0.03)(random)) {
        packets.push_back(packet);
      }
    }
  }
  // Swap neighbours now and then, and repeat a few packets (duplicates from retransmission).
  for (size_t i = 1; i < packets.size(); ++i) {
    if (std::bernoulli_distribution(0.05)(random)) std::swap(packets[i - 1], packets[i]);
  }
  for (size_t i = 0; i < packets.size(); i += 17) packets.push_back(packets[i]);
  const Received received = Receive(c.codec, packets);
  ExpectReferencesMatchEncoder(stream, received);
  // At least every keyframe, and the frames that follow each until the first loss.
  const auto keyframes = std::count_if(stream.begin(), stream.end(),
                                       [](const Sent& sent) { return sent.frame.keyframe; });
  EXPECT_GT(received.frames.size(), static_cast<size_t>(keyframes) * 2);
}

INSTANTIATE_TEST_SUITE_P(
    Streams, VideoReferenceFinderTest,
    ::testing::Values(StreamCase{VideoCodec::kVp8, TemporalLayering::kL1T1, true},
                      StreamCase{VideoCodec::kVp8, TemporalLayering::kL1T2, true},
                      StreamCase{VideoCodec::kVp8, TemporalLayering::kL1T3, true},
                      StreamCase{VideoCodec::kVp8, TemporalLayering::kL1T1, false},
                      StreamCase{VideoCodec::kVp9, TemporalLayering::kL1T1, true},
                      StreamCase{VideoCodec::kVp9, TemporalLayering::kL1T3, true}),
    [](const auto& info) {
      const StreamCase& c = info.param;
      std::string name = c.codec == VideoCodec::kVp8 ? "Vp8" : "Vp9";
      name += c.layering == TemporalLayering::kL1T1   ? "L1T1"
              : c.layering == TemporalLayering::kL1T2 ? "L1T2"
                                                      : "L1T3";
      return name + (c.picture_id ? "" : "NoPictureId");
    });

// A frame that completes late (its lost packet retransmitted after later frames arrived) is
// handed out then, and the frames waiting on it follow in order.
TEST(VideoReferenceFinderChainTest, LateFrameUnblocksTheFramesThatFollowIt) {
  const auto stream = EncodeStream(VideoCodec::kVp8, TemporalLayering::kL1T1, 10, false);
  std::vector<std::vector<uint8_t>> packets;
  for (int i = 0; i < 10; ++i) {
    if (i == 4) continue;
    packets.insert(packets.end(), stream[i].packets.begin(), stream[i].packets.end());
  }
  Received before = Receive(VideoCodec::kVp8, packets);
  EXPECT_EQ(before.frames.size(), 4u);  // 0..3; 5..9 wait for 4.
  EXPECT_EQ(before.stashed, 5u);
  packets.insert(packets.end(), stream[4].packets.begin(), stream[4].packets.end());
  Received after = Receive(VideoCodec::kVp8, packets);
  ASSERT_EQ(after.frames.size(), 10u);
  ExpectReferencesMatchEncoder(stream, after);
  for (size_t i = 1; i < after.frames.size(); ++i) {
    EXPECT_EQ(after.frames[i].frame_id, after.frames[0].frame_id + i);
  }
}

// The packets of `stream` in frame order, leaving out the frames in `lost` and sending the
// frames in `late` right after frame `late_after` (a repair arriving after later frames).
std::vector<std::vector<uint8_t>> PacketsOf(const std::vector<Sent>& stream,
                                            const std::set<size_t>& lost,
                                            const std::set<size_t>& late = {},
                                            size_t late_after = 0) {
  std::vector<std::vector<uint8_t>> packets;
  auto append = [&](size_t i) {
    packets.insert(packets.end(), stream[i].packets.begin(), stream[i].packets.end());
  };
  for (size_t i = 0; i < stream.size(); ++i) {
    if (!lost.contains(i) && !late.contains(i)) append(i);
    if (i == late_after) {
      for (size_t j : late) append(j);
    }
  }
  return packets;
}

std::set<uint64_t> SentIdsOut(const std::vector<Sent>& stream, const Received& received) {
  std::map<std::vector<uint8_t>, uint64_t> sent_by_content;
  for (const Sent& sent : stream) sent_by_content[sent.frame.data] = sent.frame.frame_id;
  std::set<uint64_t> ids;
  for (const EncodedVideoFrame& frame : received.frames) ids.insert(sent_by_content[frame.data]);
  return ids;
}

// libvpx-style L1T3 (TL0 TL2 TL1 TL2, every top-layer frame non-reference): a top-layer frame
// lost for good costs only the frames that may have referenced it. Top-layer frames after the
// next layer-1 frame come out: the finder does not wait for the lost frame, since every
// top-layer frame it saw was non-reference.
TEST(VideoReferenceFinderLayersTest, ATopLayerFrameLostForGoodDoesNotHoldTheFramesAfterIt) {
  const auto stream = EncodeStream(VideoCodec::kVp8, TemporalLayering::kL1T3, 24);
  ASSERT_EQ(stream[3].frame.temporal_id, 2);
  ASSERT_TRUE(stream[3].frame.non_reference);
  ASSERT_EQ(stream[6].frame.temporal_id, 1);
  const Received received = Receive(VideoCodec::kVp8, PacketsOf(stream, {3}));
  ExpectReferencesMatchEncoder(stream, received);
  const std::set<uint64_t> out = SentIdsOut(stream, received);
  // Frame 5 (top layer) could reference frame 3 had that been a layer-1 frame, as far as the
  // finder can tell: it waits, and is given up when base frame 8 comes. Everything else comes
  // out, frame 7 (whose layer-1 reference, 6, is newer than the lost frame) included.
  for (uint64_t id = 0; id < stream.size(); ++id) {
    EXPECT_EQ(out.contains(id), id != 3 && id != 5) << "frame " << id;
  }
  EXPECT_EQ(received.finder.frames_dropped, 1u);
  EXPECT_EQ(received.stashed, 0u);
}

// A frame given up (its reference came too late) still counts as known: a later frame whose
// references it might have been is not held by it. Layer-1 frame 6 arrives only after base frame
// 8: top-layer frame 7, which references it, was given up when 8 came; frame 9 references 6 and
// 8, and comes out as soon as 6 does.
TEST(VideoReferenceFinderLayersTest, AGivenUpFrameDoesNotHoldTheFramesAfterIt) {
  const auto stream = EncodeStream(VideoCodec::kVp8, TemporalLayering::kL1T3, 16);
  ASSERT_EQ(stream[6].frame.temporal_id, 1);
  ASSERT_EQ(stream[7].frame.temporal_id, 2);
  ASSERT_EQ(stream[9].frame.references, (std::vector<uint64_t>{8, 6}));
  const Received received = Receive(VideoCodec::kVp8, PacketsOf(stream, {}, {6}, 9));
  ExpectReferencesMatchEncoder(stream, received);
  const std::set<uint64_t> out = SentIdsOut(stream, received);
  EXPECT_TRUE(out.contains(6));
  EXPECT_TRUE(out.contains(9));
  EXPECT_FALSE(out.contains(7));
  EXPECT_EQ(out.size(), stream.size() - 1);
  EXPECT_EQ(received.stashed, 0u);
}

TEST(VideoPacketBufferTest, MalformedPayloadIsRejectedAndCounted) {
  VideoPacketBuffer buffer(VideoCodec::kVp8);
  const uint8_t truncated_descriptor[] = {0x80};  // X set, extension octet missing.
  const auto bytes = RtpBytes(1, 0, true, 96, truncated_descriptor);
  auto packet = RtpPacket::Parse(bytes);
  ASSERT_TRUE(packet.ok());
  EXPECT_FALSE(buffer.Insert(*packet, Timestamp::MinusInfinity()).ok());
  EXPECT_EQ(buffer.stats().packets_malformed, 1u);
  EXPECT_EQ(buffer.size(), 0u);
}

TEST(VideoPacketBufferTest, KeyframeGivesUpOlderIncompleteFrames) {
  auto stream = EncodeStream(VideoCodec::kVp8, TemporalLayering::kL1T1, 12);
  VideoPacketBuffer buffer(VideoCodec::kVp8);
  // The first delta frame of several packets stands in as "frame 1".
  auto several = std::find_if(stream.begin() + 1, stream.end(),
                              [](const Sent& sent) { return sent.packets.size() >= 2; });
  ASSERT_NE(several, stream.end());
  std::swap(stream[1], *several);
  // Frame 1 loses its last packet; then a keyframe (frame 0, re-sent with new sequence numbers
  // after frame 1 stands in here for any later keyframe) completes.
  auto insert = [&](const std::vector<uint8_t>& bytes) {
    auto packet = RtpPacket::Parse(bytes);
    return buffer.Insert(*packet, Timestamp::MinusInfinity());
  };
  for (size_t i = 0; i + 1 < stream[1].packets.size(); ++i) {
    ASSERT_FALSE(insert(stream[1].packets[i])->has_value());
  }
  EXPECT_EQ(buffer.size(), stream[1].packets.size() - 1);
  uint16_t seq = static_cast<uint16_t>(65'500 + 200);
  std::optional<AssembledVideoFrame> keyframe;
  for (const auto& original : stream[0].packets) {
    auto parsed = RtpPacket::Parse(original);
    auto bytes = RtpBytes(seq++, 9000, parsed->marker(), 96, parsed->payload());
    auto result = insert(bytes);
    ASSERT_TRUE(result.ok());
    if (result->has_value()) keyframe = std::move(*result);
  }
  ASSERT_TRUE(keyframe.has_value());
  EXPECT_TRUE(keyframe->frame.keyframe);
  EXPECT_EQ(keyframe->frame.width, 320);
  EXPECT_EQ(buffer.size(), 0u);
  EXPECT_EQ(buffer.stats().packets_evicted, stream[1].packets.size() - 1);
}

}  // namespace
}  // namespace comodal::engine
