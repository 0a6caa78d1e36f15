#include "transport/net/udp_socket.h"

#include <boost/asio/ip/udp.hpp>

#include <array>
#include <vector>

#include "transport/net/asio_impl.h"

namespace comodal {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

SocketAddress ToAddress(const udp::endpoint& endpoint) {
  return SocketAddress{endpoint.address().to_string(), endpoint.port()};
}

}  // namespace

// Shared with in-flight receive handlers, so a socket destroyed while a receive is pending does
// not leave the handler pointing at freed memory.
struct UdpSocket::Impl : std::enable_shared_from_this<UdpSocket::Impl> {
  Impl(AsioScheduler& s, udp::socket sock) : scheduler(s), socket(std::move(sock)) {}

  void ReceiveNext() {
    socket.async_receive_from(
        asio::buffer(buffer), sender,
        [self = shared_from_this()](const boost::system::error_code& ec, size_t size) {
          if (ec == asio::error::operation_aborted || !self->socket.is_open()) return;
          if (!ec) {
            ++self->received;
            if (self->handler) {
              self->handler(std::span<const uint8_t>(self->buffer.data(), size),
                            ToAddress(self->sender), self->scheduler.Now());
            }
          }
          // Errors such as ICMP port unreachable (ECONNREFUSED) do not end reception.
          if (self->socket.is_open()) self->ReceiveNext();
        });
  }

  AsioScheduler& scheduler;
  udp::socket socket;
  udp::endpoint sender;
  std::vector<uint8_t> buffer = std::vector<uint8_t>(kMaxDatagramSize);
  ReceiveHandler handler;
  uint64_t sent = 0;
  uint64_t received = 0;
  uint64_t send_errors = 0;
};

Result<std::unique_ptr<UdpSocket>, std::string> UdpSocket::Open(AsioScheduler& scheduler,
                                                                const SocketAddress& local) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(local.ip, ec);
  if (ec)
    return "cannot bind UDP " + local.ToString() + ": '" + local.ip + "' is not an IP address";
  udp::endpoint endpoint(address, local.port);
  udp::socket socket(scheduler.impl().io);
  socket.open(endpoint.protocol(), ec);
  if (!ec) socket.non_blocking(true, ec);
  if (!ec) socket.bind(endpoint, ec);
  if (ec) return "cannot bind UDP " + local.ToString() + ": " + ec.message();
  return std::unique_ptr<UdpSocket>(
      new UdpSocket(std::make_shared<Impl>(scheduler, std::move(socket))));
}

UdpSocket::UdpSocket(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

UdpSocket::~UdpSocket() { Close(); }

SocketAddress UdpSocket::local_address() const {
  boost::system::error_code ec;
  auto endpoint = impl_->socket.local_endpoint(ec);
  return ec ? SocketAddress{} : ToAddress(endpoint);
}

void UdpSocket::StartReceiving(ReceiveHandler handler) {
  impl_->handler = std::move(handler);
  impl_->ReceiveNext();
}

bool UdpSocket::SendTo(std::span<const uint8_t> datagram, const SocketAddress& to) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(to.ip, ec);
  if (!ec) {
    impl_->socket.send_to(asio::buffer(datagram.data(), datagram.size()),
                          udp::endpoint(address, to.port), 0, ec);
  }
  if (ec) {
    ++impl_->send_errors;
    return false;
  }
  ++impl_->sent;
  return true;
}

void UdpSocket::Close() {
  // The handler is left in place: Close() may be called from inside it, and a closed socket
  // never calls it again.
  boost::system::error_code ec;
  if (impl_->socket.is_open()) impl_->socket.close(ec);
}

uint64_t UdpSocket::datagrams_sent() const { return impl_->sent; }
uint64_t UdpSocket::datagrams_received() const { return impl_->received; }
uint64_t UdpSocket::send_errors() const { return impl_->send_errors; }

}  // namespace comodal
