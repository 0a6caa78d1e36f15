#include "transport/link/rain_fade.h"

#include <algorithm>
#include <array>
#include <set>

#include "transport/link/piecewise_linear.h"

namespace comodal::link {
namespace {

// ETSI EN 302 307-1 V1.4.1, Table 13: spectral efficiency (information bits per symbol, normal
// FECFRAME, no pilots) and ideal Es/N0 for a packet error rate of 1e-7 on AWGN.
constexpr std::array<Modcod, 28> kDvbS2Modcods = {{
    {"QPSK 1/4", 0.490243, -2.35},    {"QPSK 1/3", 0.656448, -1.24},
    {"QPSK 2/5", 0.789412, -0.30},    {"QPSK 1/2", 0.988858, 1.00},
    {"QPSK 3/5", 1.188304, 2.23},     {"QPSK 2/3", 1.322253, 3.10},
    {"QPSK 3/4", 1.487473, 4.03},     {"QPSK 4/5", 1.587196, 4.68},
    {"QPSK 5/6", 1.654663, 5.18},     {"QPSK 8/9", 1.766451, 6.20},
    {"QPSK 9/10", 1.788612, 6.42},    {"8PSK 3/5", 1.779991, 5.50},
    {"8PSK 2/3", 1.980636, 6.62},     {"8PSK 3/4", 2.228124, 7.91},
    {"8PSK 5/6", 2.478562, 9.35},     {"8PSK 8/9", 2.646012, 10.69},
    {"8PSK 9/10", 2.679207, 10.98},   {"16APSK 2/3", 2.637201, 8.97},
    {"16APSK 3/4", 2.966728, 10.21},  {"16APSK 4/5", 3.165623, 11.03},
    {"16APSK 5/6", 3.300184, 11.61},  {"16APSK 8/9", 3.523143, 12.89},
    {"16APSK 9/10", 3.567342, 13.13}, {"32APSK 3/4", 3.703295, 12.73},
    {"32APSK 4/5", 3.951571, 13.64},  {"32APSK 5/6", 4.119540, 14.28},
    {"32APSK 8/9", 4.397854, 15.69},  {"32APSK 9/10", 4.453027, 16.05},
}};

}  // namespace

std::span<const Modcod> DvbS2Modcods() { return kDvbS2Modcods; }

const Modcod* BestModcod(double esn0_db) {
  const Modcod* best = nullptr;
  for (const Modcod& modcod : kDvbS2Modcods) {
    if (modcod.required_esn0_db <= esn0_db &&
        (best == nullptr || modcod.bits_per_symbol > best->bits_per_symbol)) {
      best = &modcod;
    }
  }
  return best;
}

Result<CapacitySchedule, std::string> ApplyRainFade(const CapacitySchedule& clear_sky,
                                                    const RainFadeConfig& fade) {
  if (clear_sky.repeat_period() > TimeDelta::Zero()) {
    return std::string("a rain fade cannot scale a looping capacity trace");
  }
  if (fade.attenuation.empty()) return std::string("the attenuation profile has no point");
  if (fade.sample <= TimeDelta::Zero()) return std::string("the sample period must be > 0");
  const Modcod* clear = BestModcod(fade.clear_sky_esn0_db);
  if (clear == nullptr) {
    return "clear-sky Es/N0 of " + std::to_string(fade.clear_sky_esn0_db) +
           " dB is below every DVB-S2 MODCOD (the most robust needs -2.35 dB)";
  }

  // The ACM loop: each sample, step down at once to what the signal still decodes, step up only
  // with `hysteresis_db` to spare.
  std::vector<std::pair<TimeDelta, double>> factors;  // (from, capacity factor)
  const Modcod* current = clear;
  const TimeDelta end = fade.attenuation.back().at + fade.sample;
  for (TimeDelta t = TimeDelta::Zero(); t <= end; t += fade.sample) {
    const double esn0 =
        fade.clear_sky_esn0_db -
        PiecewiseLinearAt(fade.attenuation, &RainFadeConfig::Point::attenuation_db, t);
    const Modcod* decodable = BestModcod(esn0);
    if (decodable == nullptr ||
        (current != nullptr && decodable->bits_per_symbol < current->bits_per_symbol)) {
      current = decodable;
    } else if (decodable != current) {
      const Modcod* up = BestModcod(esn0 - fade.hysteresis_db);
      if (up != nullptr && (current == nullptr || up->bits_per_symbol > current->bits_per_symbol)) {
        current = up;
      }
    }
    const double factor =
        current == nullptr ? 0 : current->bits_per_symbol / clear->bits_per_symbol;
    if (factors.empty() || factors.back().second != factor) factors.emplace_back(t, factor);
  }

  // Multiply the two step functions on the union of their step times.
  std::set<TimeDelta> times;
  for (const auto& step : clear_sky.steps()) times.insert(step.at);
  for (const auto& [at, factor] : factors) times.insert(at);
  std::vector<CapacitySchedule::Step> steps;
  auto factor_at = [&factors](TimeDelta t) {
    double factor = 1;
    for (const auto& [at, f] : factors) {
      if (at > t) break;
      factor = f;
    }
    return factor;
  };
  for (TimeDelta t : times) {
    const DataRate rate = clear_sky.RateAt(t) * factor_at(t);
    if (steps.empty() || steps.back().rate != rate) steps.push_back({t, rate});
  }
  return CapacitySchedule(std::move(steps));
}

}  // namespace comodal::link
