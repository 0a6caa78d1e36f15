#include "transport/rtcp/app.h"

#include <algorithm>

namespace comodal::rtcp {
namespace {

constexpr size_t kFixedSize = 8;  // SSRC and name.
// The 16-bit length field counts 32-bit words minus one (RFC 3550 §6.4.1).
constexpr size_t kMaxPacketSize = (size_t{0xFFFF} + 1) * 4;

bool IsAscii(char c) { return (static_cast<uint8_t>(c) & 0x80) == 0; }

}  // namespace

Result<App> App::Parse(const RtcpCommonHeader& header) {
  const auto payload = header.payload;
  if (payload.size() < kFixedSize) {
    return Error{ErrorCode::kTruncated, "APP shorter than its SSRC and name"};
  }
  // RFC 3550 §6.7: "application-dependent data ... MUST be a multiple of 32 bits long".
  if (payload.size() % 4 != 0) {
    return Error{ErrorCode::kBadLength, "APP data is not a multiple of 32 bits"};
  }
  App app;
  app.subtype = header.count;
  app.ssrc = LoadBE32(&payload[0]);
  for (size_t i = 0; i < kNameSize; ++i) app.name[i] = static_cast<char>(payload[4 + i]);
  if (!std::all_of(app.name.begin(), app.name.end(), IsAscii)) {
    return Error{ErrorCode::kMalformed, "APP name is not ASCII"};
  }
  app.data.assign(payload.begin() + kFixedSize, payload.end());
  return app;
}

size_t App::Size() const { return RtcpCommonHeader::kSize + kFixedSize + data.size(); }

Status App::Write(ByteWriter& out) const {
  if (subtype > kMaxSubtype) {
    return Error{ErrorCode::kInvalidArgument, "APP subtype does not fit in 5 bits"};
  }
  if (!std::all_of(name.begin(), name.end(), IsAscii)) {
    return Error{ErrorCode::kInvalidArgument, "APP name is not ASCII"};
  }
  if (data.size() % 4 != 0) {
    return Error{ErrorCode::kInvalidArgument, "APP data is not a multiple of 32 bits"};
  }
  if (Size() > kMaxPacketSize) {
    return Error{ErrorCode::kInvalidArgument, "APP too long for the RTCP length field"};
  }
  WriteRtcpCommonHeader(out, subtype, kPacketType, Size() - RtcpCommonHeader::kSize);
  out.U32(ssrc);
  for (char c : name) out.U8(static_cast<uint8_t>(c));
  out.Bytes(data);
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the APP"};
  return Status::Ok();
}

}  // namespace comodal::rtcp
