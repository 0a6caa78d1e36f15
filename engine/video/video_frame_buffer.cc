#include "engine/video/video_frame_buffer.h"

#include <algorithm>

namespace comodal::engine {
namespace {

// Decoded ids kept for reference checks: VP9 flexible mode refers back at most 127 pictures
// (RFC 9628 P_DIFF is 7 bits).
constexpr uint64_t kReferenceWindow = 128;

}  // namespace

bool VideoFrameBuffer::Decodable(const EncodedVideoFrame& frame) const {
  if (frame.keyframe) return true;
  if (!last_decoded_) return false;  // Nothing decoded yet: only a keyframe can start.
  return std::all_of(frame.references.begin(), frame.references.end(),
                     [this](uint64_t id) { return decoded_.contains(id); });
}

void VideoFrameBuffer::Insert(EncodedVideoFrame frame, Timestamp now) {
  ++stats_.frames_inserted;
  if (last_progress_.IsMinusInfinity()) last_progress_ = now;
  if ((last_decoded_ && frame.frame_id <= *last_decoded_) || frames_.contains(frame.frame_id)) {
    ++stats_.frames_duplicate_or_old;
    return;
  }
  frames_.emplace(frame.frame_id, std::move(frame));
  while (frames_.size() > config_.max_frames) {
    frames_.erase(frames_.begin());
    ++stats_.frames_skipped;
  }
}

std::optional<EncodedVideoFrame> VideoFrameBuffer::NextDecodable(Timestamp now,
                                                                 bool waiting_upstream) {
  // The first decodable frame in id order; the undecodable ones before it are given up (their
  // references are gone for good once a later frame is decoded past them).
  for (auto it = frames_.begin(); it != frames_.end(); ++it) {
    if (!Decodable(it->second)) continue;
    stats_.frames_skipped += static_cast<uint64_t>(std::distance(frames_.begin(), it));
    frames_.erase(frames_.begin(), it);
    EncodedVideoFrame frame = std::move(frames_.begin()->second);
    frames_.erase(frames_.begin());
    last_decoded_ = frame.frame_id;
    decoded_.insert(frame.frame_id);
    while (!decoded_.empty() && *decoded_.begin() + kReferenceWindow < frame.frame_id) {
      decoded_.erase(decoded_.begin());
    }
    ++stats_.frames_decodable;
    last_progress_ = now;
    keyframe_request_pending_ = false;
    requested_since_progress_ = false;
    return frame;
  }
  // Frames are waiting and none can be decoded: after a while only a keyframe will do.
  if (last_progress_.IsMinusInfinity() && waiting_upstream) last_progress_ = now;
  const TimeDelta wait =
      requested_since_progress_ ? config_.keyframe_request_repeat : keyframe_request_after_;
  if ((!frames_.empty() || waiting_upstream) && now - last_progress_ >= wait) {
    RaiseKeyframeRequest(now);
  }
  return std::nullopt;
}

void VideoFrameBuffer::RequestKeyframe(Timestamp now) {
  if (requested_since_progress_ && now - last_progress_ < config_.keyframe_request_repeat) return;
  RaiseKeyframeRequest(now);
}

void VideoFrameBuffer::RaiseKeyframeRequest(Timestamp now) {
  keyframe_request_pending_ = true;
  requested_since_progress_ = true;
  last_progress_ = now;  // And not again before the repeat interval.
}

void VideoFrameBuffer::OnDecodeFailed(uint64_t frame_id) { decoded_.erase(frame_id); }

bool VideoFrameBuffer::TakeKeyframeRequest() {
  if (!keyframe_request_pending_) return false;
  keyframe_request_pending_ = false;
  ++stats_.keyframe_requests;
  return true;
}

}  // namespace comodal::engine
