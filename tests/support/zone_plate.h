#ifndef TESTS_SUPPORT_ZONE_PLATE_H_
#define TESTS_SUPPORT_ZONE_PLATE_H_

#include "engine/testsrc/zone_plate.h"

namespace comodal::testing {

using engine::ZonePlate;
inline constexpr Timestamp kStart = engine::kTestMediaStart;

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_ZONE_PLATE_H_
