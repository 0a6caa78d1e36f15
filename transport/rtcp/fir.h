#ifndef TRANSPORT_RTCP_FIR_H_
#define TRANSPORT_RTCP_FIR_H_

#include <cstdint>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {

// Full intra request, PSFB PT=206 FMT=4 (RFC 5104 §4.3.1): the feedback SSRCs with the media
// SSRC unused (sent as 0), then one FCI entry per media sender asked for a decoder refresh.
class Fir {
 public:
  static constexpr uint8_t kPacketType = kPacketTypePayloadFeedback;
  static constexpr uint8_t kFormat = 4;

  // One FCI entry (RFC 5104 §4.3.1.1): SSRC, command sequence number, 24 reserved bits.
  struct Entry {
    static constexpr size_t kSize = 8;

    uint32_t ssrc = 0;            // The media sender that should send a decoder refresh point.
    uint8_t sequence_number = 0;  // Incremented per new request, kept for repetitions.

    friend bool operator==(const Entry&, const Entry&) = default;
  };

  // The caller has dispatched on PT and FMT; `header.count` is not checked. The media SSRC and
  // reserved bits are ignored, as RFC 5104 §4.3.1.1 asks of receivers.
  static Result<Fir> Parse(const RtcpCommonHeader& header);
  size_t Size() const;
  // Fails with kInvalidArgument for no entry, or more than the 16-bit length field carries.
  Status Write(ByteWriter& out) const;

  uint32_t sender_ssrc = 0;  // SSRC of packet sender.
  std::vector<Entry> entries;

  friend bool operator==(const Fir&, const Fir&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_FIR_H_
