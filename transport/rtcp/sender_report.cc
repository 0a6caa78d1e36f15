#include "transport/rtcp/sender_report.h"

namespace comodal::rtcp {

Result<SenderReport> SenderReport::Parse(const RtcpCommonHeader& header) {
  const auto payload = header.payload;
  const size_t blocks_size = size_t{header.count} * ReportBlock::kSize;
  if (payload.size() < kSenderInfoSize + blocks_size) {
    return Error{ErrorCode::kTruncated, "SR shorter than its sender info and report count"};
  }
  SenderReport sr;
  sr.sender_ssrc = LoadBE32(&payload[0]);
  sr.ntp = NtpTime(LoadBE64(&payload[4]));
  sr.rtp_timestamp = LoadBE32(&payload[12]);
  sr.packet_count = LoadBE32(&payload[16]);
  sr.octet_count = LoadBE32(&payload[20]);
  sr.report_blocks.reserve(header.count);
  for (size_t i = 0; i < header.count; ++i) {
    sr.report_blocks.push_back(
        ReportBlock::Parse(payload.subspan(kSenderInfoSize + i * ReportBlock::kSize)));
  }
  return sr;
}

size_t SenderReport::Size() const {
  return RtcpCommonHeader::kSize + kSenderInfoSize + report_blocks.size() * ReportBlock::kSize;
}

Status SenderReport::Write(ByteWriter& out) const {
  if (report_blocks.size() > RtcpCommonHeader::kMaxCount) {
    return Error{ErrorCode::kInvalidArgument, "SR carries at most 31 report blocks"};
  }
  WriteRtcpCommonHeader(out, static_cast<uint8_t>(report_blocks.size()), kPacketType,
                        Size() - RtcpCommonHeader::kSize);
  out.U32(sender_ssrc);
  out.U64(ntp.value());
  out.U32(rtp_timestamp);
  out.U32(packet_count);
  out.U32(octet_count);
  for (const ReportBlock& block : report_blocks) block.Write(out);
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the SR"};
  return Status::Ok();
}

}  // namespace comodal::rtcp
