#ifndef TRANSPORT_FEC_FEC_ENCODER_H_
#define TRANSPORT_FEC_FEC_ENCODER_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "transport/fec/flexfec_header.h"

namespace comodal {

// The sending side of FlexFEC (RFC 8627) for one media stream: watches the stream's packets as
// they are sent and, at the end of each group of frames, returns repair packets (own SSRC,
// payload type and sequence numbers; the protected SSRC as their one CSRC) that each let the
// receiver rebuild one lost packet of the group.
//
// Masks. A group of n media packets gets m = round(n x rate) repair packets (at least one, at most
// n), and repair packet k protects the media packets at positions k, k + m, k + 2m, ... of the
// group: an interleaved partition (RFC 8627 §1.1.2, "1-D interleaved", the columns of its L x D
// layout). Both partitions RFC 8627 describes give every packet the same group size n/m, so
// against random loss (1-3 % on a GEO link) they recover the same; against a burst (a rain fade
// or a LEO handover drops several packets in a row) the interleaved one still recovers up to m
// consecutive losses, each in a different repair group, where consecutive blocks (1-D
// non-interleaved) lose the whole block. libwebrtc keeps separate "random" and "bursty" mask
// tables for the same reason; one interleaved rule covers both here, and with no overlap between
// repair packets a receiver can tell exactly which losses are recoverable.
//
// Groups. Repair is emitted at the end of a frame, so recovery waits for no later frame. A
// keyframe (large, and needed by every later frame) is its own group at the key rate. Delta frames
// at low rates are often a single packet, and one repair packet per such frame would cost 100 %
// whatever the rate asked for, so consecutive delta frames share a group until it is due at
// least one repair packet (n x rate >= 1) or holds max_frames_per_group frames. A group never
// exceeds kMaxMediaPacketsPerGroup packets (a large frame is cut into several groups) nor spans
// more sequence numbers than a mask holds.
//
// Heavy loss (see Config::two_d_from_rate) lays delta groups out as a grid with row and column
// repair packets, which overlap: the receiver's iterative decoding uses a rebuilt packet to
// complete another row or column.
//
// A pure state machine: no clock, no socket. The repair packets carry the timestamp of the last
// media packet they protect (RFC 8627 §4.1 leaves the repair timestamp to the sender; the media
// clock is what the receiver's jitter estimate expects) and, when configured, a transport-wide
// sequence number element (zero: the send path writes it as the packet leaves) and no other
// header extension.
class FlexfecSender {
 public:
  static constexpr size_t kMaxMediaPacketsPerGroup = 48;
  // Bytes a repair packet is longer than the longest media packet it protects: the CSRC naming
  // the protected SSRC, and the FEC header with one SN base and the longest mask. A packetiser
  // that leaves this much room under the MTU never makes a repair packet go over it (and 8 bytes
  // more with the transport-wide sequence number element).
  static constexpr size_t kMaxOverhead =
      4 + FlexfecHeader::kBaseSize + 2 + FlexfecHeader::kMaxMaskSize;

  struct Config {
    uint32_t ssrc = 0;  // Of the repair stream.
    uint8_t payload_type = 0;
    uint32_t protected_ssrc = 0;
    uint16_t initial_sequence_number = 0;
    size_t max_frames_per_group = 3;
    // At a delta rate of `two_d_from_rate` or more, delta groups are laid out as a grid, one
    // repair packet per row and one per column (RFC 8627 §1.1.3, 2-D parity): a packet is lost
    // for good only when its row and its column both lose another packet too, where 1-D groups
    // of the same overhead lose one whenever a group-mate or its repair is lost (at 10 % loss
    // and 40 % overhead: 0.4 % of the packets left lost against 2.4 %). The grid takes about
    // (2 / rate)^2 packets (9 to 25), so repair waits for more frames: at most
    // `max_two_d_frames`. Off by default (above 1): in `comodal bench cc` at 10 % loss on GEO it
    // recovered more packets but the picture froze more, the repairs coming later than the
    // frames' render time (docs/performance.md).
    double two_d_from_rate = 2;
    size_t max_two_d_frames = 8;
    // With a payload type here, groups are protected by a Reed-Solomon code (reed_solomon.h)
    // instead while the loss SetProtection was given is `reed_solomon_from_loss` or more (a
    // steady estimate: the rate follows every spike of the reported loss): any m losses among a
    // group's media and repair packets are recovered. From any loss by default: in `comodal bench
    // cc` on geo-vsat, XOR parity left 1.5, 9 and 3.5 freezes a minute at 1, 2 and 3 % loss (a
    // group of 8-15 packets with one repair packet loses two of them often enough, and each such
    // loss waits a GEO round trip), Reed-Solomon none, for a similar overhead. Such a delta group
    // takes frames until it holds `reed_solomon_group_packets` packets or spans
    // `reed_solomon_max_span` RTP ticks, and gets as many repair packets as make its loss (at the
    // loss SetProtection was given) rarer than `reed_solomon_group_failure` (a group cut short by
    // its span: in proportion to its packets; a keyframe: a tenth of that), and no fewer than the
    // rate asks.
    std::optional<uint8_t> reed_solomon_payload_type;
    double reed_solomon_from_loss = 0;
    size_t reed_solomon_group_packets = 12;
    // 100 ms at 90 kHz: frames are held for their group's repair, and at 150 ms the video's hold
    // pulled lip sync past 45 ms on geo-vsat.
    uint32_t reed_solomon_max_span = 9'000;
    double reed_solomon_group_failure = 2e-3;
    // Local ID of the transport-wide sequence number element the repair packets carry, if any
    // (they cross the path like any other packet, and congestion control counts them).
    std::optional<uint8_t> transport_sequence_number_extension_id;
  };
  struct Stats {
    uint64_t media_packets = 0;      // Of the protected stream.
    uint64_t protected_packets = 0;  // Covered by a repair packet.
    uint64_t fec_packets = 0;
    uint64_t fec_bytes = 0;
    uint64_t rejected = 0;   // Not RTP, or not of the protected stream: not protected.
    uint64_t not_newer = 0;  // Retransmissions and older copies: protected when first sent.
  };

