#ifndef ENGINE_GST_GST_LIBRARY_H_
#define ENGINE_GST_GST_LIBRARY_H_

#include "transport/base/library_check.h"

namespace comodal::engine {

// GStreamer: version, initialisation, and the elements comodal's pipelines are built from.
LibraryCheck CheckGStreamer();

}  // namespace comodal::engine

#endif  // ENGINE_GST_GST_LIBRARY_H_
