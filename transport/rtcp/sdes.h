#ifndef TRANSPORT_RTCP_SDES_H_
#define TRANSPORT_RTCP_SDES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {

// SDES item types (RFC 3550 §6.5, §12.2). Type 0 (END) is the chunk terminator, never an item.
// The enum is open: items of types defined later (RFC 8843 MID, RFC 8852 RtpStreamId, ...) keep
// their number so a relay can forward them; RFC 3550 §6.5 says applications ignore them.
enum class SdesItemType : uint8_t {
  kCname = 1,
  kName = 2,
  kEmail = 3,
  kPhone = 4,
  kLoc = 5,
  kTool = 6,
  kNote = 7,
  kPriv = 8,
};

// One SDES item: type, then up to 255 octets of text. The text is kept raw (RFC 3550 says
// UTF-8, but it is not validated); a PRIV item's text holds its own prefix length, prefix and
// value (RFC 3550 §6.5.8) as they appear on the wire.
struct SdesItem {
  static constexpr size_t kMaxTextSize = 255;

  SdesItemType type = SdesItemType::kCname;
  std::string text;

  friend bool operator==(const SdesItem&, const SdesItem&) = default;
};

// The items describing one source.
struct SdesChunk {
  uint32_t ssrc = 0;  // SSRC or CSRC.
  std::vector<SdesItem> items;

  friend bool operator==(const SdesChunk&, const SdesChunk&) = default;
};

// Source description, PT=202 (RFC 3550 §6.5): up to 31 chunks, each an SSRC and a list of
// items ended by one to four null octets that pad the chunk to a 32-bit boundary.
class Sdes {
 public:
  static constexpr uint8_t kPacketType = kPacketTypeSdes;

  static Result<Sdes> Parse(const RtcpCommonHeader& header);
  // The SDES every RTCP compound packet carries (RFC 3550 §6.1): one chunk, one CNAME.
  static Sdes WithCname(uint32_t ssrc, std::string cname);

  // Adds a chunk holding only a CNAME for `ssrc`.
  void AddCname(uint32_t ssrc, std::string cname);
  // The first CNAME item of the first chunk for `ssrc`, if any.
  std::optional<std::string> Cname(uint32_t ssrc) const;

  size_t Size() const;
  // Fails with kInvalidArgument for more than 31 chunks, an item of type 0 or with more than
  // 255 octets of text, or a packet too long for the 16-bit length field.
  Status Write(ByteWriter& out) const;

  std::vector<SdesChunk> chunks;

  friend bool operator==(const Sdes&, const Sdes&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_SDES_H_
