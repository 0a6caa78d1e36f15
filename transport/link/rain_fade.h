#ifndef TRANSPORT_LINK_RAIN_FADE_H_
#define TRANSPORT_LINK_RAIN_FADE_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "transport/base/result.h"
#include "transport/link/capacity_schedule.h"
#include "transport/units/time_delta.h"

namespace comodal::link {

// One DVB-S2 modulation and coding combination: what it carries per symbol and the Es/N0 it
// needs to decode.
struct Modcod {
  std::string_view name;
  double bits_per_symbol;  // Spectral efficiency.
  double required_esn0_db;
};

// DVB-S2 normal-frame MODCODs, ideal Es/N0 on an AWGN channel (ETSI EN 302 307-1, Table 13).
std::span<const Modcod> DvbS2Modcods();

// A rain fade as a terminal with adaptive coding and modulation lives it: rain attenuation over
// time (piecewise linear between points, in dB), the Es/N0 the terminal has in clear sky, and
// the margin by which the signal must clear a faster MODCOD's threshold before the terminal steps
// up to it (so capacity does not flap at a threshold).
struct RainFadeConfig {
  double clear_sky_esn0_db = 0;
  struct Point {
    TimeDelta at;
    double attenuation_db;
  };
  std::vector<Point> attenuation;  // Increasing `at`, held after the last point.
  double hysteresis_db = 0.5;
  TimeDelta sample = TimeDelta::Millis(500);  // How often the ACM loop re-picks its MODCOD.
};

// The clear-sky capacity schedule scaled, step by step, by efficiency(MODCOD in use) /
// efficiency(clear-sky MODCOD); zero while the signal is below the most robust MODCOD. The
// clear-sky schedule must not repeat (a looping trace has no clear-sky rate to scale).
Result<CapacitySchedule, std::string> ApplyRainFade(const CapacitySchedule& clear_sky,
                                                    const RainFadeConfig& fade);

// The fastest MODCOD decodable at `esn0_db`, or nullptr below every threshold.
const Modcod* BestModcod(double esn0_db);

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_RAIN_FADE_H_
