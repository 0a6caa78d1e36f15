#ifndef ENGINE_RTP_VP9_PAYLOAD_H_
#define ENGINE_RTP_VP9_PAYLOAD_H_

// The RTP payload format for VP9 (RFC 9628): the payload descriptor with its scalability
// structure, a packetizer (flexible or non-flexible mode) and a depacketizer.

#include <array>
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

// The scalability structure (SS) a VP9 payload descriptor carries when V=1 (RFC 9628 §4.2.1):
//
//        |N_S|Y|G|-|-|-|          N_S + 1 spatial layers
//   Y:   |    WIDTH    | (16 bits) -\ N_S + 1 times
//        |    HEIGHT   | (16 bits) -/
//   G:   |     N_G     |            pictures in the picture group (PG)
//        |TID|U| R |-|-|           -\ N_G times
//        |    P_DIFF   | (R times) -/
struct Vp9ScalabilityStructure {
  static constexpr uint8_t kMaxSpatialLayers = 8;
  static constexpr size_t kMaxPictureGroupSize = 255;
  static constexpr uint8_t kMaxReferences = 3;

  struct Resolution {
    uint16_t width = 0;
    uint16_t height = 0;
    friend bool operator==(const Resolution&, const Resolution&) = default;
  };
  // One picture of the picture group.
  struct Picture {
    uint8_t temporal_id = 0;               // 0..7
    bool switching_up = false;             // U
    std::vector<uint8_t> reference_diffs;  // P_DIFF, 0..3 of them, each 1..255.
    friend bool operator==(const Picture&, const Picture&) = default;
  };

  uint8_t spatial_layers = 1;  // N_S + 1, 1..8.
  // Y=1: one resolution per spatial layer (exactly spatial_layers of them), else empty.
  std::vector<Resolution> resolutions;
  std::optional<std::vector<Picture>> picture_group;  // G=1 (possibly with N_G = 0).

  static Result<Vp9ScalabilityStructure> Read(ByteReader& in);
  size_t Size() const;
  Status Write(ByteWriter& out) const;

  friend bool operator==(const Vp9ScalabilityStructure&, const Vp9ScalabilityStructure&) = default;
};

// The VP9 payload descriptor that starts every VP9 RTP payload (RFC 9628 §4.2):
//
//         0 1 2 3 4 5 6 7
//        |I|P|L|F|B|E|V|Z| (REQUIRED)
//   I:   |M| PICTURE ID  |
//   M:   | EXTENDED PID  |
//   L:   | TID |U| SID |D|
//        |   TL0PICIDX   | (non-flexible mode, F=0)
//   P,F: | P_DIFF      |N| (flexible mode with P=1, up to 3 times)
//   V:   | SS            |
struct Vp9PayloadDescriptor {
  static constexpr uint8_t kMaxTemporalId = 7;
  static constexpr uint8_t kMaxSpatialId = 7;
  static constexpr uint8_t kMaxReferences = 3;
  static constexpr uint8_t kMaxReferenceDiff = 127;

  struct LayerIndices {
    uint8_t temporal_id = 0;              // TID, 0..7.
    bool switching_up = false;            // U
    uint8_t spatial_id = 0;               // SID, 0..7.
    bool inter_layer_dependency = false;  // D
    friend bool operator==(const LayerIndices&, const LayerIndices&) = default;
  };

  bool inter_picture_predicted = false;       // P
  bool flexible_mode = false;                 // F
  bool beginning_of_frame = false;            // B: first packet of a layer frame.
  bool end_of_frame = false;                  // E: last packet of a layer frame.
  bool not_upper_spatial_reference = false;   // Z
  std::optional<PictureId> picture_id;        // I; required in flexible mode.
  std::optional<LayerIndices> layer_indices;  // L
  // TL0PICIDX: present exactly when layer_indices is and the mode is non-flexible.
  std::optional<uint8_t> tl0_pic_idx;
  // P_DIFF (1..127 each): in flexible mode with P=1, one to three of them; otherwise none.
  std::array<uint8_t, kMaxReferences> reference_diffs{};
  uint8_t reference_count = 0;
  std::optional<Vp9ScalabilityStructure> scalability_structure;  // V

