#ifndef ENGINE_CODEC_VPX_ENCODER_H_
#define ENGINE_CODEC_VPX_ENCODER_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "engine/codec/video_frame.h"
#include "transport/base/result.h"
#include "transport/units/data_rate.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"

namespace comodal::engine {

// Temporal scalability mode, named as in the W3C scalability-mode registry (L1 = one spatial
// layer, Tn = n temporal layers).
enum class TemporalLayering : uint8_t { kL1T1, kL1T2, kL1T3 };

// What the picture shows: camera video, or screen content (slides: sharp text, large static
// areas, sudden full-page changes).
enum class VideoContent : uint8_t { kCamera, kScreen };

struct VpxEncoderConfig {
  VideoCodec codec = VideoCodec::kVp8;
  int width = 640;
  int height = 360;
  double frame_rate = 30;  // Nominal input rate; the rate control also follows capture times.
  DataRate target_bitrate = DataRate::KilobitsPerSec(800);
  TemporalLayering layering = TemporalLayering::kL1T1;
  VideoContent content = VideoContent::kCamera;
  // A keyframe at least this often (a receiver that lost everything recovers within it even
  // without asking). Counted on capture times. Keyframes are placed by this wrapper, not by
  // libvpx, so that they always fall on a base-layer frame. PlusInfinity: only the first frame
  // and those RequestKeyframe asks for.
  TimeDelta max_keyframe_interval = TimeDelta::Seconds(60);
  // Rate control buffer (the "decoder buffer model" of libvpx CBR). A frame is dropped when the
  // buffer level falls below `drop_frame_threshold_pct` % of its optimal level; 0 never drops.
  TimeDelta rate_control_buffer = TimeDelta::Millis(1000);
  int drop_frame_threshold_pct = 30;
  // Largest keyframe, as a share of the optimal buffer level (which is 60 % of the buffer): by
  // default 25 %, 150 ms of the target rate. A full-size keyframe at 200 kbit/s can take a second
  // to cross the link; capping it keeps the queue (and the freeze at the receiver) short at the
  // cost of a blurrier first picture that the following frames sharpen. libvpx's own keyframe
  // target is about 7 average frames (measured), so a cap above that changes nothing. The cap
  // is a rate target: a picture too complex for the largest quantizer still overshoots it, and
  // the frames after it are dropped to repay the buffer. 0: no cap.
  int max_keyframe_pct_of_buffer = 25;
  // The longest gap between two frames the rate control gives bits for (at least two frame
  // intervals): frames skipped upstream do not save up a burst for the next one.
  TimeDelta max_credited_gap = TimeDelta::Millis(100);
  // libvpx speed: VP8 cpu-used (as a positive number; passed negated, see .cc) or VP9 speed.
  // Unset: 6 for VP8; for VP9 7 up to 640x480 and 8 above (see .cc for why).
  std::optional<int> speed;
  int threads = 1;
};

struct VpxEncoderStats {
  uint64_t frames_in = 0;
  uint64_t frames_encoded = 0;
  uint64_t frames_dropped = 0;  // By the rate control (nothing came out for the input).
  uint64_t keyframes = 0;
  DataSize bytes = DataSize::Zero();
};

// A libvpx VP8 or VP9 encoder set up for real-time over a narrow link: CBR with frame dropping,
// one pass, no lag, keyframes capped in size, temporal layers driven by an explicit reference
// pattern so that each output frame says which frames it depends on.
//
// Temporal layer patterns (buffers are libvpx's LAST, GOLDEN and ALTREF; ALTREF is unused):
//   L1T1  every frame references LAST (the previous frame) and updates it. libvpx may also use
//         GOLDEN on its own, an older frame that the chain through the previous frame covers;
//         `references` lists the previous encoded frame.
//   L1T2  period 2, temporal ids 0,1.
//         TL0: refs LAST,         updates LAST    (LAST always holds the newest TL0 frame)
//         TL1: refs LAST,         updates GOLDEN  (a layer sync: GOLDEN holds the newest TL1)
//   L1T3  period 4, temporal ids 0,2,1,2.
//         TL0: refs LAST,         updates LAST
//         TL2: refs LAST, GOLDEN, updates nothing (a non-reference frame)
//         TL1: refs LAST,         updates GOLDEN  (a layer sync)
// Every TL1 frame predicts from the base layer only: a lost TL1 frame costs the TL2 frames that
// follow it within the period, not every upper-layer frame until the next keyframe (on a GEO
// link the repair takes a round trip, and the base layer keeps playing so no PLI comes).
// A keyframe updates every buffer and restarts the pattern, so it is always TL0. No frame
// references a higher layer than its own, so dropping the top layer(s) leaves a decodable
// stream at half (or a quarter) of the frame rate; layered streams are error resilient (no
// probability context carried from frame to frame) so that a missing upper-layer frame does
// not corrupt the next one.
class VpxEncoder {
 public:
  static Result<std::unique_ptr<VpxEncoder>, std::string> Create(const VpxEncoderConfig& config);
  ~VpxEncoder();
  VpxEncoder(const VpxEncoder&) = delete;
  VpxEncoder& operator=(const VpxEncoder&) = delete;

