#include "engine/rtp/picture_id.h"

namespace comodal::engine {

Result<PictureId> PictureId::Read(ByteReader& in) {
  if (in.remaining() < 1) return Error{ErrorCode::kTruncated, "PictureID (I=1) is missing"};
  const uint8_t first = in.U8();
  PictureId id;
  id.fifteen_bit = (first & 0x80) != 0;
  if (!id.fifteen_bit) {
    id.value = first & 0x7F;
    return id;
  }
  if (in.remaining() < 1) {
    return Error{ErrorCode::kTruncated, "15-bit PictureID (M=1) has only one octet"};
  }
  id.value = static_cast<uint16_t>(((first & 0x7F) << 8) | in.U8());
  return id;
}

void PictureId::Write(ByteWriter& out) const {
  if (fifteen_bit) {
    out.U16(static_cast<uint16_t>(0x8000 | value));
  } else {
    out.U8(static_cast<uint8_t>(value));
  }
}

}  // namespace comodal::engine
