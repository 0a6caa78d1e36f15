#include "transport/rtcp/compound_packet.h"

namespace comodal::rtcp {
namespace {

template <typename T>
Result<RtcpMessage> ParseAs(const RtcpCommonHeader& header) {
  Result<T> parsed = T::Parse(header);
  if (!parsed.ok()) return parsed.error();
  return RtcpMessage(std::move(parsed).value());
}

Result<RtcpMessage> ParseMessage(const RtcpCommonHeader& header) {
  switch (header.packet_type) {
    case SenderReport::kPacketType:
      return ParseAs<SenderReport>(header);
    case ReceiverReport::kPacketType:
      return ParseAs<ReceiverReport>(header);
    case Sdes::kPacketType:
      return ParseAs<Sdes>(header);
    case Bye::kPacketType:
      return ParseAs<Bye>(header);
    case App::kPacketType:
      return ParseAs<App>(header);
    case ExtendedReports::kPacketType:
      return ParseAs<ExtendedReports>(header);
    case kPacketTypeRtpFeedback:
      if (header.count == Nack::kFormat) return ParseAs<Nack>(header);
      if (header.count == TransportFeedback::kFormat) return ParseAs<TransportFeedback>(header);
      break;
    case kPacketTypePayloadFeedback:
      if (header.count == Pli::kFormat) return ParseAs<Pli>(header);
      if (header.count == Fir::kFormat) return ParseAs<Fir>(header);
      break;
    default:
      break;
  }
  if (header.payload.size() % 4 != 0) {
    // Only reachable with padding that leaves a ragged payload: the packet is not RTCP-shaped.
    return Error{ErrorCode::kBadLength, "RTCP packet payload is not a multiple of 32 bits"};
  }
  return RtcpMessage(UnknownRtcpPacket{
      header.packet_type, header.count, {header.payload.begin(), header.payload.end()}});
}

}  // namespace

Status UnknownRtcpPacket::Write(ByteWriter& out) const {
  if (payload.size() % 4 != 0 || count > RtcpCommonHeader::kMaxCount) {
    return Error{ErrorCode::kInvalidArgument, "RTCP payload must be whole 32-bit words"};
  }
  WriteRtcpCommonHeader(out, count, packet_type, payload.size());
  out.Bytes(payload);
  if (!out.ok()) return Error{ErrorCode::kBufferTooSmall, "no room for the RTCP packet"};
  return Status::Ok();
}

Result<RtcpCompound> RtcpCompound::Parse(std::span<const uint8_t> datagram) {
  if (datagram.empty()) return Error{ErrorCode::kTruncated, "empty RTCP datagram"};
  RtcpCompound compound;
  size_t offset = 0;
  while (offset < datagram.size()) {
    Result<RtcpCommonHeader> header = RtcpCommonHeader::Parse(datagram.subspan(offset));
    if (!header.ok()) return header.error();
    offset += header->packet_size;
    // RFC 3550 §6.4.1: padding is only ever added to the last packet of a compound.
    if (header->has_padding && offset != datagram.size()) {
      return Error{ErrorCode::kBadPadding, "RTCP padding on a packet that is not the last"};
    }
    Result<RtcpMessage> message = ParseMessage(*header);
    if (!message.ok()) return message.error();
    compound.messages.push_back(std::move(message).value());
  }
  return compound;
}

size_t RtcpCompound::Size() const {
  size_t size = 0;
  for (const RtcpMessage& message : messages) {
    size += std::visit([](const auto& m) { return m.Size(); }, message);
  }
  return size;
}

Status RtcpCompound::Write(ByteWriter& out) const {
  if (messages.empty()) return Error{ErrorCode::kInvalidArgument, "empty RTCP compound"};
  for (const RtcpMessage& message : messages) {
    Status status = std::visit([&out](const auto& m) { return m.Write(out); }, message);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace comodal::rtcp
