#ifndef APPS_CLASS_FILE_H_
#define APPS_CLASS_FILE_H_

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "session/class/roster.h"
#include "transport/base/result.h"
#include "transport/srtp/certificate.h"

namespace comodal::apps {

// A site enrolled ahead of the lesson: its node id, a name people know it by, and the SHA-256
// fingerprint of its box's certificate, which the hub pins (as `--peer-fingerprint` does).
struct EnrolledSite {
  uint32_t node = 0;
  std::string name;
  CertificateFingerprint fingerprint{std::array<uint8_t, CertificateFingerprint::kSize>{}};
};

// A class, as the hub and every site load it before the lesson (DESIGN.md: enrollment and
// permissions): the hub's node, the enrolled sites, and the participants with their roles. Pupils
// are known only by the display name their tutor chose.
struct ClassDefinition {
  std::string name;
  uint32_t hub_node = 1;
  std::vector<EnrolledSite> sites;
  session::Roster roster;
};

// Reads a class file (TOML, docs/operator-guide.md). Every error names the file, the line and
// the key: "class.toml:12: [[participants]] role must be teacher, tutor or pupil, got "pilot"".
Result<ClassDefinition, std::string> ParseClassFile(std::string_view text, std::string_view source);
Result<ClassDefinition, std::string> LoadClassFile(const std::string& path);

struct ClassCheckOptions {
  std::string file;
};
// `comodal class --check FILE`: reads the file and prints what it enrolls. Exit status: 0 the
// file is valid, 1 it is not (the error says where), 2 bad arguments.
int RunClassCheck(const ClassCheckOptions& options, std::ostream& out, std::ostream& err);

}  // namespace comodal::apps

#endif  // APPS_CLASS_FILE_H_
