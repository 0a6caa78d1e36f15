#ifndef TRANSPORT_UNITS_TIMESTAMP_H_
#define TRANSPORT_UNITS_TIMESTAMP_H_

#include <ostream>
#include <string>

#include "transport/units/time_delta.h"

namespace comodal {

// A point in time on some clock, with microsecond resolution. Only differences between
// timestamps of the same clock mean anything.
class Timestamp final : public units_internal::UnitBase<Timestamp> {
 public:
  template <typename T>
  static constexpr Timestamp Seconds(T value) {
    return Timestamp(units_internal::ToBase(value, 1'000'000));
  }
  template <typename T>
  static constexpr Timestamp Millis(T value) {
    return Timestamp(units_internal::ToBase(value, 1'000));
  }
  template <typename T>
  static constexpr Timestamp Micros(T value) {
    return Timestamp(units_internal::ToBase(value, 1));
  }

  constexpr int64_t seconds() const { return units_internal::DivideRounded(base(), 1'000'000); }
  constexpr int64_t ms() const { return units_internal::DivideRounded(base(), 1'000); }
  constexpr int64_t us() const { return base(); }
  constexpr double seconds_f() const { return base_as_double() / 1e6; }

  constexpr Timestamp operator+(TimeDelta delta) const {
    return Timestamp(AddBase(base(), delta.us()));
  }
  constexpr Timestamp operator-(TimeDelta delta) const {
    return Timestamp(AddBase(base(), NegateBase(delta.us())));
  }
  constexpr TimeDelta operator-(Timestamp other) const {
    return TimeDelta::Micros(AddBase(base(), NegateBase(other.base())));
  }
  constexpr Timestamp& operator+=(TimeDelta delta) { return *this = *this + delta; }
  constexpr Timestamp& operator-=(TimeDelta delta) { return *this = *this - delta; }

 private:
  friend class units_internal::UnitBase<Timestamp>;
  using UnitBase::UnitBase;
};

constexpr Timestamp operator+(TimeDelta delta, Timestamp at) { return at + delta; }

std::string ToString(Timestamp value);
inline std::ostream& operator<<(std::ostream& os, Timestamp value) { return os << ToString(value); }

}  // namespace comodal

#endif  // TRANSPORT_UNITS_TIMESTAMP_H_
