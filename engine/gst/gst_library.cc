#include "engine/gst/gst_library.h"

#include <gst/gst.h>

#include <mutex>
#include <string>

namespace comodal::engine {

Result<bool, std::string> InitGStreamer() {
  static std::once_flag once;
  static std::string failure;  // Empty: initialised.
  std::call_once(once, [] {
    GError* error = nullptr;
    if (!gst_init_check(nullptr, nullptr, &error)) {
      failure = std::string("gst_init failed: ") + (error ? error->message : "unknown error");
      if (error) g_error_free(error);
    }
  });
  if (!failure.empty()) return failure;
  return true;
}

bool HasGStreamerElement(const std::string& factory) {
  if (!InitGStreamer().ok()) return false;
  GstElementFactory* found = gst_element_factory_find(factory.c_str());
  if (found == nullptr) return false;
  gst_object_unref(found);
  return true;
}

LibraryCheck CheckGStreamer() {
  LibraryCheck check{"GStreamer", "", false, ""};
  if (auto init = InitGStreamer(); !init.ok()) {
    check.detail = init.error();
    return check;
  }
  gchar* version = gst_version_string();
  check.version = version;
  g_free(version);

  // Edges of the engine (appsrc/appsink and the converters the sources append: see
  // gst_video_source.h, gst_audio_source.h), file input (decodebin), the headless default sink,
  // the deterministic test media of DESIGN.md, and the plain RTP pipeline the benchmarks compare
  // against.
  static constexpr const char* kElements[] = {
      "appsrc",        "appsink",   "videoconvert", "videoscale",   "videorate",    "audioconvert",
      "audioresample", "decodebin", "fakesink",     "videotestsrc", "audiotestsrc", "textoverlay",
      "udpsrc",        "udpsink",   "rtpvp8pay",    "vp8enc"};
  std::string missing;
  for (const char* name : kElements) {
    if (!HasGStreamerElement(name)) missing += std::string(missing.empty() ? "" : ", ") + name;
  }
  check.ok = missing.empty();
  check.detail = check.ok ? "elements present: appsrc, appsink, converters, decodebin, test "
                            "sources, RTP/UDP, vp8enc"
                          : "missing elements: " + missing +
                                " (install gstreamer1.0-plugins-base/-good/-bad and gstreamer1.0-x "
                                "for textoverlay)";
  return check;
}

}  // namespace comodal::engine
