#ifndef APPS_FILE_IO_H_
#define APPS_FILE_IO_H_

#include <string>

namespace comodal::apps {

// Writes `text` next to `path`, then renames it into place: a reader never sees half a file.
// On failure `error` says which step failed.
bool WriteFileAtomically(const std::string& path, const std::string& text, std::string& error);

}  // namespace comodal::apps

#endif  // APPS_FILE_IO_H_
