#include "engine/video/video_reference_finder.h"

#include <algorithm>
#include <iterator>
#include <utility>

namespace comodal::engine {
namespace {

// Frame ids start well above zero so that a frame reordered before the first one still gets a
// positive id.
constexpr int64_t kIdOffset = int64_t{1} << 16;
// How far back resolved frames are remembered: VP9 P_DIFF reaches back 127 pictures.
constexpr uint64_t kHistory = 256;
// How far back an upper-layer frame's reference may lie: beyond any temporal pattern's period
// (VP8 and VP9 patterns repeat within 16 frames) and within kHistory.
constexpr uint64_t kLookBack = 128;

// Keeps the `keep` entries with the largest keys.
template <typename Map>
void KeepLast(Map& map, size_t keep) {
  while (map.size() > keep) map.erase(map.begin());
}

}  // namespace

uint64_t VideoReferenceFinder::UnwrapPictureId(const ReceivedFrameInfo& info) {
  const uint16_t modulus = info.picture_id_15bit ? 0x8000 : 0x80;
  const uint16_t value = static_cast<uint16_t>(*info.picture_id % modulus);
  if (last_picture_id_) {
    // The closest position on the circle to the previous PictureID (RFC 7741 §4.2: it wraps).
    int64_t diff = (value - *last_picture_id_ + modulus) % modulus;
    if (diff > modulus / 2) diff -= modulus;
    last_picture_id_unwrapped_ += diff;
  } else {
    last_picture_id_unwrapped_ = value;
  }
  last_picture_id_ = value;
  return static_cast<uint64_t>(last_picture_id_unwrapped_ + kIdOffset);
}

std::vector<EncodedVideoFrame> VideoReferenceFinder::Insert(AssembledVideoFrame frame) {
  Pending pending;
  pending.frame = std::move(frame);
  const ReceivedFrameInfo& info = pending.frame.info;
  if (info.picture_id) {
    pending.id = UnwrapPictureId(info);
    pending.key = static_cast<int64_t>(pending.id);
    if (info.tl0_pic_idx) pending.tl0 = tl0_unwrapper_.Unwrap(*info.tl0_pic_idx);
  } else {
    pending.chained = true;
    pending.key = seq_unwrapper_.Unwrap(info.first_sequence_number);
  }

  std::vector<EncodedVideoFrame> out;
  switch (Resolve(pending)) {
    case Outcome::kReady:
      out.push_back(Finish(pending));
      break;
    case Outcome::kDrop:
      ++stats_.frames_dropped;
      return out;
    case Outcome::kWait:
      if (!stash_.emplace(pending.key, std::move(pending)).second) ++stats_.frames_dropped;
      while (stash_.size() > config_.max_stashed) {
        GiveUp(stash_.begin()->second);
        stash_.erase(stash_.begin());
      }
      return out;
  }
  // A resolved frame may unblock waiting ones, which may unblock others.
  for (bool progress = true; progress;) {
    progress = false;
    for (auto it = stash_.begin(); it != stash_.end(); ++it) {
      const Outcome outcome = Resolve(it->second);
      if (outcome == Outcome::kWait) continue;
      if (outcome == Outcome::kReady) {
        Pending ready = std::move(it->second);
        stash_.erase(it);
        out.push_back(Finish(ready));
      } else {
        stash_.erase(it);
        ++stats_.frames_dropped;
      }
      progress = true;
      break;
    }
  }
  return out;
}

VideoReferenceFinder::Outcome VideoReferenceFinder::Resolve(Pending& pending) {
  const EncodedVideoFrame& frame = pending.frame.frame;
  const ReceivedFrameInfo& info = pending.frame.info;
  if (pending.chained) return ResolveBySequence(pending);
  if ((last_keyframe_ && pending.id <= *last_keyframe_) || recent_.contains(pending.id)) {
    return Outcome::kDrop;  // Old or repeated.
  }
  pending.references.clear();
  if (frame.keyframe) return Outcome::kReady;
  if (!last_keyframe_) return Outcome::kWait;  // Nothing decodes before the first keyframe.
  if (info.flexible) {
    // RFC 9628 §4.2: P_DIFF is the PictureID distance to a reference.
    for (uint8_t diff : info.reference_diffs) pending.references.push_back(pending.id - diff);
    return Outcome::kReady;
  }
  if (info.tl0_pic_idx && info.has_temporal_id) return ResolveLayered(pending);
  pending.references.push_back(pending.id - 1);
  return Outcome::kReady;
}

VideoReferenceFinder::Outcome VideoReferenceFinder::ResolveLayered(Pending& pending) {
  const EncodedVideoFrame& frame = pending.frame.frame;
  // RFC 7741 §4.2 / RFC 9628 §4.2: TL0PICIDX counts base-layer frames; an upper-layer frame
  // carries the index of the base-layer frame it follows.
  const int64_t base_index = frame.temporal_id == 0 ? pending.tl0 - 1 : pending.tl0;
  auto base = base_layer_frames_.find(base_index);
  if (base == base_layer_frames_.end()) return Outcome::kWait;
  pending.references.push_back(base->second);
  if (frame.temporal_id == 0 || frame.layer_sync) return Outcome::kReady;

  // The newest earlier frame of each layer 1..TID that others may reference; every frame
  // between the oldest of them and this one must be known, or one of those could be the
  // reference instead. (No frame after the base-layer frame is of the base layer: TL0PICIDX
  // says so.) A layer with no frame at all since the keyframe (or within the look-back): a
  // missing frame anywhere in that span could be the reference.
  uint64_t oldest = pending.id - 1;
  const uint64_t look_back =
      std::max(*last_keyframe_, pending.id - std::min(pending.id, kLookBack));
  for (uint8_t layer = 1; layer <= frame.temporal_id; ++layer) {
    std::optional<uint64_t> candidate;
    bool layer_seen = false;
    for (auto it = recent_.lower_bound(pending.id); it != recent_.begin();) {
      --it;
      if (it->second.temporal_id != layer) continue;
      layer_seen = true;
      if (!it->second.non_reference) {
        candidate = it->first;
        break;
      }
    }
    if (candidate) {
      pending.references.push_back(*candidate);
      oldest = std::min(oldest, *candidate);
    } else if (!layer_seen) {
      oldest = std::min(oldest, look_back);
    }
    // Otherwise frames of this layer have come since the keyframe, every one marked
    // non-reference: the stream's pattern keeps the layer out of prediction (libvpx's L1T3 does
    // so for its top layer), so a frame missing from the span is taken to be one of those.
  }
  const auto known = static_cast<uint64_t>(
      std::distance(recent_.upper_bound(oldest), recent_.lower_bound(pending.id)));
  if (known != pending.id - oldest - 1) return Outcome::kWait;
  return Outcome::kReady;
}

int64_t VideoReferenceFinder::LastSequence(const Pending& pending) {
  const ReceivedFrameInfo& info = pending.frame.info;
  return pending.key +
         static_cast<uint16_t>(info.last_sequence_number - info.first_sequence_number);
}

VideoReferenceFinder::Outcome VideoReferenceFinder::ResolveBySequence(Pending& pending) {
  const EncodedVideoFrame& frame = pending.frame.frame;
  const int64_t last_seq = LastSequence(pending);
  if (frame_ending_at_.contains(last_seq)) return Outcome::kDrop;  // Repeated.
  pending.references.clear();
  if (frame.keyframe) {
    if (!frame_ending_at_.empty() && last_seq <= frame_ending_at_.rbegin()->first &&
        last_keyframe_) {
      return Outcome::kDrop;  // Older than what was handed out.
    }
    auto previous = frame_ending_at_.find(pending.key - 1);
    // After a gap, leave an id free so that the gap shows in the ids.
    pending.id = previous != frame_ending_at_.end() ? previous->second + 1 : next_chain_id_ + 1;
    pending.id = std::max(pending.id, next_chain_id_);
    return Outcome::kReady;
  }
  if (!last_keyframe_) return Outcome::kWait;
  auto previous = frame_ending_at_.find(pending.key - 1);
  if (previous == frame_ending_at_.end()) return Outcome::kWait;
  if (previous->second < *last_keyframe_) return Outcome::kDrop;
  pending.id = previous->second + 1;
  pending.references.push_back(previous->second);
  return Outcome::kReady;
}

EncodedVideoFrame VideoReferenceFinder::Finish(Pending& pending) {
  EncodedVideoFrame frame = std::move(pending.frame.frame);
  const ReceivedFrameInfo& info = pending.frame.info;
  frame.frame_id = pending.id;
  frame.references = std::move(pending.references);
  ++stats_.frames_resolved;
  if (pending.chained) {
    frame_ending_at_[LastSequence(pending)] = frame.frame_id;
    KeepLast(frame_ending_at_, kHistory);
    next_chain_id_ = std::max(next_chain_id_, frame.frame_id + 1);
  }
  if (frame.keyframe) {
    last_keyframe_ = frame.frame_id;
    recent_.clear();
    base_layer_frames_.clear();
    DropStashedBefore(pending.key, /*upper_layers_only=*/false);
  }
  recent_[frame.frame_id] = LayerFrame{frame.temporal_id, frame.non_reference};
  while (!recent_.empty() && recent_.begin()->first + kHistory < frame.frame_id) {
    recent_.erase(recent_.begin());
  }
  if (!pending.chained && info.tl0_pic_idx && frame.temporal_id == 0) {
    base_layer_frames_[pending.tl0] = frame.frame_id;
    KeepLast(base_layer_frames_, kHistory);
    // Upper-layer frames older than a resolved base-layer frame are no use any more.
    if (!frame.keyframe) DropStashedBefore(pending.key, /*upper_layers_only=*/true);
  }
  return frame;
}

void VideoReferenceFinder::GiveUp(const Pending& pending) {
  ++stats_.frames_dropped;
  // Its id and layer are known even though it will not be decoded: later frames that might
  // reference it need not wait for it (if they do reference it, the frame buffer finds them
  // undecodable and skips them).
  if (pending.chained || (last_keyframe_ && pending.id <= *last_keyframe_)) return;
  const EncodedVideoFrame& frame = pending.frame.frame;
  recent_.emplace(pending.id, LayerFrame{frame.temporal_id, frame.non_reference});
}

void VideoReferenceFinder::DropStashedBefore(int64_t key, bool upper_layers_only) {
  for (auto it = stash_.begin(); it != stash_.end() && it->first < key;) {
    if (!upper_layers_only || it->second.frame.frame.temporal_id > 0) {
      GiveUp(it->second);
      it = stash_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace comodal::engine
