#include "transport/link/satlink_relay.h"

namespace comodal::link {

SatLinkRelay::SatLinkRelay(AsioScheduler& scheduler, SatLinkRelayConfig config)
    : scheduler_(scheduler), config_(std::move(config)) {}

SatLinkRelay::~SatLinkRelay() {
  if (site_socket_) site_socket_->Close();
  if (hub_socket_) hub_socket_->Close();
}

Result<std::unique_ptr<SatLinkRelay>, std::string> SatLinkRelay::Open(AsioScheduler& scheduler,
                                                                      SatLinkRelayConfig config) {
  std::unique_ptr<SatLinkRelay> relay(new SatLinkRelay(scheduler, std::move(config)));
  SatLinkRelay& r = *relay;
  auto site_socket = UdpSocket::Open(scheduler, r.config_.listen);
  if (!site_socket.ok()) return "listen: " + site_socket.error();
  r.site_socket_ = std::move(*site_socket);
  // The hub side sends from an ephemeral port of the forward address's family.
  const bool v6 = r.config_.forward.ip.find(':') != std::string::npos;
  auto hub_socket = UdpSocket::Open(scheduler, SocketAddress{v6 ? "::" : "0.0.0.0", 0});
  if (!hub_socket.ok()) return "forward: " + hub_socket.error();
  r.hub_socket_ = std::move(*hub_socket);

  r.link_ = std::make_unique<SiteLink>(
      scheduler, r.config_.uplink, r.config_.downlink, r.config_.seed,
      [&r](Delivery delivery) {
        r.Deliver(r.uplink_, *r.hub_socket_, r.config_.forward, delivery);
      },
      [&r](Delivery delivery) {
        if (r.site_) r.Deliver(r.downlink_, *r.site_socket_, *r.site_, delivery);
      });
  r.uplink_.stats = &r.link_->uplink().stats();
  r.downlink_.stats = &r.link_->downlink().stats();

  r.site_socket_->StartReceiving([&r](std::span<const uint8_t> datagram, const SocketAddress& from,
                                      Timestamp arrival) {
    r.site_ = from;
    // The link starts when the kernel received the datagram, not when this process read it.
    (void)r.link_->SendToHub(
        LinkPacket{r.next_id_++, std::vector<uint8_t>(datagram.begin(), datagram.end())}, arrival);
  });
  r.hub_socket_->StartReceiving([&r](std::span<const uint8_t> datagram, const SocketAddress&,
                                     Timestamp arrival) {
    if (!r.site_) {
      ++r.downlink_without_site_;
      return;
    }
    (void)r.link_->SendToSite(
        LinkPacket{r.next_id_++, std::vector<uint8_t>(datagram.begin(), datagram.end())}, arrival);
  });
  return relay;
}

void SatLinkRelay::Deliver(Direction& direction, UdpSocket& socket, const SocketAddress& to,
                           const Delivery& delivery) {
  direction.scheduling_error.Add(scheduler_.Now() - delivery.delivered);
  if (!socket.SendTo(delivery.packet.bytes, to)) ++direction.send_errors;
}

}  // namespace comodal::link
