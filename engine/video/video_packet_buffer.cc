#include "engine/video/video_packet_buffer.h"

#include <utility>

#include "engine/rtp/vp8_payload.h"
#include "engine/rtp/vp9_payload.h"

namespace comodal::engine {

Result<VideoPacketBuffer::Stored> VideoPacketBuffer::Parse(const RtpPacket& packet) const {
  const ReceivedRtpPayload rtp = ReceivedRtpPayload::From(packet);
  Stored stored;
  stored.info.rtp_timestamp = rtp.timestamp;
  if (codec_ == VideoCodec::kVp8) {
    auto parsed = DepacketizeVp8(rtp);
    if (!parsed.ok()) return parsed.error();
    const Vp8PayloadDescriptor& d = parsed->descriptor;
    stored.fragment.assign(parsed->fragment.begin(), parsed->fragment.end());
    stored.starts = parsed->starts_frame();
    stored.ends = parsed->ends_frame();
    if (stored.starts) {
      stored.header.keyframe = parsed->keyframe();
      if (stored.header.keyframe) {
        stored.header.width = parsed->payload_header->width;
        stored.header.height = parsed->payload_header->height;
      }
      stored.header.temporal_id = d.temporal_id.value_or(0);
      stored.header.layer_sync = d.temporal_id && d.layer_sync;
      stored.header.non_reference = d.non_reference;
      if (d.picture_id) {
        stored.info.picture_id = d.picture_id->value;
        stored.info.picture_id_15bit = d.picture_id->fifteen_bit;
      }
      stored.info.tl0_pic_idx = d.tl0_pic_idx;
      stored.info.has_temporal_id = d.temporal_id.has_value();
    }
    return stored;
  }
  auto parsed = DepacketizeVp9(rtp);
  if (!parsed.ok()) return parsed.error();
  const Vp9PayloadDescriptor& d = parsed->descriptor;
  stored.fragment.assign(parsed->fragment.begin(), parsed->fragment.end());
  stored.starts = parsed->starts_frame();
  stored.ends = parsed->ends_frame();
  if (stored.starts) {
    stored.header.keyframe = parsed->starts_keyframe();
    if (d.scalability_structure && !d.scalability_structure->resolutions.empty()) {
      stored.header.width = d.scalability_structure->resolutions[0].width;
      stored.header.height = d.scalability_structure->resolutions[0].height;
    }
    if (d.layer_indices) {
      stored.header.temporal_id = d.layer_indices->temporal_id;
      stored.header.layer_sync = d.layer_indices->temporal_id > 0 && d.layer_indices->switching_up;
    }
    if (d.picture_id) {
      stored.info.picture_id = d.picture_id->value;
      stored.info.picture_id_15bit = d.picture_id->fifteen_bit;
    }
    stored.info.tl0_pic_idx = d.tl0_pic_idx;
    stored.info.has_temporal_id = d.layer_indices.has_value();
    stored.info.flexible = d.flexible_mode;
    const auto diffs = d.references();
    stored.info.reference_diffs.assign(diffs.begin(), diffs.end());
  }
  return stored;
}

Result<std::optional<AssembledVideoFrame>> VideoPacketBuffer::Insert(const RtpPacket& packet,
                                                                     Timestamp capture_time) {
  Result<Stored> parsed = Parse(packet);
  if (!parsed.ok()) {
    ++stats_.packets_malformed;
    return parsed.error();
  }
  ++stats_.packets_inserted;
  const int64_t seq = unwrapper_.Unwrap(packet.sequence_number());
  parsed->header.capture_time = capture_time;
  if (!packets_.emplace(seq, std::move(*parsed)).second) {
    ++stats_.packets_duplicate;
    return std::optional<AssembledVideoFrame>();
  }
  while (packets_.size() > config_.max_packets) {
    packets_.erase(packets_.begin());
    ++stats_.packets_evicted;
  }

  // Walk back to the packet that starts the frame and forward to the one that ends it; every
  // packet in between must be here, with the same timestamp.
  const uint32_t timestamp = packets_.at(seq).info.rtp_timestamp;
  int64_t first = seq;
  for (;;) {
    auto it = packets_.find(first);
    if (it == packets_.end() || it->second.info.rtp_timestamp != timestamp) {
      return std::optional<AssembledVideoFrame>();
    }
    if (it->second.starts) break;
    --first;
  }
  int64_t last = seq;
  for (;;) {
    auto it = packets_.find(last);
    if (it == packets_.end() || it->second.info.rtp_timestamp != timestamp) {
      return std::optional<AssembledVideoFrame>();
    }
    if (it->second.ends) break;
    ++last;
  }
  return std::optional<AssembledVideoFrame>(Assemble(first, last));
}

AssembledVideoFrame VideoPacketBuffer::Assemble(int64_t first, int64_t last) {
  auto begin = packets_.find(first);
  auto end = std::next(packets_.find(last));
  Stored& head = begin->second;
  AssembledVideoFrame out;
  out.frame = std::move(head.header);
  EncodedVideoFrame& frame = out.frame;
  frame.codec = codec_;
  frame.rtp_timestamp = head.info.rtp_timestamp;
  out.info = std::move(head.info);
  out.info.first_sequence_number = static_cast<uint16_t>(first);
  out.info.last_sequence_number = static_cast<uint16_t>(last);
  size_t size = 0;
  for (auto it = begin; it != end; ++it) size += it->second.fragment.size();
  frame.data.reserve(size);
  for (auto it = begin; it != end; ++it) {
    frame.data.insert(frame.data.end(), it->second.fragment.begin(), it->second.fragment.end());
  }
  // A keyframe makes every incomplete frame before it useless.
  auto erase_from = frame.keyframe ? packets_.begin() : begin;
  stats_.packets_evicted += static_cast<uint64_t>(std::distance(erase_from, begin));
  packets_.erase(erase_from, end);
  ++stats_.frames_assembled;
  return out;
}

}  // namespace comodal::engine
