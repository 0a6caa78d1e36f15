#include "transport/link/site_link.h"

namespace comodal::link {
namespace {

// The downlink draws from a stream unrelated to the uplink's.
constexpr uint64_t kDownlinkSeedSalt = 0x5DEECE66Dull;

}  // namespace

SiteLink::SiteLink(TaskScheduler& scheduler, const LinkDirectionConfig& uplink,
                   const LinkDirectionConfig& downlink, uint64_t seed,
                   ScheduledLink::DeliveryHandler at_hub, ScheduledLink::DeliveryHandler at_site)
    : uplink_(scheduler, uplink, seed, std::move(at_hub)),
      downlink_(scheduler, downlink, seed ^ kDownlinkSeedSalt, std::move(at_site)) {}

}  // namespace comodal::link
