#include "transport/rtcp/common_header.h"

namespace comodal::rtcp {

Result<RtcpCommonHeader> RtcpCommonHeader::Parse(std::span<const uint8_t> data) {
  if (data.size() < kSize) return Error{ErrorCode::kTruncated, "RTCP header needs 4 bytes"};
  const uint8_t version = data[0] >> 6;
  if (version != kVersion) return Error{ErrorCode::kBadVersion, "RTCP version is not 2"};

  RtcpCommonHeader header;
  header.has_padding = (data[0] & 0x20) != 0;
  header.count = data[0] & 0x1F;
  header.packet_type = data[1];
  header.packet_size = (size_t{LoadBE16(&data[2])} + 1) * 4;
  if (header.packet_size > data.size()) {
    return Error{ErrorCode::kTruncated, "RTCP length field exceeds the datagram"};
  }
  size_t payload_size = header.packet_size - kSize;
  if (header.has_padding) {
    const uint8_t padding = data[header.packet_size - 1];
    if (padding == 0 || padding > payload_size) {
      return Error{ErrorCode::kBadPadding, "RTCP padding count is zero or exceeds the packet"};
    }
    payload_size -= padding;
  }
  header.payload = data.subspan(kSize, payload_size);
  return header;
}

void WriteRtcpCommonHeader(ByteWriter& out, uint8_t count, uint8_t packet_type,
                           size_t payload_size) {
  out.U8(static_cast<uint8_t>((RtcpCommonHeader::kVersion << 6) | (count & 0x1F)));
  out.U8(packet_type);
  out.U16(static_cast<uint16_t>(payload_size / 4));  // (header + payload) / 4 - 1
}

}  // namespace comodal::rtcp
