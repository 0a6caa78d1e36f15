// Pacer::Discard: a video stream that starts over from a keyframe drops what of it still waits,
// and nothing else (SendTransportController::Discard: send_transport_controller_test.cc).
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "transport/cc/pacer.h"

namespace comodal {
namespace {

constexpr Timestamp kStart = Timestamp::Seconds(100);

// A packet whose every byte is `tag` (the tag names it in the assertions).
Pacer::Packet Tagged(PacketPriority priority, size_t size, uint8_t tag, bool repair = false) {
  Pacer::Packet packet;
  packet.data.assign(size, tag);
  packet.priority = priority;
  packet.repair = repair;
  return packet;
}

// Every packet the pacer lets out until it is empty (or 10 s have passed), in order.
std::vector<Pacer::Packet> DrainAll(Pacer& pacer, Timestamp from) {
  std::vector<Pacer::Packet> sent;
  Timestamp now = from;
  for (int guard = 0; guard < 10'000 && !pacer.empty(); ++guard) {
    now = std::max(now, pacer.NextSendTime(now));
    if (now > from + TimeDelta::Seconds(10)) break;
    while (auto packet = pacer.TakeNext(now)) sent.push_back(std::move(*packet));
  }
  return sent;
}

std::vector<uint8_t> TagsOf(const std::vector<Pacer::Packet>& packets) {
  std::vector<uint8_t> tags;
  for (const Pacer::Packet& packet : packets) tags.push_back(packet.data.front());
  return tags;
}

// Of the video queue, the stale packets (odd tags) go: repairs among them too. The rest of the
// video keeps its order (repairs still first), the other priorities keep everything, including
// packets the predicate would pick, and the queued size falls by exactly the bytes removed.
TEST(PacerDiscardTest, RemovesOnlyTheMatchingPacketsOfThatPriorityAndKeepsTheOrder) {
  Pacer pacer;
  pacer.Enqueue(Tagged(PacketPriority::kTeacherVideo, 1000, 1), kStart);
  pacer.Enqueue(Tagged(PacketPriority::kTeacherVideo, 900, 2), kStart);
  pacer.Enqueue(Tagged(PacketPriority::kSlides, 800, 3), kStart);  // Odd, other priority.
  pacer.Enqueue(Tagged(PacketPriority::kTeacherVideo, 700, 4), kStart);
  pacer.Enqueue(Tagged(PacketPriority::kTeacherVideo, 600, 5), kStart);
  pacer.Enqueue(Tagged(PacketPriority::kTeacherVideo, 500, 6), kStart);
  pacer.Enqueue(Tagged(PacketPriority::kTeacherVideo, 400, 7, /*repair=*/true), kStart);
  pacer.Enqueue(Tagged(PacketPriority::kTeacherVideo, 300, 8, /*repair=*/true), kStart);
  pacer.Enqueue(Tagged(PacketPriority::kSessionData, 200, 9), kStart);  // Odd, other priority.
  const DataSize before = pacer.queued_size();
  ASSERT_EQ(before, DataSize::Bytes(1000 + 900 + 800 + 700 + 600 + 500 + 400 + 300 + 200));

  const size_t removed = pacer.Discard(PacketPriority::kTeacherVideo, [](const Pacer::Packet& p) {
    return p.data.front() % 2 == 1;
  });

  EXPECT_EQ(removed, 3u);  // 1, 5 and the repair 7; 3 and 9 are not video.
  EXPECT_EQ(pacer.queued_size(), before - DataSize::Bytes(1000 + 600 + 400));
  pacer.SetPacingRate(DataRate::KilobitsPerSec(1000));
  const std::vector<Pacer::Packet> sent = DrainAll(pacer, kStart);
  // Session data first (higher priority), then the video: the repair ahead, then the new
  // packets in the order they came; the slides last.
  EXPECT_EQ(TagsOf(sent), (std::vector<uint8_t>{9, 8, 2, 4, 6, 3}));
  EXPECT_TRUE(pacer.empty());
  EXPECT_EQ(pacer.queued_size(), DataSize::Zero());
}

// Nothing matches: nothing moves, and an empty queue of that priority is no error.
TEST(PacerDiscardTest, NothingMatchingLeavesTheQueueAsItWas) {
  Pacer pacer;
  EXPECT_EQ(pacer.Discard(PacketPriority::kTeacherVideo, [](const Pacer::Packet&) { return true; }),
            0u);
  pacer.Enqueue(Tagged(PacketPriority::kTeacherVideo, 500, 1), kStart);
  pacer.Enqueue(Tagged(PacketPriority::kTeacherVideo, 500, 2), kStart);
  pacer.Enqueue(Tagged(PacketPriority::kBulk, 500, 3), kStart);
  EXPECT_EQ(pacer.Discard(PacketPriority::kTeacherVideo,
                          [](const Pacer::Packet& p) { return p.data.front() == 3; }),
            0u);
  EXPECT_EQ(pacer.queued_size(), DataSize::Bytes(1500));
  pacer.SetPacingRate(DataRate::KilobitsPerSec(1000));
  EXPECT_EQ(TagsOf(DrainAll(pacer, kStart)), (std::vector<uint8_t>{1, 2, 3}));
}

}  // namespace
}  // namespace comodal
