// Opus packets from the network: comodal's framing check (RFC 6716 §3.4) must agree with
// libopus's own parser on every input - same verdict, same frame count, same first-frame offset
// - so nothing comodal accepts can surprise the decoder, and nothing valid is refused.
#include <opus/opus.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "engine/rtp/opus_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> packet(data, size);
  auto info = comodal::engine::ParseOpusPacket(packet);
  unsigned char toc = 0;
  const unsigned char* frames[48];
  opus_int16 sizes[48];
  int payload_offset = 0;
  const int count =
      opus_packet_parse(data, static_cast<opus_int32>(size), &toc, frames, sizes, &payload_offset);
  if (info.ok() != (count > 0)) __builtin_trap();
  if (!info.ok()) return 0;
  if (info->frame_count != count) __builtin_trap();
  if (static_cast<int>(info->first_frame_offset) != payload_offset) __builtin_trap();
  if (info->duration.us() * 48 / 1000 !=
      opus_packet_get_nb_samples(data, static_cast<opus_int32>(size), 48000)) {
    __builtin_trap();
  }
  (void)comodal::engine::OpusPacketHasLbrr(packet, *info);
  return 0;
}
