#ifndef TRANSPORT_LINK_SITE_LINK_H_
#define TRANSPORT_LINK_SITE_LINK_H_

#include <cstdint>

#include "transport/link/scheduled_link.h"

namespace comodal::link {

// Both directions of one site's link on one scheduler: the uplink (site -> hub) and the
// downlink (hub -> site), each its own model with its own random stream drawn from one seed.
// Simulated-time tests put in-process endpoints on either side; `comodal satlink` puts UDP
// sockets there. Same seed, same traffic: same result.
class SiteLink {
 public:
  SiteLink(TaskScheduler& scheduler, const LinkDirectionConfig& uplink,
           const LinkDirectionConfig& downlink, uint64_t seed,
           ScheduledLink::DeliveryHandler at_hub, ScheduledLink::DeliveryHandler at_site);

  SendOutcome SendToHub(LinkPacket packet) { return uplink_.Send(std::move(packet)); }
  SendOutcome SendToSite(LinkPacket packet) { return downlink_.Send(std::move(packet)); }
  // For a packet that reached the link at `arrival`, before now (see ScheduledLink::Send).
  SendOutcome SendToHub(LinkPacket packet, Timestamp arrival) {
    return uplink_.Send(std::move(packet), arrival);
  }
  SendOutcome SendToSite(LinkPacket packet, Timestamp arrival) {
    return downlink_.Send(std::move(packet), arrival);
  }

  const ScheduledLink& uplink() const { return uplink_; }
  const ScheduledLink& downlink() const { return downlink_; }

 private:
  ScheduledLink uplink_;
  ScheduledLink downlink_;
};

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_SITE_LINK_H_
