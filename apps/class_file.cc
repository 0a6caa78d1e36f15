#include "apps/class_file.h"

#include <toml++/toml.h>

#include <fstream>
#include <set>
#include <sstream>

namespace comodal::apps {
namespace {

constexpr size_t kMaxSites = 100;
constexpr size_t kMaxParticipants = 5000;
constexpr size_t kMaxNameBytes = 64;

// Thrown inside the parser only, caught at its boundary and returned as an error value.
struct ClassError {
  std::string message;
};

class Reader {
 public:
  explicit Reader(std::string_view source) : source_(source) {}

  [[noreturn]] void Fail(const toml::node* node, std::string_view where,
                         const std::string& what) const {
    std::string message(source_);
    if (node != nullptr && node->source().begin.line > 0) {
      message += ":" + std::to_string(node->source().begin.line);
    }
    throw ClassError{message + ": " + std::string(where) + " " + what};
  }

  uint32_t Id(const toml::table& table, std::string_view where, std::string_view key,
              bool required = true, uint32_t otherwise = 0) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) {
      if (required) Fail(&table, where, std::string(key) + " is missing");
      return otherwise;
    }
    const auto value = node->value<int64_t>();
    if (!node->is_integer() || !value || *value < 1 || *value > 0xFFFFFFFF) {
      Fail(node, where, std::string(key) + " must be a whole number from 1 to 4294967295");
    }
    return static_cast<uint32_t>(*value);
  }

  // A name people read: 1 to 64 bytes, no control characters (the toml parser has checked the
  // UTF-8).
  std::string Name(const toml::table& table, std::string_view where, std::string_view key) const {
    const toml::node* node = table.get(key);
    if (node == nullptr) Fail(&table, where, std::string(key) + " is missing");
    const auto* text = node->as_string();
    if (text == nullptr) Fail(node, where, std::string(key) + " must be text");
    const std::string& name = text->get();
    if (name.empty() || name.size() > kMaxNameBytes) {
      Fail(node, where, std::string(key) + " must be 1 to 64 bytes long");
    }
    for (unsigned char c : name) {
      if (c < 0x20 || c == 0x7F) Fail(node, where, std::string(key) + " has a control character");
    }
    return name;
  }

  const toml::array* Array(const toml::table& root, std::string_view key) const {
    const toml::node* node = root.get(key);
    if (node == nullptr) return nullptr;
    const auto* array = node->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      Fail(node, key, "must be written [[" + std::string(key) + "]]");
    }
    return array;
  }

 private:
  std::string_view source_;
};

