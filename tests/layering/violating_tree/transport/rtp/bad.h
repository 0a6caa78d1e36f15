// Fixture for the layer check test: transport reaching up into the session layer.
#include "session/activity.h"
