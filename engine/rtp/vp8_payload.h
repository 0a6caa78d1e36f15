#ifndef ENGINE_RTP_VP8_PAYLOAD_H_
#define ENGINE_RTP_VP8_PAYLOAD_H_

// The RTP payload format for VP8 (RFC 7741): the payload descriptor, the VP8 payload header of
// a frame's first partition, a packetizer and a depacketizer.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "engine/codec/video_frame.h"
#include "engine/rtp/picture_id.h"
#include "engine/rtp/video_rtp_payload.h"
#include "transport/base/byte_io.h"
#include "transport/base/result.h"

namespace comodal::engine {

// The VP8 payload descriptor that starts every VP8 RTP payload (RFC 7741 §4.2):
//
//         0 1 2 3 4 5 6 7
//        |X|R|N|S|R| PID | (REQUIRED)
//   X:   |I|L|T|K| RSV   | (OPTIONAL)
//   I:   |M| PictureID   | (OPTIONAL)
//        |   PictureID   | (if M=1)
//   L:   |   TL0PICIDX   | (OPTIONAL)
//   T/K: |TID|Y| KEYIDX  | (OPTIONAL)
//
// Reserved bits are written as zero and ignored when read. Parsing keeps only what the wire
// means: TID and Y are dropped when T=0 (even if K=1 brought the octet), KEYIDX when K=0, and an
// X octet with no flag set is not remembered, so parse -> write -> parse gives the same value.
struct Vp8PayloadDescriptor {
  static constexpr size_t kMaxSize = 6;
  static constexpr uint8_t kMaxPartitionIndex = 7;
  static constexpr uint8_t kMaxTemporalId = 3;
  static constexpr uint8_t kMaxKeyIndex = 31;

  bool non_reference = false;           // N: the frame can be discarded without hurting others.
  bool start_of_partition = false;      // S: the payload starts a VP8 partition.
  uint8_t partition_index = 0;          // PID, 0..7.
  std::optional<PictureId> picture_id;  // I.
  std::optional<uint8_t> tl0_pic_idx;   // L: TL0PICIDX; requires temporal_id (RFC 7741 §4.2).
  std::optional<uint8_t> temporal_id;   // T: TID, 0..3.
  bool layer_sync = false;              // Y; meaningful only with temporal_id.
  std::optional<uint8_t> key_index;     // K: KEYIDX, 0..31.

  // The descriptor at the start of `payload`; `*descriptor_size` (if given) receives its length.
  // The VP8 data after it must not be empty.
  static Result<Vp8PayloadDescriptor> Parse(std::span<const uint8_t> payload,
                                            size_t* descriptor_size = nullptr);
  size_t Size() const;
  // kInvalidArgument when a field does not fit its width or L is set without T.
  Status Write(ByteWriter& out) const;

  friend bool operator==(const Vp8PayloadDescriptor&, const Vp8PayloadDescriptor&) = default;
};

// The start of a VP8 frame's first partition (RFC 7741 §4.3, RFC 6386 §9.1): the 3-octet frame
// tag, and for keyframes the start code and the coded size.
//
//         0 1 2 3 4 5 6 7
//        |Size0|H| VER |P|   P: inverse key frame flag; H: show_frame
//        |     Size1     |   first partition size = Size0 + 8 * Size1 + 2048 * Size2
//        |     Size2     |
//   (keyframes) 0x9d 0x01 0x2a, then width and height as 16-bit little-endian words:
//        14 bits of size, 2 bits of upscaling (RFC 6386 §9.2)
struct Vp8PayloadHeader {
  static constexpr size_t kSize = 3;
  static constexpr size_t kKeyframeSize = 10;

  bool keyframe = false;
  bool show_frame = false;
  uint8_t version = 0;
  uint32_t first_partition_size = 0;
  // Keyframes only.
  uint16_t width = 0;
  uint8_t horizontal_scale = 0;
  uint16_t height = 0;
  uint8_t vertical_scale = 0;

  // `vp8_data` is the data after the descriptor of the packet with S=1 and PID=0.
  static Result<Vp8PayloadHeader> Parse(std::span<const uint8_t> vp8_data);

  friend bool operator==(const Vp8PayloadHeader&, const Vp8PayloadHeader&) = default;
};

// Cuts encoded VP8 frames into RTP payloads. Every frame goes in one partition-agnostic run
// (RFC 7741 §4.4: S=1 and PID=0 on the first packet, S=0 on the others) with a 15-bit PictureID
// that counts frames, TL0PICIDX that counts base-layer frames, and the frame's TID and Y.
class Vp8Packetizer {
 public:
  struct Config {
    size_t max_payload_size = kDefaultVideoMaxPayloadSize;
    uint16_t first_picture_id = 0;  // 0..0x7FFF; a sender should pick it at random.
    uint8_t first_tl0_pic_idx = 0;
  };

  Vp8Packetizer() : Vp8Packetizer(Config{}) {}
  explicit Vp8Packetizer(const Config& config);

  // The payloads of `frame`, at most max_payload_size bytes each, fragments balanced in size.
  // kInvalidArgument for an empty frame, a temporal_id above 3, or a max_payload_size with no
  // room for data; the picture counters move only when a frame is packetized.
  Result<std::vector<RtpVideoPayload>> Packetize(const EncodedVideoFrame& frame);

  // The PictureID the next frame will carry.
  uint16_t next_picture_id() const { return next_picture_id_; }

 private:
  Config config_;
  uint16_t next_picture_id_;
  uint8_t tl0_pic_idx_;
  bool seen_base_layer_ = false;
};

// One received VP8 RTP packet, depacketized.
struct Vp8DepacketizedPacket {
  Vp8PayloadDescriptor descriptor;
  std::span<const uint8_t> fragment;  // VP8 data: view into the RTP packet, after the descriptor.
  // Present on the packet that starts a frame (S=1, PID=0): RFC 7741 §4.3.
  std::optional<Vp8PayloadHeader> payload_header;
  bool marker = false;
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;

  bool starts_frame() const {
    return descriptor.start_of_partition && descriptor.partition_index == 0;
  }
  // RFC 7741 §4.1: the marker bit is set on the last packet of a frame.
  bool ends_frame() const { return marker; }
  bool keyframe() const { return payload_header && payload_header->keyframe; }
};

Result<Vp8DepacketizedPacket> DepacketizeVp8(const ReceivedRtpPayload& rtp);

// The VP8 frame carried by `packets`: one frame's packets in order, with consecutive sequence
// numbers and one timestamp, the first starting the frame and only the last with the marker.
Result<std::vector<uint8_t>> AssembleVp8Frame(std::span<const Vp8DepacketizedPacket> packets);

}  // namespace comodal::engine

#endif  // ENGINE_RTP_VP8_PAYLOAD_H_
