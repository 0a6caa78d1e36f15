// Fuzzes engine/rtp/vp8_payload.h: parse the payload descriptor and the VP8 payload header,
// touch every field, write the descriptor back and parse it to the same value; then use the input
// as a frame, packetize it and check that depacketizing and assembling gives the frame back.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/rtp/vp8_payload.h"

using comodal::ByteWriter;
using comodal::engine::EncodedVideoFrame;
using comodal::engine::Vp8DepacketizedPacket;
using comodal::engine::Vp8PayloadDescriptor;
using comodal::engine::Vp8PayloadHeader;

namespace {

void CheckDescriptor(std::span<const uint8_t> input) {
  size_t descriptor_size = 0;
  auto descriptor = Vp8PayloadDescriptor::Parse(input, &descriptor_size);
  if (!descriptor.ok()) return;
  const Vp8PayloadDescriptor& d = *descriptor;
  // An X octet with no flag set is dropped on writing; nothing else changes the size.
  if (d.Size() > descriptor_size || descriptor_size > Vp8PayloadDescriptor::kMaxSize ||
      descriptor_size >= input.size()) {
    __builtin_trap();
  }
  if (d.partition_index > 7 || (d.picture_id && !d.picture_id->Valid()) ||
      (d.temporal_id && *d.temporal_id > 3) || (d.key_index && *d.key_index > 31) ||
      (d.tl0_pic_idx && !d.temporal_id) || (!d.temporal_id && d.layer_sync)) {
    __builtin_trap();
  }
  (void)d.non_reference, (void)d.start_of_partition;

  std::vector<uint8_t> out(d.Size() + 1, 0xAA);
  ByteWriter writer(out);
  if (!d.Write(writer).ok() || writer.size() != d.Size()) __builtin_trap();
  auto again = Vp8PayloadDescriptor::Parse(out);
  if (!again.ok() || !(*again == d)) __builtin_trap();
}

void CheckPayloadHeader(std::span<const uint8_t> input) {
  auto header = Vp8PayloadHeader::Parse(input);
  if (!header.ok()) return;
  if (header->keyframe && input.size() < Vp8PayloadHeader::kKeyframeSize) __builtin_trap();
  if (header->version > 7 || header->first_partition_size >= (1u << 19) || header->width > 0x3FFF ||
      header->height > 0x3FFF || header->horizontal_scale > 3 || header->vertical_scale > 3 ||
      (!header->keyframe && header->width != 0)) {
    __builtin_trap();
  }
  (void)header->show_frame;
}

void CheckDepacketizer(std::span<const uint8_t> input) {
  auto packet = comodal::engine::DepacketizeVp8({input, true, 1, 2});
  if (!packet.ok()) return;
  if (packet->fragment.empty() ||
      packet->fragment.data() + packet->fragment.size() != input.data() + input.size()) {
    __builtin_trap();
  }
  if (packet->starts_frame() != packet->payload_header.has_value()) __builtin_trap();
  (void)packet->keyframe(), (void)packet->ends_frame();
}

// The input as an interframe (P=1 in its first octet, so its 3-octet tag parses), packetized
// with a max payload size taken from the first octet and carried back.
void CheckPacketizer(std::span<const uint8_t> input) {
  if (input.size() < 4) return;
  EncodedVideoFrame frame;
  frame.data.assign(input.begin() + 1, input.end());
  frame.data[0] |= 0x01;
  frame.temporal_id = input[0] & 0x03;
  frame.layer_sync = (input[0] & 0x04) != 0;
  const size_t max_payload_size = 12 + input[0];
  comodal::engine::Vp8Packetizer packetizer({.max_payload_size = max_payload_size});
  auto payloads = packetizer.Packetize(frame);
  if (!payloads.ok()) __builtin_trap();
  std::vector<Vp8DepacketizedPacket> packets;
  for (size_t i = 0; i < payloads->size(); ++i) {
    const auto& payload = (*payloads)[i];
    if (payload.data.size() > max_payload_size) __builtin_trap();
    auto packet = comodal::engine::DepacketizeVp8(
        {payload.data, payload.last_in_frame, static_cast<uint16_t>(65530 + i), 9});
    if (!packet.ok() || packet->descriptor.temporal_id != frame.temporal_id) __builtin_trap();
    packets.push_back(*packet);
  }
  auto assembled = comodal::engine::AssembleVp8Frame(packets);
  if (!assembled.ok() || *assembled != frame.data) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  CheckDescriptor(input);
  CheckPayloadHeader(input);
  CheckDepacketizer(input);
  CheckPacketizer(input);
  return 0;
}
