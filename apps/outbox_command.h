#ifndef APPS_OUTBOX_COMMAND_H_
#define APPS_OUTBOX_COMMAND_H_

#include <cstdint>
#include <ostream>
#include <string>

namespace comodal::apps {

struct OutboxOptions {
  std::string store;  // A site's operation store (SQLite file).
  uint32_t node = 0;  // The site's node id.
  uint32_t hub = 1;   // The hub's node id.
};

// `comodal outbox --store FILE --node N`: what the site made that the hub was not known to hold
// at its last hello, per activity with the oldest waiting, read from the store (the site need
// not run, nor the link be up). Exit status: 0 shown, 2 bad arguments, 1 the store cannot be
// read.
int RunOutbox(const OutboxOptions& options, std::ostream& out, std::ostream& err);

}  // namespace comodal::apps

#endif  // APPS_OUTBOX_COMMAND_H_
