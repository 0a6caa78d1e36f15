#include "engine/rtp/vp9_payload.h"

#include <utility>

namespace comodal::engine {
namespace {

// RFC 9628 §4.2, first octet |I|P|L|F|B|E|V|Z|.
constexpr uint8_t kPictureIdBit = 0x80;    // I
constexpr uint8_t kPredictedBit = 0x40;    // P
constexpr uint8_t kLayerBit = 0x20;        // L
constexpr uint8_t kFlexibleBit = 0x10;     // F
constexpr uint8_t kBeginningBit = 0x08;    // B
constexpr uint8_t kEndBit = 0x04;          // E
constexpr uint8_t kScalabilityBit = 0x02;  // V
constexpr uint8_t kNotUpperRefBit = 0x01;  // Z
// P_DIFF octet |P_DIFF|N|: N says another P_DIFF follows.
constexpr uint8_t kMoreReferencesBit = 0x01;
// SS first octet |N_S|Y|G|-|-|-|.
constexpr uint8_t kResolutionBit = 0x10;    // Y
constexpr uint8_t kPictureGroupBit = 0x08;  // G

}  // namespace

Result<Vp9ScalabilityStructure> Vp9ScalabilityStructure::Read(ByteReader& in) {
  if (in.remaining() < 1) return Error{ErrorCode::kTruncated, "VP9 SS (V=1) is missing"};
  const uint8_t first = in.U8();
  Vp9ScalabilityStructure ss;
  ss.spatial_layers = static_cast<uint8_t>((first >> 5) + 1);
  if (first & kResolutionBit) {
    if (in.remaining() < size_t{4} * ss.spatial_layers) {
      return Error{ErrorCode::kTruncated, "VP9 SS resolutions (Y=1) are cut short"};
    }
    ss.resolutions.resize(ss.spatial_layers);
    for (Resolution& resolution : ss.resolutions) {
      resolution.width = in.U16();
      resolution.height = in.U16();
    }
  }
  if (first & kPictureGroupBit) {
    if (in.remaining() < 1) {
      return Error{ErrorCode::kTruncated, "VP9 SS picture group size N_G (G=1) is missing"};
    }
    const uint8_t count = in.U8();
    ss.picture_group.emplace();
    ss.picture_group->reserve(count);
    for (uint8_t i = 0; i < count; ++i) {
      if (in.remaining() < 1) {
        return Error{ErrorCode::kTruncated, "VP9 SS picture group has fewer than N_G pictures"};
      }
      const uint8_t octet = in.U8();
      Picture picture;
      picture.temporal_id = static_cast<uint8_t>(octet >> 5);
      picture.switching_up = (octet & 0x10) != 0;
      const uint8_t references = (octet >> 2) & 0x03;  // R
      if (in.remaining() < references) {
        return Error{ErrorCode::kTruncated, "VP9 SS picture has fewer than R P_DIFFs"};
      }
      for (uint8_t r = 0; r < references; ++r) {
        const uint8_t diff = in.U8();
        if (diff == 0) {
          return Error{ErrorCode::kMalformed, "VP9 SS P_DIFF of 0 (a picture referencing itself)"};
        }
        picture.reference_diffs.push_back(diff);
      }
      ss.picture_group->push_back(std::move(picture));
    }
  }
  return ss;
}

size_t Vp9ScalabilityStructure::Size() const {
  size_t size = 1 + 4 * resolutions.size();
  if (picture_group) {
    size += 1;
    for (const Picture& picture : *picture_group) size += 1 + picture.reference_diffs.size();
  }
  return size;
}

Status Vp9ScalabilityStructure::Write(ByteWriter& out) const {
  if (spatial_layers < 1 || spatial_layers > kMaxSpatialLayers) {
    return Error{ErrorCode::kInvalidArgument, "VP9 SS needs 1 to 8 spatial layers"};
  }
  if (!resolutions.empty() && resolutions.size() != spatial_layers) {
    return Error{ErrorCode::kInvalidArgument, "VP9 SS needs one resolution per spatial layer"};
  }
  if (picture_group) {
    if (picture_group->size() > kMaxPictureGroupSize) {
      return Error{ErrorCode::kInvalidArgument, "VP9 SS picture group above 255 pictures"};
    }
    for (const Picture& picture : *picture_group) {
      if (picture.temporal_id > Vp9PayloadDescriptor::kMaxTemporalId ||
          picture.reference_diffs.size() > kMaxReferences) {
        return Error{ErrorCode::kInvalidArgument, "VP9 SS picture with TID above 7 or >3 refs"};
      }
      for (uint8_t diff : picture.reference_diffs) {
        if (diff == 0) return Error{ErrorCode::kInvalidArgument, "VP9 SS P_DIFF of 0"};
      }
    }
  }
  out.U8(static_cast<uint8_t>(((spatial_layers - 1) << 5) |
                              (resolutions.empty() ? 0 : kResolutionBit) |
                              (picture_group ? kPictureGroupBit : 0)));
  for (const Resolution& resolution : resolutions) {
    out.U16(resolution.width);
    out.U16(resolution.height);
  }
  if (picture_group) {
    out.U8(static_cast<uint8_t>(picture_group->size()));
    for (const Picture& picture : *picture_group) {
      out.U8(static_cast<uint8_t>((picture.temporal_id << 5) | (picture.switching_up ? 0x10 : 0) |
                                  (picture.reference_diffs.size() << 2)));
      for (uint8_t diff : picture.reference_diffs) out.U8(diff);
    }
  }
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the VP9 SS"};
  return Status::Ok();
}

Result<Vp9PayloadDescriptor> Vp9PayloadDescriptor::Parse(std::span<const uint8_t> payload,
                                                         size_t* descriptor_size) {
  ByteReader in(payload);
  if (in.remaining() < 1) return Error{ErrorCode::kTruncated, "VP9 payload is empty"};
  const uint8_t first = in.U8();
  Vp9PayloadDescriptor d;
  d.inter_picture_predicted = (first & kPredictedBit) != 0;
  d.flexible_mode = (first & kFlexibleBit) != 0;
  d.beginning_of_frame = (first & kBeginningBit) != 0;
  d.end_of_frame = (first & kEndBit) != 0;
  d.not_upper_spatial_reference = (first & kNotUpperRefBit) != 0;
  // RFC 9628 §4.2: in flexible mode the PICTURE ID is REQUIRED (P_DIFF is relative to it).
  if (d.flexible_mode && !(first & kPictureIdBit)) {
    return Error{ErrorCode::kMalformed, "VP9 flexible mode (F=1) without PICTURE ID (I=0)"};
  }
  if (first & kPictureIdBit) {
    Result<PictureId> id = PictureId::Read(in);
    if (!id.ok()) return id.error();
    d.picture_id = *id;
  }
  if (first & kLayerBit) {
    if (in.remaining() < 1) {
      return Error{ErrorCode::kTruncated, "VP9 layer indices (L=1) are missing"};
    }
    const uint8_t octet = in.U8();
    d.layer_indices = LayerIndices{static_cast<uint8_t>(octet >> 5), (octet & 0x10) != 0,
                                   static_cast<uint8_t>((octet >> 1) & 0x07), (octet & 0x01) != 0};
    if (!d.flexible_mode) {
      if (in.remaining() < 1) {
        return Error{ErrorCode::kTruncated, "VP9 TL0PICIDX (L=1, F=0) is missing"};
      }
      d.tl0_pic_idx = in.U8();
    }
  }
  if (d.flexible_mode && d.inter_picture_predicted) {
    // RFC 9628 §4.2: P_DIFF octets follow while N=1, at most three of them.
    bool more = true;
    while (more) {
      if (d.reference_count == kMaxReferences) {
        return Error{ErrorCode::kMalformed, "VP9 more than 3 P_DIFFs (N=1 on the third)"};
      }
      if (in.remaining() < 1) {
        return Error{ErrorCode::kTruncated, "VP9 P_DIFF (F=1, P=1, or N=1) is missing"};
      }
      const uint8_t octet = in.U8();
      const uint8_t diff = static_cast<uint8_t>(octet >> 1);
      if (diff == 0) {
        return Error{ErrorCode::kMalformed, "VP9 P_DIFF of 0 (a picture referencing itself)"};
      }
      d.reference_diffs[d.reference_count++] = diff;
      more = (octet & kMoreReferencesBit) != 0;
    }
  }
  if (first & kScalabilityBit) {
    Result<Vp9ScalabilityStructure> ss = Vp9ScalabilityStructure::Read(in);
    if (!ss.ok()) return ss.error();
    d.scalability_structure = std::move(*ss);
  }
  // RFC 9628 §4.2: the descriptor is followed by the VP9 frame data.
  if (in.remaining() == 0) {
    return Error{ErrorCode::kMalformed, "VP9 payload has no data after the descriptor"};
  }
  if (descriptor_size) *descriptor_size = in.position();
  return d;
}

size_t Vp9PayloadDescriptor::Size() const {
  return 1 + (picture_id ? picture_id->Size() : 0) + (layer_indices ? 1 : 0) +
         (tl0_pic_idx ? 1 : 0) + reference_count +
         (scalability_structure ? scalability_structure->Size() : 0);
}

Status Vp9PayloadDescriptor::Write(ByteWriter& out) const {
  if (picture_id && !picture_id->Valid()) {
    return Error{ErrorCode::kInvalidArgument, "VP9 PICTURE ID does not fit its width"};
  }
  if (flexible_mode && !picture_id) {
    return Error{ErrorCode::kInvalidArgument, "VP9 flexible mode needs a PICTURE ID"};
  }
  if (layer_indices &&
      (layer_indices->temporal_id > kMaxTemporalId || layer_indices->spatial_id > kMaxSpatialId)) {
    return Error{ErrorCode::kInvalidArgument, "VP9 TID or SID above 7"};
  }
  if (tl0_pic_idx.has_value() != (layer_indices.has_value() && !flexible_mode)) {
    return Error{ErrorCode::kInvalidArgument,
                 "VP9 TL0PICIDX goes with layer indices in non-flexible mode, and only there"};
  }
  const bool needs_references = flexible_mode && inter_picture_predicted;
  if (needs_references ? reference_count == 0 || reference_count > kMaxReferences
                       : reference_count != 0) {
    return Error{ErrorCode::kInvalidArgument,
                 "VP9 P_DIFFs: 1 to 3 in flexible mode with P=1, none otherwise"};
  }
  for (uint8_t diff : references()) {
    if (diff == 0 || diff > kMaxReferenceDiff) {
      return Error{ErrorCode::kInvalidArgument, "VP9 P_DIFF outside 1..127"};
    }
  }
  out.U8(static_cast<uint8_t>(
      (picture_id ? kPictureIdBit : 0) | (inter_picture_predicted ? kPredictedBit : 0) |
      (layer_indices ? kLayerBit : 0) | (flexible_mode ? kFlexibleBit : 0) |
      (beginning_of_frame ? kBeginningBit : 0) | (end_of_frame ? kEndBit : 0) |
      (scalability_structure ? kScalabilityBit : 0) |
      (not_upper_spatial_reference ? kNotUpperRefBit : 0)));
  if (picture_id) picture_id->Write(out);
  if (layer_indices) {
    out.U8(static_cast<uint8_t>(
        (layer_indices->temporal_id << 5) | (layer_indices->switching_up ? 0x10 : 0) |
        (layer_indices->spatial_id << 1) | (layer_indices->inter_layer_dependency ? 0x01 : 0)));
  }
  if (tl0_pic_idx) out.U8(*tl0_pic_idx);
  for (uint8_t i = 0; i < reference_count; ++i) {
    out.U8(static_cast<uint8_t>((reference_diffs[i] << 1) |
                                (i + 1 < reference_count ? kMoreReferencesBit : 0)));
  }
  if (scalability_structure) {
    if (Status written = scalability_structure->Write(out); !written.ok()) return written;
  }
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the VP9 payload descriptor"};
  return Status::Ok();
}

Vp9Packetizer::Vp9Packetizer(Config config)
    : config_(std::move(config)),
      next_picture_id_(config_.first_picture_id & PictureId::kMax15Bit),
      tl0_pic_idx_(config_.first_tl0_pic_idx) {}

Result<Vp9PayloadDescriptor> Vp9Packetizer::Describe(const EncodedVideoFrame& frame) const {
  if (frame.data.empty()) return Error{ErrorCode::kInvalidArgument, "VP9 frame is empty"};
  if (frame.temporal_id > Vp9PayloadDescriptor::kMaxTemporalId) {
    return Error{ErrorCode::kInvalidArgument, "VP9 temporal layer above 7"};
  }
  Vp9PayloadDescriptor d;
  d.flexible_mode = config_.flexible_mode;
  d.inter_picture_predicted = !frame.keyframe;
  d.picture_id = PictureId{next_picture_id_, true};
  d.layer_indices =
      Vp9PayloadDescriptor::LayerIndices{frame.temporal_id, frame.layer_sync, 0, false};
  if (config_.flexible_mode) {
    if (d.inter_picture_predicted) {
      if (frame.references.empty() ||
          frame.references.size() > Vp9PayloadDescriptor::kMaxReferences) {
        return Error{ErrorCode::kInvalidArgument,
                     "VP9 inter frame needs 1 to 3 references in flexible mode"};
      }
      // RFC 9628 §4.2: P_DIFF is the PictureID distance back to each referenced picture.
      for (uint64_t reference : frame.references) {
        uint8_t diff = 0;
        for (uint16_t back = 1; back <= Vp9PayloadDescriptor::kMaxReferenceDiff; ++back) {
          const Sent& sent = history_[(next_picture_id_ - back) & (kHistory - 1)];
          if (sent.valid && sent.frame_id == reference) {
            diff = static_cast<uint8_t>(back);
            break;
          }
        }
        if (diff == 0) {
          return Error{ErrorCode::kInvalidArgument,
                       "VP9 reference is not among the last 127 frames sent"};
        }
        d.reference_diffs[d.reference_count++] = diff;
      }
    }
  } else {
    // RFC 9628 §4.2: TL0PICIDX counts base-layer (TID 0) pictures; upper layers repeat it.
    d.tl0_pic_idx =
        static_cast<uint8_t>(tl0_pic_idx_ + (frame.temporal_id == 0 && seen_base_layer_));
  }
  if (frame.keyframe) {
    // RFC 9628 §4.2.1: the SS goes with the start of each keyframe.
    Vp9ScalabilityStructure ss;
    ss.resolutions.push_back(
        {static_cast<uint16_t>(frame.width), static_cast<uint16_t>(frame.height)});
    if (!config_.flexible_mode && !config_.picture_group.empty()) {
      ss.picture_group = config_.picture_group;
    }
    d.scalability_structure = std::move(ss);
  }
  return d;
}

Result<std::vector<RtpVideoPayload>> Vp9Packetizer::Packetize(const EncodedVideoFrame& frame) {
  Result<Vp9PayloadDescriptor> described = Describe(frame);
  if (!described.ok()) return described.error();
  Vp9PayloadDescriptor& d = *described;
  const size_t first_size = d.Size();
  const size_t ss_size = d.scalability_structure ? d.scalability_structure->Size() : 0;
  const size_t overhead = first_size - ss_size;  // What every packet repeats.
  if (config_.max_payload_size <= first_size) {
    return Error{ErrorCode::kInvalidArgument, "VP9 max payload size leaves no room for data"};
  }
  const std::vector<size_t> sizes =
      BalancedFragmentSizes(frame.data.size(), config_.max_payload_size - overhead, ss_size);
  std::optional<Vp9ScalabilityStructure> ss = std::move(d.scalability_structure);
  auto payloads = BuildFragmentPayloads(
      frame.data, sizes, [&](bool first, bool last) -> auto& {
        d.beginning_of_frame = first;
        d.end_of_frame = last;
        if (first) {
          d.scalability_structure = ss;
        } else {
          d.scalability_structure.reset();
        }
        return d;
      });
  if (!payloads.ok()) return payloads.error();
  history_[next_picture_id_ & (kHistory - 1)] = {frame.frame_id, true};
  next_picture_id_ = NextPictureId15(next_picture_id_);
  if (d.tl0_pic_idx && frame.temporal_id == 0) {
    tl0_pic_idx_ = *d.tl0_pic_idx;
    seen_base_layer_ = true;
  }
  return payloads;
}

Result<Vp9DepacketizedPacket> DepacketizeVp9(const ReceivedRtpPayload& rtp) {
  return DepacketizeVideoPayload<Vp9DepacketizedPacket>(rtp);
}

Result<std::vector<uint8_t>> AssembleVp9Frame(std::span<const Vp9DepacketizedPacket> packets) {
  return AssembleFrameFragments(packets);
}

}  // namespace comodal::engine
