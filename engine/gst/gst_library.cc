#include "engine/gst/gst_library.h"

#include <gst/gst.h>

#include <string>

namespace comodal::engine {

LibraryCheck CheckGStreamer() {
  LibraryCheck check{"GStreamer", "", false, ""};
  GError* error = nullptr;
  if (!gst_init_check(nullptr, nullptr, &error)) {
    check.detail = std::string("gst_init failed: ") + (error ? error->message : "unknown");
    if (error) g_error_free(error);
    return check;
  }
  gchar* version = gst_version_string();
  check.version = version;
  g_free(version);

  // Edges of the engine (appsrc/appsink), the deterministic test media of DESIGN.md, and the
  // plain RTP pipeline the benchmarks compare against.
  static constexpr const char* kElements[] = {"appsrc",        "appsink",      "videotestsrc",
                                              "audiotestsrc",  "videoconvert", "audioconvert",
                                              "audioresample", "textoverlay",  "udpsrc",
                                              "udpsink",       "rtpvp8pay",    "vp8enc"};
  std::string missing;
  for (const char* name : kElements) {
    GstElementFactory* factory = gst_element_factory_find(name);
    if (factory == nullptr) {
      missing += std::string(missing.empty() ? "" : ", ") + name;
    } else {
      gst_object_unref(factory);
    }
  }
  check.ok = missing.empty();
  check.detail = check.ok ? "elements present: appsrc, appsink, test sources, RTP/UDP, vp8enc"
                          : "missing elements: " + missing +
                                " (install gstreamer1.0-plugins-base/-good/-bad and gstreamer1.0-x "
                                "for textoverlay)";
  return check;
}

}  // namespace comodal::engine
