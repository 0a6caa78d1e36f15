#ifndef TRANSPORT_LINK_SATLINK_RELAY_H_
#define TRANSPORT_LINK_SATLINK_RELAY_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "transport/base/latency_histogram.h"
#include "transport/base/result.h"
#include "transport/link/site_link.h"
#include "transport/net/asio_scheduler.h"
#include "transport/net/socket_address.h"
#include "transport/net/udp_socket.h"

namespace comodal::link {

struct SatLinkRelayConfig {
  SocketAddress listen;          // Where the remote site's programs send (the site side).
  SocketAddress forward;         // The hub.
  LinkDirectionConfig uplink;    // Site -> hub.
  LinkDirectionConfig downlink;  // Hub -> site.
  uint64_t seed = 1;
};

// A real-time satellite link between two programs on UDP: datagrams arriving on the listen
// address cross the uplink model and leave from a second socket towards the forward address;
// datagrams arriving on that second socket (the hub's replies, from whatever port it sends)
// cross the downlink model back to whoever last sent on the listen address. Both directions are
// one SiteLink on an AsioScheduler, the same code the simulated-time tests run.
class SatLinkRelay {
 public:
  struct Direction {
    const LinkStats* stats = nullptr;  // The direction's model.
    // How late each datagram left compared with the model's delivery time.
    LatencyHistogram scheduling_error;
    uint64_t send_errors = 0;
  };

  static Result<std::unique_ptr<SatLinkRelay>, std::string> Open(AsioScheduler& scheduler,
                                                                 SatLinkRelayConfig config);
  ~SatLinkRelay();
  SatLinkRelay(const SatLinkRelay&) = delete;
  SatLinkRelay& operator=(const SatLinkRelay&) = delete;

  SocketAddress listen_address() const { return site_socket_->local_address(); }
  // The address the hub sees uplink datagrams come from.
  SocketAddress hub_side_address() const { return hub_socket_->local_address(); }
  const Direction& uplink() const { return uplink_; }
  const Direction& downlink() const { return downlink_; }
  // Hub datagrams that arrived before any site had sent (nowhere to deliver them).
  uint64_t downlink_without_site() const { return downlink_without_site_; }

 private:
  SatLinkRelay(AsioScheduler& scheduler, SatLinkRelayConfig config);
  void Deliver(Direction& direction, UdpSocket& socket, const SocketAddress& to,
               const Delivery& delivery);

  AsioScheduler& scheduler_;
  SatLinkRelayConfig config_;
  std::unique_ptr<UdpSocket> site_socket_;
  std::unique_ptr<UdpSocket> hub_socket_;
  std::unique_ptr<SiteLink> link_;
  Direction uplink_;
  Direction downlink_;
  std::optional<SocketAddress> site_;
  uint64_t next_id_ = 0;
  uint64_t downlink_without_site_ = 0;
};

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_SATLINK_RELAY_H_
