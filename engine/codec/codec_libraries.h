#ifndef ENGINE_CODEC_CODEC_LIBRARIES_H_
#define ENGINE_CODEC_CODEC_LIBRARIES_H_

#include "transport/base/library_check.h"

namespace comodal::engine {

// libopus: version, and one 20 ms frame encoded at 48 kHz in VoIP mode.
LibraryCheck CheckLibOpus();
// libvpx: version, and that the VP8 and VP9 encoder and decoder interfaces are built in.
LibraryCheck CheckLibVpx();

}  // namespace comodal::engine

#endif  // ENGINE_CODEC_CODEC_LIBRARIES_H_
