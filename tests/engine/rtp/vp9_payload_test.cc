#include "engine/rtp/vp9_payload.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "engine/codec/video_frame.h"
#include "tests/engine/rtp/video_payload_test_util.h"
#include "tests/support/result_matchers.h"
#include "transport/base/byte_io.h"

namespace comodal::engine {
namespace {

using testing::DescriptorWriteError;
using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using testing::WithData;
using testing::WriteDescriptor;

Vp9PayloadDescriptor Parsed(std::span<const uint8_t> payload) {
  auto parsed = Vp9PayloadDescriptor::Parse(payload);
  EXPECT_TRUE(parsed.ok()) << parsed.error().ToString();
  return parsed.ok() ? *parsed : Vp9PayloadDescriptor{};
}

// RFC 9628 §4.2, flexible mode (F=1): PICTURE ID, layer indices, two P_DIFFs.
const std::vector<uint8_t> kFlexible = {
    0xF8,        // I=1 P=1 L=1 F=1 B=1 E=0 V=0 Z=0
    0x92, 0x34,  // M=1 PICTURE ID=0x1234
    0x53,        // TID=2 U=1 SID=1 D=1
    0x03,        // P_DIFF=1 N=1
    0x0A,        // P_DIFF=5 N=0
};

TEST(Vp9PayloadDescriptorTest, FlexibleModeWithReferences) {
  size_t size = 0;
  auto d = Vp9PayloadDescriptor::Parse(WithData(kFlexible), &size);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(size, kFlexible.size());
  EXPECT_TRUE(d->inter_picture_predicted);
  EXPECT_TRUE(d->flexible_mode);
  EXPECT_TRUE(d->beginning_of_frame);
  EXPECT_FALSE(d->end_of_frame);
  EXPECT_FALSE(d->not_upper_spatial_reference);
  EXPECT_EQ(d->picture_id, (PictureId{0x1234, true}));
  ASSERT_TRUE(d->layer_indices.has_value());
  EXPECT_EQ(d->layer_indices->temporal_id, 2);
  EXPECT_TRUE(d->layer_indices->switching_up);
  EXPECT_EQ(d->layer_indices->spatial_id, 1);
  EXPECT_TRUE(d->layer_indices->inter_layer_dependency);
  EXPECT_FALSE(d->tl0_pic_idx.has_value());  // Not in flexible mode.
  EXPECT_THAT(d->references(), ElementsAre(1, 5));
  EXPECT_FALSE(d->scalability_structure.has_value());
  EXPECT_EQ(d->Size(), kFlexible.size());
  EXPECT_THAT(WriteDescriptor(*d), ElementsAreArray(kFlexible));
}

// RFC 9628 §4.2 non-flexible mode (F=0) with TL0PICIDX, and the §4.2.1 SS: two spatial
// layers with their resolutions and a picture group of two pictures.
const std::vector<uint8_t> kNonFlexibleWithSs = {
    0xAE,                    // I=1 P=0 L=1 F=0 B=1 E=1 V=1 Z=0
    0x05,                    // M=0 PICTURE ID=5
    0x00,                    // TID=0 U=0 SID=0 D=0
    0x07,                    // TL0PICIDX=7
    0x38,                    // N_S=1 Y=1 G=1
    0x01, 0x40, 0x00, 0xB4,  // 320x180
    0x02, 0x80, 0x01, 0x68,  // 640x360
    0x02,                    // N_G=2
    0x04, 0x02,              // TID=0 U=0 R=1 | P_DIFF=2
    0x38, 0x01, 0x02,        // TID=1 U=1 R=2 | P_DIFF=1, 2
};

TEST(Vp9PayloadDescriptorTest, NonFlexibleModeWithScalabilityStructure) {
  auto d = Vp9PayloadDescriptor::Parse(WithData(kNonFlexibleWithSs));
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_FALSE(d->inter_picture_predicted);
  EXPECT_FALSE(d->flexible_mode);
  EXPECT_TRUE(d->beginning_of_frame && d->end_of_frame);
  EXPECT_EQ(d->picture_id, (PictureId{5, false}));
  EXPECT_EQ(d->layer_indices, (Vp9PayloadDescriptor::LayerIndices{0, false, 0, false}));
  EXPECT_EQ(d->tl0_pic_idx, 7);
  EXPECT_EQ(d->reference_count, 0);
  ASSERT_TRUE(d->scalability_structure.has_value());
  const Vp9ScalabilityStructure& ss = *d->scalability_structure;
  EXPECT_EQ(ss.spatial_layers, 2);
  EXPECT_THAT(ss.resolutions, ElementsAre(Vp9ScalabilityStructure::Resolution{320, 180},
                                          Vp9ScalabilityStructure::Resolution{640, 360}));
  ASSERT_TRUE(ss.picture_group.has_value());
  ASSERT_EQ(ss.picture_group->size(), 2u);
  EXPECT_EQ((*ss.picture_group)[0], (Vp9ScalabilityStructure::Picture{0, false, {2}}));
  EXPECT_EQ((*ss.picture_group)[1], (Vp9ScalabilityStructure::Picture{1, true, {1, 2}}));
  EXPECT_EQ(ss.Size(), 15u);
  EXPECT_THAT(WriteDescriptor(*d), ElementsAreArray(kNonFlexibleWithSs));
}

TEST(Vp9PayloadDescriptorTest, MinimalAndEdgeForms) {
  // Only the required octet: B=1 E=1 Z=1.
  auto d = Vp9PayloadDescriptor::Parse(WithData({0x0D}));
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->not_upper_spatial_reference);
  EXPECT_FALSE(d->picture_id || d->layer_indices || d->scalability_structure);
  EXPECT_THAT(WriteDescriptor(*d), ElementsAre(0x0D));
  // P=1 in non-flexible mode carries no P_DIFF.
  d = Vp9PayloadDescriptor::Parse(WithData({0x40}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->reference_count, 0);
  // Flexible mode with P=0 (an intra picture) and L=1: no P_DIFF, no TL0PICIDX.
  d = Vp9PayloadDescriptor::Parse(WithData({0xB0, 0x01, 0xE0}));
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(d->layer_indices->temporal_id, 7);
  EXPECT_THAT(WriteDescriptor(*d), ElementsAre(0xB0, 0x01, 0xE0));
  // SS with neither Y nor G: eight spatial layers, nothing else; and G=1 with N_G=0.
  d = Vp9PayloadDescriptor::Parse(WithData({0x02, 0xE0}));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->scalability_structure->spatial_layers, 8);
  EXPECT_TRUE(d->scalability_structure->resolutions.empty());
  EXPECT_FALSE(d->scalability_structure->picture_group.has_value());
  d = Vp9PayloadDescriptor::Parse(WithData({0x02, 0x08, 0x00}));
  ASSERT_TRUE(d.ok());
  EXPECT_THAT(*d->scalability_structure->picture_group, ElementsAre());
  EXPECT_THAT(WriteDescriptor(*d), ElementsAre(0x02, 0x08, 0x00));
}

TEST(Vp9PayloadDescriptorTest, EveryMalformedInputHasItsError) {
  struct Case {
    std::vector<uint8_t> bytes;
    ErrorCode code;
    const char* detail;
  };
  const Case cases[] = {
      {{}, ErrorCode::kTruncated, "payload is empty"},
      {{0x10, 0xAA}, ErrorCode::kMalformed, "flexible mode (F=1) without PICTURE ID"},
      {{0x80}, ErrorCode::kTruncated, "PictureID (I=1) is missing"},
      {{0x80, 0x81}, ErrorCode::kTruncated, "15-bit PictureID (M=1) has only one octet"},
      {{0x20}, ErrorCode::kTruncated, "layer indices (L=1) are missing"},
      {{0x20, 0x00}, ErrorCode::kTruncated, "TL0PICIDX (L=1, F=0) is missing"},
      {{0xD0, 0x01}, ErrorCode::kTruncated, "P_DIFF"},
      {{0xD0, 0x01, 0x03}, ErrorCode::kTruncated, "P_DIFF"},
      {{0xD0, 0x01, 0x03, 0x05, 0x07, 0x08, 0xAA}, ErrorCode::kMalformed, "more than 3 P_DIFFs"},
      {{0xD0, 0x01, 0x00, 0xAA}, ErrorCode::kMalformed, "P_DIFF of 0"},
      {{0x02}, ErrorCode::kTruncated, "SS (V=1) is missing"},
      {{0x02, 0x30, 0x01, 0x40, 0x00, 0xB4, 0x02, 0x80},
       ErrorCode::kTruncated,
       "resolutions (Y=1) are cut short"},
      {{0x02, 0x08}, ErrorCode::kTruncated, "N_G (G=1) is missing"},
      {{0x02, 0x08, 0x02, 0x00}, ErrorCode::kTruncated, "fewer than N_G pictures"},
      {{0x02, 0x08, 0x01, 0x08, 0x01}, ErrorCode::kTruncated, "fewer than R P_DIFFs"},
      {{0x02, 0x08, 0x01, 0x04, 0x00, 0xAA}, ErrorCode::kMalformed, "SS P_DIFF of 0"},
      {{0x0C}, ErrorCode::kMalformed, "no data after the descriptor"},
      {kFlexible, ErrorCode::kMalformed, "no data after the descriptor"},
      {kNonFlexibleWithSs, ErrorCode::kMalformed, "no data after the descriptor"},
  };
  for (const Case& c : cases) {
    auto parsed = Vp9PayloadDescriptor::Parse(c.bytes);
    ASSERT_FALSE(parsed.ok()) << c.detail;
    EXPECT_EQ(parsed.error().code, c.code) << c.detail;
    EXPECT_THAT(std::string(parsed.error().detail), HasSubstr(c.detail));
  }
}

TEST(Vp9PayloadDescriptorTest, WriteRejectsWhatTheWireCannotCarry) {
  Vp9PayloadDescriptor flexible;
  flexible.flexible_mode = true;
  flexible.picture_id = PictureId{1, true};
  EXPECT_EQ(DescriptorWriteError(flexible), std::nullopt);

  Vp9PayloadDescriptor d = flexible;
  d.picture_id.reset();  // Flexible mode needs a PICTURE ID.
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d = flexible;
  d.picture_id = PictureId{0x80, false};
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d = flexible;
  d.layer_indices = Vp9PayloadDescriptor::LayerIndices{8, false, 0, false};
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d.layer_indices = Vp9PayloadDescriptor::LayerIndices{0, false, 8, false};
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d = flexible;
  d.layer_indices = Vp9PayloadDescriptor::LayerIndices{};
  d.tl0_pic_idx = 1;  // No TL0PICIDX in flexible mode.
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d = flexible;
  d.flexible_mode = false;
  d.layer_indices =
      Vp9PayloadDescriptor::LayerIndices{};  // Non-flexible layer indices need TL0PICIDX.
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d = flexible;
  d.inter_picture_predicted = true;  // Flexible P=1 needs a P_DIFF.
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d.reference_count = 1;
  d.reference_diffs[0] = 128;
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d.reference_diffs[0] = 0;
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d.reference_diffs[0] = 127;
  EXPECT_EQ(DescriptorWriteError(d), std::nullopt);
  d.inter_picture_predicted = false;  // P_DIFF without P=1.
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);

