#ifndef SESSION_SYNC_SESSION_NODE_H_
#define SESSION_SYNC_SESSION_NODE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "session/activity/replica.h"
#include "session/blob/blob_store.h"
#include "session/clock/clock_offset_estimator.h"
#include "session/store/operation_store.h"
#include "session/sync/outbox.h"
#include "session/sync/sync_message.h"
#include "transport/base/drop_counter.h"
#include "transport/datachannel/data_packet.h"
#include "transport/units/data_size.h"

namespace comodal::session {

// How a node reaches one peer: the reliable channel's lanes and unreliable datagrams of the flow
// between them (transport/datachannel/data_flow.h in a real node or a simulation).
class SyncLink {
 public:
  virtual ~SyncLink() = default;
  virtual Status SendReliable(datachannel::Lane lane, std::vector<uint8_t> message) = 0;
  virtual void SendDatagram(std::span<const uint8_t> datagram) = 0;
  // Bytes handed to SendReliable(kBulk) and not yet acknowledged (blobs wait while this is high,
  // so that a resync queued after them is not held long).
  virtual size_t bulk_backlog() const = 0;
};

// One node of a lesson - the hub or a site - and what it exchanges with its peers (the hub: one
// per site; a site: the hub). A participant's action is checked by the replica and committed to
// the store before Act() returns (DESIGN.md principle 4), then sent at once on the session-data
// lane to every peer heard from in the last few seconds. A peer not heard from is offline: its
// operations wait in the store. When a peer is heard again, each side sends its version vector
// (SyncHello) and the other answers with exactly the operations it lacks, on the bulk lane, which
// the flow holds to a share of its target; what was already sent to that peer is not sent again
// unless the peer restarted. The hub relays what it receives from one site to the others, on the
// lane it came by. Sites measure the hub's clock with a datagram exchange each second, which is
// also how each side knows the other is there.
//
// A pure state machine: every call carries the node's own clock reading; the caller calls
// OnTimer() every 100 ms or so.
class SessionNode {
 public:
  struct Config {
    uint32_t node = 0;
    bool hub = false;
    uint64_t incarnation = 1;  // New at each start of the process.
    TimeDelta clock_interval = TimeDelta::Seconds(1);
    TimeDelta offline_after = TimeDelta::Seconds(3);
    TimeDelta hello_interval = TimeDelta::Seconds(60);
    // After operations come from a peer, a hello goes back within this time, so that the peer
    // knows what reached us (a site's outbox view empties as the hub takes its work).
    TimeDelta hello_after_operations = TimeDelta::Seconds(1);
    size_t batch_bytes = 32 * 1024;
  };
  struct Stats {
    uint64_t operations_sent = 0;    // Counted per peer.
    uint64_t operations_resent = 0;  // Of which by anti-entropy.
    uint64_t operations_received = 0;
    uint64_t operations_new = 0;
    uint64_t hellos_sent = 0;
    uint64_t hellos_received = 0;
    uint64_t reconnects = 0;
    uint64_t refused_messages = 0;  // Malformed or unexpected (by reason in refused()).
    uint64_t store_failures = 0;
    uint64_t blob_offers_sent = 0;
    uint64_t blob_chunks_sent = 0;
    uint64_t blob_chunks_received = 0;   // New, checked and stored.
    uint64_t blob_chunks_duplicate = 0;  // Received again: a transfer that resent something.
    uint64_t blobs_completed = 0;        // Received whole from a peer.
    DataSize blob_bytes_received = DataSize::Zero();
  };
  using OnApplied = std::function<void(const Operation& op, Timestamp now)>;
  using OnBlob = std::function<void(const Sha256Digest& digest, Timestamp now)>;

  // `store` holds the node's operations (restored into the replica with Restore()); `blobs`, if
  // given, its blobs.
  SessionNode(Config config, Roster roster, OperationStore& store, BlobStore* blobs = nullptr);

  // Reads the store into the replica (after a restart), and what each peer added so far was
  // last known to hold. The error names the store.
  Result<size_t, std::string> Restore();
  void AddPeer(uint32_t node, SyncLink& link);
  void set_on_applied(OnApplied on_applied) { on_applied_ = std::move(on_applied); }
  void set_on_blob_complete(OnBlob on_blob) { on_blob_complete_ = std::move(on_blob); }

