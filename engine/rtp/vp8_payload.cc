#include "engine/rtp/vp8_payload.h"

#include <algorithm>

namespace comodal::engine {
namespace {

// RFC 7741 §4.2, first octet.
constexpr uint8_t kExtendedBit = 0x80;      // X
constexpr uint8_t kNonReferenceBit = 0x20;  // N
constexpr uint8_t kStartBit = 0x10;         // S
constexpr uint8_t kPartitionMask = 0x07;    // PID
// Extension octet (X=1).
constexpr uint8_t kPictureIdBit = 0x80;  // I
constexpr uint8_t kTl0PicIdxBit = 0x40;  // L
constexpr uint8_t kTidBit = 0x20;        // T
constexpr uint8_t kKeyIdxBit = 0x10;     // K
// T/K octet: |TID|Y| KEYIDX |.
constexpr uint8_t kLayerSyncBit = 0x20;
constexpr uint8_t kKeyIdxMask = 0x1F;

// RFC 6386 §9.1: the start code after a keyframe's frame tag.
constexpr uint8_t kStartCode[3] = {0x9D, 0x01, 0x2A};

bool HasExtension(const Vp8PayloadDescriptor& d) {
  return d.picture_id || d.tl0_pic_idx || d.temporal_id || d.key_index;
}

}  // namespace

Result<Vp8PayloadDescriptor> Vp8PayloadDescriptor::Parse(std::span<const uint8_t> payload,
                                                         size_t* descriptor_size) {
  ByteReader in(payload);
  if (in.remaining() < 1) return Error{ErrorCode::kTruncated, "VP8 payload is empty"};
  const uint8_t first = in.U8();
  Vp8PayloadDescriptor d;
  d.non_reference = (first & kNonReferenceBit) != 0;
  d.start_of_partition = (first & kStartBit) != 0;
  d.partition_index = first & kPartitionMask;
  if (first & kExtendedBit) {
    if (in.remaining() < 1) {
      return Error{ErrorCode::kTruncated, "VP8 extension octet (X=1) is missing"};
    }
    const uint8_t flags = in.U8();
    // RFC 7741 §4.2: "When [L is] set to 1, ... the T bit MUST be set to 1."
    if ((flags & kTl0PicIdxBit) && !(flags & kTidBit)) {
      return Error{ErrorCode::kMalformed, "VP8 TL0PICIDX (L=1) without TID (T=0)"};
    }
    if (flags & kPictureIdBit) {
      Result<PictureId> id = PictureId::Read(in);
      if (!id.ok()) return id.error();
      d.picture_id = *id;
    }
    if (flags & kTl0PicIdxBit) {
      if (in.remaining() < 1) {
        return Error{ErrorCode::kTruncated, "VP8 TL0PICIDX (L=1) is missing"};
      }
      d.tl0_pic_idx = in.U8();
    }
    if (flags & (kTidBit | kKeyIdxBit)) {
      if (in.remaining() < 1) {
        return Error{ErrorCode::kTruncated, "VP8 TID/Y/KEYIDX octet (T or K = 1) is missing"};
      }
      const uint8_t tk = in.U8();
      // RFC 7741 §4.2: with T=0 the TID|Y part is ignored; with K=0 KEYIDX is.
      if (flags & kTidBit) {
        d.temporal_id = static_cast<uint8_t>(tk >> 6);
        d.layer_sync = (tk & kLayerSyncBit) != 0;
      }
      if (flags & kKeyIdxBit) d.key_index = tk & kKeyIdxMask;
    }
  }
  // RFC 7741 §4.2: the descriptor is followed by (a fragment of) a VP8 partition.
  if (in.remaining() == 0) {
    return Error{ErrorCode::kMalformed, "VP8 payload has no data after the descriptor"};
  }
  if (descriptor_size) *descriptor_size = in.position();
  return d;
}

size_t Vp8PayloadDescriptor::Size() const {
  if (!HasExtension(*this)) return 1;
  return 2 + (picture_id ? picture_id->Size() : 0) + (tl0_pic_idx ? 1 : 0) +
         (temporal_id || key_index ? 1 : 0);
}

Status Vp8PayloadDescriptor::Write(ByteWriter& out) const {
  if (partition_index > kMaxPartitionIndex) {
    return Error{ErrorCode::kInvalidArgument, "VP8 partition index above 7"};
  }
  if (picture_id && !picture_id->Valid()) {
    return Error{ErrorCode::kInvalidArgument, "VP8 PictureID does not fit its width"};
  }
  if (temporal_id && *temporal_id > kMaxTemporalId) {
    return Error{ErrorCode::kInvalidArgument, "VP8 TID above 3"};
  }
  if (key_index && *key_index > kMaxKeyIndex) {
    return Error{ErrorCode::kInvalidArgument, "VP8 KEYIDX above 31"};
  }
  if (tl0_pic_idx && !temporal_id) {
    return Error{ErrorCode::kInvalidArgument, "VP8 TL0PICIDX needs a TID (RFC 7741 §4.2)"};
  }
  const bool extended = HasExtension(*this);
  out.U8(static_cast<uint8_t>((extended ? kExtendedBit : 0) |
                              (non_reference ? kNonReferenceBit : 0) |
                              (start_of_partition ? kStartBit : 0) | partition_index));
  if (extended) {
    out.U8(static_cast<uint8_t>((picture_id ? kPictureIdBit : 0) |
                                (tl0_pic_idx ? kTl0PicIdxBit : 0) | (temporal_id ? kTidBit : 0) |
                                (key_index ? kKeyIdxBit : 0)));
    if (picture_id) picture_id->Write(out);
    if (tl0_pic_idx) out.U8(*tl0_pic_idx);
    if (temporal_id || key_index) {
      uint8_t tk = 0;
      if (temporal_id)
        tk |= static_cast<uint8_t>((*temporal_id << 6) | (layer_sync ? kLayerSyncBit : 0));
      if (key_index) tk |= *key_index;
      out.U8(tk);
    }
  }
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the VP8 payload descriptor"};
  return Status::Ok();
}

Result<Vp8PayloadHeader> Vp8PayloadHeader::Parse(std::span<const uint8_t> vp8_data) {
  if (vp8_data.size() < kSize) {
    return Error{ErrorCode::kTruncated, "VP8 payload header needs 3 octets"};
  }
  // RFC 7741 §4.3: Size0 is the top 3 bits of the first octet, P its lowest bit.
  Vp8PayloadHeader h;
  h.keyframe = (vp8_data[0] & 0x01) == 0;
  h.version = (vp8_data[0] >> 1) & 0x07;
  h.show_frame = (vp8_data[0] & 0x10) != 0;
  h.first_partition_size = static_cast<uint32_t>(vp8_data[0] >> 5) |
                           (static_cast<uint32_t>(vp8_data[1]) << 3) |
                           (static_cast<uint32_t>(vp8_data[2]) << 11);
  if (!h.keyframe) return h;
  // RFC 6386 §9.1: a keyframe's tag is followed by the start code and the coded size.
  if (vp8_data.size() < kKeyframeSize) {
    return Error{ErrorCode::kTruncated, "VP8 keyframe header needs 10 octets"};
  }
  if (!std::equal(std::begin(kStartCode), std::end(kStartCode), vp8_data.begin() + 3)) {
    return Error{ErrorCode::kMalformed, "VP8 keyframe start code is not 9d 01 2a"};
  }
  // Little-endian 16-bit words: 14 bits of size, 2 bits of scale (RFC 6386 §9.2).
  const uint16_t horizontal = static_cast<uint16_t>(vp8_data[6] | (vp8_data[7] << 8));
  const uint16_t vertical = static_cast<uint16_t>(vp8_data[8] | (vp8_data[9] << 8));
  h.width = horizontal & 0x3FFF;
  h.horizontal_scale = static_cast<uint8_t>(horizontal >> 14);
  h.height = vertical & 0x3FFF;
  h.vertical_scale = static_cast<uint8_t>(vertical >> 14);
  return h;
}

Vp8Packetizer::Vp8Packetizer(const Config& config)
    : config_(config),
      next_picture_id_(config.first_picture_id & PictureId::kMax15Bit),
      tl0_pic_idx_(config.first_tl0_pic_idx) {}

Result<std::vector<RtpVideoPayload>> Vp8Packetizer::Packetize(const EncodedVideoFrame& frame) {
  if (frame.data.empty()) return Error{ErrorCode::kInvalidArgument, "VP8 frame is empty"};
  if (frame.temporal_id > Vp8PayloadDescriptor::kMaxTemporalId) {
    return Error{ErrorCode::kInvalidArgument, "VP8 temporal layer above 3"};
  }
  Vp8PayloadDescriptor descriptor;
  descriptor.picture_id = PictureId{next_picture_id_, true};
  // RFC 7741 §4.2: TL0PICIDX increments with each base-layer (TID 0) frame; frames of upper
  // layers carry the index of the base-layer frame they follow.
  uint8_t tl0 = tl0_pic_idx_;
  if (frame.temporal_id == 0 && seen_base_layer_) ++tl0;
  descriptor.tl0_pic_idx = tl0;
  descriptor.temporal_id = frame.temporal_id;
  descriptor.layer_sync = frame.layer_sync;
  descriptor.non_reference = frame.non_reference;

  const size_t overhead = descriptor.Size();
  if (config_.max_payload_size <= overhead) {
    return Error{ErrorCode::kInvalidArgument, "VP8 max payload size leaves no room for data"};
  }
  const std::vector<size_t> sizes =
      BalancedFragmentSizes(frame.data.size(), config_.max_payload_size - overhead);
  // RFC 7741 §4.4: S=1 and PID=0 on the first packet of the frame only.
  auto payloads = BuildFragmentPayloads(
      frame.data, sizes, [&](bool first, bool) -> auto& {
        descriptor.start_of_partition = first;
        return descriptor;
      });
  if (!payloads.ok()) return payloads.error();
  next_picture_id_ = NextPictureId15(next_picture_id_);
  if (frame.temporal_id == 0) {
    tl0_pic_idx_ = tl0;
    seen_base_layer_ = true;
  }
  return payloads;
}

Result<Vp8DepacketizedPacket> DepacketizeVp8(const ReceivedRtpPayload& rtp) {
  Result<Vp8DepacketizedPacket> packet = DepacketizeVideoPayload<Vp8DepacketizedPacket>(rtp);
  if (!packet.ok()) return packet;
  // RFC 7741 §4.3: the packet that starts the frame starts with the VP8 payload header.
  if (packet->starts_frame()) {
    Result<Vp8PayloadHeader> header = Vp8PayloadHeader::Parse(packet->fragment);
    if (!header.ok()) return header.error();
    packet->payload_header = *header;
  }
  return packet;
}

Result<std::vector<uint8_t>> AssembleVp8Frame(std::span<const Vp8DepacketizedPacket> packets) {
  return AssembleFrameFragments(packets);
}

}  // namespace comodal::engine
