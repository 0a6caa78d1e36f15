#ifndef ENGINE_MEDIA_MEDIA_CONSTANTS_H_
#define ENGINE_MEDIA_MEDIA_CONSTANTS_H_

#include <cstdint>
#include <optional>

#include "engine/codec/video_frame.h"
#include "engine/rtp/opus_payload.h"

namespace comodal::engine {

// comodal's fixed RTP payload types (dynamic range, RFC 3551 §6; none in 64..95, which RTCP
// multiplexing on one port reserves, RFC 5761 §4). docs/architecture.md lists them.
inline constexpr uint8_t kVp8PayloadType = 96;
inline constexpr uint8_t kVp9PayloadType = 98;
// kOpusPayloadType = 111 (engine/rtp/opus_payload.h).
// The video repair stream (RTX, RFC 4588, "apt" the codec's payload type), which also carries
// the congestion controller's probe padding: padding-only packets a receiver counts for feedback
// and otherwise drops.
inline constexpr uint8_t kVp8RtxPayloadType = 97;
inline constexpr uint8_t kVp9RtxPayloadType = 99;
// The video FEC stream (FlexFEC, RFC 8627), on its own SSRC: a receiver that does not know it
// drops it and still decodes the video.
inline constexpr uint8_t kFlexfecPayloadType = 100;
// Redundant audio (RED, RFC 2198) carrying Opus blocks: a receiver that does not know it drops the
// audio, so it is sent only while the receiver reports loss.
inline constexpr uint8_t kRedPayloadType = 101;
// Reed-Solomon repair for the video (transport/fec/reed_solomon.h), on the FEC stream's SSRC,
// where the loss calls for more than FlexFEC's XOR parity recovers.
inline constexpr uint8_t kReedSolomonPayloadType = 102;

inline constexpr int kVideoRtpClockRate = 90'000;  // RFC 7741 §6.1, RFC 9628 §6.1.

// Header extension IDs comodal senders use (one-byte form, RFC 8285 §4.2). A plain RTP
// receiver ignores them.
inline constexpr uint8_t kAbsCaptureTimeExtensionId = 1;
// Transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01), on every
// packet of every stream: what the receiver's congestion-control feedback reports on.
inline constexpr uint8_t kTransportSequenceNumberExtensionId = 2;

inline uint8_t VideoPayloadType(VideoCodec codec) {
  return codec == VideoCodec::kVp8 ? kVp8PayloadType : kVp9PayloadType;
}
inline uint8_t VideoRtxPayloadType(VideoCodec codec) {
  return codec == VideoCodec::kVp8 ? kVp8RtxPayloadType : kVp9RtxPayloadType;
}
inline std::optional<VideoCodec> VideoCodecOfPayloadType(uint8_t payload_type) {
  if (payload_type == kVp8PayloadType) return VideoCodec::kVp8;
  if (payload_type == kVp9PayloadType) return VideoCodec::kVp9;
  return std::nullopt;
}

}  // namespace comodal::engine

#endif  // ENGINE_MEDIA_MEDIA_CONSTANTS_H_
