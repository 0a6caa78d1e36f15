// Reference for BM_RtpParseWithTransportSequenceNumber, measured in the same run: GStreamer's
// RTP parser (gst_rtp_buffer_map from gst-plugins-base's libgstrtp, what rtpjitterbuffer and
// the rtp*depay elements use) reading the same fields of the same packet. Only bench/ may link
// this; the engine itself uses GStreamer at its edges only.
#include <benchmark/benchmark.h>
#include <gst/gst.h>
#include <gst/rtp/gstrtpbuffer.h>

#include <vector>

#include "bench/transport/media_packet.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal {
namespace {

void BM_GstRtpBufferMapWithTransportSequenceNumber(benchmark::State& state) {
  gst_init(nullptr, nullptr);
  std::vector<uint8_t> packet = MakeMediaPacket();
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