  d = flexible;
  d.scalability_structure.emplace();
  d.scalability_structure->spatial_layers = 9;
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d.scalability_structure->spatial_layers = 2;
  d.scalability_structure->resolutions = {{640, 360}};  // One per layer, or none.
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d.scalability_structure->resolutions.clear();
  d.scalability_structure->picture_group = {{0, false, {1, 2, 3, 4}}};
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d.scalability_structure->picture_group = {{0, false, {0}}};
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);
  d.scalability_structure->picture_group =
      std::vector<Vp9ScalabilityStructure::Picture>(256, {0, false, {1}});
  EXPECT_EQ(DescriptorWriteError(d), ErrorCode::kInvalidArgument);

  std::vector<uint8_t> small(2);
  ByteWriter writer(small);
  Status status = flexible.Write(writer);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kBufferTooSmall);
}

EncodedVideoFrame Frame(size_t size, uint64_t frame_id, bool keyframe,
                        std::vector<uint64_t> references = {}, uint8_t temporal_id = 0) {
  EncodedVideoFrame frame;
  frame.codec = VideoCodec::kVp9;
  frame.data.resize(size);
  for (size_t i = 0; i < size; ++i) frame.data[i] = static_cast<uint8_t>(i * 13 + 1);
  frame.keyframe = keyframe;
  frame.width = 640;
  frame.height = 360;
  frame.frame_id = frame_id;
  frame.references = std::move(references);
  frame.temporal_id = temporal_id;
  return frame;
}

