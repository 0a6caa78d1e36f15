#ifndef SESSION_SYNC_SYNC_MESSAGE_H_
#define SESSION_SYNC_SYNC_MESSAGE_H_

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "session/activity/operation.h"
#include "session/activity/version_vector.h"
#include "session/blob/blob_manifest.h"
#include "transport/base/result.h"
#include "transport/srtp/sha256.h"

namespace comodal::session {

// What a node holds, sent to a peer when it (re)connects: the peer answers with the operations
// the vector lacks (anti-entropy). `incarnation` is new at each start of the sender's process: a
// new one tells the peer to forget what it believed it had already sent.
struct SyncHello {
  uint32_t node = 0;
  uint64_t incarnation = 0;
  VersionVector version;
};
// Operations, in any order; each checked by the receiving replica.
struct SyncOperations {
  std::vector<Operation> operations;
};
// A blob the sender holds whole (its manifest): the receiver asks for the chunks it lacks.
struct BlobOffer {
  BlobManifest manifest;
};
// Chunks of a blob the receiver of an offer lacks (at most kMaxChunks at a time).
struct BlobWant {
  static constexpr size_t kMaxChunks = 1024;
  Sha256Digest digest{};
  std::vector<uint32_t> chunks;
};
struct BlobChunk {
  Sha256Digest digest{};
  uint32_t index = 0;
  std::vector<uint8_t> data;
};
// The sender holds the blob whole: nothing more to send it.
struct BlobHave {
  Sha256Digest digest{};
};
// NTP's on-wire exchange (RFC 5905 §8): t1 from the site, t2 and t3 from the hub. Sent as
// datagrams, never retransmitted: a late copy measures nothing.
struct ClockRequest {
  uint32_t node = 0;
  int64_t sent_us = 0;
};
struct ClockResponse {
  int64_t sent_us = 0;
  int64_t hub_received_us = 0;
  int64_t hub_sent_us = 0;
};

using SyncMessage = std::variant<SyncHello, SyncOperations, BlobOffer, BlobWant, BlobChunk,
                                 BlobHave, ClockRequest, ClockResponse>;

// Wire form, version 1: version (8), type (8: the variant's index + 1), then the type's body,
// big-endian. Operations: count (16), then each operation's own wire form (self-delimiting).
// Want: digest (256 bits), count (16), chunk indices (32 each, increasing). Chunk: digest,
// index (32), data (the rest). Offer: the manifest's wire form. Hello: node (32),
// incarnation (64), the version vector. Clock: node (32) and t1 (64); t1, t2, t3 (64 each).
inline constexpr size_t kMaxSyncMessageSize = 1 << 20;
std::vector<uint8_t> SerializeSyncMessage(const SyncMessage& message);
// Untrusted bytes: every field checked, the reason named when one is wrong.
Result<SyncMessage> ParseSyncMessage(std::span<const uint8_t> bytes);

}  // namespace comodal::session

#endif  // SESSION_SYNC_SYNC_MESSAGE_H_
