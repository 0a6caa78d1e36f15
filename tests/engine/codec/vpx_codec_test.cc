#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include "engine/codec/vpx_decoder.h"
#include "engine/codec/vpx_encoder.h"
#include "tests/support/video_quality.h"
#include "tests/support/zone_plate.h"

namespace comodal::engine {
namespace {

using testing::kStart;
using testing::ZonePlate;

using testing::LumaPsnr;

VpxEncoderConfig Config(VideoCodec codec, int width, int height, int kbps) {
  VpxEncoderConfig config;
  config.codec = codec;
  config.width = width;
  config.height = height;
  config.target_bitrate = DataRate::KilobitsPerSec(kbps);
  return config;
}

std::unique_ptr<VpxEncoder> MakeEncoder(const VpxEncoderConfig& config) {
  auto encoder = VpxEncoder::Create(config);
  EXPECT_TRUE(encoder.ok()) << (encoder.ok() ? "" : encoder.error());
  return encoder.ok() ? std::move(encoder).value() : nullptr;
}

std::unique_ptr<VpxDecoder> MakeDecoder(VideoCodec codec) {
  auto decoder = VpxDecoder::Create(codec);
  EXPECT_TRUE(decoder.ok()) << (decoder.ok() ? "" : decoder.error());
  return decoder.ok() ? std::move(decoder).value() : nullptr;
}

// What came out of the encoder for one input frame (nullopt: dropped by the rate control).
std::optional<EncodedVideoFrame> EncodeOk(VpxEncoder& encoder, const RawVideoFrame& frame) {
  auto encoded = encoder.Encode(frame);
  EXPECT_TRUE(encoded.ok()) << (encoded.ok() ? "" : encoded.error().ToString());
  return encoded.ok() ? std::move(encoded).value() : std::nullopt;
}

// Decodes `frame` and returns the luma PSNR against `sent`, checking the match by frame id.
double DecodeAndMeasure(VpxDecoder& decoder, const EncodedVideoFrame& frame,
                        const RawVideoFrame& sent) {
  auto decoded = decoder.Decode(frame);
  if (!decoded.ok()) {
    ADD_FAILURE() << decoded.error();
    return 0;
  }
  if (!decoded->has_value()) {
    ADD_FAILURE() << "frame " << frame.frame_id << " decoded to nothing";
    return 0;
  }
  const RawVideoFrame& picture = **decoded;
  EXPECT_EQ(picture.frame_id, sent.frame_id);
  EXPECT_EQ(picture.width, sent.width);
  EXPECT_EQ(picture.height, sent.height);
  if (picture.width != sent.width || picture.height != sent.height) return 0;
  return LumaPsnr(sent, picture);
}

// Encodes and decodes frames [from, to) of `source`; each decoded picture must reach `psnr_floor`.
void RoundTrip(VpxEncoder& encoder, VpxDecoder& decoder, const ZonePlate& source, int from, int to,
               double psnr_floor) {
  for (int i = from; i < to; ++i) {
    const RawVideoFrame frame = source.Frame(i);
    if (auto encoded = EncodeOk(encoder, frame)) {
      EXPECT_GT(DecodeAndMeasure(decoder, *encoded, frame), psnr_floor) << i;
    }
  }
}

// Bit rate of the frames captured in [from, to) frame indices at `frame_rate`.
DataRate RateOver(const std::vector<std::optional<EncodedVideoFrame>>& frames, int from, int to,
                  double frame_rate) {
  int64_t bytes = 0;
  for (int i = from; i < to; ++i) {
    if (frames[static_cast<size_t>(i)]) {
      bytes += static_cast<int64_t>(frames[static_cast<size_t>(i)]->data.size());
    }
  }
  return DataSize::Bytes(bytes) / TimeDelta::Micros(std::llround((to - from) * 1e6 / frame_rate));
}

std::string CodecParamName(const ::testing::TestParamInfo<VideoCodec>& info) {
  return info.param == VideoCodec::kVp8 ? "VP8" : "VP9";
}

class VpxCodecTest : public ::testing::TestWithParam<VideoCodec> {};

// One second of the demanding picture at 640x360@30, 800 kbit/s, decoded back: every frame
// decodes, matches its sent frame by id, and is a faithful copy.
TEST_P(VpxCodecTest, RoundTripAt800KbpsKeepsPsnrAboveFloor) {
  const ZonePlate source(640, 360);
  auto encoder = MakeEncoder(Config(GetParam(), 640, 360, 800));
  auto decoder = MakeDecoder(GetParam());
  ASSERT_TRUE(encoder && decoder);
  double min_psnr = 99;
  std::optional<uint64_t> previous;
  for (int i = 0; i < 30; ++i) {
    const RawVideoFrame frame = source.Frame(i);
    std::optional<EncodedVideoFrame> encoded = EncodeOk(*encoder, frame);
    if (!encoded) continue;
    EXPECT_EQ(encoded->codec, GetParam());
    EXPECT_EQ(encoded->keyframe, i == 0);
    EXPECT_EQ(encoded->frame_id, frame.frame_id);
    EXPECT_EQ(encoded->capture_time, frame.capture_time);
    EXPECT_EQ(encoded->temporal_id, 0);
    // L1T1: each frame references the previous encoded one.
    EXPECT_EQ(encoded->references,
              previous ? std::vector<uint64_t>{*previous} : std::vector<uint64_t>{});
    previous = encoded->frame_id;
    min_psnr = std::min(min_psnr, DecodeAndMeasure(*decoder, *encoded, frame));
  }
  EXPECT_EQ(encoder->stats().frames_in, 30u);
  EXPECT_EQ(encoder->stats().frames_encoded + encoder->stats().frames_dropped, 30u);
  EXPECT_EQ(encoder->stats().keyframes, 1u);
  EXPECT_EQ(decoder->stats().frames_decoded, encoder->stats().frames_encoded);
  RecordProperty("min_psnr_db", std::to_string(min_psnr));
  EXPECT_GT(min_psnr, 30.0);
}

// CBR on demanding content delivers the target over a few seconds (DESIGN.md: easy content would
// hide a rate control that cannot reach its target).
TEST_P(VpxCodecTest, AchievedBitrateMatchesTargetOnDemandingContent) {
  const ZonePlate source(320, 180);
  auto encoder = MakeEncoder(Config(GetParam(), 320, 180, 400));
  ASSERT_TRUE(encoder);
  std::vector<std::optional<EncodedVideoFrame>> frames;
  for (int i = 0; i < 120; ++i) frames.push_back(EncodeOk(*encoder, source.Frame(i)));
  // The last 3 s, after the first second has filled the rate control buffer.
  const DataRate achieved = RateOver(frames, 30, 120, 30);
  RecordProperty("kbps", static_cast<int>(achieved.kbps()));
  // Measured: 399 (VP8) and 397 (VP9) kbit/s.
  EXPECT_GT(achieved.kbps(), 400 * 0.9) << achieved;
  EXPECT_LT(achieved.kbps(), 400 * 1.1) << achieved;
}

// The adaptive controller lowers the rate mid-stream: the encoder follows without a keyframe.
TEST_P(VpxCodecTest, SetBitrateLowersTheRateWithoutKeyframe) {
  const ZonePlate source(320, 180);
  auto encoder = MakeEncoder(Config(GetParam(), 320, 180, 800));
  ASSERT_TRUE(encoder);
  std::vector<std::optional<EncodedVideoFrame>> frames;
  for (int i = 0; i < 60; ++i) frames.push_back(EncodeOk(*encoder, source.Frame(i)));
  ASSERT_TRUE(encoder->SetBitrate(DataRate::KilobitsPerSec(200)).ok());
  for (int i = 60; i < 150; ++i) {
    frames.push_back(EncodeOk(*encoder, source.Frame(i)));
    if (frames.back()) EXPECT_FALSE(frames.back()->keyframe) << i;
  }
  const DataRate before = RateOver(frames, 30, 60, 30);
  const DataRate after = RateOver(frames, 90, 150, 30);  // After a second to settle.
  RecordProperty("kbps_before", static_cast<int>(before.kbps()));
  RecordProperty("kbps_after", static_cast<int>(after.kbps()));
  EXPECT_GT(before.kbps(), 800 * 0.7) << before;
  // Measured: 786 -> 216 (VP8) and 871 -> 192 (VP9) kbit/s.
  EXPECT_GT(after.kbps(), 200 * 0.85) << after;
  EXPECT_LT(after.kbps(), 200 * 1.15) << after;
  EXPECT_EQ(encoder->stats().keyframes, 1u);
}

// Halving the frame rate mid-stream (frames now 66 ms apart) keeps the bit rate: each frame gets
// twice the bits, with no keyframe.
TEST_P(VpxCodecTest, SetFrameRateKeepsTheBitrate) {
  const ZonePlate source(320, 180);
  auto encoder = MakeEncoder(Config(GetParam(), 320, 180, 300));
  ASSERT_TRUE(encoder);
  for (int i = 0; i < 30; ++i) (void)EncodeOk(*encoder, source.Frame(i));
  ASSERT_TRUE(encoder->SetFrameRate(15).ok());
  std::vector<std::optional<EncodedVideoFrame>> frames;
  for (int i = 0; i < 45; ++i) {
    // Capture times continue from 1 s, 15 frames a second.
    RawVideoFrame frame = source.Frame(30 + i);
    frame.capture_time = kStart + TimeDelta::Seconds(1) + TimeDelta::Micros(i * 1'000'000 / 15);
    frames.push_back(EncodeOk(*encoder, frame));
    if (frames.back()) EXPECT_FALSE(frames.back()->keyframe);
  }
  const DataRate after = RateOver(frames, 15, 45, 15);  // The last 2 s.
  RecordProperty("kbps", static_cast<int>(after.kbps()));
  EXPECT_GT(after.kbps(), 300 * 0.85) << after;
  EXPECT_LT(after.kbps(), 300 * 1.15) << after;
}

// Downscaling mid-stream: the decoder follows to the new size. VP9 predicts across the change
// (reference scaling, no keyframe); VP8 cannot and sends a keyframe.
TEST_P(VpxCodecTest, SetResolutionMidStreamDecodesAtTheNewSize) {
  const ZonePlate large(640, 360);
  const ZonePlate small(320, 180);
  auto encoder = MakeEncoder(Config(GetParam(), 640, 360, 600));
  auto decoder = MakeDecoder(GetParam());
  ASSERT_TRUE(encoder && decoder);
  RoundTrip(*encoder, *decoder, large, 0, 10, 25.0);
  ASSERT_TRUE(encoder->SetResolution(320, 180).ok());
  EXPECT_FALSE(encoder->Encode(large.Frame(10)).ok()) << "a frame of the old size is refused";
  bool first = true;
  for (int i = 10; i < 25; ++i) {
    const RawVideoFrame frame = small.Frame(i);
    auto encoded = EncodeOk(*encoder, frame);
    if (!encoded) continue;
    EXPECT_EQ(encoded->width, 320);
    EXPECT_EQ(encoded->height, 180);
    if (first) EXPECT_EQ(encoded->keyframe, GetParam() == VideoCodec::kVp8);
    first = false;
    EXPECT_GT(DecodeAndMeasure(*decoder, *encoded, frame), 25.0) << i;
  }
  EXPECT_FALSE(first);
  EXPECT_EQ(encoder->stats().keyframes, GetParam() == VideoCodec::kVp8 ? 2u : 1u);
}

// Growing back past the first size (VP8 needs a new libvpx encoder for that) keyframes and
// decodes at the larger size.
TEST_P(VpxCodecTest, SetResolutionUpPastTheInitialSize) {
  const ZonePlate small(160, 90);
  const ZonePlate large(320, 180);
  auto encoder = MakeEncoder(Config(GetParam(), 160, 90, 300));
  auto decoder = MakeDecoder(GetParam());
  ASSERT_TRUE(encoder && decoder);
  RoundTrip(*encoder, *decoder, small, 0, 5, 20.0);
  ASSERT_TRUE(encoder->SetResolution(320, 180).ok());
  auto encoded = EncodeOk(*encoder, large.Frame(5));
  ASSERT_TRUE(encoded);
  EXPECT_TRUE(encoded->keyframe);
  EXPECT_GT(DecodeAndMeasure(*decoder, *encoded, large.Frame(5)), 20.0);
}

TEST_P(VpxCodecTest, RequestKeyframeMakesTheNextFrameAKeyframe) {
  const ZonePlate source(320, 180);
  VpxEncoderConfig config = Config(GetParam(), 320, 180, 500);
  config.drop_frame_threshold_pct = 0;  // Every frame comes out, so "the next frame" is one.
  auto encoder = MakeEncoder(config);
  ASSERT_TRUE(encoder);
  for (int i = 0; i < 5; ++i) {
    auto encoded = EncodeOk(*encoder, source.Frame(i));
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->keyframe, i == 0);
  }
  encoder->RequestKeyframe();
  auto key = EncodeOk(*encoder, source.Frame(5));
  ASSERT_TRUE(key);
  EXPECT_TRUE(key->keyframe);
  EXPECT_TRUE(key->references.empty());
  auto next = EncodeOk(*encoder, source.Frame(6));
  ASSERT_TRUE(next);
  EXPECT_FALSE(next->keyframe);
  EXPECT_EQ(next->references, std::vector<uint64_t>{5});
  EXPECT_EQ(encoder->stats().keyframes, 2u);
}

// Encodes `count` frames in L1T3 and decodes only the frames of layers <= max_layer.
struct LayeredRun {
  int decoded = 0;
  double min_psnr = 99;
};
LayeredRun DecodeLayers(VideoCodec codec, const std::vector<EncodedVideoFrame>& frames,
                        const ZonePlate& source, int max_layer) {
  LayeredRun run;
  auto decoder = MakeDecoder(codec);
  if (!decoder) return run;
  for (const EncodedVideoFrame& frame : frames) {
    if (frame.temporal_id > max_layer) continue;
    run.min_psnr =
        std::min(run.min_psnr,
                 DecodeAndMeasure(*decoder, frame, source.Frame(static_cast<int>(frame.frame_id))));
    ++run.decoded;
  }
  EXPECT_EQ(decoder->stats().errors, 0u);
  return run;
}

// L1T3: temporal ids 0,2,1,2; references follow the documented pattern; the stream without TL2
// (and without TL1 and TL2) still decodes cleanly at half (a quarter of) the frame rate.
TEST_P(VpxCodecTest, L1T3PatternSurvivesDroppingUpperLayers) {
  const ZonePlate source(320, 180);
  VpxEncoderConfig config = Config(GetParam(), 320, 180, 500);
  config.layering = TemporalLayering::kL1T3;
  config.drop_frame_threshold_pct = 0;  // Every input position produces a frame.
  auto encoder = MakeEncoder(config);
  ASSERT_TRUE(encoder);
  std::vector<EncodedVideoFrame> frames;
  for (int i = 0; i < 48; ++i) {
    auto encoded = EncodeOk(*encoder, source.Frame(i));
    ASSERT_TRUE(encoded) << i;
    frames.push_back(std::move(*encoded));
  }
  const uint8_t kIds[] = {0, 2, 1, 2};
  for (size_t i = 0; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i].temporal_id, kIds[i % 4]) << i;
    EXPECT_EQ(frames[i].keyframe, i == 0);
    // TL2 frames update no reference buffer: the RTP N bit tells receivers they can go.
    EXPECT_EQ(frames[i].non_reference, kIds[i % 4] == 2) << i;
  }
  // References (frame ids): TL0 -> previous TL0; TL1 -> TL0 only; TL2 -> TL0 and
  // newest TL1. Right after the keyframe, the keyframe stands in for the missing TL1.
  EXPECT_EQ(frames[1].references, (std::vector<uint64_t>{0}));
  EXPECT_TRUE(frames[1].layer_sync);
  EXPECT_EQ(frames[2].references, (std::vector<uint64_t>{0}));
  EXPECT_TRUE(frames[2].layer_sync);
  EXPECT_EQ(frames[3].references, (std::vector<uint64_t>{0, 2}));
  EXPECT_FALSE(frames[3].layer_sync);
  EXPECT_EQ(frames[4].references, (std::vector<uint64_t>{0}));
  EXPECT_FALSE(frames[4].layer_sync);  // TL0 frames are not layer syncs.
  EXPECT_EQ(frames[5].references, (std::vector<uint64_t>{4, 2}));
  EXPECT_EQ(frames[6].references, (std::vector<uint64_t>{4}));
  EXPECT_TRUE(frames[6].layer_sync);  // Every TL1 frame is a layer sync.
  EXPECT_EQ(frames[7].references, (std::vector<uint64_t>{4, 6}));

  const LayeredRun all = DecodeLayers(GetParam(), frames, source, 2);
  const LayeredRun no_tl2 = DecodeLayers(GetParam(), frames, source, 1);
  const LayeredRun base = DecodeLayers(GetParam(), frames, source, 0);
  EXPECT_EQ(all.decoded, 48);
  EXPECT_EQ(no_tl2.decoded, 24);
  EXPECT_EQ(base.decoded, 12);
  EXPECT_GT(all.min_psnr, 25.0);
  EXPECT_GT(no_tl2.min_psnr, 25.0);
  EXPECT_GT(base.min_psnr, 25.0);
}

