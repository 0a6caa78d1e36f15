#ifndef TRANSPORT_NET_UDP_SOCKET_H_
#define TRANSPORT_NET_UDP_SOCKET_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "transport/base/result.h"
#include "transport/net/asio_scheduler.h"
#include "transport/net/socket_address.h"
#include "transport/units/timestamp.h"

namespace comodal {

// A UDP socket on an AsioScheduler. Received datagrams are handed to the handler on the
// scheduler's thread with their arrival time, the time the kernel received them (not the
// later time this process got round to reading them); sends never block (a full socket buffer drops the
// datagram and counts it, as a congested link would).
class UdpSocket {
 public:
  static constexpr size_t kMaxDatagramSize = 65536;
  using ReceiveHandler = std::function<void(std::span<const uint8_t> datagram,
                                            const SocketAddress& from, Timestamp arrival)>;

  // Binds to `local` (port 0 picks a free port); the error names the address and the reason.
  static Result<std::unique_ptr<UdpSocket>, std::string> Open(AsioScheduler& scheduler,
                                                              const SocketAddress& local);
  ~UdpSocket();
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  SocketAddress local_address() const;
  // Starts delivering datagrams to `handler` until the socket is closed or destroyed.
  void StartReceiving(ReceiveHandler handler);
  // Returns false (and counts a send error) if the datagram could not be handed to the kernel.
  bool SendTo(std::span<const uint8_t> datagram, const SocketAddress& to);
  void Close();

  uint64_t datagrams_sent() const;
  uint64_t datagrams_received() const;
  uint64_t send_errors() const;

  struct Impl;

 private:
  explicit UdpSocket(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace comodal

#endif  // TRANSPORT_NET_UDP_SOCKET_H_
