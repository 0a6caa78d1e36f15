#ifndef TRANSPORT_RTCP_NACK_H_
#define TRANSPORT_RTCP_NACK_H_

#include <cstdint>
#include <span>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {

// Generic NACK, RTPFB PT=205 FMT=1 (RFC 4585 §6.2.1): the feedback SSRCs, then one or more FCI
// items of PID (a lost sequence number) and BLP (bit i set: PID + i + 1 lost too).
//
// The model is the set of lost sequence numbers. Building packs the list (any order, duplicates
// allowed, wrapping 65535 -> 0) into the fewest items; parsing lists each lost number once, in
// the order Pack() covers them, whatever order and repeats the sender used.
class Nack {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeRtpFeedback;
  static constexpr uint8_t kFormat = 1;

  // One FCI entry.
  struct Item {
    uint16_t packet_id = 0;     // PID.
    uint16_t lost_bitmask = 0;  // BLP.

    friend bool operator==(const Item&, const Item&) = default;
  };

  // The caller has dispatched on PT and FMT; `header.count` is not checked.
  static Result<Nack> Parse(const RtcpCommonHeader& header);
  // The fewest items that cover exactly the set of `lost` sequence numbers, in sequence-number
  // order starting after the widest gap (so a run across 65535 -> 0 stays one item).
  static std::vector<Item> Pack(std::span<const uint16_t> lost);

  // Size() and Write() each pack the list again (a sort, then linear): call them once per send.
  size_t Size() const;
  // Fails with kInvalidArgument if there is no lost sequence number (RFC 4585 §6.2.1 requires
  // at least one FCI item).
  Status Write(ByteWriter& out) const;

  uint32_t sender_ssrc = 0;  // SSRC of packet sender.
  uint32_t media_ssrc = 0;   // SSRC of media source: the stream whose packets were lost.
  std::vector<uint16_t> lost_sequence_numbers;

  friend bool operator==(const Nack&, const Nack&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_NACK_H_
