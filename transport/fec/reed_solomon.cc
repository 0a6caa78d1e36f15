#include "transport/fec/reed_solomon.h"

#include <algorithm>
#include <cstring>

#include "transport/fec/gf256.h"

namespace comodal {
namespace {

constexpr uint8_t kPXCcBits = 0x3F;

}  // namespace

Result<ReedSolomonRepair> ReedSolomonRepair::Parse(const RtpPacket& repair_packet) {
  ByteReader reader(repair_packet.payload());
  ReedSolomonRepair repair;
  repair.sequence_number_base = reader.U16();
  repair.source_count = reader.U8();
  repair.row = reader.U8();
  if (!reader.ok()) return Error{ErrorCode::kTruncated, "Reed-Solomon repair header under 4 bytes"};
  // Error details are static text (Error keeps a view): the bounds, not the value.
  if (repair.source_count == 0 || repair.source_count > kMaxSources) {
    return Error{ErrorCode::kMalformed, "Reed-Solomon repair source count not in 1..128"};
  }
  if (repair.row >= kMaxRows) {
    return Error{ErrorCode::kMalformed, "Reed-Solomon repair row not in 0..127"};
  }
  repair.bit_string = reader.rest();
  if (repair.bit_string.size() < kBitStringHeaderSize) {
    return Error{ErrorCode::kTruncated, "Reed-Solomon repair bit string under 8 bytes"};
  }
  return repair;
}

void ReedSolomonRepair::Write(ByteWriter& out) const {
  out.U16(sequence_number_base);
  out.U8(source_count);
  out.U8(row);
  out.Bytes(bit_string);
}

uint8_t ReedSolomonCoefficient(size_t row, size_t source) {
  return gf256::Inv(static_cast<uint8_t>(row ^ (ReedSolomonRepair::kMaxRows + source)));
}

std::vector<uint8_t> FecBitString(std::span<const uint8_t> rtp) {
  if (rtp.size() < RtpPacket::kFixedHeaderSize) return {};
  const std::span<const uint8_t> body = rtp.subspan(RtpPacket::kFixedHeaderSize);
  std::vector<uint8_t> bits(ReedSolomonRepair::kBitStringHeaderSize + body.size());
  bits[0] = rtp[0] & kPXCcBits;
  bits[1] = rtp[1];
  StoreBE16(&bits[2], static_cast<uint16_t>(body.size()));
  std::memcpy(&bits[4], &rtp[4], 4);  // Timestamp.
  std::copy(body.begin(), body.end(), bits.begin() + ReedSolomonRepair::kBitStringHeaderSize);
  return bits;
}

std::optional<std::vector<uint8_t>> PacketFromFecBitString(std::span<const uint8_t> bits,
                                                           uint16_t sequence_number,
                                                           uint32_t ssrc) {
  constexpr size_t kHead = ReedSolomonRepair::kBitStringHeaderSize;
  if (bits.size() < kHead || (bits[0] & ~kPXCcBits) != 0) return std::nullopt;
  const size_t length = LoadBE16(&bits[2]);
  const std::span<const uint8_t> body = bits.subspan(kHead);
  // Past the recovered length only the zero extension may remain.
  if (length > body.size() || std::any_of(body.begin() + static_cast<std::ptrdiff_t>(length),
                                          body.end(), [](uint8_t b) { return b != 0; })) {
    return std::nullopt;
  }
  std::vector<uint8_t> packet(RtpPacket::kFixedHeaderSize + length);
  packet[0] = static_cast<uint8_t>((RtpPacket::kVersion << 6) | bits[0]);
  packet[1] = bits[1];
  StoreBE16(&packet[2], sequence_number);
  std::memcpy(&packet[4], &bits[4], 4);
  StoreBE32(&packet[8], ssrc);
  if (length > 0) std::memcpy(&packet[RtpPacket::kFixedHeaderSize], body.data(), length);
  if (!RtpPacket::Parse(packet).ok()) return std::nullopt;
  return packet;
}

std::vector<uint8_t> ReedSolomonEncode(std::span<const std::vector<uint8_t>> sources, size_t row) {
  size_t longest = 0;
  for (const auto& s : sources) longest = std::max(longest, s.size());
  std::vector<uint8_t> repair(longest, 0);
  for (size_t i = 0; i < sources.size(); ++i) {
    gf256::MulAdd(repair, sources[i], ReedSolomonCoefficient(row, i));
  }
  return repair;
}

std::optional<std::vector<std::vector<uint8_t>>> ReedSolomonDecode(
    std::span<const std::vector<uint8_t>> received, std::span<const uint8_t> rows,
    std::span<const std::vector<uint8_t>> repairs) {
  std::vector<size_t> missing;
  for (size_t i = 0; i < received.size(); ++i) {
    if (received[i].empty()) missing.push_back(i);
  }
  const size_t e = missing.size();
  if (e == 0) return std::vector<std::vector<uint8_t>>{};
  if (rows.size() < e || repairs.size() < e) return std::nullopt;
  for (size_t r = 0; r < e; ++r) {
    if (rows[r] >= ReedSolomonRepair::kMaxRows ||
        std::count(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(e), rows[r]) != 1) {
      return std::nullopt;
    }
  }
  size_t length = 0;
  for (size_t r = 0; r < e; ++r) length = std::max(length, repairs[r].size());
  // Each repair row minus what the received sources put in it leaves a combination of the
  // missing ones only: e equations in e unknowns.
  std::vector<std::vector<uint8_t>> value(e);
  std::vector<std::vector<uint8_t>> matrix(e, std::vector<uint8_t>(e));
  for (size_t r = 0; r < e; ++r) {
    value[r] = repairs[r];
    value[r].resize(length, 0);
    for (size_t i = 0; i < received.size(); ++i) {
      if (received[i].empty()) continue;
      if (received[i].size() > repairs[r].size()) return std::nullopt;
      gf256::MulAdd(value[r], received[i], ReedSolomonCoefficient(rows[r], i));
    }
    for (size_t t = 0; t < e; ++t) matrix[r][t] = ReedSolomonCoefficient(rows[r], missing[t]);
  }
  // Gauss-Jordan elimination; a Cauchy matrix's square submatrices are all invertible, so a pivot
  // is always found.
  for (size_t col = 0; col < e; ++col) {
    size_t pivot = col;
    while (pivot < e && matrix[pivot][col] == 0) ++pivot;
    if (pivot == e) return std::nullopt;
    std::swap(matrix[pivot], matrix[col]);
    std::swap(value[pivot], value[col]);
    const uint8_t inverse = gf256::Inv(matrix[col][col]);
    gf256::Scale(matrix[col], inverse);
    gf256::Scale(value[col], inverse);
    for (size_t r = 0; r < e; ++r) {
      const uint8_t factor = matrix[r][col];
      if (r == col || factor == 0) continue;
      gf256::MulAdd(matrix[r], matrix[col], factor);
      gf256::MulAdd(value[r], value[col], factor);
    }
  }
  return value;
}

}  // namespace comodal
