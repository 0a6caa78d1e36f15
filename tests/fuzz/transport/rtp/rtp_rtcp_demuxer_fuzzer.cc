// Fuzzes the entry point of every datagram on a flow: classification, RTP and RTCP parsing, and
// the drop counting of whatever is malformed.
#include <cstdlib>

#include "transport/rtp/rtp_rtcp_demuxer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static comodal::RtpRtcpDemuxer demuxer;
  const uint64_t drops_before = demuxer.total_drops();
  auto demuxed = demuxer.Demux(std::span(data, size), comodal::Timestamp::Seconds(1));
  // Exactly one of: delivered, or dropped and counted.
  if (demuxed.has_value() == (demuxer.total_drops() != drops_before)) std::abort();
  if (demuxed && demuxed->kind != comodal::ClassifyPacket(std::span(data, size))) std::abort();
  return 0;
}