  // Encodes one frame of the configured size. nullopt: the rate control dropped it.
  Result<std::optional<EncodedVideoFrame>> Encode(const RawVideoFrame& frame);

  // Runtime changes, applied from the next frame without restarting the stream.
  Status SetBitrate(DataRate target);
  Status SetFrameRate(double frame_rate);
  // VP9 scales its references to the new size (no keyframe) when the new size is within 2x
  // smaller to 16x larger than the last coded one and no larger than any size coded before;
  // otherwise libvpx codes a keyframe. VP8 cannot predict across sizes: libvpx codes a keyframe
  // on every size change, and a size larger than the first one needs a new encoder (done here).
  // Either way a keyframe is requested through this wrapper so that it falls on TL0.
  Status SetResolution(int width, int height);
  void RequestKeyframe() { keyframe_requested_ = true; }
  // The caller skipped a frame to let a queue downstream drain (encoder pushback): the next
  // frame is credited with one frame interval, not the gap, so that skipping lowers the rate.
  void OnFrameSkipped() { frame_skipped_ = true; }

  const VpxEncoderConfig& config() const { return config_; }
  const VpxEncoderStats& stats() const { return stats_; }

 private:
  struct Context;           // libvpx encoder context (RAII).
  struct ReferenceBuffer {  // What one libvpx reference buffer holds, as we know it.
    bool valid = false;
    uint64_t frame_id = 0;
    uint8_t temporal_id = 0;
  };
  static constexpr int kBufferCount = 3;  // LAST, GOLDEN, ALTREF.

  explicit VpxEncoder(const VpxEncoderConfig& config);
  Result<bool, std::string> Open();  // (Re)creates the libvpx context from config_.
  Status ApplyConfig();              // Pushes rate, layer and size settings to libvpx.
  Status ApplyIntraCap();            // Keyframe cap, depends on buffer and frame rate.

  VpxEncoderConfig config_;
  VpxEncoderStats stats_;
  std::unique_ptr<Context> context_;
  std::array<ReferenceBuffer, kBufferCount> buffers_{};
  bool keyframe_requested_ = true;  // The first frame is a keyframe.
  uint64_t pattern_index_ = 0;      // Position in the temporal layer pattern of the next frame.
  int64_t last_pts_ = -1;           // 90 kHz, from capture times.
  int64_t coded_pts_ = 0;           // 90 kHz, the timeline libvpx is given (gaps capped).
  bool frame_skipped_ = false;      // Since the last frame encoded.
  int64_t coded_duration_ = 0;      // 90 kHz, the duration given with every frame (see Open).
  int64_t last_keyframe_pts_ = 0;
};

}  // namespace comodal::engine

#endif  // ENGINE_CODEC_VPX_ENCODER_H_
