#ifndef TRANSPORT_UNITS_DATA_SIZE_H_
#define TRANSPORT_UNITS_DATA_SIZE_H_

#include <ostream>
#include <string>

#include "transport/units/unit_base.h"

namespace comodal {

// An amount of data, counted in bytes.
class DataSize final : public units_internal::RelativeUnit<DataSize> {
 public:
  template <typename T>
  static constexpr DataSize Bytes(T value) {
    return DataSize(units_internal::ToBase(value, 1));
  }
  template <typename T>
  static constexpr DataSize Kilobytes(T value) {
    return DataSize(units_internal::ToBase(value, 1'000));
  }
  template <typename T>
  static constexpr DataSize Megabytes(T value) {
    return DataSize(units_internal::ToBase(value, 1'000'000));
  }

  constexpr int64_t bytes() const { return base(); }
  constexpr double bytes_f() const { return base_as_double(); }
  constexpr double bits_f() const { return base_as_double() * 8; }

 private:
  friend class units_internal::UnitBase<DataSize>;
  friend class units_internal::RelativeUnit<DataSize>;
  using RelativeUnit::RelativeUnit;
};

std::string ToString(DataSize value);
inline std::ostream& operator<<(std::ostream& os, DataSize value) { return os << ToString(value); }

}  // namespace comodal

#endif  // TRANSPORT_UNITS_DATA_SIZE_H_
