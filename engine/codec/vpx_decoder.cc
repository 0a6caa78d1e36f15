#include "engine/codec/vpx_decoder.h"

#include <vpx/vp8dx.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vpx_image.h>

#include <cstring>
#include <utility>

namespace comodal::engine {
namespace {

const char* CodecName(VideoCodec codec) { return codec == VideoCodec::kVp8 ? "VP8" : "VP9"; }

std::string LibvpxError(const std::string& what, vpx_codec_ctx_t* ctx, vpx_codec_err_t err) {
  std::string message = what + ": " + vpx_codec_err_to_string(err);
  const char* detail = vpx_codec_error_detail(ctx);
  if (detail != nullptr && *detail != '\0') message += std::string(" (") + detail + ")";
  return message;
}

// Copies `rows` rows of `width` bytes from a strided plane into a packed one.
uint8_t* CopyPlane(const uint8_t* source, int stride, int width, int rows, uint8_t* out) {
  for (int row = 0; row < rows; ++row) {
    std::memcpy(out, source + static_cast<ptrdiff_t>(row) * stride, static_cast<size_t>(width));
    out += width;
  }
  return out;
}

}  // namespace

struct VpxDecoder::Context {
  vpx_codec_ctx_t codec{};
  bool initialized = false;
  ~Context() {
    if (initialized) vpx_codec_destroy(&codec);
  }
};

VpxDecoder::VpxDecoder(VideoCodec codec, std::unique_ptr<Context> context)
    : codec_(codec), context_(std::move(context)) {}
VpxDecoder::~VpxDecoder() = default;

Result<std::unique_ptr<VpxDecoder>, std::string> VpxDecoder::Create(VideoCodec codec, int threads) {
  if (codec != VideoCodec::kVp8 && codec != VideoCodec::kVp9) {
    return "VpxDecoder: unsupported codec " + std::to_string(static_cast<int>(codec));
  }
  if (threads < 1 || threads > 16) {
    return "VpxDecoder: threads must be 1..16, got " + std::to_string(threads);
  }
  auto context = std::make_unique<Context>();
  vpx_codec_dec_cfg_t cfg{};
  cfg.threads = static_cast<unsigned>(threads);
  // Width and height stay 0: the decoder takes them from each keyframe (and VP9 from each frame).
  vpx_codec_iface_t* iface = codec == VideoCodec::kVp8 ? vpx_codec_vp8_dx() : vpx_codec_vp9_dx();
  const vpx_codec_err_t err = vpx_codec_dec_init(&context->codec, iface, &cfg, 0);
  if (err != VPX_CODEC_OK) {
    std::string message =
        LibvpxError(std::string(CodecName(codec)) + " decoder init", &context->codec, err);
    vpx_codec_destroy(&context->codec);
    return message;
  }
  context->initialized = true;
  return std::unique_ptr<VpxDecoder>(new VpxDecoder(codec, std::move(context)));
}

Result<std::optional<RawVideoFrame>, std::string> VpxDecoder::Decode(
    const EncodedVideoFrame& frame) {
  ++stats_.frames_in;
  vpx_codec_ctx_t* ctx = &context_->codec;
  auto fail = [&](const std::string& message) {
    ++stats_.errors;
    return std::string(CodecName(codec_)) + " frame " + std::to_string(frame.frame_id) + ": " +
           message;
  };
  if (frame.codec != codec_) return fail("frame is of the other codec");
  if (frame.data.empty()) return fail("no data");
  const vpx_codec_err_t err = vpx_codec_decode(
      ctx, frame.data.data(), static_cast<unsigned>(frame.data.size()), nullptr, 0);
  if (err != VPX_CODEC_OK) return fail(LibvpxError("decode failed", ctx, err));
  // libvpx decodes a frame whose reference is missing or damaged without complaint and says so
  // only when asked: such a picture must not be shown.
  int corrupted = 0;
  if (vpx_codec_control(ctx, VP8D_GET_FRAME_CORRUPTED, &corrupted) == VPX_CODEC_OK && corrupted) {
    return fail("decoded from a missing or corrupted reference");
  }

  vpx_codec_iter_t iter = nullptr;
  const vpx_image_t* image = vpx_codec_get_frame(ctx, &iter);
  if (image == nullptr) return std::optional<RawVideoFrame>();
  if (image->fmt != VPX_IMG_FMT_I420) return fail("decoded picture is not I420");
  // The image belongs to the decoder and stays valid until the next decode call; copy it out.
  RawVideoFrame out;
  out.width = static_cast<int>(image->d_w);
  out.height = static_cast<int>(image->d_h);
  out.capture_time = frame.capture_time;
  out.frame_id = frame.frame_id;
  out.i420.resize(RawVideoFrame::I420Size(out.width, out.height));
  const int chroma_width = (out.width + 1) / 2;
  const int chroma_height = (out.height + 1) / 2;
  uint8_t* write = out.i420.data();
  write = CopyPlane(image->planes[VPX_PLANE_Y], image->stride[VPX_PLANE_Y], out.width, out.height,
                    write);
  write = CopyPlane(image->planes[VPX_PLANE_U], image->stride[VPX_PLANE_U], chroma_width,
                    chroma_height, write);
  CopyPlane(image->planes[VPX_PLANE_V], image->stride[VPX_PLANE_V], chroma_width, chroma_height,
            write);
  ++stats_.frames_decoded;
  return std::optional<RawVideoFrame>(std::move(out));
}

}  // namespace comodal::engine
