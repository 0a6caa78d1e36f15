#ifndef TRANSPORT_RTCP_COMPOUND_PACKET_H_
#define TRANSPORT_RTCP_COMPOUND_PACKET_H_

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"
#include "transport/rtcp/app.h"
#include "transport/rtcp/bye.h"
#include "transport/rtcp/common_header.h"
#include "transport/rtcp/extended_reports.h"
#include "transport/rtcp/fir.h"
#include "transport/rtcp/nack.h"
#include "transport/rtcp/pli.h"
#include "transport/rtcp/receiver_report.h"
#include "transport/rtcp/sdes.h"
#include "transport/rtcp/sender_report.h"
#include "transport/rtcp/transport_feedback.h"

namespace comodal::rtcp {

// An RTCP packet of a type (or feedback format) comodal does not interpret. RFC 3550 §6.1 asks
// receivers to ignore these; it is kept so that a compound re-serialises unchanged.
struct UnknownRtcpPacket {
  uint8_t packet_type = 0;
  uint8_t count = 0;             // RC/FMT/subtype field.
  std::vector<uint8_t> payload;  // Multiple of 4 bytes.

  size_t Size() const { return RtcpCommonHeader::kSize + payload.size(); }
  Status Write(ByteWriter& out) const;
  friend bool operator==(const UnknownRtcpPacket&, const UnknownRtcpPacket&) = default;
};

using RtcpMessage = std::variant<SenderReport, ReceiverReport, Sdes, Bye, App, Nack, Pli, Fir,
                                 TransportFeedback, ExtendedReports, UnknownRtcpPacket>;

// A compound RTCP packet (RFC 3550 §6.1): RTCP packets back to back in one datagram. Parsing
// checks the whole datagram (version, lengths adding up exactly, padding only on the last
// packet) and every packet in it; one malformed packet rejects the datagram, so that nothing
// half-read is acted on. Reduced-size RTCP (RFC 5506: a lone feedback message) is accepted.
class RtcpCompound {
 public:
  static Result<RtcpCompound> Parse(std::span<const uint8_t> datagram);

  size_t Size() const;
  Status Write(ByteWriter& out) const;

  // The first message of type T, or nullptr.
  template <typename T>
  const T* Find() const {
    for (const RtcpMessage& message : messages) {
      if (const T* found = std::get_if<T>(&message)) return found;
    }
    return nullptr;
  }

  std::vector<RtcpMessage> messages;

  friend bool operator==(const RtcpCompound&, const RtcpCompound&) = default;
};

}  // namespace comodal::rtcp

#endif  // TRANSPORT_RTCP_COMPOUND_PACKET_H_
