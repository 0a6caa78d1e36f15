#include "engine/video/video_frame_buffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <set>
#include <vector>

namespace comodal::engine {
namespace {

constexpr Timestamp kStart = Timestamp::Seconds(100);

// The L1T3 pattern at 30 frames/s: id % 4 == 0 is TL0 (refs the previous TL0), 2 is TL1 (refs
// the TL0 before it), 1 and 3 are TL2 (ref the frame before). Frame 0 and every `gop` frames (a
// multiple of 4, so a keyframe is a TL0 frame) are keyframes.
EncodedVideoFrame Frame(uint64_t id, uint64_t gop = 1000) {
  EncodedVideoFrame f;
  f.frame_id = id;
  f.keyframe = id % gop == 0;
  f.temporal_id = id % 4 == 0 ? 0 : id % 4 == 2 ? 1 : 2;
  if (!f.keyframe) {
    if (id % 4 == 0) f.references = {id - 4};
    if (id % 4 == 2) f.references = {id - 2};
    if (id % 2 == 1) f.references = {id - 1};
  }
  return f;
}

struct Played {
  std::vector<uint64_t> decoded;
  int keyframe_requests = 0;
};

// Sends frames 0..count-1 every 33 ms except `lost`, pulling after each arrival.
Played Play(uint64_t count, const std::set<uint64_t>& lost, uint64_t gop = 1000,
            std::optional<TimeDelta> keyframe_request_after = std::nullopt) {
  VideoFrameBuffer buffer;
  if (keyframe_request_after) buffer.SetKeyframeRequestAfter(*keyframe_request_after);
  Played played;
  for (uint64_t id = 0; id < count; ++id) {
    const Timestamp now = kStart + TimeDelta::Millis(33) * static_cast<int64_t>(id);
    if (!lost.contains(id)) buffer.Insert(Frame(id, gop), now);
    while (auto frame = buffer.NextDecodable(now)) played.decoded.push_back(frame->frame_id);
    played.keyframe_requests += buffer.TakeKeyframeRequest();
  }
  return played;
}

TEST(VideoFrameBufferTest, EveryFrameInOrderWhenNothingIsLost) {
  const auto played = Play(60, {});
  ASSERT_EQ(played.decoded.size(), 60u);
  for (uint64_t i = 0; i < 60; ++i) EXPECT_EQ(played.decoded[i], i);
  EXPECT_EQ(played.keyframe_requests, 0);
}

TEST(VideoFrameBufferTest, LostTopLayerFrameCostsOnlyItself) {
  const auto played = Play(60, {5});
  EXPECT_EQ(played.decoded.size(), 59u);
  EXPECT_EQ(played.keyframe_requests, 0);
}

TEST(VideoFrameBufferTest, LostMiddleLayerFrameSkipsToTheNextBaseFrame) {
  // Frame 6 (TL1) lost: 7 refs it and is skipped; 8 (TL0) goes on.
  const auto played = Play(60, {6});
  EXPECT_EQ(played.decoded.size(), 58u);
  EXPECT_EQ(std::count(played.decoded.begin(), played.decoded.end(), 7), 0);
  EXPECT_EQ(std::count(played.decoded.begin(), played.decoded.end(), 8), 1);
  EXPECT_EQ(played.keyframe_requests, 0);
}

// A lost base-layer frame breaks every later frame until a keyframe: the buffer asks for one
// after 200 ms of undecodable frames, then again each second while none arrives (a keyframe
// takes a round trip and its own transmission: asking faster only queues more keyframes).
TEST(VideoFrameBufferTest, LostBaseFrameAsksForAKeyframeOnlyWhenNothingDecodable) {
  const auto played = Play(60, {8});
  // 0..7 decoded, then nothing: 9 refs 8, 10 refs 8, 12 refs 8, ...
  EXPECT_EQ(played.decoded.back(), 7u);
  // Undecodable frames from 9 (297 ms) on: a request at about 0.5 s, then at about 1.5 s; the
  // run ends at 59 (1.95 s).
  EXPECT_EQ(played.keyframe_requests, 2);

  // With a keyframe every 32 frames the picture resumes at it.
  const auto recovered = Play(60, {8}, 32);
  EXPECT_EQ(std::count(recovered.decoded.begin(), recovered.decoded.end(), 32), 1);
  EXPECT_EQ(recovered.decoded.size(), 8u + 28u);  // 0..7, then 32..59.
}

// A receiver that asks for retransmissions waits a round trip before asking for a keyframe:
// at a GEO RTT the repair of frame 8 can still come.
TEST(VideoFrameBufferTest, KeyframeRequestWaitsAsLongAsItIsTold) {
  // The last progress is frame 7 (231 ms); told to wait 700 ms, nothing by frame 28 (924 ms)...
  EXPECT_EQ(Play(29, {8}, 1000, TimeDelta::Millis(700)).keyframe_requests, 0);
  // ...and a request at frame 29 (957 ms), the first pull after 931 ms.
  EXPECT_EQ(Play(30, {8}, 1000, TimeDelta::Millis(700)).keyframe_requests, 1);
  // By default the request comes 200 ms after the last progress, before frame 15 (495 ms).
  EXPECT_EQ(Play(15, {8}).keyframe_requests, 1);
}

TEST(VideoFrameBufferTest, DuplicatesAndOldFramesAreIgnoredAndTheBufferIsBounded) {
  VideoFrameBuffer buffer({.keyframe_request_after = TimeDelta::Millis(200), .max_frames = 10});
  buffer.Insert(Frame(0), kStart);
  ASSERT_TRUE(buffer.NextDecodable(kStart).has_value());
  buffer.Insert(Frame(0), kStart);  // Already decoded.
  buffer.Insert(Frame(3), kStart);
  buffer.Insert(Frame(3), kStart);  // Duplicate.
  EXPECT_EQ(buffer.stats().frames_duplicate_or_old, 2u);
  // Frame 4 missing forever: 40 undecodable TL2/TL1 frames never exceed the bound.
  for (uint64_t id = 5; id < 45; ++id) buffer.Insert(Frame(id), kStart);
  EXPECT_LE(buffer.size(), 10u);
}

}  // namespace
}  // namespace comodal::engine