TEST_P(VpxCodecTest, L1T2PatternAlternatesLayers) {
  const ZonePlate source(160, 90);
  VpxEncoderConfig config = Config(GetParam(), 160, 90, 200);
  config.layering = TemporalLayering::kL1T2;
  config.drop_frame_threshold_pct = 0;
  auto encoder = MakeEncoder(config);
  ASSERT_TRUE(encoder);
  std::vector<EncodedVideoFrame> frames;
  for (int i = 0; i < 12; ++i) {
    auto encoded = EncodeOk(*encoder, source.Frame(i));
    ASSERT_TRUE(encoded);
    EXPECT_EQ(encoded->temporal_id, i % 2);
    frames.push_back(std::move(*encoded));
  }
  EXPECT_EQ(frames[3].references, (std::vector<uint64_t>{2}));
  EXPECT_TRUE(frames[3].layer_sync);
  EXPECT_EQ(DecodeLayers(GetParam(), frames, source, 0).decoded, 6);
}

// At 50 kbit/s on the demanding picture even a keyframe at the largest quantizer is worth most
// of a second of the link: the encoder repays it by dropping the frames after it, and keeps
// dropping as needed, so that the rate over three seconds stays near the target.
TEST_P(VpxCodecTest, VeryLowBitrateDropsFramesInsteadOfOvershooting) {
  const ZonePlate source(320, 180);
  auto encoder = MakeEncoder(Config(GetParam(), 320, 180, 50));
  ASSERT_TRUE(encoder);
  std::vector<std::optional<EncodedVideoFrame>> frames;
  for (int i = 0; i < 90; ++i) frames.push_back(EncodeOk(*encoder, source.Frame(i)));
  ASSERT_TRUE(frames[0] && frames[0]->keyframe);
  for (int i = 1; i <= 3; ++i) EXPECT_FALSE(frames[static_cast<size_t>(i)]) << i;
  EXPECT_GT(encoder->stats().frames_dropped, 15u);
  const DataRate achieved = RateOver(frames, 0, 90, 30);
  RecordProperty("kbps", static_cast<int>(achieved.kbps()));
  RecordProperty("dropped", static_cast<int>(encoder->stats().frames_dropped));
  EXPECT_LT(achieved.kbps(), 50 * 1.2) << achieved;
}

