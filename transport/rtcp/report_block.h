#ifndef TRANSPORT_RTCP_REPORT_BLOCK_H_
#define TRANSPORT_RTCP_REPORT_BLOCK_H_

#include <cstdint>
#include <span>

#include "transport/base/byte_io.h"

namespace comodal::rtcp {

// One reception report block of an SR or RR (RFC 3550 §6.4.1), 24 bytes.
struct ReportBlock {
  static constexpr size_t kSize = 24;
  static constexpr int32_t kMaxCumulativeLost = 0x7FFFFF;
  static constexpr int32_t kMinCumulativeLost = -0x800000;

  uint32_t source_ssrc = 0;
  uint8_t fraction_lost = 0;    // Fixed point, lost / expected * 256 since the last report.
  int32_t cumulative_lost = 0;  // 24-bit signed: duplicates can make it negative.
  uint32_t extended_highest_sequence = 0;
  uint32_t jitter = 0;               // Interarrival jitter in RTP timestamp units.
  uint32_t last_sr = 0;              // LSR: compact NTP of the last SR received, 0 if none.
  uint32_t delay_since_last_sr = 0;  // DLSR, 1/65536 s.

  // Precondition: `data` holds at least kSize bytes.
  static ReportBlock Parse(std::span<const uint8_t> data);
  // Writes 24 bytes; cumulative_lost is clamped to the 24-bit signed range.
  void Write(ByteWriter& out) const;

  friend bool operator==(const ReportBlock&, const ReportBlock&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_REPORT_BLOCK_H_
