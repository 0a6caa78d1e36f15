#ifndef TRANSPORT_FEC_REED_SOLOMON_H_
#define TRANSPORT_FEC_REED_SOLOMON_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {

// A systematic Reed-Solomon erasure code over GF(2^8) for RTP, used where FlexFEC's XOR parity
// falls short: with m repair packets for a group of k media packets, ANY m losses among the
// k + m are recovered (an MDS code), where m XOR parities recover one loss per parity group. At
// 10 % random loss a group of 12 packets with 6 repair packets fails once in 2 300 groups; XOR
// parities at the same overhead leave about one packet in 40 lost (docs/performance.md).
//
// Repair packet j of a group is the GF(2^8) combination sum_i C(j, i) x S_i of the group's
// source bit strings S_i, with the Cauchy coefficients C(j, i) = 1 / (j + (128 + i)) (+ is XOR):
// every square submatrix of a Cauchy matrix is invertible, so any m of the group's repair rows
// solve for any m missing packets (the construction of RFC 5510 §8 with a Cauchy instead of a
// Vandermonde matrix, as in Luby et al., "An XOR-based erasure-resilient coding scheme"). A
// source bit string is FlexFEC's (RFC 8627 §6.2), as bytes: the first octet's P, X and CC bits,
// the second octet (M, PT), the length after the fixed header (16 bits), the timestamp, then every
// byte after the fixed header; shorter strings are zero-extended to the longest.
//
// On the wire a repair packet is an RTP packet of the repair stream (own SSRC and payload type,
// the protected SSRC as its one CSRC, as FlexFEC's) whose payload is this 4-byte header and the
// repair bit string:
//
//    0                   1                   2                   3
//   |          SN base              |  source count |      row      |
//   :                   repair bit string (8 bytes or more)         :
//
// The group's media packets are SN base .. SN base + source count - 1 (1 to 128); row is j
// (0 to 127).
struct ReedSolomonRepair {
  static constexpr size_t kHeaderSize = 4;
  static constexpr size_t kMaxSources = 128;
  static constexpr size_t kMaxRows = 128;
  static constexpr size_t kBitStringHeaderSize = 8;

  uint16_t sequence_number_base = 0;
  uint8_t source_count = 0;
  uint8_t row = 0;
  std::span<const uint8_t> bit_string;  // Views the parsed packet.

  // The payload of a repair packet; errors say which field is wrong.
  static Result<ReedSolomonRepair> Parse(const RtpPacket& repair_packet);
  void Write(ByteWriter& out) const;
};

// C(row, source).
uint8_t ReedSolomonCoefficient(size_t row, size_t source);

// The bit string of a source RTP packet (at least its fixed header).
std::vector<uint8_t> FecBitString(std::span<const uint8_t> rtp);
// The RTP packet a recovered bit string stands for, with its sequence number and SSRC; nullopt
// when the bytes are not a packet's (a length past the string, non-zero bytes after it, or an RTP
// packet that does not parse): a repair inconsistent with what was received.
std::optional<std::vector<uint8_t>> PacketFromFecBitString(std::span<const uint8_t> bits,
                                                           uint16_t sequence_number, uint32_t ssrc);

// Repair row `row` of the group whose bit strings these are.
std::vector<uint8_t> ReedSolomonEncode(std::span<const std::vector<uint8_t>> sources, size_t row);

// Solves for the missing sources of a group of `source_count`. `received` holds each received
// source's bit string by position (empty for a missing one); `rows` the repair rows' numbers and
// `repairs` their bit strings, at least as many as missing sources. Returns the missing sources'
// bit strings in position order, or nullopt when a received string is longer than the repairs (the
// repairs were not made from these packets) or the rows repeat.
std::optional<std::vector<std::vector<uint8_t>>> ReedSolomonDecode(
    std::span<const std::vector<uint8_t>> received, std::span<const uint8_t> rows,
    std::span<const std::vector<uint8_t>> repairs);

}  // namespace comodal

#endif  // TRANSPORT_FEC_REED_SOLOMON_H_