// A keyframe asked for mid-stream (a receiver's PLI) is held to the cap: a quarter of the optimal
// buffer level (150 ms of the target rate) by default, instead of libvpx's own larger target.
TEST_P(VpxCodecTest, MidStreamKeyframeIsCapped) {
  const ZonePlate source(320, 180);
  auto keyframe_size = [&](int cap_pct) -> size_t {
    VpxEncoderConfig config = Config(GetParam(), 320, 180, 300);
    config.max_keyframe_pct_of_buffer = cap_pct;
    auto encoder = MakeEncoder(config);
    if (!encoder) return 0;
    for (int i = 0; i < 61; ++i) {
      if (i == 60) encoder->RequestKeyframe();
      auto encoded = EncodeOk(*encoder, source.Frame(i));
      if (i == 60 && encoded && encoded->keyframe) return encoded->data.size();
    }
    ADD_FAILURE() << "no keyframe at frame 60";
    return 0;
  };
  const size_t capped = keyframe_size(VpxEncoderConfig{}.max_keyframe_pct_of_buffer);
  const size_t uncapped = keyframe_size(0);
  RecordProperty("capped_bytes", static_cast<int>(capped));
  RecordProperty("uncapped_bytes", static_cast<int>(uncapped));
  EXPECT_LT(static_cast<double>(capped), 0.92 * static_cast<double>(uncapped));
}

