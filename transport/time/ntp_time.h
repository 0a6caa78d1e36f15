#ifndef TRANSPORT_TIME_NTP_TIME_H_
#define TRANSPORT_TIME_NTP_TIME_H_

#include <cstdint>

#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// A 64-bit NTP timestamp (RFC 5905 §6): seconds since 1900 in the high 32 bits, a binary
// fraction of a second in the low 32. RTCP carries it in SR and XR RRTR, and its middle 32 bits
// ("compact NTP", 16.16 fixed point) in LSR/DLSR/LRR/DLRR fields.
class NtpTime {
 public:
  static constexpr uint64_t kFractionsPerSecond = 1ull << 32;

  constexpr NtpTime() = default;
  constexpr explicit NtpTime(uint64_t value) : value_(value) {}
  constexpr NtpTime(uint32_t seconds, uint32_t fractions)
      : value_((uint64_t{seconds} << 32) | fractions) {}

  // `since_epoch` is time since 1900-01-01 00:00 UTC (the NTP epoch).
  static NtpTime FromTimeSinceEpoch(TimeDelta since_epoch);

  constexpr uint64_t value() const { return value_; }
  constexpr uint32_t seconds() const { return static_cast<uint32_t>(value_ >> 32); }
  constexpr uint32_t fractions() const { return static_cast<uint32_t>(value_); }
  constexpr uint32_t ToCompact() const { return static_cast<uint32_t>(value_ >> 16); }
  TimeDelta ToTimeSinceEpoch() const;

  friend constexpr bool operator==(NtpTime, NtpTime) = default;

 private:
  uint64_t value_ = 0;
};

// A node's NTP clock is its monotonic clock (Timestamp) read as time since the NTP epoch. RTCP
// needs only that each sender's NTP clock is steady (SR NTP<->RTP pairs, LSR/DLSR round trips);
// processes on one host share it, and so does everything in one simulation, which is what lets a
// receiver measure end-to-end latency from the abs-capture-time extension.
inline NtpTime NtpFromTimestamp(Timestamp at) {
  return NtpTime::FromTimeSinceEpoch(at - Timestamp::Zero());
}
inline Timestamp TimestampFromNtp(NtpTime ntp) {
  return Timestamp::Zero() + ntp.ToTimeSinceEpoch();
}

// Compact NTP (1/65536 s units) to and from durations. Durations are clamped to what the 32-bit
// field carries (0 to about 65536 s).
TimeDelta CompactNtpToTimeDelta(uint32_t compact);
uint32_t TimeDeltaToCompactNtp(TimeDelta delta);

// Round-trip time from a report block or DLRR sub-block (RFC 3550 §6.4.1, RFC 3611 §4.5):
// RTT = A - LSR - DLSR, where A is the compact NTP time the report arrived. A result that would
// be negative (clock jumps, bogus reports) is clamped to zero.
TimeDelta RoundTripFromCompactNtp(uint32_t arrival_compact, uint32_t last_report,
                                  uint32_t delay_since_last_report);

}  // namespace comodal

#endif  // TRANSPORT_TIME_NTP_TIME_H_
