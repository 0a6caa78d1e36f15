#include "engine/video/video_scaler.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace comodal::engine {
namespace {

// A frame whose samples follow `value(plane, x, y)`; plane 0 is Y, 1 is U, 2 is V.
template <typename F>
RawVideoFrame MakeFrame(int width, int height, F value) {
  RawVideoFrame frame;
  frame.width = width;
  frame.height = height;
  frame.i420.resize(RawVideoFrame::I420Size(width, height));
  frame.capture_time = Timestamp::Millis(12345);
  frame.frame_id = 77;
  size_t i = 0;
  for (int plane = 0; plane < 3; ++plane) {
    const int w = plane == 0 ? width : (width + 1) / 2;
    const int h = plane == 0 ? height : (height + 1) / 2;
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) frame.i420[i++] = static_cast<uint8_t>(value(plane, x, y));
    }
  }
  return frame;
}

// Sample (x, y) of `plane` in a tightly packed I420 frame.
uint8_t At(const RawVideoFrame& frame, int plane, int x, int y) {
  const size_t luma = static_cast<size_t>(frame.width) * static_cast<size_t>(frame.height);
  const int cw = (frame.width + 1) / 2;
  const size_t chroma = static_cast<size_t>(cw) * static_cast<size_t>((frame.height + 1) / 2);
  const size_t base = plane == 0 ? 0 : luma + (plane == 2 ? chroma : 0);
  const int stride = plane == 0 ? frame.width : cw;
  return frame
      .i420[base + static_cast<size_t>(y) * static_cast<size_t>(stride) + static_cast<size_t>(x)];
}

int PseudoRandom(int plane, int x, int y) {
  uint32_t h = static_cast<uint32_t>(plane) * 73856093u ^ static_cast<uint32_t>(x) * 19349663u ^
               static_cast<uint32_t>(y) * 83492791u;
  h ^= h >> 13;
  h *= 0x5bd1e995u;
  h ^= h >> 15;
  return static_cast<int>(h & 0xff);
}

RawVideoFrame Scaled(const RawVideoFrame& in, int width, int height) {
  Result<RawVideoFrame> out = ScaleI420(in, width, height);
  EXPECT_TRUE(out.ok()) << (out.ok() ? "" : out.error().ToString());
  if (!out.ok()) return RawVideoFrame{};
  EXPECT_EQ(out->width, width);
  EXPECT_EQ(out->height, height);
  EXPECT_EQ(out->i420.size(), RawVideoFrame::I420Size(width, height));
  return std::move(out).value();
}

TEST(VideoScalerTest, TwoToOneAveragesEach2x2BlockExactly) {
  for (auto [w, h] : {std::pair{16, 12}, std::pair{640, 360}}) {
    const RawVideoFrame in = MakeFrame(w, h, PseudoRandom);
    const RawVideoFrame out = Scaled(in, w / 2, h / 2);
    for (int plane = 0; plane < 3; ++plane) {
      const int ow = plane == 0 ? w / 2 : w / 4;
      const int oh = plane == 0 ? h / 2 : h / 4;
      for (int y = 0; y < oh; ++y) {
        for (int x = 0; x < ow; ++x) {
          const int sum = At(in, plane, 2 * x, 2 * y) + At(in, plane, 2 * x + 1, 2 * y) +
                          At(in, plane, 2 * x, 2 * y + 1) + At(in, plane, 2 * x + 1, 2 * y + 1);
          ASSERT_EQ(At(out, plane, x, y), (sum + 2) / 4)
              << w << "x" << h << " plane " << plane << " at " << x << "," << y;
        }
      }
    }
  }
}

TEST(VideoScalerTest, FlatFrameStaysFlat) {
  const RawVideoFrame in = MakeFrame(640, 360, [](int plane, int, int) {
    return plane == 0 ? 77 : plane == 1 ? 140 : 30;
  });
  for (auto [w, h] : {std::pair{480, 270}, std::pair{320, 180}, std::pair{426, 240},
                      std::pair{2, 2}, std::pair{1280, 720}, std::pair{962, 542}}) {
    const RawVideoFrame out = Scaled(in, w, h);
    for (int plane = 0; plane < 3; ++plane) {
      const int pw = plane == 0 ? w : w / 2;
      const int ph = plane == 0 ? h : h / 2;
      const int expected = plane == 0 ? 77 : plane == 1 ? 140 : 30;
      for (int y = 0; y < ph; ++y) {
        for (int x = 0; x < pw; ++x) {
          ASSERT_EQ(At(out, plane, x, y), expected)
              << w << "x" << h << " plane " << plane << " at " << x << "," << y;
        }
      }
    }
  }
}

// Coprime sizes make the weight total exceed the fast divider's range: the plain divide path.
TEST(VideoScalerTest, FlatFrameStaysFlatAtHugeCoprimeSizes) {
  const RawVideoFrame in = MakeFrame(4097, 4097, [](int, int, int) { return 201; });
  const RawVideoFrame out = Scaled(in, 4096, 4094);
  for (uint8_t sample : out.i420) ASSERT_EQ(sample, 201);
}