  explicit FlexfecSender(const Config& config);

  // Fractions of repair packets per media packet (0..1, clamped), for delta frames and for
  // keyframes. 0 turns protection off. `loss`, the path's packet loss, sizes Reed-Solomon groups'
  // repair. Applies from the next group.
  void SetProtection(double delta_rate, double key_rate, double loss = 0);
  // Repair packets per delta-frame media packet that the current settings ask for: the rate, or
  // what a Reed-Solomon group the size of the recent ones gets at the current loss (groups cut
  // short by their span, at low rates, need more repair per packet).
  double ExpectedOverhead() const;
  // Repair packets a Reed-Solomon group of n media packets needs so that more than that many of
  // its n + m packets are lost with a probability under `failure`, at random loss `loss`.
  static size_t ReedSolomonRepairCount(size_t n, double loss, double failure);

  // `rtp` is a media packet exactly as it goes on the wire (every header extension final, before
  // SRTP): the receiver rebuilds lost packets from the bytes it gets, so any difference corrupts
  // the packets it recovers. Packets come in send order; `end_of_frame` marks a frame's last
  // packet. A packet whose number is not newer than every one before (a retransmission) is
  // ignored: it was protected when first sent. Returns the repair packets to send after it.
  std::vector<std::vector<uint8_t>> OnMediaPacket(std::span<const uint8_t> rtp, bool end_of_frame,
                                                  bool keyframe);
  // The same, for a packet the caller has parsed.
  std::vector<std::vector<uint8_t>> OnMediaPacket(const RtpPacket& packet, bool end_of_frame,
                                                  bool keyframe);

  // The repair packets of the group being collected, now: the stream ends, and no later frame
  // will close the group (its last frames would go unprotected).
  std::vector<std::vector<uint8_t>> Flush() { return EmitGroup(); }

  uint16_t next_sequence_number() const { return sequence_number_; }
  const Stats& stats() const { return stats_; }

 private:
  std::vector<std::vector<uint8_t>> EmitGroup();
  // Whether a delta group at this rate is laid out as a grid, and how many packets it takes.
  bool TwoD(double rate) const;
  static size_t TwoDGroupSize(double rate);
  bool ReedSolomon() const;
  // The failure a Reed-Solomon group of n packets is sized for.
  double GroupFailureTarget(size_t n, bool keyframe) const;
  // The group's repair packets, one per mask (XOR) or per row (Reed-Solomon), as RTP packets.
  std::vector<std::vector<uint8_t>> XorRepair(double rate);
  std::vector<std::vector<uint8_t>> ReedSolomonRepairs(double rate);
  // Wraps a repair payload in an RTP packet of the repair stream.
  std::optional<std::vector<uint8_t>> RepairPacket(uint8_t payload_type,
                                                   std::span<const uint8_t> payload);

  const Config config_;
  double delta_rate_ = 0;
  double key_rate_ = 0;
  double loss_ = 0;
  double reed_solomon_group_size_ = 0;  // Recent delta groups' packets (moving average).
  uint16_t sequence_number_;
  std::optional<uint16_t> newest_;  // The newest media sequence number seen.

  // The group being collected: copies of its packets in send order.
  std::vector<std::vector<uint8_t>> group_;
  bool group_keyframe_ = false;
  size_t group_frames_ = 0;  // Complete frames in it.

  Stats stats_;
};

}  // namespace comodal

#endif  // TRANSPORT_FEC_FEC_ENCODER_H_
