#include "transport/net/socket_address.h"

#include <boost/asio/ip/address.hpp>

#include <charconv>

namespace comodal {

Result<SocketAddress, std::string> SocketAddress::Parse(std::string_view text) {
  const std::string quoted = "'" + std::string(text) + "'";
  std::string_view host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return quoted + " is not [IPv6]:PORT";
    }
    host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) return quoted + " has no ':PORT'";
    host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      return quoted + ": write IPv6 addresses in brackets, [::1]:PORT";
    }
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return quoted + ": port must be a number from 0 to 65535";
  }
  // A zone (fe80::1%eth0) names an interface of this machine: it does not travel in a profile or
  // a command line, and Asio reads some zones it cannot print back (the fuzz target found one).
  if (host.find('%') != std::string_view::npos) {
    return quoted + ": IPv6 zones ('%...') are not supported; give a global or ULA address";
  }
  boost::system::error_code address_error;
  const auto address = boost::asio::ip::make_address(std::string(host), address_error);
  if (address_error) return quoted + ": '" + std::string(host) + "' is not a numeric IP address";
  return SocketAddress{address.to_string(), static_cast<uint16_t>(port)};
}

std::string SocketAddress::ToString() const {
  const bool v6 = ip.find(':') != std::string::npos;
  return (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

}  // namespace comodal