TEST(Vp9PacketizerTest, KeyframeCarriesTheResolutionInItsFirstPacketOnly) {
  Vp9Packetizer packetizer({.max_payload_size = 1100, .first_picture_id = 77});
  auto payloads = packetizer.Packetize(Frame(5000, 1, true));
  ASSERT_TRUE(payloads.ok()) << payloads.error().ToString();
  // Packets on the wire, the SS included, differ by at most one byte.
  testing::ExpectBalancedRun(*payloads, 5, 1100);
  for (size_t i = 0; i < payloads->size(); ++i) {
    const Vp9PayloadDescriptor d = Parsed((*payloads)[i].data);
    EXPECT_EQ(d.beginning_of_frame, i == 0);
    EXPECT_EQ(d.end_of_frame, i == 4);
    EXPECT_TRUE(d.flexible_mode);
    EXPECT_FALSE(d.inter_picture_predicted);
    EXPECT_EQ(d.picture_id, (PictureId{77, true}));
    EXPECT_EQ(d.scalability_structure.has_value(), i == 0);
  }
  const Vp9ScalabilityStructure ss = *Parsed((*payloads)[0].data).scalability_structure;
  EXPECT_EQ(ss.spatial_layers, 1);
  EXPECT_THAT(ss.resolutions, ElementsAre(Vp9ScalabilityStructure::Resolution{640, 360}));
  EXPECT_FALSE(ss.picture_group.has_value());
}