TEST_P(VpxCodecTest, BadConfigurationsAreRejectedWithAReason) {
  auto error_of = [](const VpxEncoderConfig& config) {
    auto encoder = VpxEncoder::Create(config);
    return encoder.ok() ? std::string() : encoder.error();
  };
  VpxEncoderConfig config = Config(GetParam(), 640, 360, 800);
  config.width = 0;
  EXPECT_NE(error_of(config).find("bad resolution 0x360"), std::string::npos) << error_of(config);
  config = Config(GetParam(), 640, 360, 800);
  config.layering = static_cast<TemporalLayering>(7);
  EXPECT_NE(error_of(config).find("unsupported temporal layer mode 7"), std::string::npos);
  config = Config(GetParam(), 640, 360, 800);
  config.target_bitrate = DataRate::KilobitsPerSec(1);
  EXPECT_NE(error_of(config).find("target_bitrate"), std::string::npos);
  config = Config(GetParam(), 640, 360, 800);
  config.frame_rate = 0;
  EXPECT_NE(error_of(config).find("frame_rate"), std::string::npos);
  config = Config(GetParam(), 640, 360, 800);
  config.speed = 42;
  EXPECT_NE(error_of(config).find("speed must be 0.."), std::string::npos);

  auto encoder = MakeEncoder(Config(GetParam(), 320, 180, 300));
  ASSERT_TRUE(encoder);
  EXPECT_FALSE(encoder->SetBitrate(DataRate::Zero()).ok());
  EXPECT_FALSE(encoder->SetFrameRate(-1).ok());
  EXPECT_FALSE(encoder->SetResolution(0, 180).ok());
  RawVideoFrame truncated = ZonePlate(320, 180).Frame(0);
  truncated.i420.resize(100);
  auto result = encoder->Encode(truncated);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kBadLength);
}

