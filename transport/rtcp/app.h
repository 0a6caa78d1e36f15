#ifndef TRANSPORT_RTCP_APP_H_
#define TRANSPORT_RTCP_APP_H_

#include <array>
#include <cstdint>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {

// Application-defined packet, PT=204 (RFC 3550 §6.7): a 5-bit subtype (in the count field), the
// sender's SSRC, a four-character ASCII name and application data in whole 32-bit words.
class App {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeApp;
  static constexpr uint8_t kMaxSubtype = 31;
  static constexpr size_t kNameSize = 4;

  // Fails with kMalformed if the name has a non-ASCII octet, kBadLength if the data is not a
  // whole number of 32-bit words (possible only with a padding count that is not a multiple
  // of 4).
  static Result<App> Parse(const RtcpCommonHeader& header);
  size_t Size() const;
  // Fails with kInvalidArgument for a subtype over 31, a non-ASCII name, data whose length is
  // not a multiple of 4, or data too long for the 16-bit length field.
  Status Write(ByteWriter& out) const;

  uint8_t subtype = 0;
  uint32_t ssrc = 0;
  // RFC 3550 §6.7: four ASCII characters, case-sensitive, e.g. {'C', 'M', 'D', 'L'}.
  std::array<char, kNameSize> name{};
  std::vector<uint8_t> data;

  friend bool operator==(const App&, const App&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_APP_H_
