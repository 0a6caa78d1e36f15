#ifndef TRANSPORT_FEC_FLEXFEC_HEADER_H_
#define TRANSPORT_FEC_FLEXFEC_HEADER_H_

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {

// The FEC header of a FlexFEC repair packet (RFC 8627 §4.2.2.1), flexible-mask variant (R=0,
// F=0). It is the payload of an RTP packet on the repair stream; the protected SSRCs are that
// packet's CSRC list, and for each the header holds an SN base and a mask. The repair payload
// follows the last mask.
//
//    0                   1                   2                   3
//   |0|0|P|X|  CC   |M| PT recovery |        length recovery        |
//   |                          TS recovery                          |
//   |           SN base_i           |k|          Mask [0-14]        |
//   |k|                   Mask [15-45] (optional)                   |
//   |                     Mask [46-109] (optional)                  |
//   |                                                               |
//   |   ... next SN base and Mask for CSRC_i in CSRC list ...       |
//   :               Repair "Payload" follows FEC Header             :
//
// A k bit set to 1 ends the mask there: a mask is 15, 46 or 110 bits (2, 6 or 14 bytes). Mask bit
// j, counted from the most significant bit after the first k bit, says that the source packet
// with sequence number SN base + j (mod 2^16) is protected.
//
// The R=1 (retransmission) and F=1 (fixed L x D masks) variants are well-formed FlexFEC that this
// code does not use: Parse() fails with kUnsupported, so a caller can count them apart from
// garbage.
class FlexfecHeader {
 public:
  static constexpr size_t kMaxMaskBits = 110;
  // Bit j: sequence number SN base + j is protected.
  using Mask = std::bitset<kMaxMaskBits>;
  static constexpr size_t kBaseSize = 8;      // Up to and including TS recovery.
  static constexpr size_t kMaxMaskSize = 14;  // Bytes, k bits included.
  static constexpr size_t kMaxStreams = RtpPacket::kMaxCsrcs;

  struct ProtectedStream {
    uint32_t ssrc = 0;  // Written as a CSRC of the repair packet, not in the FEC header.
    uint16_t sequence_number_base = 0;
    Mask mask;

    bool Protects(uint16_t sequence_number) const {
      const uint16_t j = static_cast<uint16_t>(sequence_number - sequence_number_base);
      return j < kMaxMaskBits && mask.test(j);
    }
    friend bool operator==(const ProtectedStream&, const ProtectedStream&) = default;
  };

  // Parses the FEC header from a repair packet (an RTP packet of the FlexFEC stream). The result's
  // repair_payload views `fec_packet`'s bytes.
  static Result<FlexfecHeader> Parse(const RtpPacket& fec_packet);

  // Bytes the mask takes on the wire: 2, 6 or 14, the shortest that holds its highest set bit.
  static size_t MaskSize(const Mask& mask);
  // The FEC header's size, repair payload excluded.
  size_t Size() const;
  // Writes the FEC header (not the repair payload). Fails with kInvalidArgument when there is no
  // protected stream or more than kMaxStreams.
  Status Write(ByteWriter& out) const;

  // Adds one source packet (a whole serialised RTP packet, at least its 12-byte fixed header) to
  // the recovery fields and to `repair_payload_bytes` by XOR (RFC 8627 §6.2): P, X, CC, M and PT,
  // the length after the fixed header, the timestamp, and every byte after the fixed header
  // (CSRCs, extension, payload, padding), zero-extended to the longest. Used to build repair
  // packets and, on the other side, to strip the received packets out of one.
  void XorSourcePacket(std::span<const uint8_t> packet, std::vector<uint8_t>& repair_payload_bytes);

  // The recovery fields. p_x_cc_recovery holds the first RTP octet's P, X and CC bits (the top two
  // bits are R and F on the wire, zero here).
  uint8_t p_x_cc_recovery = 0;
  uint8_t m_pt_recovery = 0;
  uint16_t length_recovery = 0;
  uint32_t timestamp_recovery = 0;
  std::vector<ProtectedStream> streams;
  // After Parse(): the repair payload that follows the header in the parsed packet.
  std::span<const uint8_t> repair_payload;
};

}  // namespace comodal

#endif  // TRANSPORT_FEC_FLEXFEC_HEADER_H_
