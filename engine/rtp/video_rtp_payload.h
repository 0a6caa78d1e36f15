#ifndef ENGINE_RTP_VIDEO_RTP_PAYLOAD_H_
#define ENGINE_RTP_VIDEO_RTP_PAYLOAD_H_

// What the VP8 (RFC 7741) and VP9 (RFC 9628) payload formats share: the payloads a packetizer
// hands to the RTP sender, the RTP fields a depacketizer needs, and how a frame is cut into
// fragments of balanced size.

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal::engine {

// Room kept in every RTP packet besides the payload: RFC 8285 header extensions (transport-wide
// sequence number, absolute send time, playout delay, with their block header and padding) and
// the 2-byte original sequence number an RFC 4588 retransmission prepends.
inline constexpr size_t kVideoRtpExtensionRoom = 32;
// The largest payload (descriptor + codec data) a video packetizer produces by default, so that
// the protected packet, SRTP tag included, stays within kDefaultMtu (1200 bytes): 1136.
inline constexpr size_t kDefaultVideoMaxPayloadSize =
    kDefaultMtu - RtpPacket::kFixedHeaderSize - kVideoRtpExtensionRoom - kSrtpTrailerHeadroom;

// One RTP payload of a packetized frame.
struct RtpVideoPayload {
  std::vector<uint8_t> data;  // Payload descriptor, then a fragment of the frame.
  bool first_in_frame = false;
  // The caller sets the RTP marker bit on this packet (RFC 7741 §4.1, RFC 9628 §4.1) and gives
  // every packet of the frame the same RTP timestamp.
  bool last_in_frame = false;
};

// The parts of a received RTP packet a video depacketizer needs. `payload` is a view into the
// packet, which must outlive anything depacketized from it.
struct ReceivedRtpPayload {
  std::span<const uint8_t> payload;
  bool marker = false;
  uint16_t sequence_number = 0;
  uint32_t timestamp = 0;

  static ReceivedRtpPayload From(const RtpPacket& packet) {
    return {packet.payload(), packet.marker(), packet.sequence_number(), packet.timestamp()};
  }
};

// How many bytes of a `data_size`-byte frame each packet carries, in order: the fewest packets
// whose payloads fit in `capacity` bytes each (after the payload descriptor every packet
// repeats), where the first packet also carries `first_packet_extra` bytes of descriptor the
// others do not (e.g. the VP9 scalability structure). Sizes are balanced so that the packets on
// the wire differ by at most one byte (larger ones first), rather than full packets followed by
// a small tail. Empty if `data_size` is 0 or the first packet has no room for data.
std::vector<size_t> BalancedFragmentSizes(size_t data_size, size_t capacity,
                                          size_t first_packet_extra = 0);

// The payloads of a frame cut at `sizes` (from BalancedFragmentSizes): for each packet, the
// descriptor `descriptor_for(first, last)` returns (anything with Size() and Write(ByteWriter&)),
// then the packet's fragment of `frame`.
template <typename DescriptorFor>
Result<std::vector<RtpVideoPayload>> BuildFragmentPayloads(std::span<const uint8_t> frame,
                                                           std::span<const size_t> sizes,
                                                           DescriptorFor&& descriptor_for) {
  std::vector<RtpVideoPayload> payloads(sizes.size());
  size_t offset = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    RtpVideoPayload& payload = payloads[i];
    payload.first_in_frame = i == 0;
    payload.last_in_frame = i + 1 == sizes.size();
    const auto& descriptor = descriptor_for(payload.first_in_frame, payload.last_in_frame);
    payload.data.resize(descriptor.Size() + sizes[i]);
    ByteWriter out(payload.data);
    if (Status written = descriptor.Write(out); !written.ok()) return written.error();
    out.Bytes(frame.subspan(offset, sizes[i]));
    offset += sizes[i];
  }
  return payloads;
}

// Parses the payload descriptor of a received packet into a Packet (Vp8DepacketizedPacket,
// Vp9DepacketizedPacket): the descriptor, the fragment after it, and the RTP fields.
template <typename Packet>
Result<Packet> DepacketizeVideoPayload(const ReceivedRtpPayload& rtp) {
  size_t descriptor_size = 0;
  auto descriptor = decltype(Packet::descriptor)::Parse(rtp.payload, &descriptor_size);
  if (!descriptor.ok()) return descriptor.error();
  Packet packet;
  packet.descriptor = std::move(*descriptor);
  packet.fragment = rtp.payload.subspan(descriptor_size);
  packet.marker = rtp.marker;
  packet.sequence_number = rtp.sequence_number;
  packet.timestamp = rtp.timestamp;
  return packet;
}

// Joins the fragments of one frame from its depacketized packets (Vp8DepacketizedPacket,
// Vp9DepacketizedPacket): in order, consecutive sequence numbers, one RTP timestamp, the first
// packet starting the frame, the last ending it and none in between doing either.
template <typename Packet>
Result<std::vector<uint8_t>> AssembleFrameFragments(std::span<const Packet> packets) {
  if (packets.empty()) return Error{ErrorCode::kInvalidArgument, "no packets to assemble"};
  if (!packets.front().starts_frame()) {
    return Error{ErrorCode::kMalformed, "first packet does not start a frame"};
  }
  if (!packets.back().ends_frame()) {
    return Error{ErrorCode::kMalformed, "last packet does not end the frame"};
  }
  size_t size = 0;
  for (size_t i = 0; i < packets.size(); ++i) {
    const Packet& packet = packets[i];
    if (i > 0 && (packet.starts_frame() || packets[i - 1].ends_frame())) {
      return Error{ErrorCode::kMalformed, "a frame starts or ends inside the run"};
    }
    if (packet.timestamp != packets.front().timestamp) {
      return Error{ErrorCode::kMalformed, "packets of one frame carry different timestamps"};
    }
    if (i > 0 &&
        packet.sequence_number != static_cast<uint16_t>(packets[i - 1].sequence_number + 1)) {
      return Error{ErrorCode::kMalformed, "sequence numbers of the run are not consecutive"};
    }
    size += packet.fragment.size();
  }
  std::vector<uint8_t> frame;
  frame.reserve(size);
  for (const Packet& packet : packets) {
    frame.insert(frame.end(), packet.fragment.begin(), packet.fragment.end());
  }
  return frame;
}

}  // namespace comodal::engine

#endif  // ENGINE_RTP_VIDEO_RTP_PAYLOAD_H_
