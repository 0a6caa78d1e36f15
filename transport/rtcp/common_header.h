#ifndef TRANSPORT_RTCP_COMMON_HEADER_H_
#define TRANSPORT_RTCP_COMMON_HEADER_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"

namespace comodal::rtcp {

// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611 §2).
inline constexpr uint8_t kPacketTypeSenderReport = 200;
inline constexpr uint8_t kPacketTypeReceiverReport = 201;
inline constexpr uint8_t kPacketTypeSdes = 202;
inline constexpr uint8_t kPacketTypeBye = 203;
inline constexpr uint8_t kPacketTypeApp = 204;
inline constexpr uint8_t kPacketTypeRtpFeedback = 205;      // RTPFB
inline constexpr uint8_t kPacketTypePayloadFeedback = 206;  // PSFB
inline constexpr uint8_t kPacketTypeExtendedReports = 207;  // XR

// The 4-byte header every RTCP packet starts with (RFC 3550 §6.4.1):
//
//    0                   1                   2                   3
//   |V=2|P| count/FMT |      PT       |             length            |
//
// `length` is the packet size in 32-bit words minus one, header included. When P is set the
// last octet gives how many padding octets (itself included) end the packet.
struct RtcpCommonHeader {
  static constexpr size_t kSize = 4;
  static constexpr uint8_t kVersion = 2;
  static constexpr uint8_t kMaxCount = 31;

  uint8_t count = 0;        // RC, SC, FMT or APP subtype, depending on the packet type.
  uint8_t packet_type = 0;  // PT.
  bool has_padding = false;
  size_t packet_size = 0;            // Whole packet in bytes: header, payload and padding.
  std::span<const uint8_t> payload;  // After the 4-byte header, padding removed.

  // Parses the first RTCP packet at the start of `data` (which may hold more packets after it).
  static Result<RtcpCommonHeader> Parse(std::span<const uint8_t> data);
};

// Writes the 4-byte header for a packet whose payload (after the header) is `payload_size`
// bytes, which must be a multiple of 4.
void WriteRtcpCommonHeader(ByteWriter& out, uint8_t count, uint8_t packet_type,
                           size_t payload_size);

// Serialises one RTCP message (any class with Size() and Write(ByteWriter&)) into `out`;
// returns the bytes written.
template <typename Message>
Result<size_t> SerializeRtcp(const Message& message, std::span<uint8_t> out) {
  ByteWriter writer(out);
  Status status = message.Write(writer);
  if (!status.ok()) return status.error();
  return writer.size();
}

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_COMMON_HEADER_H_
