#include "transport/rtcp/bye.h"

namespace comodal::rtcp {
namespace {

constexpr size_t kSsrcSize = 4;

// The length octet, the text, and the null octets up to the next 32-bit boundary.
size_t ReasonSize(size_t text_size) { return (1 + text_size + 3) / 4 * 4; }

}  // namespace

Result<Bye> Bye::Parse(const RtcpCommonHeader& header) {
  const auto payload = header.payload;
  const size_t ssrcs_size = size_t{header.count} * kSsrcSize;
  if (payload.size() < ssrcs_size) {
    return Error{ErrorCode::kTruncated, "BYE shorter than its source count"};
  }
  Bye bye;
  bye.ssrcs.reserve(header.count);
  for (size_t pos = 0; pos < ssrcs_size; pos += kSsrcSize) {
    bye.ssrcs.push_back(LoadBE32(&payload[pos]));
  }
  if (payload.size() == ssrcs_size) return bye;

  const size_t length = payload[ssrcs_size];
  const size_t text_start = ssrcs_size + 1;
  if (payload.size() - text_start < length) {
    return Error{ErrorCode::kTruncated, "BYE reason runs past the packet"};
  }
  bye.reason.emplace(reinterpret_cast<const char*>(&payload[text_start]), length);
  // RFC 3550 §6.6: the reason is padded with null octets to the next 32-bit boundary; this is
  // separate from the padding the P bit announces (already removed from the payload).
  const size_t end = ssrcs_size + ReasonSize(length);
  if (end > payload.size()) {
    return Error{ErrorCode::kTruncated, "BYE reason padding stops short of 32 bits"};
  }
  for (size_t pos = text_start + length; pos < end; ++pos) {
    if (payload[pos] != 0) {
      return Error{ErrorCode::kMalformed, "BYE reason padding has a non-null octet"};
    }
  }
  if (end != payload.size()) {
    return Error{ErrorCode::kBadLength, "BYE has bytes after its reason"};
  }
  return bye;
}

size_t Bye::Size() const {
  return RtcpCommonHeader::kSize + ssrcs.size() * kSsrcSize +
         (reason ? ReasonSize(reason->size()) : 0);
}

Status Bye::Write(ByteWriter& out) const {
  if (ssrcs.size() > RtcpCommonHeader::kMaxCount) {
    return Error{ErrorCode::kInvalidArgument, "BYE carries at most 31 SSRCs"};
  }
  if (reason && reason->size() > kMaxReasonSize) {
    return Error{ErrorCode::kInvalidArgument, "BYE reason is longer than 255 octets"};
  }
  WriteRtcpCommonHeader(out, static_cast<uint8_t>(ssrcs.size()), kPacketType,
                        Size() - RtcpCommonHeader::kSize);
  for (uint32_t ssrc : ssrcs) out.U32(ssrc);
  if (reason) {
    out.U8(static_cast<uint8_t>(reason->size()));
    out.Bytes({reinterpret_cast<const uint8_t*>(reason->data()), reason->size()});
    out.Zeros(ReasonSize(reason->size()) - 1 - reason->size());
  }
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the BYE"};
  return Status::Ok();
}

}  // namespace comodal::rtcp
