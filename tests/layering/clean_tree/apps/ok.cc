// Fixture for the layer check test: apps may include every layer below it.
#include "session/activity.h"
#include "engine/codec/opus.h"
#include "transport/rtp/rtp_packet.h"
