#ifndef ENGINE_VIDEO_VIDEO_FRAME_BUFFER_H_
#define ENGINE_VIDEO_VIDEO_FRAME_BUFFER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "engine/codec/video_frame.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

// Complete frames (all their packets arrived) wait here until they can be decoded: a keyframe,
// or a frame whose every reference has been decoded. The buffer hands out frames in id order but
// skips a frame that is missing or undecodable as soon as a later frame is decodable without it
// (a lost top-temporal-layer frame costs nothing; a lost base-layer frame is skipped at the next
// keyframe or layer-sync point), so one lost packet never freezes the picture. It asks for a
// keyframe only when frames keep arriving and none of them can be decoded for
// `keyframe_request_after`, and not again within `keyframe_request_repeat`.
//
// Frame ids are EncodedVideoFrame::frame_id (unwrapped, increasing in send order), as the
// depacketizer derives them from the picture ID.
class VideoFrameBuffer {
 public:
  struct Config {
    TimeDelta keyframe_request_after = TimeDelta::Millis(200);
    // A repeated request waits this long: the keyframe the last one asked for needs a round
    // trip plus its own transmission to arrive (over 600 ms on GEO), and asking again meanwhile
    // only makes the sender send a second large keyframe into the same queue.
    TimeDelta keyframe_request_repeat = TimeDelta::Millis(1000);
    size_t max_frames = 300;  // Bounded: past this the oldest undecodable frames go.
  };
  struct Stats {
    uint64_t frames_inserted = 0;
    uint64_t frames_decodable = 0;  // Handed out.
    uint64_t frames_skipped = 0;    // Given up: undecodable, superseded by a decodable one.
    uint64_t frames_duplicate_or_old = 0;
    uint64_t keyframe_requests = 0;
  };

  VideoFrameBuffer() : VideoFrameBuffer(Config{}) {}
  explicit VideoFrameBuffer(Config config) : config_(config) {}

  void Insert(EncodedVideoFrame frame, Timestamp now);
  // The next frame to decode, if one is decodable now. The caller decodes it (a decoder error
  // should be reported with OnDecodeFailed, which makes its dependants undecodable).
  // `waiting_upstream`: frames are arriving but wait before this buffer (their references are
  // not known yet), which counts as "frames keep coming" for the keyframe request.
  std::optional<EncodedVideoFrame> NextDecodable(Timestamp now, bool waiting_upstream = false);
  void OnDecodeFailed(uint64_t frame_id);
  // The receiver knows no repair will do (too much is missing): ask for a keyframe now, unless
  // one was asked for within keyframe_request_repeat with nothing decoded since.
  void RequestKeyframe(Timestamp now);
  // True once per request: send a PLI (RFC 4585 §6.3.1).
  bool TakeKeyframeRequest();
  // How long frames may wait undecodable before a keyframe is asked for. A receiver that asks
  // for retransmissions waits at least a round trip: a repair is cheaper than a keyframe.
  void SetKeyframeRequestAfter(TimeDelta after) { keyframe_request_after_ = after; }

  const Stats& stats() const { return stats_; }
  size_t size() const { return frames_.size(); }

 private:
  bool Decodable(const EncodedVideoFrame& frame) const;
  // A PLI is due now, and not again before keyframe_request_repeat without progress.
  void RaiseKeyframeRequest(Timestamp now);

  Config config_;
  TimeDelta keyframe_request_after_ = config_.keyframe_request_after;
  std::map<uint64_t, EncodedVideoFrame> frames_;
  std::set<uint64_t> decoded_;  // Recent decoded ids (pruned below the oldest reference window).
  std::optional<uint64_t> last_decoded_;
  Timestamp last_progress_ =
      Timestamp::MinusInfinity();  // Last decodable frame or keyframe request.
  bool keyframe_request_pending_ = false;
  bool requested_since_progress_ = false;  // A keyframe was asked for since the last decode.
  Stats stats_;
};

}  // namespace comodal::engine

#endif  // ENGINE_VIDEO_VIDEO_FRAME_BUFFER_H_
