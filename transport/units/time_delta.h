#ifndef TRANSPORT_UNITS_TIME_DELTA_H_
#define TRANSPORT_UNITS_TIME_DELTA_H_

#include <ostream>
#include <string>

#include "transport/units/unit_base.h"

namespace comodal {

// A signed duration with microsecond resolution.
class TimeDelta final : public units_internal::RelativeUnit<TimeDelta> {
 public:
  template <typename T>
  static constexpr TimeDelta Seconds(T value) {
    return TimeDelta(units_internal::ToBase(value, 1'000'000));
  }
  template <typename T>
  static constexpr TimeDelta Millis(T value) {
    return TimeDelta(units_internal::ToBase(value, 1'000));
  }
  template <typename T>
  static constexpr TimeDelta Micros(T value) {
    return TimeDelta(units_internal::ToBase(value, 1));
  }

  // Rounded to nearest; infinities come back as the int64 extremes.
  constexpr int64_t seconds() const { return units_internal::DivideRounded(base(), 1'000'000); }
  constexpr int64_t ms() const { return units_internal::DivideRounded(base(), 1'000); }
  constexpr int64_t us() const { return base(); }
  constexpr double seconds_f() const { return base_as_double() / 1e6; }
  constexpr double ms_f() const { return base_as_double() / 1e3; }

 private:
  friend class units_internal::UnitBase<TimeDelta>;
  friend class units_internal::RelativeUnit<TimeDelta>;
  friend class Timestamp;
  using RelativeUnit::RelativeUnit;
};

std::string ToString(TimeDelta value);
inline std::ostream& operator<<(std::ostream& os, TimeDelta value) { return os << ToString(value); }

}  // namespace comodal

#endif  // TRANSPORT_UNITS_TIME_DELTA_H_
