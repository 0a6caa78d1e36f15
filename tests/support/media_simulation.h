#ifndef TESTS_SUPPORT_MEDIA_SIMULATION_H_
#define TESTS_SUPPORT_MEDIA_SIMULATION_H_

#include "engine/sim/media_simulation.h"

namespace comodal::testing {

using engine::MediaSimulationConfig;
using engine::MediaSimulationResult;
using engine::RunMediaSimulation;

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_MEDIA_SIMULATION_H_
