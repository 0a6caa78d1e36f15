// Fuzzes SocketAddress::Parse, which reads HOST:PORT from command lines and configuration files:
// any text gets an address or an error naming it, and an address prints back to one that parses
// equal.
#include <cstdlib>
#include <string_view>

#include "transport/net/socket_address.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto address = comodal::SocketAddress::Parse(text);
  if (!address.ok()) {
    if (address.error().empty()) std::abort();
    return 0;
  }
  auto again = comodal::SocketAddress::Parse(address->ToString());
  if (!again.ok() || !(*again == *address)) std::abort();
  return 0;
}
