#ifndef ENGINE_VIDEO_VIDEO_REFERENCE_FINDER_H_
#define ENGINE_VIDEO_VIDEO_REFERENCE_FINDER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "engine/video/video_packet_buffer.h"
#include "transport/rtp/sequence_number.h"

namespace comodal::engine {

// Works out each received frame's id (increasing in send order) and the ids of the frames it
// references, from what its payload descriptors say, for the frame buffer to decide what is
// decodable. Four kinds of streams:
//
//  - VP9 flexible mode: the frame lists its references (P_DIFF); exact.
//  - Temporal layers without explicit references (VP8 with TID/TL0PICIDX, VP9 non-flexible):
//    a base-layer frame references the previous base-layer frame (TL0PICIDX - 1); an upper-layer
//    frame the base-layer frame it follows, and unless it is a layer sync (Y/U) also the newest
//    earlier frame of each layer from 1 up to its own that other frames may reference (N bit
//    clear). That covers every pattern where a frame predicts from its own or lower layers.
//  - PictureID without layers: every frame references the previous picture.
//  - No PictureID (e.g. GStreamer's rtpvp8pay by default): frames are chained by sequence
//    number: a frame references the frame whose last packet precedes its first.
//
// A frame whose references cannot be known yet (the base-layer frame it follows, or a frame
// between it and its candidate references, has not arrived) waits here until they arrive, a
// later keyframe or base-layer frame makes it useless, or `max_stashed` newer ones push it out.
class VideoReferenceFinder {
 public:
  struct Config {
    size_t max_stashed = 64;
  };
  struct Stats {
    uint64_t frames_resolved = 0;
    uint64_t frames_dropped = 0;  // Waited in vain, or older than a keyframe already handed out.
  };

  VideoReferenceFinder() : VideoReferenceFinder(Config{}) {}
  explicit VideoReferenceFinder(Config config) : config_(config) {}

  // The frames ready for the frame buffer, with frame_id and references set: this one (if its
  // references are known) and any waiting ones it unblocked.
  std::vector<EncodedVideoFrame> Insert(AssembledVideoFrame frame);

  // Frames waiting for a missing frame.
  size_t stashed() const { return stash_.size(); }
  const Stats& stats() const { return stats_; }

 private:
  enum class Outcome : uint8_t { kReady, kWait, kDrop };
  struct Pending {
    AssembledVideoFrame frame;
    int64_t key = 0;  // Stash order: the frame id, or the first sequence number when chained.
    uint64_t id = 0;  // Known up front from the PictureID; when chained, once resolved.
    int64_t tl0 = 0;  // Unwrapped TL0PICIDX, for layered streams.
    bool chained = false;
    std::vector<uint64_t> references;
  };
  struct LayerFrame {
    uint8_t temporal_id = 0;
    bool non_reference = false;
  };

  uint64_t UnwrapPictureId(const ReceivedFrameInfo& info);
  Outcome Resolve(Pending& pending);
  Outcome ResolveLayered(Pending& pending);
  Outcome ResolveBySequence(Pending& pending);
  // Chained frames: the unwrapped sequence number of the frame's last packet.
  static int64_t LastSequence(const Pending& pending);
  // Records a resolved frame and hands it out.
  EncodedVideoFrame Finish(Pending& pending);
  // Gives up waiting frames before `key` (all, or those of upper layers) that a resolved
  // keyframe or base-layer frame made useless.
  void DropStashedBefore(int64_t key, bool upper_layers_only);
  // Counts a waiting frame as dropped and remembers it as known.
  void GiveUp(const Pending& pending);

  Config config_;
  // PictureID unwrapping (7- or 15-bit circle).
  std::optional<uint16_t> last_picture_id_;
  int64_t last_picture_id_unwrapped_ = 0;
  SeqNumUnwrapper<uint8_t> tl0_unwrapper_;
  SeqNumUnwrapper<uint16_t> seq_unwrapper_;
  std::optional<uint64_t> last_keyframe_;
  std::map<int64_t, uint64_t> base_layer_frames_;  // Unwrapped TL0PICIDX -> frame id.
  std::map<uint64_t, LayerFrame> recent_;          // Resolved frames since the last keyframe.
  std::map<int64_t, uint64_t> frame_ending_at_;    // No-PictureID chain: last seq -> frame id.
  uint64_t next_chain_id_ = 1;
  std::map<int64_t, Pending> stash_;  // By key.
  Stats stats_;
};

}  // namespace comodal::engine

#endif  // ENGINE_VIDEO_VIDEO_REFERENCE_FINDER_H_
