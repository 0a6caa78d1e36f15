// Fuzzes engine/rtp/vp9_payload.h: parse the payload descriptor (with its scalability structure),
// touch every field, write it back and parse it to the same value; then use the input as frames,
// packetize them in both modes and check that depacketizing and assembling gives them back.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "engine/rtp/vp9_payload.h"

using comodal::ByteWriter;
using comodal::engine::EncodedVideoFrame;
using comodal::engine::Vp9DepacketizedPacket;
using comodal::engine::Vp9PayloadDescriptor;
using comodal::engine::Vp9ScalabilityStructure;

namespace {

void CheckDescriptor(std::span<const uint8_t> input) {
  size_t descriptor_size = 0;
  auto descriptor = Vp9PayloadDescriptor::Parse(input, &descriptor_size);
  if (!descriptor.ok()) return;
  const Vp9PayloadDescriptor& d = *descriptor;
  if (d.Size() != descriptor_size || descriptor_size >= input.size()) __builtin_trap();
  if ((d.flexible_mode && !d.picture_id) || (d.picture_id && !d.picture_id->Valid()) ||
      d.tl0_pic_idx.has_value() != (d.layer_indices.has_value() && !d.flexible_mode) ||
      d.references().size() > 3 ||
      (d.references().empty() == (d.flexible_mode && d.inter_picture_predicted))) {
    __builtin_trap();
  }
  if (d.layer_indices && (d.layer_indices->temporal_id > 7 || d.layer_indices->spatial_id > 7)) {
    __builtin_trap();
  }
  for (uint8_t diff : d.references()) {
    if (diff == 0 || diff > 127) __builtin_trap();
  }
  if (d.scalability_structure) {
    const Vp9ScalabilityStructure& ss = *d.scalability_structure;
    if (ss.spatial_layers < 1 || ss.spatial_layers > 8 ||
        (!ss.resolutions.empty() && ss.resolutions.size() != ss.spatial_layers)) {
      __builtin_trap();
    }
    if (ss.picture_group) {
      for (const auto& picture : *ss.picture_group) {
        if (picture.temporal_id > 7 || picture.reference_diffs.size() > 3) __builtin_trap();
        (void)picture.switching_up;
      }
    }
  }
  (void)d.beginning_of_frame, (void)d.end_of_frame, (void)d.not_upper_spatial_reference;

  std::vector<uint8_t> out(d.Size() + 1, 0xAA);
  ByteWriter writer(out);
  if (!d.Write(writer).ok() || writer.size() != d.Size()) __builtin_trap();
  // Parsing keeps every field that has a meaning (reserved SS bits are written as zero), so
  // the value comes back the same.
  auto again = Vp9PayloadDescriptor::Parse(out);
  if (!again.ok() || !(*again == d)) __builtin_trap();
}

void CheckDepacketizer(std::span<const uint8_t> input) {
  auto packet = comodal::engine::DepacketizeVp9({input, false, 1, 2});
  if (!packet.ok()) return;
  if (packet->fragment.empty() ||
      packet->fragment.data() + packet->fragment.size() != input.data() + input.size()) {
    __builtin_trap();
  }
  (void)packet->starts_keyframe(), (void)packet->ends_frame();
}

// A keyframe and an inter frame referencing it, cut from the input, packetized with a max
// payload size from its first octet, in the mode its second octet picks, and carried back.
void CheckPacketizer(std::span<const uint8_t> input) {
  if (input.size() < 4) return;
  const bool flexible = input[1] & 1;
  const size_t max_payload_size = 30 + input[0];
  comodal::engine::Vp9Packetizer packetizer(
      {.max_payload_size = max_payload_size,
       .flexible_mode = flexible,
       .picture_group = flexible ? std::vector<Vp9ScalabilityStructure::Picture>{}
                                 : std::vector<Vp9ScalabilityStructure::Picture>{{0, false, {1}},
                                                                                 {1, true, {1}}}});
  const size_t half = (input.size() - 2) / 2;
  EncodedVideoFrame frames[2];
  frames[0].data.assign(input.begin() + 2, input.begin() + 2 + half);
  frames[0].keyframe = true;
  frames[0].width = 640;
  frames[0].height = 360;
  frames[0].frame_id = 1;
  frames[1].data.assign(input.begin() + 2 + half, input.end());
  frames[1].frame_id = 2;
  frames[1].references = {1};
  frames[1].temporal_id = input[1] >> 5;
  for (const EncodedVideoFrame& frame : frames) {
    auto payloads = packetizer.Packetize(frame);
    if (frame.data.empty()) {
      if (payloads.ok()) __builtin_trap();
      continue;
    }
    if (!payloads.ok()) __builtin_trap();
    std::vector<Vp9DepacketizedPacket> packets;
    for (size_t i = 0; i < payloads->size(); ++i) {
      const auto& payload = (*payloads)[i];
      if (payload.data.size() > max_payload_size) __builtin_trap();
      auto packet = comodal::engine::DepacketizeVp9(
          {payload.data, payload.last_in_frame, static_cast<uint16_t>(65530 + i), 9});
      if (!packet.ok()) __builtin_trap();
      if (packet->descriptor.scalability_structure.has_value() != (frame.keyframe && i == 0)) {
        __builtin_trap();
      }
      packets.push_back(*packet);
    }
    if (packets[0].starts_keyframe() != frame.keyframe) __builtin_trap();
    auto assembled = comodal::engine::AssembleVp9Frame(packets);
    if (!assembled.ok() || *assembled != frame.data) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  CheckDescriptor(input);
  CheckDepacketizer(input);
  CheckPacketizer(input);
  return 0;
}
