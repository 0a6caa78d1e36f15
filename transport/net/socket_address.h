#ifndef TRANSPORT_NET_SOCKET_ADDRESS_H_
#define TRANSPORT_NET_SOCKET_ADDRESS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "transport/base/result.h"

namespace comodal {

// An IP address and UDP port, written "127.0.0.1:5000" or "[::1]:5000". Kept free of Asio so
// that every layer can name endpoints.
struct SocketAddress {
  std::string ip;
  uint16_t port = 0;

  // Parses "HOST:PORT" with a numeric IPv4 or bracketed IPv6 address; the error says what is
  // wrong with `text`.
  static Result<SocketAddress, std::string> Parse(std::string_view text);
  std::string ToString() const;

  friend bool operator==(const SocketAddress&, const SocketAddress&) = default;
};

}  // namespace comodal

#endif  // TRANSPORT_NET_SOCKET_ADDRESS_H_
