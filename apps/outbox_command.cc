#include "apps/outbox_command.h"

#include <ctime>
#include <filesystem>
#include <iomanip>

#include "session/store/operation_store.h"
#include "session/sync/outbox.h"

namespace comodal::apps {
namespace {

std::string Utc(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return text;
}

}  // namespace

int RunOutbox(const OutboxOptions& options, std::ostream& out, std::ostream& err) {
  if (options.store.empty() || options.node == 0) {
    err << "comodal outbox: --store FILE and --node N (the site's node id, above 0) are needed\n";
    return 2;
  }
  // Opening creates a missing file: a mistyped path would show an empty outbox.
  std::error_code error;
  if (!std::filesystem::is_regular_file(options.store, error)) {
    err << "comodal outbox: " << options.store << ": no such store\n";
    return 1;
  }
  auto store = session::OperationStore::Open(options.store);
  if (!store.ok()) {
    err << "comodal outbox: " << store.error() << "\n";
    return 1;
  }
  auto ops = (*store)->LoadAll();
  if (!ops.ok()) {
    err << "comodal outbox: " << ops.error() << "\n";
    return 1;
  }
  auto known = (*store)->LoadPeerVersion(options.hub);
  if (!known.ok()) {
    err << "comodal outbox: " << known.error() << "\n";
    return 1;
  }
  const session::VersionVector held = known->value_or(session::VersionVector());
  const std::vector<session::OutboxEntry> waiting =
      session::ComputeOutbox(*ops, options.node, held);
  uint64_t total = 0;
  for (const session::OutboxEntry& entry : waiting) total += entry.operations;
  out << "node " << options.node << ": " << total << " operation" << (total == 1 ? "" : "s")
      << " waiting to be sent to the hub";
  out << (*known ? " (as of the hub's last hello)\n"
                 : " (the hub has not been heard from with this store)\n");
  for (const session::OutboxEntry& entry : waiting) {
    out << "  " << std::left << std::setw(13) << session::ActivityName(entry.activity) << std::right
        << std::setw(7) << entry.operations << "  oldest " << Utc(entry.oldest.wall_ms) << "\n";
  }
  return 0;
}

}  // namespace comodal::apps
