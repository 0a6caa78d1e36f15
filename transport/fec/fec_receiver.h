#ifndef TRANSPORT_FEC_FEC_RECEIVER_H_
#define TRANSPORT_FEC_FEC_RECEIVER_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "transport/fec/flexfec_header.h"
#include "transport/rtp/sequence_number.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// The receiving side of FlexFEC (RFC 8627 §6.3) for one protected media stream: keeps the recent
// media packets and repair packets, and whenever a repair packet is missing exactly one of the
// packets it protects, rebuilds that packet from the repair packet and the others, byte for byte
// as it was sent. A rebuilt packet counts as received, which may leave another repair packet one
// short: recovery repeats until nothing changes (RFC 8627 §6.3.4, iterative decoding).
//
// Both stores are bounded by age and by count, so a flood of packets, hostile or not, costs
// bounded memory; a repair packet that is malformed or inconsistent with the packets received is
// dropped and counted, never used. Duplicates of media or repair packets are harmless. Repair
// packets that protect several SSRCs are valid FlexFEC but not handled (counted as unsupported),
// as are the R=1 and F=1 variants. Reed-Solomon repair packets (reed_solomon.h), on their own
// payload type, are handled alongside: a packet either kind rebuilds can complete the other.
//
// A pure state machine: every input carries its arrival time.
class FlexfecReceiver {
 public:
  struct Config {
    uint32_t fec_ssrc = 0;
    uint32_t protected_ssrc = 0;
    // A repair is useless after the jitter buffer has given up on the packet; 1 s covers a GEO
    // link's repair deadline with room to spare.
    TimeDelta max_age = TimeDelta::Seconds(1);
    size_t max_media_packets = 1024;
    size_t max_fec_packets = 256;  // Of each kind.
    // Repair packets of this payload type are Reed-Solomon (reed_solomon.h), not FlexFEC: a group
    // is rebuilt as soon as it misses no more packets than it has repair rows received.
    std::optional<uint8_t> reed_solomon_payload_type;
  };
  struct Stats {
    uint64_t media_packets = 0;  // Of the protected stream, duplicates included.
    uint64_t fec_packets = 0;    // Repair packets accepted.
    uint64_t recovered = 0;
    // Protected media packets still missing when the last stored repair packet covering them was
    // dropped (aged out or pushed out), as far as the receiver knows.
    uint64_t unrecoverable = 0;
    // Repair packets that did not parse, or whose recovery failed a consistency check.
    uint64_t malformed = 0;
    // Well-formed repair packets this receiver does not use: R=1, F=1, several protected SSRCs, or
    // another protected SSRC.
    uint64_t unsupported = 0;
  };

  explicit FlexfecReceiver(const Config& config) : config_(config) {}

  // Dispatches on SSRC to OnMediaPacket() or OnFecPacket(); other packets are ignored.
  std::vector<std::vector<uint8_t>> OnPacket(std::span<const uint8_t> packet, Timestamp at);
  // A packet of the protected stream as received (after SRTP). Returns the packets its arrival
  // let the receiver recover, as serialised RTP packets, oldest first.
  std::vector<std::vector<uint8_t>> OnMediaPacket(std::span<const uint8_t> packet, Timestamp at);
  std::vector<std::vector<uint8_t>> OnMediaPacket(const RtpPacket& packet, Timestamp at);
  // A packet of the repair stream. Returns the packets it let the receiver recover.
  std::vector<std::vector<uint8_t>> OnFecPacket(std::span<const uint8_t> packet, Timestamp at);
  // The same two, for packets the caller has parsed.
  std::vector<std::vector<uint8_t>> OnFecPacket(const RtpPacket& packet, Timestamp at);

  const Stats& stats() const { return stats_; }
  size_t stored_media_packets() const { return media_.size(); }
  size_t stored_fec_packets() const { return fec_.size(); }
  size_t stored_reed_solomon_packets() const { return reed_solomon_.size(); }

 private:
  struct StoredMedia {
    std::vector<uint8_t> data;
    Timestamp at;
  };
  // A Reed-Solomon group: media packets base .. base + count - 1 (unwrapped).
  struct ReedSolomonGroup {
    int64_t base;
    size_t count;
    bool Covers(int64_t sequence_number) const {
      return sequence_number >= base && sequence_number < base + static_cast<int64_t>(count);
    }
    friend bool operator==(const ReedSolomonGroup&, const ReedSolomonGroup&) = default;
  };
  struct StoredReedSolomon {
    ReedSolomonGroup group;
    uint8_t row;
    std::vector<uint8_t> bit_string;
    Timestamp at;
  };
  struct StoredFec {
    uint64_t id;
    int64_t base;  // Unwrapped SN base.
    FlexfecHeader::Mask mask;
    FlexfecHeader recovery;  // Recovery fields only; no stream, no repair payload view.
    std::vector<uint8_t> repair_payload;
    Timestamp at;
  };
  static bool Covers(const StoredFec& fec, int64_t sequence_number);
  std::vector<std::vector<uint8_t>> OnReedSolomonPacket(const RtpPacket& packet, Timestamp at);
  // Rebuilds what `group` can once it misses no more packets than it has rows, then what that in
  // turn allows; the rebuilt packets go into `recovered`.
  void RecoverReedSolomon(ReedSolomonGroup group, Timestamp at,
                          std::vector<std::pair<int64_t, std::vector<uint8_t>>>& recovered);
  // The Reed-Solomon groups with a stored row that cover `sequence_number`.
  std::vector<ReedSolomonGroup> ReedSolomonGroupsCovering(int64_t sequence_number) const;
  void DropReedSolomon(size_t index, bool count_unrecoverable);
  // A rebuilt packet joins the received ones; the repair packets covering it are tried again.
  void AddRecovered(int64_t sequence_number, std::vector<uint8_t> packet, Timestamp at,
                    std::vector<uint64_t>& work,
                    std::vector<std::pair<int64_t, std::vector<uint8_t>>>& recovered);
  // The recovered packets, by sequence number.
  static std::vector<std::vector<uint8_t>> Sorted(
      std::vector<std::pair<int64_t, std::vector<uint8_t>>> recovered);
  void Evict(Timestamp now);
  void DropFec(size_t index, bool count_unrecoverable);
  // Recovers what the repair packets with the given ids allow, and what that in turn allows.
  std::vector<std::vector<uint8_t>> Recover(std::vector<uint64_t> work, Timestamp at);
  void Recover(std::vector<uint64_t> work, Timestamp at,
               std::vector<std::pair<int64_t, std::vector<uint8_t>>>& recovered);
  // The recovered packet for the one packet `fec` is missing, or nullopt (counted as malformed)
  // when the repair packet does not agree with the packets received.
  std::optional<std::vector<uint8_t>> RecoverOne(const StoredFec& fec, int64_t missing);

  const Config config_;
  SeqNumUnwrapper<uint16_t> unwrapper_;
  std::map<int64_t, StoredMedia> media_;  // By unwrapped sequence number.
  // Media packets below this one were dropped from the store: a repair packet reaching below it
  // can no longer tell received from lost.
  int64_t oldest_kept_ = std::numeric_limits<int64_t>::min();
  // The newest media packet seen: a packet after it is not missing, only not sent yet.
  int64_t newest_ = std::numeric_limits<int64_t>::min();
  std::vector<StoredFec> fec_;                   // In arrival order.
  std::vector<StoredReedSolomon> reed_solomon_;  // In arrival order.
  uint64_t next_fec_id_ = 0;
  Stats stats_;
};

}  // namespace comodal

#endif  // TRANSPORT_FEC_FEC_RECEIVER_H_
