#ifndef ENGINE_MEDIA_RTCP_IO_H_
#define ENGINE_MEDIA_RTCP_IO_H_

#include <cstdint>
#include <vector>

#include "transport/base/byte_io.h"
#include "transport/rtcp/compound_packet.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal::engine {

// Serialises `compound` into `out` (resized to fit, with room left for an SRTCP trailer).
inline bool SerializeRtcp(const rtcp::RtcpCompound& compound, std::vector<uint8_t>& out) {
  out.assign(compound.Size() + kSrtpTrailerHeadroom, 0);
  ByteWriter writer(out);
  if (!compound.Write(writer).ok()) return false;
  out.resize(writer.size());
  return true;
}

}  // namespace comodal::engine

#endif  // ENGINE_MEDIA_RTCP_IO_H_