TEST_P(VpxCodecTest, DecoderReportsGarbageAndAMissingKeyframe) {
  auto decoder = MakeDecoder(GetParam());
  ASSERT_TRUE(decoder);
  EncodedVideoFrame garbage;
  garbage.codec = GetParam();
  garbage.data = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x11, 0x22};
  garbage.frame_id = 3;
  auto result = decoder->Decode(garbage);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().find("frame 3"), std::string::npos) << result.error();
  EXPECT_EQ(decoder->stats().errors, 1u);

  // A delta frame with no keyframe before it is refused; the same decoder then still decodes a
  // good stream from its keyframe.
  const ZonePlate source(160, 90);
  auto encoder = MakeEncoder(Config(GetParam(), 160, 90, 200));
  ASSERT_TRUE(encoder);
  auto key = EncodeOk(*encoder, source.Frame(0));
  auto delta = EncodeOk(*encoder, source.Frame(1));
  ASSERT_TRUE(key && delta);
  ASSERT_FALSE(delta->keyframe);
  auto orphan = decoder->Decode(*delta);
  EXPECT_FALSE(orphan.ok() && orphan->has_value()) << "a delta frame decoded without its keyframe";
  EXPECT_GT(DecodeAndMeasure(*decoder, *key, source.Frame(0)), 25.0);
  EXPECT_GT(DecodeAndMeasure(*decoder, *delta, source.Frame(1)), 25.0);
}

