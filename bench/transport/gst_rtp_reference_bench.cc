// Reference for BM_RtpParseWithTransportSequenceNumber, measured in the same run: GStreamer's
// RTP parser (gst_rtp_buffer_map from gst-plugins-base's libgstrtp, what rtpjitterbuffer and
// the rtp*depay elements use) reading the same fields of the same packet. Only bench/ may link
// this; the engine itself uses GStreamer at its edges only.
#include <benchmark/benchmark.h>
#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>

#include <vector>

#include "transport/rtp/rtp_packet.h"

namespace comodal {
namespace {

void BM_GstRtpBufferMapWithTransportSequenceNumber(benchmark::State& state) {
  gst_init(nullptr, nullptr);
  RtpPacketBuilder builder;
  builder.set_payload_type(96).set_sequence_number(1234).set_timestamp(90000).set_ssrc(0x5173);
  (void)builder.SetExtension<TransportSequenceNumber>(3, 42);
  (void)builder.SetExtension<AbsoluteSendTime>(2, 0x123456);
  std::vector<uint8_t> payload(1100, 0x5A);
  std::vector<uint8_t> packet(kMaxPacketBufferSize);
  packet.resize(builder.Build(payload, packet).value());
  GstBuffer* buffer = gst_buffer_new_wrapped_full(
      GST_MEMORY_FLAG_READONLY, packet.data(), packet.size(), 0, packet.size(), nullptr, nullptr);
  uint64_t sum = 0;
  for (auto _ : state) {
    GstRTPBuffer rtp = GST_RTP_BUFFER_INIT;
    if (!gst_rtp_buffer_map(buffer, GST_MAP_READ, &rtp)) {
      state.SkipWithError("gst_rtp_buffer_map refused the packet");
      break;
    }
    gpointer data = nullptr;
    guint size = 0;
    uint16_t twcc = 0;
    if (gst_rtp_buffer_get_extension_onebyte_header(&rtp, 3, 0, &data, &size) && size == 2) {
      twcc = static_cast<uint16_t>((static_cast<const uint8_t*>(data)[0] << 8) |
                                   static_cast<const uint8_t*>(data)[1]);
    }
    sum += gst_rtp_buffer_get_seq(&rtp) + gst_rtp_buffer_get_ssrc(&rtp) +
           gst_rtp_buffer_get_payload_len(&rtp) + twcc;
    gst_rtp_buffer_unmap(&rtp);
  }
  benchmark::DoNotOptimize(sum);
  gst_buffer_unref(buffer);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GstRtpBufferMapWithTransportSequenceNumber);

}  // namespace
}  // namespace comodal
