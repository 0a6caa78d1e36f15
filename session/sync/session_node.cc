#include "session/sync/session_node.h"

#include <algorithm>

#include "transport/base/logging.h"

namespace comodal::session {

using datachannel::Lane;

namespace {

// Chunks asked of a peer at a time (1 MiB of 16 KiB chunks), asked again when half have come.
constexpr size_t kChunkWindow = 64;
// Chunks handed to the bulk lane at a time: an operation batch queued behind them waits for
// about two chunks, a couple of seconds on a 256 kbit/s uplink at half of it.
constexpr size_t kChunksInFlight = 2;
// A manifest must fit one message: larger blobs get larger chunks.
constexpr uint64_t kMaxChunks = 30'000;
constexpr TimeDelta kSavePeerVersionEvery = TimeDelta::Seconds(10);

}  // namespace

SessionNode::SessionNode(Config config, Roster roster, OperationStore& store, BlobStore* blobs)
    : config_(config), replica_(config.node, std::move(roster)), store_(store), blobs_(blobs) {}

Result<size_t, std::string> SessionNode::Restore() {
  Result<std::vector<Operation>, std::string> stored = store_.LoadAll();
  if (!stored.ok()) return stored.error();
  const size_t refused = replica_.Restore(*stored);
  for (auto& [node, peer] : peers_) {
    Result<std::optional<VersionVector>, std::string> known = store_.LoadPeerVersion(node);
    if (!known.ok()) return known.error();
    if (*known) {
      peer.known = std::move(**known);
      peer.known_valid = true;
    }
  }
  return stored->size() - refused;
}

void SessionNode::AddPeer(uint32_t node, SyncLink& link) { peers_[node].link = &link; }

bool SessionNode::online(uint32_t peer) const {
  auto it = peers_.find(peer);
  return it != peers_.end() && it->second.online;
}

Result<Operation, std::string> SessionNode::Act(uint32_t author, ActivityKind activity,
                                                uint8_t action, std::vector<uint8_t> body,
                                                Timestamp now) {
  Result<Operation> made = replica_.Make(author, activity, action, std::move(body), now);
  if (!made.ok()) return made.error().ToString();
  // Committed before the participant is told it is accepted (DESIGN.md principle 4).
  Result<bool, std::string> stored = store_.Append(*made);
  if (!stored.ok()) {
    ++stats_.store_failures;
    return stored.error();
  }
  for (auto& [node, peer] : peers_) {
    if (peer.online) SendOperations(peer, std::span(&*made, 1), Lane::kSessionData);
  }
  return std::move(*made);
}

Result<BlobManifest, std::string> SessionNode::AddBlob(std::span<const uint8_t> content,
                                                       Timestamp /*now*/) {
  if (!blobs_) return std::string("this node keeps no blobs");
  if (content.empty()) return std::string("an empty blob");
  const uint64_t per_chunk = (content.size() + kMaxChunks - 1) / kMaxChunks;
  const uint32_t chunk_size = static_cast<uint32_t>(std::min<uint64_t>(
      std::max<uint64_t>(BlobStore::kChunkSize, per_chunk), BlobManifest::kMaxChunkSize));
  if (content.size() > uint64_t{chunk_size} * kMaxChunks) return std::string("blob too large");
  Result<BlobManifest, std::string> stored = blobs_->Put(content, chunk_size);
  if (!stored.ok()) return stored.error();
  for (auto& [node, peer] : peers_) {
    if (peer.online) OfferBlobs(peer);
  }
  return stored;
}

void SessionNode::OfferBlobs(Peer& peer) {
  if (!blobs_) return;
  for (const Sha256Digest& digest : blobs_->complete_blobs()) {
    if (peer.holds_blob.contains(digest) || !peer.blobs_offered.insert(digest).second) continue;
    const std::vector<uint8_t> offer = SerializeSyncMessage(BlobOffer{*blobs_->manifest(digest)});
    if (offer.empty()) continue;
    if (peer.link->SendReliable(Lane::kBulk, offer).ok()) ++stats_.blob_offers_sent;
  }
}

void SessionNode::AskForChunks(Peer& peer, const Sha256Digest& digest) {
  std::set<uint32_t>& asked = peer.chunks_asked[digest];
  if (asked.size() > kChunkWindow / 2) return;
  BlobWant want{digest, {}};
  for (uint32_t index : blobs_->Missing(digest)) {
    if (asked.size() + want.chunks.size() >= kChunkWindow) break;
    if (!asked.contains(index)) want.chunks.push_back(index);
  }
  // Counted as asked only once the want is on its way: a want that could not go is asked again.
  if (!want.chunks.empty() &&
      peer.link->SendReliable(Lane::kSessionData, SerializeSyncMessage(want)).ok()) {
    asked.insert(want.chunks.begin(), want.chunks.end());
  }
}

void SessionNode::SendChunks(Peer& peer) {
  while (peer.online && !peer.chunks_to_send.empty() &&
         peer.link->bulk_backlog() < kChunksInFlight * BlobStore::kChunkSize) {
    const auto [digest, index] = peer.chunks_to_send.front();
    Result<std::vector<uint8_t>, std::string> bytes = blobs_->ReadChunk(digest, index);
    if (!bytes.ok()) {
      ++stats_.store_failures;
      GetLogger("session.sync")->error("{}", bytes.error());
    } else if (!peer.link
                    ->SendReliable(Lane::kBulk, SerializeSyncMessage(
                                                    BlobChunk{digest, index, std::move(*bytes)}))
                    .ok()) {
      return;  // The lane is full: the chunk goes later.
    } else {
      ++stats_.blob_chunks_sent;
    }
    peer.chunks_queued.erase(peer.chunks_to_send.front());
    peer.chunks_to_send.pop_front();
  }
}

void SessionNode::OnBlobMessage(Peer& peer, SyncMessage& message, Timestamp now) {
  if (!blobs_) {
    Refuse(Error{ErrorCode::kUnsupported, "blob message to a node that keeps no blobs"}, now);
    return;
  }
  if (auto* offer = std::get_if<BlobOffer>(&message)) {
    const Sha256Digest digest = offer->manifest.digest;
    if (Result<bool, std::string> added = blobs_->AddManifest(offer->manifest); !added.ok()) {
      ++stats_.store_failures;
      GetLogger("session.sync")->error("{}", added.error());
      return;
    }
    if (blobs_->complete(digest)) {
      (void)peer.link->SendReliable(Lane::kSessionData, SerializeSyncMessage(BlobHave{digest}));
    } else {
      AskForChunks(peer, digest);
    }
  } else if (auto* want = std::get_if<BlobWant>(&message)) {
    if (!blobs_->complete(want->digest)) {
      Refuse(Error{ErrorCode::kUnsupported, "blob want for a blob not held whole"}, now);
      return;
    }
    const size_t chunks = blobs_->manifest(want->digest)->chunk_count();
    if (!want->chunks.empty() && want->chunks.back() >= chunks) {
      Refuse(Error{ErrorCode::kMalformed, "blob want of a chunk past the blob's end"}, now);
      return;
    }
    for (uint32_t index : want->chunks) {
      if (peer.chunks_queued.insert({want->digest, index}).second) {
        peer.chunks_to_send.emplace_back(want->digest, index);
      }
    }
    SendChunks(peer);
  } else if (auto* chunk = std::get_if<BlobChunk>(&message)) {
    Result<BlobStore::ChunkOutcome> stored =
        blobs_->PutChunk(chunk->digest, chunk->index, chunk->data);
    if (!stored.ok()) {
      Refuse(stored.error(), now);
      return;
    }
    peer.chunks_asked[chunk->digest].erase(chunk->index);
    if (*stored == BlobStore::ChunkOutcome::kAlreadyHeld) {
      ++stats_.blob_chunks_duplicate;
      return;
    }
    ++stats_.blob_chunks_received;
    stats_.blob_bytes_received += DataSize::Bytes(static_cast<int64_t>(chunk->data.size()));
    if (blobs_->complete(chunk->digest)) {
      ++stats_.blobs_completed;
      peer.chunks_asked.erase(chunk->digest);
      (void)peer.link->SendReliable(Lane::kSessionData,
                                    SerializeSyncMessage(BlobHave{chunk->digest}));
      if (on_blob_complete_) on_blob_complete_(chunk->digest, now);
    } else {
      AskForChunks(peer, chunk->digest);
    }
  } else if (auto* have = std::get_if<BlobHave>(&message)) {
    peer.holds_blob.insert(have->digest);
    // Nothing more of it to send, whatever was asked before.
    std::erase_if(peer.chunks_to_send, [&](const auto& chunk) {
      if (chunk.first != have->digest) return false;
      peer.chunks_queued.erase(chunk);
      return true;
    });
  }
}

SessionNode::Peer* SessionNode::Accept(uint32_t peer_node, std::span<const uint8_t> bytes,
                                       Timestamp now, std::optional<SyncMessage>& parsed) {
  auto it = peers_.find(peer_node);
  if (it == peers_.end()) {
    Refuse(Error{ErrorCode::kUnsupported, "sync message from a node that is not a peer"}, now);
    return nullptr;
  }
  Result<SyncMessage> message = ParseSyncMessage(bytes);
  if (!message.ok()) {
    Refuse(message.error(), now);
    return nullptr;
  }
  parsed = std::move(*message);
  return &it->second;
}

void SessionNode::OnMessage(uint32_t peer_node, Lane lane, std::span<const uint8_t> message,
                            Timestamp now) {
  std::optional<SyncMessage> parsed;
  Peer* from = Accept(peer_node, message, now, parsed);
  if (!from) return;
  Peer& peer = *from;
  Heard(peer_node, peer, now);
  if (auto* hello = std::get_if<SyncHello>(&*parsed)) {
    if (hello->node != peer_node) {
      Refuse(Error{ErrorCode::kMalformed, "sync hello naming another node"}, now);
      return;
    }
    OnHello(peer_node, peer, *hello, now);
  } else if (auto* batch = std::get_if<SyncOperations>(&*parsed)) {
    OnOperations(peer_node, peer, std::move(batch->operations), lane, now);
  } else if (std::holds_alternative<ClockRequest>(*parsed) ||
             std::holds_alternative<ClockResponse>(*parsed)) {
    Refuse(Error{ErrorCode::kUnsupported, "clock exchange on the reliable channel"}, now);
  } else {
    OnBlobMessage(peer, *parsed, now);
  }
}

void SessionNode::OnDatagram(uint32_t peer_node, std::span<const uint8_t> datagram, Timestamp now) {
  std::optional<SyncMessage> parsed;
  Peer* from = Accept(peer_node, datagram, now, parsed);
  if (!from) return;
  Peer& peer = *from;
  if (auto* request = std::get_if<ClockRequest>(&*parsed); request && config_.hub) {
    if (request->node != peer_node) {
      Refuse(Error{ErrorCode::kMalformed, "clock request naming another node"}, now);
      return;
    }
    Heard(peer_node, peer, now);
    const ClockResponse response{request->sent_us, now.us(), now.us()};
    peer.link->SendDatagram(SerializeSyncMessage(response));
  } else if (auto* response = std::get_if<ClockResponse>(&*parsed); response && !config_.hub) {
    const ClockOffsetEstimator::Exchange exchange{Timestamp::Micros(response->sent_us),
                                                  Timestamp::Micros(response->hub_received_us),
                                                  Timestamp::Micros(response->hub_sent_us), now};
    if (!clock_.OnExchange(exchange)) {
      Refuse(Error{ErrorCode::kMalformed, "clock response that cannot be"}, now);
      return;
    }
    Heard(peer_node, peer, now);
  } else {
    Refuse(Error{ErrorCode::kUnsupported, "sync datagram this node does not take"}, now);
  }
}

void SessionNode::OnTimer(Timestamp now) {
  for (auto& [node, peer] : peers_) {
    if (peer.online && now - peer.last_heard > config_.offline_after) peer.online = false;
    if (peer.online && (now >= peer.hello_due || now - peer.last_hello >= config_.hello_interval)) {
      SendHello(peer, now);
    }
    if (blobs_) SendChunks(peer);
  }
  if (!config_.hub && now >= next_clock_request_) {
    // Also how the hub learns the site is there, and the site that the link is back.
    for (auto& [node, peer] : peers_) {
      peer.link->SendDatagram(SerializeSyncMessage(ClockRequest{config_.node, now.us()}));
    }
    // Faster while the hub is not heard: the link's return is noticed sooner.
    const bool heard = std::any_of(peers_.begin(), peers_.end(),
                                   [](const auto& entry) { return entry.second.online; });
    next_clock_request_ = now + (heard ? config_.clock_interval : config_.clock_interval / 2);
  }
}

void SessionNode::Heard(uint32_t peer_node, Peer& peer, Timestamp now) {
  peer.last_heard = now;
  if (peer.online) return;
  peer.online = true;
  ++stats_.reconnects;
  GetLogger("session.sync")->debug("node {} hears node {} again", config_.node, peer_node);
  peer.blobs_offered.clear();
  SendHello(peer, now);
  // What it lacked when last heard of goes now: a round trip sooner than its hello's answer,
  // which then finds nothing more to send unless it lost something. Not knowing what it holds
  // (this process has not heard its hello, nor kept one), wait for the hello.
  if (peer.known_valid) SendMissing(peer, peer.known);
}

void SessionNode::SendMissing(Peer& peer, const VersionVector& theirs) {
  std::vector<Operation> missing = replica_.Missing(theirs);
  std::erase_if(missing, [&](const Operation& op) { return peer.promised.Contains(op.id); });
  stats_.operations_resent += missing.size();
  SendOperations(peer, missing, Lane::kBulk);
}

void SessionNode::SendHello(Peer& peer, Timestamp now) {
  SyncHello hello{config_.node, config_.incarnation, replica_.version()};
  if (peer.link->SendReliable(Lane::kSessionData, SerializeSyncMessage(hello)).ok()) {
    ++stats_.hellos_sent;
  }
  peer.last_hello = now;
  peer.hello_due = Timestamp::PlusInfinity();
}

void SessionNode::OnHello(uint32_t peer_node, Peer& peer, const SyncHello& hello, Timestamp now) {
  ++stats_.hellos_received;
  if (peer.incarnation != 0 && hello.incarnation != peer.incarnation) {
    // A new process: whatever was sent to the old one may be gone with it. (A first hello in
    // this process tells nothing of the kind: nothing was sent to anyone yet.)
    peer.promised = VersionVector();
    peer.holds_blob.clear();
    peer.chunks_to_send.clear();
    peer.chunks_queued.clear();
    peer.chunks_asked.clear();
    peer.blobs_offered.clear();
  }
  peer.incarnation = hello.incarnation;
  peer.known = hello.version;
  peer.known_valid = true;
  // A site keeps it in its store, so that its outbox view survives a restart and can be read
  // offline (`comodal outbox`): at most every 10 s, and at once when the hub comes to hold all
  // it made, or stops holding it all.
  const bool all_taken =
      hello.version.Contiguous(config_.node) >= replica_.version().Contiguous(config_.node);
  if (!config_.hub &&
      (now - peer.known_saved >= kSavePeerVersionEvery || all_taken != peer.saved_all_taken)) {
    if (Status saved = store_.SavePeerVersion(peer_node, peer.known); !saved.ok()) {
      ++stats_.store_failures;
    }
    peer.known_saved = now;
    peer.saved_all_taken = all_taken;
  }
  SendMissing(peer, hello.version);
  // Behind the operations on the bulk lane: they are what a teacher waits for.
  OfferBlobs(peer);
}

void SessionNode::OnOperations(uint32_t peer_node, Peer& peer, std::vector<Operation> operations,
                               Lane lane, Timestamp now) {
  std::vector<Operation> fresh;
  for (Operation& op : operations) {
    ++stats_.operations_received;
    peer.promised.Add(op.id);
    Result<bool> received = replica_.Receive(op, now);
    if (!received.ok()) {
      Refuse(received.error(), now);
    } else if (*received) {
      fresh.push_back(std::move(op));
    }
  }
  if (fresh.empty()) return;
  stats_.operations_new += fresh.size();
  if (Result<std::vector<bool>, std::string> stored = store_.AppendAll(fresh); !stored.ok()) {
    ++stats_.store_failures;
    GetLogger("session.sync")->error("{}", stored.error());
  }
  if (on_applied_) {
    for (const Operation& op : fresh) on_applied_(op, now);
  }
  // The hub passes on what one site sent to the others, on the lane it came by.
  for (auto& [node, other] : peers_) {
    if (node != peer_node && other.online) SendOperations(other, fresh, lane);
  }
  peer.hello_due = std::min(peer.hello_due, now + config_.hello_after_operations);
}

void SessionNode::SendOperations(Peer& peer, std::span<const Operation> ops, Lane lane) {
  size_t begin = 0;
  while (begin < ops.size()) {
    SyncOperations batch;
    size_t bytes = 16;
    size_t end = begin;
    while (end < ops.size() && end - begin < UINT16_MAX &&
           (end == begin || bytes + ops[end].size() <= config_.batch_bytes)) {
      bytes += ops[end].size();
      batch.operations.push_back(ops[end++]);
    }
    // A full queue keeps the rest for the next hello: the peer will still lack them.
    if (!peer.link->SendReliable(lane, SerializeSyncMessage(batch)).ok()) return;
    for (size_t i = begin; i < end; ++i) peer.promised.Add(ops[i].id);
    stats_.operations_sent += end - begin;
    begin = end;
  }
}

std::vector<OutboxEntry> SessionNode::Outbox() const {
  std::vector<OutboxEntry> out;
  for (const auto& [node, peer] : peers_) {
    const std::vector<Operation> missing = replica_.Missing(peer.known);
    for (const OutboxEntry& entry : ComputeOutbox(missing, config_.node, peer.known)) {
      out.push_back(entry);
    }
  }
  return out;
}

uint64_t SessionNode::outbox_size() const {
  uint64_t total = 0;
  for (const OutboxEntry& entry : Outbox()) total += entry.operations;
  return total;
}

void SessionNode::Refuse(const Error& error, Timestamp now) {
  ++stats_.refused_messages;
  if (auto summary = refused_.Count(error, now)) GetLogger("session.sync")->warn("{}", *summary);
}

}  // namespace comodal::session