INSTANTIATE_TEST_SUITE_P(Vpx, VpxCodecTest, ::testing::Values(VideoCodec::kVp8, VideoCodec::kVp9),
                         CodecParamName);

// A slide: dark text-like strokes in lines on a light page, static for two seconds.
RawVideoFrame Slide(int width, int height, int index) {
  RawVideoFrame frame;
  frame.width = width;
  frame.height = height;
  frame.frame_id = static_cast<uint64_t>(index);
  frame.capture_time = kStart + TimeDelta::Micros(std::llround(index * 1e6 / 30));
  frame.i420.assign(RawVideoFrame::I420Size(width, height), 128);
  uint32_t seed = 12345;
  auto next = [&seed] { return (seed = seed * 1103515245u + 12345u) >> 16; };
  for (int y = 0; y < height; ++y) {
    uint8_t* row = frame.i420.data() + static_cast<size_t>(y) * static_cast<size_t>(width);
    std::fill(row, row + width, 235);
  }
  // Lines of "words": runs of 2 px strokes 14 px tall, 40 px line pitch, 60 px margins.
  for (int line_top = 60; line_top + 14 < height - 60; line_top += 40) {
    int x = 60;
    while (x < width - 100) {
      const int word = 20 + static_cast<int>(next() % 80);
      for (int stroke = x; stroke < x + word; stroke += 5 + static_cast<int>(next() % 4)) {
        const int top = line_top + static_cast<int>(next() % 4);
        for (int y = top; y < line_top + 14; ++y) {
          for (int dx = 0; dx < 2; ++dx) {
            frame.i420[static_cast<size_t>(y) * static_cast<size_t>(width) +
                       static_cast<size_t>(stroke + dx)] = 16;
          }
        }
      }
      x += word + 12;
    }
  }
  return frame;
}

