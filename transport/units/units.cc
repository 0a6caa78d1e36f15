#include <string>

#include "transport/units/data_rate.h"
#include "transport/units/data_size.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {
namespace {

// "+inf <suffix>", "-inf <suffix>" or "<value> <suffix>".
template <typename Unit>
std::string Format(Unit value, int64_t count, const char* suffix) {
  if (value.IsPlusInfinity()) return std::string("+inf ") + suffix;
  if (value.IsMinusInfinity()) return std::string("-inf ") + suffix;
  return std::to_string(count) + " " + suffix;
}

}  // namespace

std::string ToString(TimeDelta value) {
  if (value.IsFinite() && value.us() % 1000 != 0) return Format(value, value.us(), "us");
  return Format(value, value.ms(), "ms");
}
std::string ToString(Timestamp value) {
  if (value.IsFinite() && value.us() % 1000 != 0) return Format(value, value.us(), "us");
  return Format(value, value.ms(), "ms");
}
std::string ToString(DataSize value) { return Format(value, value.bytes(), "bytes"); }
std::string ToString(DataRate value) { return Format(value, value.bps(), "bps"); }

}  // namespace comodal
