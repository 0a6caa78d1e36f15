#ifndef TRANSPORT_RTCP_RECEIVER_REPORT_H_
#define TRANSPORT_RTCP_RECEIVER_REPORT_H_

#include <cstdint>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/report_block.h"

namespace comodal::rtcp {

// Receiver report, PT=201 (RFC 3550 §6.4.2): the reporter's SSRC and up to 31 report blocks.
class ReceiverReport {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeReceiverReport;

  static Result<ReceiverReport> Parse(const RtcpCommonHeader& header);
  size_t Size() const;
  Status Write(ByteWriter& out) const;

  uint32_t sender_ssrc = 0;
  std::vector<ReportBlock> report_blocks;

  friend bool operator==(const ReceiverReport&, const ReceiverReport&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_RECEIVER_REPORT_H_
