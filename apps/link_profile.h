#ifndef APPS_LINK_PROFILE_H_
#define APPS_LINK_PROFILE_H_

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "transport/base/result.h"
#include "transport/link/link_model.h"

namespace comodal::apps {

// A satellite (or LAN) link for both directions of a site, read from TOML (docs/link-profiles.md
// describes the keys). The built-in profiles are the files of docs/profiles/, compiled in.
struct LinkProfile {
  std::string name;
  std::string description;
  std::string source;                  // The file it was read from, or "built-in".
  link::LinkDirectionConfig uplink;    // Site -> hub.
  link::LinkDirectionConfig downlink;  // Hub -> site.
};

// Parses a profile. `source` names the file in errors ("geo.toml:12: [uplink] capacity_kbps must
// be > 0, got -5"); relative trace paths are read from `base_dir` (empty: traces not allowed).
Result<LinkProfile, std::string> ParseLinkProfile(std::string_view text, std::string_view source,
                                                  const std::filesystem::path& base_dir);

// A built-in profile by name, or else a profile file by path.
Result<LinkProfile, std::string> LoadLinkProfile(std::string_view name_or_path);

struct BuiltinProfileText {
  std::string_view name;
  std::string_view toml;
};
// Generated at build time from docs/profiles/*.toml, sorted by name.
std::span<const BuiltinProfileText> BuiltinProfiles();

// One line of main figures: RTT, capacity each way, buffer, loss, and what else it models.
std::string SummarizeProfile(const LinkProfile& profile);

}  // namespace comodal::apps

#endif  // APPS_LINK_PROFILE_H_
