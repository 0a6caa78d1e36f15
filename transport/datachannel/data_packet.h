#ifndef TRANSPORT_DATACHANNEL_DATA_PACKET_H_
#define TRANSPORT_DATACHANNEL_DATA_PACKET_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "transport/base/result.h"

namespace comodal::datachannel {

// A reliable channel carries two ordered message streams on one flow: session data (class
// operations, clock exchanges) and bulk (resync, blobs), each at its own pacer priority, so that a
// 50 MB transfer never holds back a teacher's slide change.
enum class Lane : uint8_t { kSessionData = 0, kBulk = 1 };
inline constexpr size_t kLaneCount = 2;

// What a receiver holds of the packets of one sender incarnation: every number up to
// `cumulative`, and the ranges in `blocks` above it (selective acknowledgement, as SCTP's gap
// blocks, RFC 9260 §3.3.4, with absolute numbers).
struct DataAck {
  static constexpr size_t kMaxBlocks = 16;
  // The sender incarnation and epoch these numbers belong to.
  uint32_t acked_incarnation = 0;
  uint32_t acked_epoch = 0;
  uint32_t cumulative = 0;  // 0: none yet.
  uint32_t window = 0;      // Bytes the receiver still buffers beyond what it delivered.
  // Inclusive [first, last] ranges, each above `cumulative` + 1, increasing, with a gap between.
  std::vector<std::pair<uint32_t, uint32_t>> blocks;

  friend bool operator==(const DataAck&, const DataAck&) = default;
};

// One piece of one message. A message is cut at fixed offsets, so a retransmission (under a new
// packet number) carries exactly the bytes of the piece it repeats.
struct DataFragment {
  static constexpr uint32_t kMaxMessageSize = 1 << 20;
  uint32_t packet_number = 0;  // From 1 in each sender epoch; never reused.
  // Every number below this is acknowledged or given up by the sender (its piece goes again
  // under a new number): the receiver's cumulative acknowledgement moves past a number that will
  // never come.
  uint32_t floor = 1;
  Lane lane = Lane::kSessionData;
  uint32_t message_number = 0;  // From 1 per lane and epoch.
  uint32_t message_size = 0;
  uint32_t offset = 0;
  std::span<const uint8_t> data;
};

// The RTP payload of the data stream (transport/datachannel/data_flow.h), version 1, big-endian:
//   0 version (1)   1 flags (bit 0: an ack follows, bit 1: a fragment follows)   2 reserved (16)
//   4 sender incarnation (32, non-zero: new at each start of the sender's process)
//   8 sender epoch (32, non-zero: new each time the sender numbers its packets afresh)
//   ack:      acked incarnation (32), acked epoch (32), cumulative (32), window (32),
//             block count (8),
//             blocks: first (32), last (32)
//   fragment: packet number (32), floor (32, at most the packet number), lane (8), message
//             number (32), message size (32), offset (32), data (the rest, at least one byte)
struct DataPacket {
  static constexpr uint8_t kVersion = 1;
  static constexpr size_t kHeaderSize = 12;
  static constexpr size_t kFragmentHeaderSize = 21;
  static size_t AckSize(size_t blocks) { return 17 + 8 * blocks; }

  uint32_t incarnation = 0;
  uint32_t epoch = 0;
  std::optional<DataAck> ack;
  std::optional<DataFragment> fragment;

  size_t size() const;
  // Fails (kBufferTooSmall) if `out` is short, (kInvalidArgument) on a field the format cannot
  // carry; writes nothing then.
  Result<size_t> Write(std::span<uint8_t> out) const;
  std::vector<uint8_t> Serialize() const;
  // Untrusted bytes: every field checked, the reason named. `data` points into `bytes`.
  static Result<DataPacket> Parse(std::span<const uint8_t> bytes);
};

}  // namespace comodal::datachannel

#endif  // TRANSPORT_DATACHANNEL_DATA_PACKET_H_