  // Blobs (DESIGN.md: the durable blob store). Content made here - a photo of pupils' work, a
  // worksheet - is stored whole, then offered to every peer heard from; a peer asks for the
  // chunks it lacks, a window at a time, and they go on the bulk lane a couple at a time, so
  // that operations queued after them wait little. The hub pre-positions a lesson's materials
  // the same way: it adds them before the lesson, and each site takes them as it can. Whatever
  // cuts a transfer, the receiver asks again only for chunks its store does not hold.
  Result<BlobManifest, std::string> AddBlob(std::span<const uint8_t> content, Timestamp now);

  // A participant here acts: refused as the replica refuses it, or an error if the store could
  // not commit it (then it is not acknowledged: the caller tells the user).
  Result<Operation, std::string> Act(uint32_t author, ActivityKind activity, uint8_t action,
                                     std::vector<uint8_t> body, Timestamp now);
  // A message of the reliable channel from `peer`, on `lane`.
  void OnMessage(uint32_t peer, datachannel::Lane lane, std::span<const uint8_t> message,
                 Timestamp now);
  void OnDatagram(uint32_t peer, std::span<const uint8_t> datagram, Timestamp now);
  void OnTimer(Timestamp now);

  const Replica& replica() const { return replica_; }
  bool online(uint32_t peer) const;
  // Site: the hub's clock at local time `now`, once measured.
  std::optional<Timestamp> HubTime(Timestamp now) const { return clock_.HubTime(now); }
  // Site: the operations made here that the hub does not hold yet, per activity.
  std::vector<OutboxEntry> Outbox() const;
  uint64_t outbox_size() const;
  const Stats& stats() const { return stats_; }
  const DropCounter& refused() const { return refused_; }

 private:
  struct Peer {
    SyncLink* link = nullptr;
    bool online = false;
    Timestamp last_heard = Timestamp::MinusInfinity();
    uint64_t incarnation = 0;
    VersionVector known;       // Its last hello.
    bool known_valid = false;  // A hello came in this process, or the store kept the last one.
    VersionVector promised;    // Sent to it, or received from it, since its incarnation began.
    Timestamp hello_due = Timestamp::PlusInfinity();
    Timestamp last_hello = Timestamp::MinusInfinity();
    Timestamp known_saved = Timestamp::MinusInfinity();
    bool saved_all_taken = false;
    // Blobs it holds whole (its BlobHave), chunks it asked us for and we have not sent, and
    // chunks we asked it for that have not come.
    std::set<Sha256Digest> holds_blob;
    std::set<Sha256Digest> blobs_offered;  // Since it was last heard again.
    std::deque<std::pair<Sha256Digest, uint32_t>> chunks_to_send;
    std::set<std::pair<Sha256Digest, uint32_t>> chunks_queued;
    std::map<Sha256Digest, std::set<uint32_t>> chunks_asked;
  };

  // The peer a message comes from, and the message parsed; nothing (refused, counted) if either
  // is wrong.
  Peer* Accept(uint32_t peer_node, std::span<const uint8_t> bytes, Timestamp now,
               std::optional<SyncMessage>& parsed);
  void Heard(uint32_t peer_node, Peer& peer, Timestamp now);
  void SendHello(Peer& peer, Timestamp now);
  void OnHello(uint32_t peer_node, Peer& peer, const SyncHello& hello, Timestamp now);
  void OnOperations(uint32_t peer_node, Peer& peer, std::vector<Operation> operations,
                    datachannel::Lane lane, Timestamp now);
  // Sends what a replica at `theirs` lacks and was not sent to `peer` already, on the bulk lane.
  void SendMissing(Peer& peer, const VersionVector& theirs);
  // Sends `ops` to `peer` in batches on `lane`; each is marked as sent.
  void SendOperations(Peer& peer, std::span<const Operation> ops, datachannel::Lane lane);
  void Refuse(const Error& error, Timestamp now);
  void OfferBlobs(Peer& peer);
  void OnBlobMessage(Peer& peer, SyncMessage& message, Timestamp now);
  void AskForChunks(Peer& peer, const Sha256Digest& digest);
  void SendChunks(Peer& peer);

  Config config_;
  Replica replica_;
  OperationStore& store_;
  BlobStore* blobs_;
  std::map<uint32_t, Peer> peers_;
  ClockOffsetEstimator clock_;
  Timestamp next_clock_request_ = Timestamp::MinusInfinity();
  OnApplied on_applied_;
  OnBlob on_blob_complete_;
  DropCounter refused_{"sync messages"};
  Stats stats_;
};

}  // namespace comodal::session

#endif  // SESSION_SYNC_SESSION_NODE_H_
