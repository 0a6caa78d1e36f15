#include "engine/codec/codec_libraries.h"

#include <opus/opus.h>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>
#include <vpx/vpx_codec.h>

#include <array>
#include <string>

namespace comodal::engine {

LibraryCheck CheckLibOpus() {
  LibraryCheck check{"libopus", opus_get_version_string(), false, ""};
  int error = OPUS_OK;
  OpusEncoder* encoder = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &error);
  if (encoder == nullptr || error != OPUS_OK) {
    check.detail = std::string("opus_encoder_create failed: ") + opus_strerror(error);
    return check;
  }
  std::array<opus_int16, 960> silence{};  // 20 ms at 48 kHz.
  std::array<unsigned char, 400> packet{};
  const opus_int32 bytes = opus_encode(encoder, silence.data(), static_cast<int>(silence.size()),
                                       packet.data(), static_cast<opus_int32>(packet.size()));
  opus_encoder_destroy(encoder);
  check.ok = bytes > 0;
  check.detail = check.ok ? "20 ms frame encoded at 48 kHz into " + std::to_string(bytes) + " bytes"
                          : std::string("opus_encode failed: ") + opus_strerror(bytes);
  return check;
}

LibraryCheck CheckLibVpx() {
  LibraryCheck check{"libvpx", vpx_codec_version_str(), false, ""};
  const bool vp8 = vpx_codec_vp8_cx() != nullptr && vpx_codec_vp8_dx() != nullptr;
  const bool vp9 = vpx_codec_vp9_cx() != nullptr && vpx_codec_vp9_dx() != nullptr;
  check.ok = vp8 && vp9;
  check.detail = check.ok ? "VP8 and VP9 encoders and decoders present"
                          : std::string("missing:") + (vp8 ? "" : " VP8") + (vp9 ? "" : " VP9");
  return check;
}

}  // namespace comodal::engine
