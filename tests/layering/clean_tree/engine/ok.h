// Fixture for the layer check test: engine may include transport.
#include "transport/units/time_delta.h"
