#ifndef TRANSPORT_RTCP_EXTENDED_REPORTS_H_
#define TRANSPORT_RTCP_EXTENDED_REPORTS_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"
#include "transport/time/ntp_time.h"
#include "transport/units/time_delta.h"

namespace comodal::rtcp {

// Receiver reference time report block, BT=4 (RFC 3611 §4.4): lets a receiver that sends no SR
// get its round-trip time, from the DLRR the media sender answers with.
struct Rrtr {
  NtpTime ntp;  // When the report was sent.

  friend bool operator==(const Rrtr&, const Rrtr&) = default;
};

// One sub-block of a DLRR report block, BT=5 (RFC 3611 §4.5): the answer to the last RRTR
// received from `ssrc`.
struct DlrrSubBlock {
  uint32_t ssrc = 0;                 // The receiver whose RRTR is answered.
  uint32_t last_rr = 0;              // LRR: compact NTP of that RRTR, 0 if none received.
  uint32_t delay_since_last_rr = 0;  // DLRR, 1/65536 s.

  // Round-trip time for a DLRR that arrived at `arrival` (RFC 3611 §4.5: A - LRR - DLRR), or
  // nothing when no RRTR has been received (LRR is 0). A negative result is clamped to zero.
  std::optional<TimeDelta> RoundTrip(NtpTime arrival) const;

  friend bool operator==(const DlrrSubBlock&, const DlrrSubBlock&) = default;
};

// Extended reports, PT=207 (RFC 3611): the reporter's SSRC, then report blocks, each a 4-byte
// header (BT, type-specific, length in 32-bit words after that header, RFC 3611 §3) and its
// contents. RRTR and DLRR are modelled; blocks of other types are checked for length and
// skipped. Every DLRR block's sub-blocks are gathered in `dlrr`; a second RRTR is ignored.
class ExtendedReports {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeExtendedReports;
  static constexpr uint8_t kRrtrBlockType = 4;
  static constexpr uint8_t kDlrrBlockType = 5;

  // Fails with kTruncated if a block header or body runs past the packet, kBadLength if an
  // RRTR block's length is not 2 or a DLRR block's not a multiple of 3.
  static Result<ExtendedReports> Parse(const RtcpCommonHeader& header);
  // Written as one RRTR block if set, then one DLRR block if `dlrr` is not empty.
  size_t Size() const;
  // Fails with kInvalidArgument if the packet is too long for the 16-bit length field.
  Status Write(ByteWriter& out) const;

  uint32_t sender_ssrc = 0;
  std::optional<Rrtr> rrtr;
  std::vector<DlrrSubBlock> dlrr;

  friend bool operator==(const ExtendedReports&, const ExtendedReports&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_EXTENDED_REPORTS_H_
