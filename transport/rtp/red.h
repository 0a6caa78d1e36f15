#ifndef TRANSPORT_RTP_RED_H_
#define TRANSPORT_RTP_RED_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "transport/base/result.h"

namespace comodal {

// One block of a RED payload: an encoding of the audio at `timestamp`.
struct RedBlock {
  uint8_t payload_type = 0;
  uint32_t timestamp = 0;
  std::span<const uint8_t> payload;
};

// The payload of an RTP packet in the redundant audio format (RFC 2198 §3): headers for every
// block, then the blocks' data in the same order. Redundant (earlier) blocks come first, each with
// a 4-byte header; the primary block, the newest, comes last with a 1-byte header.
//
//    0                   1                   2                   3
//   |F|   block PT  |  timestamp offset         |   block length    |  (F=1: a redundant block)
//   |0|   Block PT  |                                                  (F=0: the primary block)
//
// Parsing is a view over the payload, which must outlive it.
class RedPayload {
 public:
  static constexpr size_t kRedundantHeaderSize = 4;
  static constexpr size_t kPrimaryHeaderSize = 1;
  static constexpr uint32_t kMaxTimestampOffset = (1u << 14) - 1;  // 14 bits.
  static constexpr size_t kMaxBlockLength = (1u << 10) - 1;        // 10 bits.

  // `rtp_timestamp` is the RTP header's timestamp, which is the primary block's; a redundant
  // block's timestamp is that minus its offset (RFC 2198 §3).
  static Result<RedPayload> Parse(std::span<const uint8_t> payload, uint32_t rtp_timestamp);

  // Oldest first; the last one is the primary block.
  const std::vector<RedBlock>& blocks() const { return blocks_; }
  const RedBlock& primary() const { return blocks_.back(); }

 private:
  std::vector<RedBlock> blocks_;
};

struct RedBuildResult {
  size_t size = 0;              // Bytes written.
  size_t redundant_blocks = 0;  // How many of the offered redundant blocks went in.
};

// Writes a RED payload carrying `primary` and as many of `redundant` (oldest first, all older
// than the primary) as fit: a redundant block is left out when its timestamp offset does not fit
// 14 bits or is not positive, its length does not fit 10 bits, or `out` has no room left for it
// (newer blocks are preferred: they repair the likelier single losses). The packet's RTP timestamp
// must be the primary's. Fails only when the primary itself does not fit.
Result<RedBuildResult> BuildRedPayload(const RedBlock& primary, std::span<const RedBlock> redundant,
                                       std::span<uint8_t> out);

// Keeps the last few encoded frames of one audio stream and wraps each new frame in a RED payload
// with them (RFC 2198 §1: a frame lost in one packet is played from the next one's copy). With
// 20 ms Opus frames and a distance of 2, a loss burst of 40 ms is repaired at the cost of one
// packet interval of extra delay per redundant frame the receiver waits for.
class RedEncoder {
 public:
  static constexpr size_t kMaxRedundantBlocks = 4;

  // At most kMaxRedundantBlocks.
  explicit RedEncoder(size_t max_redundant_blocks = 2) {
    SetMaxRedundantBlocks(max_redundant_blocks);
  }
  // How many earlier frames the next packets carry (0: the primary alone, still in RED format).
  void SetMaxRedundantBlocks(size_t blocks);
  size_t max_redundant_blocks() const { return max_redundant_blocks_; }

  // Writes the RED payload for a new frame into `out`, then remembers the frame for the next
  // packets. Frames must come in timestamp order.
  Result<RedBuildResult> Encode(const RedBlock& frame, std::span<uint8_t> out);
  // Forgets the remembered frames (e.g. after a gap in the audio, such as DTX).
  void Reset() { history_.clear(); }

 private:
  struct StoredFrame {
    uint8_t payload_type;
    uint32_t timestamp;
    std::vector<uint8_t> payload;
  };
  size_t max_redundant_blocks_ = 0;
  std::deque<StoredFrame> history_;  // Oldest first.
};

}  // namespace comodal

#endif  // TRANSPORT_RTP_RED_H_
