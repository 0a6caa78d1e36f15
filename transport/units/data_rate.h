#ifndef TRANSPORT_UNITS_DATA_RATE_H_
#define TRANSPORT_UNITS_DATA_RATE_H_

#include <ostream>
#include <string>

#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"
#include "transport/units/unit_base.h"

namespace comodal {

// A bit rate, counted in bits per second.
class DataRate final : public units_internal::RelativeUnit<DataRate> {
 public:
  template <typename T>
  static constexpr DataRate BitsPerSec(T value) {
    return DataRate(units_internal::ToBase(value, 1));
  }
  template <typename T>
  static constexpr DataRate KilobitsPerSec(T value) {
    return DataRate(units_internal::ToBase(value, 1'000));
  }
  template <typename T>
  static constexpr DataRate MegabitsPerSec(T value) {
    return DataRate(units_internal::ToBase(value, 1'000'000));
  }

  constexpr int64_t bps() const { return base(); }
  constexpr int64_t kbps() const { return units_internal::DivideRounded(base(), 1'000); }
  constexpr double bps_f() const { return base_as_double(); }
  constexpr double kbps_f() const { return base_as_double() / 1e3; }

 private:
  friend class units_internal::UnitBase<DataRate>;
  friend class units_internal::RelativeUnit<DataRate>;
  using RelativeUnit::RelativeUnit;
};

// Cross-unit arithmetic: size = rate x time, rate = size / time, time = size / rate.
// Infinite or zero operands give the limits one expects (x / 0 = inf, inf x t = inf).
namespace units_internal {
constexpr int64_t MulDivRounded(int64_t a, int64_t b, int64_t divisor) {
  __int128 product = static_cast<__int128>(a) * b;
  __int128 half = divisor / 2;
  __int128 q = product >= 0 ? (product + half) / divisor : (product - half) / divisor;
  if (q >= kPlusInfinityValue) return kPlusInfinityValue;
  if (q <= kMinusInfinityValue) return kMinusInfinityValue;
  return static_cast<int64_t>(q);
}
}  // namespace units_internal

constexpr DataSize operator*(DataRate rate, TimeDelta duration) {
  if (rate.IsInfinite() || duration.IsInfinite()) {
    if (rate.IsZero() || duration.IsZero()) return DataSize::Zero();
    return ((rate > DataRate::Zero()) == (duration > TimeDelta::Zero()))
               ? DataSize::PlusInfinity()
               : DataSize::MinusInfinity();
  }
  // bits/s * us / 8e6 = bytes
  return DataSize::Bytes(units_internal::MulDivRounded(rate.bps(), duration.us(), 8'000'000));
}
constexpr DataSize operator*(TimeDelta duration, DataRate rate) { return rate * duration; }

constexpr DataRate operator/(DataSize size, TimeDelta duration) {
  if (size.IsInfinite() || duration.IsZero()) {
    return (size >= DataSize::Zero()) == (duration >= TimeDelta::Zero())
               ? DataRate::PlusInfinity()
               : DataRate::MinusInfinity();
  }
  if (duration.IsInfinite()) return DataRate::Zero();
  return DataRate::BitsPerSec(
      units_internal::MulDivRounded(size.bytes(), 8'000'000, duration.us()));
}

constexpr TimeDelta operator/(DataSize size, DataRate rate) {
  if (size.IsInfinite() || rate.IsZero()) {
    return (size >= DataSize::Zero()) == (rate >= DataRate::Zero()) ? TimeDelta::PlusInfinity()
                                                                    : TimeDelta::MinusInfinity();
  }
  if (rate.IsInfinite()) return TimeDelta::Zero();
  return TimeDelta::Micros(units_internal::MulDivRounded(size.bytes(), 8'000'000, rate.bps()));
}

std::string ToString(DataRate value);
inline std::ostream& operator<<(std::ostream& os, DataRate value) { return os << ToString(value); }

}  // namespace comodal

#endif  // TRANSPORT_UNITS_DATA_RATE_H_
