// Fuzzes the video receive path before the decoder: the input is a run of RTP packets (each
// prefixed by a one-byte length and a flag byte choosing VP8 or VP9, so that sequence numbers,
// timestamps, markers and descriptors can all be hostile), fed through VideoPacketBuffer,
// VideoReferenceFinder and VideoFrameBuffer. Nothing may crash, a frame never comes out of the
// finder twice, and the buffers stay within their bounds.
// comodal-fuzz-runs: 20000
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>

#include "engine/video/video_frame_buffer.h"
#include "engine/video/video_packet_buffer.h"
#include "engine/video/video_reference_finder.h"

using namespace comodal;
using namespace comodal::engine;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::span<const uint8_t> input(data, size);
  if (input.empty()) return 0;
  const VideoCodec codec = (input[0] & 1) ? VideoCodec::kVp9 : VideoCodec::kVp8;
  input = input.subspan(1);
  VideoPacketBuffer::Config config;
  config.max_packets = 64;
  VideoPacketBuffer packets(codec, config);
  VideoReferenceFinder finder;
  VideoFrameBuffer frames;
  std::set<uint64_t> handed_out;
  Timestamp now = Timestamp::Seconds(10);
  while (input.size() >= 1) {
    const size_t length = input[0];
    input = input.subspan(1);
    if (length > input.size()) break;
    auto parsed = RtpPacket::Parse(input.first(length));
    input = input.subspan(length);
    now += TimeDelta::Millis(5);
    if (!parsed.ok()) continue;
    auto assembled = packets.Insert(*parsed, Timestamp::MinusInfinity());
    if (packets.size() > config.max_packets) __builtin_trap();
    if (!assembled.ok() || !assembled->has_value()) continue;
    for (EncodedVideoFrame& frame : finder.Insert(std::move(**assembled))) {
      if (!handed_out.insert(frame.frame_id).second) __builtin_trap();
      frames.Insert(std::move(frame), now);
    }
    while (auto frame = frames.NextDecodable(now, finder.stashed() > 0)) (void)frame->data.size();
    (void)frames.TakeKeyframeRequest();
  }
  return 0;
}
