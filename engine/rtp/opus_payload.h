#ifndef ENGINE_RTP_OPUS_PAYLOAD_H_
#define ENGINE_RTP_OPUS_PAYLOAD_H_

#include <cstdint>
#include <span>

#include "transport/base/result.h"
#include "transport/units/time_delta.h"

namespace comodal::engine {

// comodal's fixed payload type for Opus (docs/architecture.md).
inline constexpr uint8_t kOpusPayloadType = 111;
// RFC 7587 §4.1: the RTP clock of Opus is 48 kHz whatever the encoder's internal rate.
inline constexpr int kOpusRtpClockRate = 48000;

enum class OpusMode : uint8_t { kSilk, kHybrid, kCelt };
enum class OpusBandwidth : uint8_t { kNarrow, kMedium, kWide, kSuperWide, kFull };

// What the table-of-contents byte and the framing of an Opus packet say (RFC 6716 §3.1-3.2).
struct OpusPacketInfo {
  uint8_t config = 0;  // 0..31
  OpusMode mode = OpusMode::kSilk;
  OpusBandwidth bandwidth = OpusBandwidth::kNarrow;
  bool stereo = false;
  uint8_t frame_count = 0;
  TimeDelta frame_duration = TimeDelta::Zero();
  TimeDelta duration = TimeDelta::Zero();  // frame_count x frame_duration, at most 120 ms.
  // Bytes of the packet that are neither TOC, framing nor padding (the compressed frames).
  size_t frame_bytes = 0;
  size_t first_frame_offset = 0;  // Where the first compressed frame starts.
};

// Parses and validates an Opus packet against every framing rule of RFC 6716 §3.4 (R1-R7): a
// packet that fails one is malformed and must not be decoded. An RTP payload of payload type
// kOpusPayloadType is exactly one such packet (RFC 7587 §4.2).
Result<OpusPacketInfo> ParseOpusPacket(std::span<const uint8_t> packet);

// Whether the packet's first frame carries in-band FEC (LBRR) data for the previous packet.
// RFC 6716 §4.2.3-4.2.4: a SILK or hybrid frame starts with per-SILK-frame VAD flags and an LBRR
// flag (for the mid channel, then the side channel if stereo), each coded with probability 1/2,
// so they are the first bits of the first frame's range-coded bytes. CELT-only frames never
// carry LBRR. `packet` must have parsed as `info`.
bool OpusPacketHasLbrr(std::span<const uint8_t> packet, const OpusPacketInfo& info);

// Whether the packet carries active speech, for the jitter buffer to skip silence first: the
// first SILK frame's VAD flag (RFC 6716 §4.2.3) for SILK and hybrid packets; a CELT packet counts
// as speech unless it is a DTX packet (no frame data, RFC 6716 §3.2.1).
bool OpusPacketHasVoiceActivity(std::span<const uint8_t> packet, const OpusPacketInfo& info);

// The RTP timestamp advance of a packet of `duration` (RFC 7587 §4.1).
inline uint32_t OpusRtpTimestampStep(TimeDelta duration) {
  return static_cast<uint32_t>(duration.us() * kOpusRtpClockRate / 1'000'000);
}

}  // namespace comodal::engine

#endif  // ENGINE_RTP_OPUS_PAYLOAD_H_
