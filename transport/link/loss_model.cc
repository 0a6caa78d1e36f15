#include "transport/link/loss_model.h"

namespace comodal::link {

double GilbertElliottLoss::StationaryLoss() const {
  const double total = p_good_to_bad + p_bad_to_good;
  if (total <= 0) return loss_in_good;
  const double bad_share = p_good_to_bad / total;
  return (1 - bad_share) * loss_in_good + bad_share * loss_in_bad;
}

bool LossModel::ShouldDrop(Random& random) {
  if (const auto* bernoulli = std::get_if<BernoulliLoss>(&config_)) {
    return random.Bernoulli(bernoulli->probability);
  }
  if (const auto* ge = std::get_if<GilbertElliottLoss>(&config_)) {
    bad_ = bad_ ? !random.Bernoulli(ge->p_bad_to_good) : random.Bernoulli(ge->p_good_to_bad);
    return random.Bernoulli(bad_ ? ge->loss_in_bad : ge->loss_in_good);
  }
  return false;
}

}  // namespace comodal::link