// VP9 tuned for screen content on a static text page (1280x720, 300 kbit/s): the page costs one
// keyframe whose debt the rate control repays by dropping frames, a few refinement frames that
// sharpen the text, then almost nothing per frame.
TEST(VpxScreenContentTest, Vp9StaticSlideEncodesSmall) {
  VpxEncoderConfig config = Config(VideoCodec::kVp9, 1280, 720, 300);
  config.content = VideoContent::kScreen;
  auto encoder = MakeEncoder(config);
  auto decoder = MakeDecoder(VideoCodec::kVp9);
  ASSERT_TRUE(encoder && decoder);
  const RawVideoFrame slide = Slide(1280, 720, 0);
  std::vector<std::optional<EncodedVideoFrame>> frames;
  double last_psnr = 0;
  for (int i = 0; i < 90; ++i) {
    RawVideoFrame frame = slide;
    frame.frame_id = static_cast<uint64_t>(i);
    frame.capture_time = kStart + TimeDelta::Micros(std::llround(i * 1e6 / 30));
    frames.push_back(EncodeOk(*encoder, frame));
    if (frames.back()) last_psnr = DecodeAndMeasure(*decoder, *frames.back(), frame);
  }
  std::vector<size_t> last_second;
  for (int i = 60; i < 90; ++i) {
    if (frames[static_cast<size_t>(i)])
      last_second.push_back(frames[static_cast<size_t>(i)]->data.size());
  }
  ASSERT_FALSE(last_second.empty());
  std::sort(last_second.begin(), last_second.end());
  const size_t median = last_second[last_second.size() / 2];
  const DataRate rate = RateOver(frames, 0, 90, 30);
  RecordProperty("keyframe_bytes", static_cast<int>(frames[0]->data.size()));
  RecordProperty("median_static_frame_bytes", static_cast<int>(median));
  RecordProperty("kbps", static_cast<int>(rate.kbps()));
  EXPECT_LT(median, 200u) << "a static frame once the page is sharp";
  EXPECT_LT(rate.kbps(), 300 * 1.2) << "the keyframe's debt is repaid within the 3 s";
  EXPECT_GT(last_psnr, 38.0) << "the text sharpens";
}

}  // namespace
}  // namespace comodal::engine
