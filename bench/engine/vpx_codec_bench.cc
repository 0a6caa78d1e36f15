// libvpx VP8 and VP9 at the real-time settings of VpxEncoder (CBR, default speed, one thread),
// 640x360@30 at 800 kbit/s on the demanding zone plate of DESIGN.md. Encode: items/s is frames
// encoded per second of CPU (the real-time budget is 30); the `kbps` counter is the rate the
// encoder produced over the run at 30 fps capture times. Decode: frames decoded per second from
// a stream encoded up front.
#include <benchmark/benchmark.h>

#include <optional>
#include <vector>

#include "engine/codec/vpx_decoder.h"
#include "engine/codec/vpx_encoder.h"
#include "tests/support/zone_plate.h"

namespace comodal::engine {
namespace {

constexpr int kWidth = 640;
constexpr int kHeight = 360;
// The zone plate's phase advances 1/256 cycle a frame, so 256 frames loop seamlessly.
constexpr int kSourceFrames = 256;

std::vector<RawVideoFrame> SourceFrames() {
  const testing::ZonePlate plate(kWidth, kHeight);
  std::vector<RawVideoFrame> out;
  for (int i = 0; i < kSourceFrames; ++i) out.push_back(plate.Frame(i));
  return out;
}

// Gives the looped picture for input `index` its id and capture time (30 fps).
void Stamp(RawVideoFrame& frame, int64_t index) {
  frame.frame_id = static_cast<uint64_t>(index);
  frame.capture_time = testing::kStart + TimeDelta::Micros(index * 1'000'000 / 30);
}

VpxEncoderConfig BenchConfig(VideoCodec codec, TemporalLayering layering) {
  VpxEncoderConfig config;
  config.codec = codec;
  config.width = kWidth;
  config.height = kHeight;
  config.target_bitrate = DataRate::KilobitsPerSec(800);
  config.layering = layering;
  return config;
}

void BM_VpxEncode(benchmark::State& state) {
  const auto codec = static_cast<VideoCodec>(state.range(0));
  const auto layering = static_cast<TemporalLayering>(state.range(1));
  auto encoder = VpxEncoder::Create(BenchConfig(codec, layering));
  if (!encoder.ok()) {
    state.SkipWithError(encoder.error().c_str());
    return;
  }
  std::vector<RawVideoFrame> inputs = SourceFrames();
  int64_t index = 0;
  for (auto _ : state) {
    RawVideoFrame& frame = inputs[static_cast<size_t>(index % kSourceFrames)];
    Stamp(frame, index);
    auto encoded = (*encoder)->Encode(frame);
    if (!encoded.ok()) {
      state.SkipWithError("encode failed");
      return;
    }
    benchmark::DoNotOptimize(encoded);
    ++index;
  }
  const VpxEncoderStats& stats = (*encoder)->stats();
  const double seconds = static_cast<double>(stats.frames_in) / 30.0;
  state.counters["kbps"] = static_cast<double>(stats.bytes.bytes()) * 8 / seconds / 1000;
  state.counters["dropped_pct"] =
      100.0 * static_cast<double>(stats.frames_dropped) / static_cast<double>(stats.frames_in);
  state.SetItemsProcessed(static_cast<int64_t>(stats.frames_in));
}
BENCHMARK(BM_VpxEncode)
    ->ArgNames({"vp9", "layers"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({0, 2})
    ->Args({1, 2})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(3.0);

void BM_VpxDecode(benchmark::State& state) {
  const auto codec = static_cast<VideoCodec>(state.range(0));
  auto encoder = VpxEncoder::Create(BenchConfig(codec, TemporalLayering::kL1T1));
  if (!encoder.ok()) {
    state.SkipWithError(encoder.error().c_str());
    return;
  }
  std::vector<EncodedVideoFrame> stream;
  int64_t bytes = 0;
  std::vector<RawVideoFrame> inputs = SourceFrames();
  for (int64_t i = 0; i < kSourceFrames; ++i) {
    Stamp(inputs[static_cast<size_t>(i)], i);
    auto encoded = (*encoder)->Encode(inputs[static_cast<size_t>(i)]);
    if (encoded.ok() && encoded->has_value()) {
      bytes += static_cast<int64_t>((*encoded)->data.size());
      stream.push_back(std::move(**encoded));
    }
  }
  // Decode the whole stream (8.5 s) per iteration (a decoder needs it from the keyframe on).
  int64_t frames = 0;
  for (auto _ : state) {
    auto decoder = VpxDecoder::Create(codec);
    if (!decoder.ok()) {
      state.SkipWithError(decoder.error().c_str());
      return;
    }
    for (const EncodedVideoFrame& frame : stream) {
      auto picture = (*decoder)->Decode(frame);
      if (!picture.ok()) {
        state.SkipWithError(picture.error().c_str());
        return;
      }
      benchmark::DoNotOptimize(picture);
      ++frames;
    }
  }
  state.counters["kbps"] = static_cast<double>(bytes) * 8 / (kSourceFrames / 30.0) / 1000;
  state.SetItemsProcessed(frames);
}
BENCHMARK(BM_VpxDecode)->ArgNames({"vp9"})->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace comodal::engine
