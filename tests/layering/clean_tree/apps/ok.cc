// Fixture for the layer check test: apps may include every layer below it.
#include "engine/codec/opus.h"
#include "session/activity.h"
#include "transport/rtp/rtp_packet.h"
