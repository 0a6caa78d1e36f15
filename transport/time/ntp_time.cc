#include "transport/time/ntp_time.h"

namespace comodal {

NtpTime NtpTime::FromTimeSinceEpoch(TimeDelta since_epoch) {
  if (since_epoch <= TimeDelta::Zero()) return NtpTime(0);
  uint64_t us = static_cast<uint64_t>(since_epoch.us());
  uint64_t seconds = us / 1'000'000;
  uint64_t rest_us = us % 1'000'000;
  uint64_t fractions = ((rest_us << 32) + 500'000) / 1'000'000;
  return NtpTime((seconds << 32) + fractions);
}

TimeDelta NtpTime::ToTimeSinceEpoch() const {
  uint64_t us_fraction = (uint64_t{fractions()} * 1'000'000 + (1ull << 31)) >> 32;
  return TimeDelta::Micros(int64_t{seconds()} * 1'000'000 + static_cast<int64_t>(us_fraction));
}

TimeDelta CompactNtpToTimeDelta(uint32_t compact) {
  return TimeDelta::Micros((uint64_t{compact} * 1'000'000 + (1u << 15)) >> 16);
}

uint32_t TimeDeltaToCompactNtp(TimeDelta delta) {
  if (delta <= TimeDelta::Zero()) return 0;
  uint64_t units = (static_cast<uint64_t>(delta.us()) * 65536 + 500'000) / 1'000'000;
  return units > 0xFFFFFFFFull ? 0xFFFFFFFFu : static_cast<uint32_t>(units);
}

TimeDelta RoundTripFromCompactNtp(uint32_t arrival_compact, uint32_t last_report,
                                  uint32_t delay_since_last_report) {
  // Modular arithmetic handles the 16-bit seconds wrap; a "negative" result shows up as a huge
  // unsigned value (top bit set).
  uint32_t rtt = arrival_compact - last_report - delay_since_last_report;
  if (rtt & 0x80000000u) return TimeDelta::Zero();
  return CompactNtpToTimeDelta(rtt);
}

}  // namespace comodal
