#include "transport/rtcp/report_block.h"

#include <algorithm>

namespace comodal::rtcp {

ReportBlock ReportBlock::Parse(std::span<const uint8_t> data) {
  ReportBlock block;
  block.source_ssrc = LoadBE32(&data[0]);
  block.fraction_lost = data[4];
  block.cumulative_lost = LoadBE24Signed(&data[5]);
  block.extended_highest_sequence = LoadBE32(&data[8]);
  block.jitter = LoadBE32(&data[12]);
  block.last_sr = LoadBE32(&data[16]);
  block.delay_since_last_sr = LoadBE32(&data[20]);
  return block;
}

void ReportBlock::Write(ByteWriter& out) const {
  out.U32(source_ssrc);
  out.U8(fraction_lost);
  const int32_t lost = std::clamp(cumulative_lost, kMinCumulativeLost, kMaxCumulativeLost);
  out.U24(static_cast<uint32_t>(lost) & 0xFFFFFFu);
  out.U32(extended_highest_sequence);
  out.U32(jitter);
  out.U32(last_sr);
  out.U32(delay_since_last_sr);
}

}  // namespace comodal::rtcp
