#include "transport/rtcp/receiver_report.h"

namespace comodal::rtcp {

Result<ReceiverReport> ReceiverReport::Parse(const RtcpCommonHeader& header) {
  const auto payload = header.payload;
  if (payload.size() < 4 + size_t{header.count} * ReportBlock::kSize) {
    return Error{ErrorCode::kTruncated, "RR shorter than its SSRC and report count"};
  }
  ReceiverReport rr;
  rr.sender_ssrc = LoadBE32(&payload[0]);
  rr.report_blocks.reserve(header.count);
  for (size_t i = 0; i < header.count; ++i) {
    rr.report_blocks.push_back(ReportBlock::Parse(payload.subspan(4 + i * ReportBlock::kSize)));
  }
  return rr;
}

size_t ReceiverReport::Size() const {
  return RtcpCommonHeader::kSize + 4 + report_blocks.size() * ReportBlock::kSize;
}

Status ReceiverReport::Write(ByteWriter& out) const {
  if (report_blocks.size() > RtcpCommonHeader::kMaxCount) {
    return Error{ErrorCode::kInvalidArgument, "RR carries at most 31 report blocks"};
  }
  WriteRtcpCommonHeader(out, static_cast<uint8_t>(report_blocks.size()), kPacketType,
                        Size() - RtcpCommonHeader::kSize);
  out.U32(sender_ssrc);
  for (const ReportBlock& block : report_blocks) block.Write(out);
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the RR"};
  return Status::Ok();
}

}  // namespace comodal::rtcp
