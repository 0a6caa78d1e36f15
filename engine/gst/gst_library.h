#ifndef ENGINE_GST_GST_LIBRARY_H_
#define ENGINE_GST_GST_LIBRARY_H_

#include <string>

#include "transport/base/library_check.h"
#include "transport/base/result.h"

namespace comodal::engine {

// Initialises GStreamer once per process (later calls return the first outcome). Every edge of
// the engine calls it before building a pipeline.
Result<bool, std::string> InitGStreamer();

// Whether GStreamer can make an element of this factory (e.g. "v4l2src"): installed plugin, and
// GStreamer initialised. False when GStreamer cannot start.
bool HasGStreamerElement(const std::string& factory);

// GStreamer: version, initialisation, and the elements comodal's pipelines are built from.
LibraryCheck CheckGStreamer();

}  // namespace comodal::engine

#endif  // ENGINE_GST_GST_LIBRARY_H_