ClassDefinition Read(const toml::table& root, const Reader& reader) {
  static const std::set<std::string_view> kTopKeys = {"name", "hub_node", "sites", "participants"};
  for (const auto& [key, node] : root) {
    if (!kTopKeys.contains(key.str())) {
      reader.Fail(&node, "key", std::string(key.str()) + " is not a class file key");
    }
  }
  ClassDefinition result;
  result.name = reader.Name(root, "class", "name");
  result.hub_node = reader.Id(root, "class", "hub_node", /*required=*/false, 1);

  std::set<uint32_t> nodes = {result.hub_node};
  if (const toml::array* sites = reader.Array(root, "sites")) {
    if (sites->size() > kMaxSites) reader.Fail(sites, "[[sites]]", "more than 100 sites");
    for (const toml::node& node : *sites) {
      const toml::table& site = *node.as_table();
      EnrolledSite enrolled;
      enrolled.node = reader.Id(site, "[[sites]]", "node");
      if (!nodes.insert(enrolled.node).second) {
        reader.Fail(&site, "[[sites]]",
                    "node " + std::to_string(enrolled.node) + " is the hub's or another site's");
      }
      enrolled.name = reader.Name(site, "[[sites]]", "name");
      const toml::node* fingerprint = site.get("fingerprint");
      if (fingerprint == nullptr || !fingerprint->is_string()) {
        reader.Fail(fingerprint ? fingerprint : &site, "[[sites]]",
                    "fingerprint must be the site certificate's SHA-256 (comodal cert --show)");
      }
      auto parsed = CertificateFingerprint::Parse(**fingerprint->as_string());
      if (!parsed.ok()) reader.Fail(fingerprint, "[[sites]]", "fingerprint: " + parsed.error());
      enrolled.fingerprint = *parsed;
      result.sites.push_back(std::move(enrolled));
    }
  }

  bool teacher = false;
  if (const toml::array* participants = reader.Array(root, "participants")) {
    if (participants->size() > kMaxParticipants) {
      reader.Fail(participants, "[[participants]]", "more than 5000 participants");
    }
    for (const toml::node& node : *participants) {
      const toml::table& entry = *node.as_table();
      session::Participant participant;
      participant.id = reader.Id(entry, "[[participants]]", "id");
      participant.display_name = reader.Name(entry, "[[participants]]", "name");
      const toml::node* role = entry.get("role");
      const std::string role_text = role && role->is_string() ? **role->as_string() : "";
      if (role_text == "teacher") {
        participant.role = session::Role::kTeacher;
      } else if (role_text == "tutor") {
        participant.role = session::Role::kTutor;
      } else if (role_text == "pupil") {
        participant.role = session::Role::kPupil;
      } else {
        reader.Fail(role ? role : &entry, "[[participants]]",
                    "role must be teacher, tutor or pupil" +
                        (role ? ", got \"" + role_text + "\"" : std::string()));
      }
      participant.node = reader.Id(entry, "[[participants]]", "site", false, result.hub_node);
      if (!nodes.contains(participant.node)) {
        reader.Fail(entry.get("site"), "[[participants]]",
                    "site " + std::to_string(participant.node) + " is not enrolled");
      }
      if (participant.role == session::Role::kTeacher && participant.node != result.hub_node) {
        reader.Fail(entry.get("site"), "[[participants]]", "a teacher takes part from the hub");
      }
      if (participant.role == session::Role::kTutor && participant.node == result.hub_node) {
        reader.Fail(&entry, "[[participants]]", "a tutor needs the site they are at");
      }
      teacher |= participant.role == session::Role::kTeacher;
      const uint32_t id = participant.id;
      if (!result.roster.Add(std::move(participant))) {
        reader.Fail(entry.get("id"), "[[participants]]",
                    "id " + std::to_string(id) + " is given twice");
      }
    }
  }
  if (!teacher) reader.Fail(nullptr, "[[participants]]", "no teacher");
  return result;
}

}  // namespace

Result<ClassDefinition, std::string> ParseClassFile(std::string_view text,
                                                    std::string_view source) {
  toml::table root;
  try {
    root = toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    return std::string(source) + ":" + std::to_string(error.source().begin.line) + ": " +
           std::string(error.description());
  }
  try {
    return Read(root, Reader(source));
  } catch (const ClassError& error) {
    return error.message;
  }
}

Result<ClassDefinition, std::string> LoadClassFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return path + ": cannot be read";
  std::ostringstream text;
  text << in.rdbuf();
  return ParseClassFile(text.str(), path);
}

int RunClassCheck(const ClassCheckOptions& options, std::ostream& out, std::ostream& err) {
  if (options.file.empty()) {
    err << "comodal class: --check FILE is needed\n";
    return 2;
  }
  Result<ClassDefinition, std::string> definition = LoadClassFile(options.file);
  if (!definition.ok()) {
    err << "comodal class: " << definition.error() << "\n";
    return 1;
  }
  size_t count[3] = {0, 0, 0};
  for (const auto& [id, participant] : definition->roster.participants()) {
    ++count[static_cast<size_t>(participant.role)];
  }
  out << definition->name << ": hub node " << definition->hub_node << ", "
      << definition->sites.size() << " site(s), " << count[0] << " teacher(s), " << count[1]
      << " tutor(s), " << count[2] << " pupil(s)\n";
  for (const EnrolledSite& site : definition->sites) {
    out << "  site " << site.node << " " << site.name << "  " << site.fingerprint.ToString()
        << "\n";
  }
  return 0;
}

}  // namespace comodal::apps
