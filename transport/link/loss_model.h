#ifndef TRANSPORT_LINK_LOSS_MODEL_H_
#define TRANSPORT_LINK_LOSS_MODEL_H_

#include <variant>

#include "transport/link/random.h"

namespace comodal::link {

// Independent losses with probability `probability` per packet.
struct BernoulliLoss {
  double probability = 0;
};

// Two-state Markov loss (Gilbert–Elliott): per packet, the channel moves good -> bad with
// `p_good_to_bad` and bad -> good with `p_bad_to_good`, then loses the packet with the loss
// probability of the state it is in. Mean loss = (pi_g * loss_in_good + pi_b * loss_in_bad),
// pi_b = p_gb / (p_gb + p_bg); mean burst length in the bad state = 1 / p_bg.
struct GilbertElliottLoss {
  double p_good_to_bad = 0;
  double p_bad_to_good = 1;
  double loss_in_good = 0;
  double loss_in_bad = 1;

  double StationaryLoss() const;
};

using LossConfig = std::variant<std::monostate, BernoulliLoss, GilbertElliottLoss>;

// Decides, packet by packet, which packets a link loses.
class LossModel {
 public:
  explicit LossModel(LossConfig config) : config_(config) {}
  bool ShouldDrop(Random& random);
  bool in_bad_state() const { return bad_; }

 private:
  LossConfig config_;
  bool bad_ = false;
};

}  // namespace comodal::link

#endif  // TRANSPORT_LINK_LOSS_MODEL_H_
