#ifndef ENGINE_VIDEO_VIDEO_PACKET_BUFFER_H_
#define ENGINE_VIDEO_VIDEO_PACKET_BUFFER_H_

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "engine/codec/video_frame.h"
#include "transport/base/result.h"
#include "transport/rtp/rtp_packet.h"
#include "transport/rtp/sequence_number.h"
#include "transport/units/timestamp.h"

namespace comodal::engine {

// What a frame's payload descriptors say about its place in the stream: what the reference
// finder needs to give it an id and its references.
struct ReceivedFrameInfo {
  uint16_t first_sequence_number = 0;
  uint16_t last_sequence_number = 0;
  uint32_t rtp_timestamp = 0;
  std::optional<uint16_t> picture_id;
  bool picture_id_15bit = true;
  std::optional<uint8_t> tl0_pic_idx;
  bool has_temporal_id = false;  // The descriptor carried a TID (VP8 T bit, VP9 L bit).
  // VP9 flexible mode (F=1): the frame lists its references as PictureID distances (P_DIFF).
  bool flexible = false;
  std::vector<uint8_t> reference_diffs;
};

// A frame whose every packet arrived: the codec data and what the descriptors said. The
// EncodedVideoFrame has everything but its frame_id and references, which the reference finder
// works out.
struct AssembledVideoFrame {
  EncodedVideoFrame frame;
  ReceivedFrameInfo info;
};

// Received VP8 (RFC 7741) or VP9 (RFC 9628) RTP packets, held by sequence number until they make
// whole frames: a run of consecutive packets with one RTP timestamp from the packet that starts
// the frame (VP8 S=1 PID=0, VP9 B) to the one that ends it (VP8 marker, VP9 E). Packets may come
// in any order and twice (retransmissions); a frame is handed out as soon as its last missing
// packet arrives. Incomplete frames older than an assembled keyframe are given up, and the
// buffer is bounded: past `max_packets` the oldest packets go.
class VideoPacketBuffer {
 public:
  struct Config {
    size_t max_packets = 2048;
  };
  struct Stats {
    uint64_t packets_inserted = 0;
    uint64_t packets_duplicate = 0;
    uint64_t packets_malformed = 0;  // Payload descriptor rejected.
    uint64_t packets_evicted = 0;    // Incomplete frames given up.
    uint64_t frames_assembled = 0;
  };

  explicit VideoPacketBuffer(VideoCodec codec) : VideoPacketBuffer(codec, Config{}) {}
  VideoPacketBuffer(VideoCodec codec, Config config) : codec_(codec), config_(config) {}

  // Adds one packet of the stream; `capture_time` is what its abs-capture-time extension said
  // (MinusInfinity if it had none). Returns the frame it completed, if any. A malformed payload
  // is an error and changes nothing.
  Result<std::optional<AssembledVideoFrame>> Insert(const RtpPacket& packet,
                                                    Timestamp capture_time);

  VideoCodec codec() const { return codec_; }
  const Stats& stats() const { return stats_; }
  size_t size() const { return packets_.size(); }

 private:
  struct Stored {
    std::vector<uint8_t> fragment;
    bool starts = false;
    bool ends = false;
    // Known from the packet that starts the frame: the frame's fields but its data, id and
    // references.
    EncodedVideoFrame header;
    ReceivedFrameInfo info;
  };
  Result<Stored> Parse(const RtpPacket& packet) const;
  AssembledVideoFrame Assemble(int64_t first, int64_t last);

  VideoCodec codec_;
  Config config_;
  SeqNumUnwrapper<uint16_t> unwrapper_;
  std::map<int64_t, Stored> packets_;  // By unwrapped sequence number.
  Stats stats_;
};

}  // namespace comodal::engine

#endif  // ENGINE_VIDEO_VIDEO_PACKET_BUFFER_H_
