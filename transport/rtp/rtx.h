#ifndef TRANSPORT_RTP_RTX_H_
#define TRANSPORT_RTP_RTX_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "transport/base/result.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {

// RTP retransmission payload format (RFC 4588), session-multiplexed: the repair travels on its own
// SSRC with its own payload type and sequence numbers, and its payload starts with the original
// sequence number (OSN).
//
//    0                   1                   2                   3
//   |                         RTP Header                            | (RTX SSRC, PT, seq)
//   |            OSN                |                               |
//   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
//   |                  Original RTP Packet Payload                  |
//
// Everything else of the original header is kept as is (RFC 4588 §4: marker, timestamp, CSRCs and
// header extensions are those of the original), and so is its RTP padding, so that restoring gives
// back the original packet byte for byte.
inline constexpr size_t kRtxOverhead = 2;  // The OSN field.

// Writes the RTX packet for `original` (a whole serialised RTP packet) into `out` and returns its
// size: kRtxOverhead bytes longer than the original.
Result<size_t> BuildRtxPacket(std::span<const uint8_t> original, uint32_t rtx_ssrc,
                              uint8_t rtx_payload_type, uint16_t rtx_sequence_number,
                              std::span<uint8_t> out);

// Writes the original packet carried by `rtx` into `out`: the OSN becomes the sequence number,
// `original_ssrc` and `original_payload_type` replace the RTX ones. Returns its size.
Result<size_t> RestoreFromRtx(std::span<const uint8_t> rtx, uint32_t original_ssrc,
                              uint8_t original_payload_type, std::span<uint8_t> out);

// The "apt" (associated payload type) parameters of a session's RTX payload types (RFC 4588 §8,
// required by the rtx media types): which media payload type each RTX payload type repairs.
class RtxPayloadTypeMap {
 public:
  // Fails if either payload type is over 127 or `rtx_payload_type` is already mapped to
  // another media payload type.
  bool Add(uint8_t rtx_payload_type, uint8_t associated_payload_type);
  std::optional<uint8_t> Associated(uint8_t rtx_payload_type) const;

 private:
  static constexpr uint8_t kUnmapped = 0xFF;
  std::array<uint8_t, 128> associated_ = MakeUnmapped();
  static constexpr std::array<uint8_t, 128> MakeUnmapped() {
    std::array<uint8_t, 128> table{};
    table.fill(kUnmapped);
    return table;
  }
};

// RestoreFromRtx() with the original payload type looked up from the RTX packet's: fails with
// kUnsupported when its payload type has no "apt".
Result<size_t> RestoreFromRtx(std::span<const uint8_t> rtx, uint32_t original_ssrc,
                              const RtxPayloadTypeMap& payload_types, std::span<uint8_t> out);
// The same, for an RTX packet the caller has parsed.
Result<size_t> RestoreFromRtx(const RtpPacket& rtx, uint32_t original_ssrc,
                              const RtxPayloadTypeMap& payload_types, std::span<uint8_t> out);

}  // namespace comodal

#endif  // TRANSPORT_RTP_RTX_H_