  std::span<const uint8_t> references() const { return {reference_diffs.data(), reference_count}; }

  // The descriptor at the start of `payload`; `*descriptor_size` (if given) receives its length.
  // The VP9 data after it must not be empty.
  static Result<Vp9PayloadDescriptor> Parse(std::span<const uint8_t> payload,
                                            size_t* descriptor_size = nullptr);
  size_t Size() const;
  // kInvalidArgument when a field does not fit or the fields contradict the mode (see above).
  Status Write(ByteWriter& out) const;

  friend bool operator==(const Vp9PayloadDescriptor&, const Vp9PayloadDescriptor&) = default;
};

// Cuts encoded VP9 frames (one spatial layer) into RTP payloads: B on the first packet, E on the
// last, a 15-bit PictureID counting frames, and on keyframes an SS with the resolution.
//
// Flexible mode (RFC 9628 §4.2, F=1) describes each frame's references as P_DIFF, the PictureID
// distance to each frame in EncodedVideoFrame::references (frames this packetizer sent in the
// last 127 pictures). Non-flexible mode (F=0) sends TID, U and TL0PICIDX instead, with the
// picture group the caller describes (if any) in the keyframe's SS.
class Vp9Packetizer {
 public:
  struct Config {
    size_t max_payload_size = kDefaultVideoMaxPayloadSize;
    bool flexible_mode = true;
    uint16_t first_picture_id = 0;  // 0..0x7FFF; a sender should pick it at random.
    uint8_t first_tl0_pic_idx = 0;
    // Non-flexible mode: the temporal pattern sent in the keyframes' SS (G=1) when not empty.
    std::vector<Vp9ScalabilityStructure::Picture> picture_group;
  };

  Vp9Packetizer() : Vp9Packetizer(Config{}) {}
  explicit Vp9Packetizer(Config config);

  // The payloads of `frame`, at most max_payload_size bytes each, balanced in size.
  // kInvalidArgument for an empty frame, a temporal_id above 7, more than three references or
  // one this packetizer cannot express (flexible mode), or a max_payload_size with no room.
  Result<std::vector<RtpVideoPayload>> Packetize(const EncodedVideoFrame& frame);

  uint16_t next_picture_id() const { return next_picture_id_; }

 private:
  // Frame ids of the last 128 pictures, indexed by PictureID modulo 128.
  static constexpr size_t kHistory = 128;
  struct Sent {
    uint64_t frame_id = 0;
    bool valid = false;
  };
  Result<Vp9PayloadDescriptor> Describe(const EncodedVideoFrame& frame) const;

  Config config_;
  uint16_t next_picture_id_;
  uint8_t tl0_pic_idx_;
  bool seen_base_layer_ = false;
  std::array<Sent, kHistory> history_{};
};

// One received VP9 RTP packet, depacketized.
struct Vp9DepacketizedPacket {
  Vp9PayloadDescriptor descriptor;
  std::span<const uint8_t> fragment;  // VP9 data: view into the RTP packet, after the descriptor.
  bool marker = false;                // RFC 9628 §4.1: last packet of the picture.
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;

  bool starts_frame() const { return descriptor.beginning_of_frame; }
  bool ends_frame() const { return descriptor.end_of_frame; }
  // The start of a keyframe: not inter-picture predicted, base spatial layer, first packet.
  bool starts_keyframe() const {
    return starts_frame() && !descriptor.inter_picture_predicted &&
           (!descriptor.layer_indices || descriptor.layer_indices->spatial_id == 0);
  }
};

Result<Vp9DepacketizedPacket> DepacketizeVp9(const ReceivedRtpPayload& rtp);

// The VP9 layer frame carried by `packets`: in order, consecutive sequence numbers, one
// timestamp, B on the first, E on the last and on no other.
Result<std::vector<uint8_t>> AssembleVp9Frame(std::span<const Vp9DepacketizedPacket> packets);

}  // namespace comodal::engine

#endif  // ENGINE_RTP_VP9_PAYLOAD_H_
