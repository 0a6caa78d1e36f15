// Fuzzes ParseClassFile (a lesson's enrollment file, typed by people): any text gets a class or
// an error naming the file, and a class always has a teacher at the hub, enrolled sites with
// distinct nodes, and names a person can read.
#include <cstdlib>
#include <set>
#include <string_view>

#include "apps/class_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = comodal::apps::ParseClassFile(text, "fuzz.toml");
  if (!parsed.ok()) {
    if (parsed.error().rfind("fuzz.toml", 0) != 0) std::abort();
    return 0;
  }
  std::set<uint32_t> nodes = {parsed->hub_node};
  for (const auto& site : parsed->sites) {
    if (!nodes.insert(site.node).second || site.name.empty() || site.name.size() > 64) {
      std::abort();
    }
  }
  bool teacher = false;
  for (const auto& [id, participant] : parsed->roster.participants()) {
    if (!nodes.contains(participant.node) || participant.display_name.empty()) std::abort();
    if (participant.role == comodal::session::Role::kTeacher) {
      if (participant.node != parsed->hub_node) std::abort();
      teacher = true;
    }
  }
  if (!teacher) std::abort();
  return 0;
}
