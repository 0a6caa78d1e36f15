#ifndef TRANSPORT_UNITS_UNIT_BASE_H_
#define TRANSPORT_UNITS_UNIT_BASE_H_

#include <cmath>
#include <compare>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace comodal::units_internal {

inline constexpr int64_t kPlusInfinityValue = std::numeric_limits<int64_t>::max();
inline constexpr int64_t kMinusInfinityValue = std::numeric_limits<int64_t>::min();

// Converts a count of `from` units into base units (multiplying by `factor`), rounding floating
// inputs to nearest and mapping NaN-free infinities and overflow to the unit's infinities.
template <typename T>
constexpr int64_t ToBase(T value, int64_t factor) {
  if constexpr (std::is_floating_point_v<T>) {
    long double scaled = static_cast<long double>(value) * factor;
    if (scaled >= static_cast<long double>(kPlusInfinityValue)) return kPlusInfinityValue;
    if (scaled <= static_cast<long double>(kMinusInfinityValue)) return kMinusInfinityValue;
    return static_cast<int64_t>(scaled < 0 ? scaled - 0.5L : scaled + 0.5L);
  } else {
    static_assert(std::is_integral_v<T> || std::is_same_v<T, __int128>,
                  "units are made from numbers");
    __int128 scaled = static_cast<__int128>(value) * factor;
    if (scaled >= kPlusInfinityValue) return kPlusInfinityValue;
    if (scaled <= kMinusInfinityValue) return kMinusInfinityValue;
    return static_cast<int64_t>(scaled);
  }
}

// Base-unit count divided by `divisor`, rounded to nearest (halves away from zero).
constexpr int64_t DivideRounded(int64_t value, int64_t divisor) {
  if (value == kPlusInfinityValue || value == kMinusInfinityValue) return value;
  int64_t half = divisor / 2;
  return value >= 0 ? (value + half) / divisor : (value - half) / divisor;
}

// Shared behaviour of all quantity types: a signed 64-bit count of base units, with the extreme
// values standing for plus and minus infinity. Derived types add named factories and accessors.
template <typename Unit>
class UnitBase {
 public:
  UnitBase() = delete;

  static constexpr Unit Zero() { return Unit(0); }
  static constexpr Unit PlusInfinity() { return Unit(kPlusInfinityValue); }
  static constexpr Unit MinusInfinity() { return Unit(kMinusInfinityValue); }

  constexpr bool IsZero() const { return value_ == 0; }
  constexpr bool IsFinite() const { return !IsInfinite(); }
  constexpr bool IsInfinite() const {
    return value_ == kPlusInfinityValue || value_ == kMinusInfinityValue;
  }
  constexpr bool IsPlusInfinity() const { return value_ == kPlusInfinityValue; }
  constexpr bool IsMinusInfinity() const { return value_ == kMinusInfinityValue; }

  friend constexpr bool operator==(const UnitBase&, const UnitBase&) = default;
  friend constexpr auto operator<=>(const UnitBase&, const UnitBase&) = default;

 protected:
  constexpr explicit UnitBase(int64_t value) : value_(value) {}

  constexpr int64_t base() const { return value_; }
  // Base units as a double, with infinities as IEEE infinities.
  constexpr double base_as_double() const {
    if (value_ == kPlusInfinityValue) return std::numeric_limits<double>::infinity();
    if (value_ == kMinusInfinityValue) return -std::numeric_limits<double>::infinity();
    return static_cast<double>(value_);
  }
  static constexpr Unit FromBase(int64_t value) { return Unit(value); }
  // Saturating add of two base counts; +inf + -inf is not defined and yields +inf.
  static constexpr int64_t AddBase(int64_t a, int64_t b) {
    if (a == kPlusInfinityValue || b == kPlusInfinityValue) return kPlusInfinityValue;
    if (a == kMinusInfinityValue || b == kMinusInfinityValue) return kMinusInfinityValue;
    int64_t out = 0;
    if (__builtin_add_overflow(a, b, &out)) {
      return a > 0 ? kPlusInfinityValue : kMinusInfinityValue;
    }
    return out;
  }
  static constexpr int64_t NegateBase(int64_t a) {
    if (a == kPlusInfinityValue) return kMinusInfinityValue;
    if (a == kMinusInfinityValue) return kPlusInfinityValue;
    return -a;
  }

 private:
  int64_t value_;
};

// A quantity that can be added, subtracted and scaled (a duration, a size, a rate), as opposed
// to a point in time.
template <typename Unit>
class RelativeUnit : public UnitBase<Unit> {
 public:
  using UnitBase<Unit>::UnitBase;

  constexpr Unit operator-() const { return Unit::FromBase(this->NegateBase(this->base())); }
  constexpr Unit operator+(Unit other) const {
    return Unit::FromBase(this->AddBase(this->base(), other.base()));
  }
  constexpr Unit operator-(Unit other) const {
    return Unit::FromBase(this->AddBase(this->base(), this->NegateBase(other.base())));
  }
  constexpr Unit& operator+=(Unit other) { return Self() = *this + other; }
  constexpr Unit& operator-=(Unit other) { return Self() = *this - other; }

  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  constexpr Unit operator*(T scalar) const {
    if (this->IsInfinite()) {
      if (scalar == 0) return Unit::FromBase(0);
      return (scalar > 0) == this->IsPlusInfinity() ? Unit::PlusInfinity() : Unit::MinusInfinity();
    }
    if constexpr (std::is_floating_point_v<T>) {
      return Unit::FromBase(ToBase(static_cast<long double>(this->base()) * scalar, 1));
    } else {
      return Unit::FromBase(ToBase(static_cast<__int128>(this->base()) * scalar, 1));
    }
  }
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  friend constexpr Unit operator*(T scalar, Unit unit) {
    return unit * scalar;
  }
  template <typename T, typename = std::enable_if_t<std::is_arithmetic_v<T>>>
  constexpr Unit operator/(T divisor) const {
    if (this->IsInfinite()) {
      return (divisor >= 0) == this->IsPlusInfinity() ? Unit::PlusInfinity()
                                                      : Unit::MinusInfinity();
    }
    if constexpr (std::is_floating_point_v<T>) {
      return Unit::FromBase(ToBase(static_cast<long double>(this->base()) / divisor, 1));
    } else {
      return Unit::FromBase(this->base() / divisor);
    }
  }
  // Ratio of two quantities of the same kind.
  constexpr double operator/(Unit other) const {
    return this->base_as_double() / other.base_as_double();
  }

  constexpr Unit Abs() const { return this->base() < 0 ? -Self() : Self(); }
  static constexpr Unit Clamp(Unit value, Unit low, Unit high) {
    return value < low ? low : (value > high ? high : value);
  }

 private:
  constexpr Unit& Self() { return static_cast<Unit&>(*this); }
  constexpr const Unit& Self() const { return static_cast<const Unit&>(*this); }
};

}  // namespace comodal::units_internal

#endif  // TRANSPORT_UNITS_UNIT_BASE_H_