TEST(Vp9PacketizerTest, FlexibleModeDescribesReferencesAsPictureIdDistances) {
  Vp9Packetizer packetizer({.first_picture_id = 0x7FFE});
  ASSERT_TRUE(packetizer.Packetize(Frame(100, 10, true)).ok());           // PictureID 0x7FFE
  ASSERT_TRUE(packetizer.Packetize(Frame(100, 11, false, {10})).ok());    // 0x7FFF
  auto payloads = packetizer.Packetize(Frame(100, 12, false, {11, 10}));  // 0
  ASSERT_TRUE(payloads.ok()) << payloads.error().ToString();
  Vp9PayloadDescriptor d = Parsed((*payloads)[0].data);
  EXPECT_EQ(d.picture_id->value, 0);
  EXPECT_TRUE(d.inter_picture_predicted);
  EXPECT_THAT(d.references(), ElementsAre(1, 2));
  EXPECT_FALSE(d.scalability_structure.has_value());

  // The errors leave the counter where it was.
  EXPECT_EQ(testing::ErrorCodeOf(packetizer.Packetize(Frame(100, 13, false, {99}))),
            ErrorCode::kInvalidArgument);  // Never sent.
  EXPECT_EQ(testing::ErrorCodeOf(packetizer.Packetize(Frame(100, 13, false, {}))),
            ErrorCode::kInvalidArgument);  // An inter frame references something.
  EXPECT_EQ(testing::ErrorCodeOf(packetizer.Packetize(Frame(100, 13, false, {10, 11, 12, 12}))),
            ErrorCode::kInvalidArgument);  // At most three.
  EXPECT_EQ(testing::ErrorCodeOf(packetizer.Packetize(Frame(0, 13, true))),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(testing::ErrorCodeOf(packetizer.Packetize(Frame(10, 13, true, {}, 8))),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(packetizer.next_picture_id(), 1);

  // A reference 127 pictures back still fits in P_DIFF; 128 back does not.
  for (uint64_t id = 13; id < 13 + 126; ++id) {
    ASSERT_TRUE(packetizer.Packetize(Frame(10, id, false, {id - 1})).ok());
  }
  payloads = packetizer.Packetize(Frame(10, 200, false, {12}));
  ASSERT_TRUE(payloads.ok());
  EXPECT_THAT(Parsed((*payloads)[0].data).references(), ElementsAre(127));
  EXPECT_EQ(testing::ErrorCodeOf(packetizer.Packetize(Frame(10, 201, false, {12}))),
            ErrorCode::kInvalidArgument);
}

TEST(Vp9PacketizerTest, NonFlexibleModeCountsBaseLayerPictures) {
  Vp9Packetizer packetizer(
      {.flexible_mode = false,
       .first_tl0_pic_idx = 255,
       .picture_group = {{0, false, {4}}, {2, true, {1}}, {1, true, {2}}, {2, true, {1}}}});
  const uint8_t pattern[] = {0, 2, 1, 2, 0, 2, 1, 2};
  std::vector<int> tl0;
  for (size_t i = 0; i < std::size(pattern); ++i) {
    EncodedVideoFrame frame = Frame(100, i, i == 0, {}, pattern[i]);
    frame.layer_sync = pattern[i] != 0;
    auto payloads = packetizer.Packetize(frame);
    ASSERT_TRUE(payloads.ok()) << payloads.error().ToString();
    const Vp9PayloadDescriptor d = Parsed((*payloads)[0].data);
    EXPECT_FALSE(d.flexible_mode);
    EXPECT_EQ(d.inter_picture_predicted, i != 0);
    EXPECT_EQ(d.reference_count, 0);
    ASSERT_TRUE(d.layer_indices && d.tl0_pic_idx);
    EXPECT_EQ(d.layer_indices->temporal_id, pattern[i]);
    EXPECT_EQ(d.layer_indices->switching_up, pattern[i] != 0);
    tl0.push_back(*d.tl0_pic_idx);
    if (i == 0) {
      ASSERT_TRUE(d.scalability_structure && d.scalability_structure->picture_group);
      EXPECT_EQ(d.scalability_structure->picture_group->size(), 4u);
      EXPECT_EQ((*d.scalability_structure->picture_group)[2],
                (Vp9ScalabilityStructure::Picture{1, true, {2}}));
    }
  }
  EXPECT_THAT(tl0, ElementsAre(255, 255, 255, 255, 0, 0, 0, 0));
}

TEST(Vp9PacketizerTest, MaxPayloadSizeMustLeaveRoomForData) {
  // Descriptor of a flexible keyframe: 1 + 2 (PID) + 1 (L) + 5 (SS) = 9 octets.
  Vp9Packetizer tight({.max_payload_size = 9});
  EXPECT_EQ(testing::ErrorCodeOf(tight.Packetize(Frame(10, 1, true))), ErrorCode::kInvalidArgument);
  Vp9Packetizer just({.max_payload_size = 10});
  auto payloads = just.Packetize(Frame(3, 1, true));
  ASSERT_TRUE(payloads.ok()) << payloads.error().ToString();
  // One byte beside the SS, then 2 bytes in packets of 4-octet descriptor + up to 6 bytes.
  ASSERT_EQ(payloads->size(), 2u);
  EXPECT_EQ((*payloads)[0].data.size(), 10u);
  EXPECT_EQ((*payloads)[1].data.size(), 6u);
}

TEST(Vp9DepacketizerTest, FrameThroughPayloadsAndBack) {
  Vp9Packetizer packetizer({.max_payload_size = 700});
  const EncodedVideoFrame frame = Frame(2000, 1, true);
  auto payloads = packetizer.Packetize(frame);
  ASSERT_TRUE(payloads.ok());
  std::vector<Vp9DepacketizedPacket> packets;
  for (size_t i = 0; i < payloads->size(); ++i) {
    auto packet = DepacketizeVp9({(*payloads)[i].data, (*payloads)[i].last_in_frame,
                                  static_cast<uint16_t>(65535 + i), 1234});
    ASSERT_TRUE(packet.ok()) << packet.error().ToString();
    packets.push_back(*packet);
  }
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_TRUE(packets[0].starts_keyframe());
  EXPECT_FALSE(packets[1].starts_frame());
  EXPECT_TRUE(packets[2].ends_frame());
  auto assembled = AssembleVp9Frame(packets);
  ASSERT_TRUE(assembled.ok()) << assembled.error().ToString();
  EXPECT_EQ(*assembled, frame.data);
  EXPECT_THAT(std::string(AssembleVp9Frame(std::span(packets).first(2)).error().detail),
              HasSubstr("does not end the frame"));

  auto delta = packetizer.Packetize(Frame(50, 2, false, {1}));
  ASSERT_TRUE(delta.ok());
  auto packet = DepacketizeVp9({(*delta)[0].data, true, 1, 4000});
  ASSERT_TRUE(packet.ok());
  EXPECT_TRUE(packet->starts_frame());
  EXPECT_FALSE(packet->starts_keyframe());
  EXPECT_EQ(testing::ErrorCodeOf(DepacketizeVp9({{}, true, 1, 2})), ErrorCode::kTruncated);
}

}  // namespace
}  // namespace comodal::engine
