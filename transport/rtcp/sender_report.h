#ifndef TRANSPORT_RTCP_SENDER_REPORT_H_
#define TRANSPORT_RTCP_SENDER_REPORT_H_

#include <cstdint>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/report_block.h"
#include "transport/time/ntp_time.h"

namespace comodal::rtcp {

// Sender report, PT=200 (RFC 3550 §6.4.1): sender info plus up to 31 report blocks. Any
// profile-specific extension after the blocks is skipped on parse.
class SenderReport {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeSenderReport;
  static constexpr size_t kSenderInfoSize = 24;  // SSRC + NTP + RTP ts + packet & octet counts.

  static Result<SenderReport> Parse(const RtcpCommonHeader& header);
  size_t Size() const;
  // Fails with kInvalidArgument if more than 31 report blocks are set.
  Status Write(ByteWriter& out) const;

  uint32_t sender_ssrc = 0;
  NtpTime ntp;
  uint32_t rtp_timestamp = 0;
  uint32_t packet_count = 0;
  uint32_t octet_count = 0;
  std::vector<ReportBlock> report_blocks;

  friend bool operator==(const SenderReport&, const SenderReport&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_SENDER_REPORT_H_
