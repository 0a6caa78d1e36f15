#ifndef TRANSPORT_BASE_LIBRARY_CHECK_H_
#define TRANSPORT_BASE_LIBRARY_CHECK_H_

#include <string>

namespace comodal {

// What `comodal selfcheck` reports for one linked library: its version and whether a small real
// use of it worked. Each layer checks the libraries it uses, in the adapter that uses them.
struct LibraryCheck {
  std::string name;
  std::string version;
  bool ok = false;
  std::string detail;  // What was exercised, or what failed and how to fix it.
};

}  // namespace comodal

#endif  // TRANSPORT_BASE_LIBRARY_CHECK_H_
