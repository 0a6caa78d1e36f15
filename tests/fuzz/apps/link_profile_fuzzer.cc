// A link profile is a file users copy and edit: any bytes must give a profile or a clear error,
// never a crash, and a profile that loads must be usable by the link model.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "apps/link_profile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto profile = comodal::apps::ParseLinkProfile(text, "fuzz.toml", {});
  if (!profile.ok()) {
    if (profile.error().empty()) __builtin_trap();
    return 0;
  }
  (void)comodal::apps::SummarizeProfile(*profile);
  // Drive each direction briefly: a loaded profile never makes the model misbehave.
  for (const auto* config : {&profile->uplink, &profile->downlink}) {
    const comodal::Timestamp start = comodal::Timestamp::Seconds(1);
    comodal::link::LinkModel model(*config, start, 1);
    for (int i = 0; i < 20; ++i) {
      (void)model.Send({static_cast<uint64_t>(i), std::vector<uint8_t>(1200)},
                       start + comodal::TimeDelta::Millis(50 * i));
    }
    (void)model.DeliverDue(start + comodal::TimeDelta::Seconds(3600));
  }
  return 0;
}
