#include "engine/rtp/opus_payload.h"

namespace comodal::engine {
namespace {

// RFC 6716 §3.2.1 / R2: no frame is longer than 1275 bytes.
constexpr size_t kMaxFrameBytes = 1275;
constexpr int64_t kMaxPacketUs = 120'000;  // R5

// RFC 6716 §3.2.1: a frame length in one byte (0..251) or two (252..255, then x4 + first).
Result<size_t> ReadFrameLength(std::span<const uint8_t> data, size_t& pos) {
  if (pos >= data.size()) return Error{ErrorCode::kTruncated, "frame length missing"};
  const uint8_t first = data[pos++];
  if (first < 252) return static_cast<size_t>(first);
  if (pos >= data.size()) return Error{ErrorCode::kTruncated, "second frame-length byte missing"};
  return static_cast<size_t>(data[pos++]) * 4 + first;
}

}  // namespace

Result<OpusPacketInfo> ParseOpusPacket(std::span<const uint8_t> packet) {
  // R1: at least one byte.
  if (packet.empty()) return Error{ErrorCode::kTruncated, "empty Opus packet"};
  OpusPacketInfo info;
  const uint8_t toc = packet[0];
  info.config = toc >> 3;
  info.stereo = (toc & 0x04) != 0;
  const int code = toc & 0x03;

  // RFC 6716 Table 2.
  const int c = info.config;
  if (c < 12) {
    info.mode = OpusMode::kSilk;
    info.bandwidth = c < 4   ? OpusBandwidth::kNarrow
                     : c < 8 ? OpusBandwidth::kMedium
                             : OpusBandwidth::kWide;
    static constexpr int64_t kSilkUs[] = {10'000, 20'000, 40'000, 60'000};
    info.frame_duration = TimeDelta::Micros(kSilkUs[c % 4]);
  } else if (c < 16) {
    info.mode = OpusMode::kHybrid;
    info.bandwidth = c < 14 ? OpusBandwidth::kSuperWide : OpusBandwidth::kFull;
    info.frame_duration = TimeDelta::Micros(c % 2 == 0 ? 10'000 : 20'000);
  } else {
    info.mode = OpusMode::kCelt;
    static constexpr OpusBandwidth kCeltBandwidth[] = {OpusBandwidth::kNarrow, OpusBandwidth::kWide,
                                                       OpusBandwidth::kSuperWide,
                                                       OpusBandwidth::kFull};
    info.bandwidth = kCeltBandwidth[(c - 16) / 4];
    static constexpr int64_t kCeltUs[] = {2'500, 5'000, 10'000, 20'000};
    info.frame_duration = TimeDelta::Micros(kCeltUs[c % 4]);
  }

  const size_t n = packet.size();
  size_t pos = 1;
  switch (code) {
    case 0:  // One frame.
      info.frame_count = 1;
      if (n - 1 > kMaxFrameBytes) return Error{ErrorCode::kBadLength, "frame over 1275 bytes"};
      info.frame_bytes = n - 1;
      break;
    case 1:  // Two frames of equal size; R3: odd number of bytes after the TOC is malformed.
      info.frame_count = 2;
      if ((n - 1) % 2 != 0) {
        return Error{ErrorCode::kBadLength, "code 1 packet with an odd payload length"};
      }
      if ((n - 1) / 2 > kMaxFrameBytes)
        return Error{ErrorCode::kBadLength, "frame over 1275 bytes"};
      info.frame_bytes = n - 1;
      break;
    case 2: {  // Two frames, the first's length coded; R4.
      info.frame_count = 2;
      auto first = ReadFrameLength(packet, pos);
      if (!first.ok()) return first.error();
      if (*first > n - pos) {
        return Error{ErrorCode::kBadLength, "code 2 first frame longer than the packet"};
      }
      if (*first > kMaxFrameBytes || n - pos - *first > kMaxFrameBytes) {
        return Error{ErrorCode::kBadLength, "frame over 1275 bytes"};
      }
      info.frame_bytes = n - pos;
      break;
    }
    default: {  // Code 3: a frame-count byte, optional padding, CBR or VBR.
      if (pos >= n) return Error{ErrorCode::kTruncated, "code 3 frame-count byte missing"};
      const uint8_t count_byte = packet[pos++];
      const bool vbr = (count_byte & 0x80) != 0;
      const bool padded = (count_byte & 0x40) != 0;
      info.frame_count = count_byte & 0x3F;
      // R5: at least one frame, at most 120 ms.
      if (info.frame_count == 0) return Error{ErrorCode::kMalformed, "code 3 with zero frames"};
      if (info.frame_duration.us() * info.frame_count > kMaxPacketUs) {
        return Error{ErrorCode::kMalformed, "code 3 packet longer than 120 ms"};
      }
      size_t padding = 0;
      if (padded) {
        // RFC 6716 §3.2.5: each 255 adds 254 bytes and another length byte follows.
        while (true) {
          if (pos >= n) return Error{ErrorCode::kTruncated, "padding length truncated"};
          const uint8_t p = packet[pos++];
          padding += p == 255 ? 254 : p;
          if (p != 255) break;
        }
      }
      if (padding > n - pos) return Error{ErrorCode::kBadPadding, "padding longer than the packet"};
      const size_t available = n - pos - padding;
      if (vbr) {
        // R7: M-1 coded lengths, which with the last frame fit in what is left.
        size_t coded = 0;
        for (int i = 0; i + 1 < info.frame_count; ++i) {
          auto length = ReadFrameLength(packet, pos);
          if (!length.ok()) return length.error();
          if (*length > kMaxFrameBytes)
            return Error{ErrorCode::kBadLength, "frame over 1275 bytes"};
          coded += *length;
        }
        if (pos + padding > n || coded > n - pos - padding) {
          return Error{ErrorCode::kBadLength, "code 3 VBR frame lengths exceed the packet"};
        }
        if (n - pos - padding - coded > kMaxFrameBytes) {
          return Error{ErrorCode::kBadLength, "frame over 1275 bytes"};
        }
        info.frame_bytes = n - pos - padding;
      } else {
        // R6: the frames share what is left equally.
        if (available % info.frame_count != 0) {
          return Error{ErrorCode::kBadLength, "code 3 CBR length not a multiple of the count"};
        }
        if (available / info.frame_count > kMaxFrameBytes) {
          return Error{ErrorCode::kBadLength, "frame over 1275 bytes"};
        }
        info.frame_bytes = available;
      }
      break;
    }
  }
  info.first_frame_offset = pos;  // Every code leaves `pos` where the frames begin.
  info.duration = info.frame_duration * static_cast<int64_t>(info.frame_count);
  return info;
}

bool OpusPacketHasLbrr(std::span<const uint8_t> packet, const OpusPacketInfo& info) {
  if (info.mode == OpusMode::kCelt || info.frame_bytes == 0 ||
      info.first_frame_offset >= packet.size()) {
    return false;
  }
  // One SILK frame per 20 ms of an Opus frame (10 and 20 ms frames hold one).
  const int silk_frames = info.frame_duration > TimeDelta::Millis(20)
                              ? static_cast<int>(info.frame_duration.ms() / 20)
                              : 1;
  const uint8_t header = packet[info.first_frame_offset];
  bool lbrr = ((header >> (7 - silk_frames)) & 1) != 0;
  if (info.stereo) lbrr = lbrr || ((header >> (6 - 2 * silk_frames)) & 1) != 0;
  return lbrr;
}

}  // namespace comodal::engine

namespace comodal::engine {

bool OpusPacketHasVoiceActivity(std::span<const uint8_t> packet, const OpusPacketInfo& info) {
  if (info.frame_bytes <= 1 || info.first_frame_offset >= packet.size()) return false;
  if (info.mode == OpusMode::kCelt) return true;
  return (packet[info.first_frame_offset] & 0x80) != 0;
}

}  // namespace comodal::engine
