#include "transport/srtp/srtp_profile.h"

namespace comodal {

std::optional<SrtpProfile> SrtpProfileFromName(std::string_view name) {
  for (SrtpProfile profile : kAllSrtpProfiles) {
    if (Info(profile).name == name || Info(profile).dtls_name == name) return profile;
  }
  return std::nullopt;
}

std::optional<SrtpProfile> SrtpProfileFromDtlsId(uint16_t id) {
  for (SrtpProfile profile : kAllSrtpProfiles) {
    if (Info(profile).dtls_id == id) return profile;
  }
  return std::nullopt;
}

}  // namespace comodal
