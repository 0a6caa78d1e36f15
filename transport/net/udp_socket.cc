#include "transport/net/udp_socket.h"

#include <sys/socket.h>
#include <time.h>

#include <boost/asio/ip/udp.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
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
    socket.async_wait(udp::socket::wait_read,
                      [self = shared_from_this()](const boost::system::error_code& ec) {
                        if (ec == asio::error::operation_aborted || !self->socket.is_open()) return;
                        self->ReadReady();
                        if (self->socket.is_open()) self->ReceiveNext();
                      });
  }

  // Reads what the kernel holds, up to a bound so that timers and other sockets get their turn
  // on a busy link. Each datagram carries the time the kernel received it (SO_TIMESTAMPNS), so a
  // process that was descheduled, or busy with an earlier datagram, does not see it arrive late:
  // the relay's emulated delay and a receiver's feedback measure the network, not this process.
  void ReadReady() {
    constexpr int kMaxPerWakeup = 64;
    for (int i = 0; i < kMaxPerWakeup && socket.is_open(); ++i) {
      sockaddr_storage from{};
      iovec data{buffer.data(), buffer.size()};
      alignas(cmsghdr) std::array<uint8_t, CMSG_SPACE(sizeof(timespec))> control{};
      msghdr message{};
      message.msg_name = &from;
      message.msg_namelen = sizeof(from);
      message.msg_iov = &data;
      message.msg_iovlen = 1;
      message.msg_control = control.data();
      message.msg_controllen = control.size();
      const ssize_t size = ::recvmsg(socket.native_handle(), &message, MSG_DONTWAIT);
      if (size < 0) {
        // An interrupted call, or an error such as ICMP port unreachable (ECONNREFUSED, reported
        // once), does not end reception; anything else waits for the next readiness.
        if (errno == EINTR || errno == ECONNREFUSED) continue;
        return;
      }
      ++received;
      if (!handler) continue;
      udp::endpoint sender;
      std::memcpy(sender.data(), &from, std::min<size_t>(message.msg_namelen, sizeof(from)));
      sender.resize(message.msg_namelen);
      handler(std::span<const uint8_t>(buffer.data(), static_cast<size_t>(size)), ToAddress(sender),
              ArrivalTime(message));
    }
  }

  // The kernel's receive time, on the scheduler's clock. The kernel stamps CLOCK_REALTIME and
  // the scheduler runs on a monotonic clock, so what carries over is the datagram's age: how
  // long it waited in the socket. The age is bounded so that a step of the wall clock (an NTP
  // correction) cannot move an arrival by more than that.
  Timestamp ArrivalTime(const msghdr& message) const {
    const Timestamp now = scheduler.Now();
    for (const cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr;
         c = CMSG_NXTHDR(const_cast<msghdr*>(&message), const_cast<cmsghdr*>(c))) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
      timespec stamped{};
      std::memcpy(&stamped, CMSG_DATA(c), sizeof(stamped));
      timespec wall{};
      ::clock_gettime(CLOCK_REALTIME, &wall);
      const TimeDelta age = TimeDelta::Micros((wall.tv_sec - stamped.tv_sec) * 1'000'000 +
                                              (wall.tv_nsec - stamped.tv_nsec) / 1'000);
      return now - std::clamp(age, TimeDelta::Zero(), kMaxAge);
    }
    return now;
  }

  static constexpr TimeDelta kMaxAge = TimeDelta::Seconds(2);

  AsioScheduler& scheduler;
  udp::socket socket;
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
  // Without receive timestamps arrivals are stamped when read: still correct, less precise.
  const int on = 1;
  if (!ec) (void)::setsockopt(socket.native_handle(), SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof(on));
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