TEST(VideoScalerTest, HorizontalGradientStaysMonotonicAndKeepsItsMean) {
  const RawVideoFrame in =
      MakeFrame(640, 360, [](int plane, int x, int) { return plane == 0 ? x * 255 / 639 : 128; });
  double in_mean = 0;
  for (int x = 0; x < 640; ++x) in_mean += At(in, 0, x, 0);
  in_mean /= 640;
  for (auto [w, h] : {std::pair{480, 270}, std::pair{320, 180}, std::pair{200, 112}}) {
    const RawVideoFrame out = Scaled(in, w, h);
    for (int y = 0; y < h; ++y) {
      double mean = 0;
      for (int x = 0; x < w; ++x) {
        if (x > 0) ASSERT_GE(At(out, 0, x, y), At(out, 0, x - 1, y)) << w << " at " << x;
        mean += At(out, 0, x, y);
      }
      mean /= w;
      ASSERT_NEAR(mean, in_mean, 1.0) << w << "x" << h << " row " << y;
    }
    EXPECT_LE(At(out, 0, 0, 0), 1);
    EXPECT_GE(At(out, 0, w - 1, 0), 254);
  }
}

// Every destination sample is the covered-area mean of the source, rounded to nearest.
TEST(VideoScalerTest, MatchesAreaAverageAtFractionalRatios) {
  const RawVideoFrame in = MakeFrame(64, 36, PseudoRandom);
  for (auto [w, h] : {std::pair{48, 26}, std::pair{42, 22}, std::pair{50, 30}}) {
    const RawVideoFrame out = Scaled(in, w, h);
    for (int plane = 0; plane < 3; ++plane) {
      const int sw = plane == 0 ? 64 : 32;
      const int sh = plane == 0 ? 36 : 18;
      const int dw = plane == 0 ? w : w / 2;
      const int dh = plane == 0 ? h : h / 2;
      const double fx = static_cast<double>(sw) / dw;
      const double fy = static_cast<double>(sh) / dh;
      for (int y = 0; y < dh; ++y) {
        for (int x = 0; x < dw; ++x) {
          double sum = 0;
          double area = 0;
          for (int sy = 0; sy < sh; ++sy) {
            const double cy =
                std::max(0.0, std::min(sy + 1.0, (y + 1) * fy) - std::max(1.0 * sy, y * fy));
            for (int sx = 0; sx < sw && cy > 0; ++sx) {
              const double cx =
                  std::max(0.0, std::min(sx + 1.0, (x + 1) * fx) - std::max(1.0 * sx, x * fx));
              sum += cx * cy * At(in, plane, sx, sy);
              area += cx * cy;
            }
          }
          ASSERT_NEAR(At(out, plane, x, y), sum / area, 0.5 + 1e-9)
              << w << "x" << h << " plane " << plane << " at " << x << "," << y;
        }
      }
    }
  }
}

TEST(VideoScalerTest, DoubleSizeUpscaleReplicatesPixels) {
  const RawVideoFrame in = MakeFrame(32, 18, PseudoRandom);
  const RawVideoFrame out = Scaled(in, 64, 36);
  for (int y = 0; y < 36; ++y) {
    for (int x = 0; x < 64; ++x) ASSERT_EQ(At(out, 0, x, y), At(in, 0, x / 2, y / 2));
  }
}

TEST(VideoScalerTest, SameSizeIsAnExactCopy) {
  const RawVideoFrame in = MakeFrame(640, 360, PseudoRandom);
  const RawVideoFrame out = Scaled(in, 640, 360);
  EXPECT_EQ(out.i420, in.i420);
}

TEST(VideoScalerTest, RejectsOddZeroOrNegativeSizes) {
  const RawVideoFrame in = MakeFrame(640, 360, PseudoRandom);
  for (auto [w, h] : {std::pair{0, 360}, std::pair{640, 0}, std::pair{641, 360},
                      std::pair{640, 359}, std::pair{-2, 4}, std::pair{1, 1}, std::pair{0, 0},
                      std::pair{kMaxScaledDimension + 2, 4}}) {
    Result<RawVideoFrame> out = ScaleI420(in, w, h);
    ASSERT_FALSE(out.ok()) << w << "x" << h;
    EXPECT_EQ(out.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(VideoScalerTest, RejectsAnInputWhoseBufferDoesNotMatchItsSize) {
  RawVideoFrame in = MakeFrame(64, 36, PseudoRandom);
  in.i420.pop_back();
  Result<RawVideoFrame> short_buffer = ScaleI420(in, 32, 18);
  ASSERT_FALSE(short_buffer.ok());
  EXPECT_EQ(short_buffer.error().code, ErrorCode::kInvalidArgument);

  RawVideoFrame empty;
  Result<RawVideoFrame> no_picture = ScaleI420(empty, 32, 18);
  ASSERT_FALSE(no_picture.ok());
  EXPECT_EQ(no_picture.error().code, ErrorCode::kInvalidArgument);
}

TEST(VideoScalerTest, OddInputSizesScale) {
  const RawVideoFrame in = MakeFrame(65, 37, [](int, int, int) { return 9; });
  const RawVideoFrame out = Scaled(in, 32, 18);
  for (uint8_t sample : out.i420) ASSERT_EQ(sample, 9);
}

TEST(VideoScalerTest, KeepsCaptureTimeAndFrameId) {
  RawVideoFrame in = MakeFrame(640, 360, PseudoRandom);
  in.capture_time = Timestamp::Micros(987654321);
  in.frame_id = 4242;
  for (auto [w, h] : {std::pair{480, 270}, std::pair{640, 360}}) {
    const RawVideoFrame out = Scaled(in, w, h);
    EXPECT_EQ(out.capture_time, in.capture_time);
    EXPECT_EQ(out.frame_id, in.frame_id);
  }
}

}  // namespace
}  // namespace comodal::engine
