#ifndef ENGINE_RTP_PICTURE_ID_H_
#define ENGINE_RTP_PICTURE_ID_H_

#include <cstddef>
#include <cstdint>

#include "transport/base/byte_io.h"
#include "transport/base/result.h"

namespace comodal::engine {

// The PictureID field VP8 (RFC 7741 §4.2) and VP9 (RFC 9628 §4.2) share: an M bit, then 7 bits
// (M=0, one octet) or 15 bits (M=1, two octets) of a running picture counter.
//
//    0 1 2 3 4 5 6 7
//   |M| PictureID   |
//   |   PictureID   |  (only if M=1)
struct PictureId {
  static constexpr uint16_t kMax7Bit = 0x7F;
  static constexpr uint16_t kMax15Bit = 0x7FFF;

  uint16_t value = 0;
  bool fifteen_bit = true;  // M bit: the two-octet form.

  size_t Size() const { return fifteen_bit ? 2 : 1; }
  // The value fits the chosen width.
  bool Valid() const { return value <= (fifteen_bit ? kMax15Bit : kMax7Bit); }

  // Reads the field at the reader's position; kTruncated if it is missing or cut after the first
  // octet of the 15-bit form.
  static Result<PictureId> Read(ByteReader& in);
  // Precondition: Valid().
  void Write(ByteWriter& out) const;

  friend bool operator==(const PictureId&, const PictureId&) = default;
};

// The 15-bit picture counter a packetizer keeps: the next value wraps 0x7FFF -> 0.
constexpr uint16_t NextPictureId15(uint16_t id) {
  return static_cast<uint16_t>((id + 1) & PictureId::kMax15Bit);
}
// How many pictures `reference` lies before `current` on the 15-bit circle.
constexpr uint16_t PictureIdDistance15(uint16_t current, uint16_t reference) {
  return static_cast<uint16_t>((current - reference) & PictureId::kMax15Bit);
}

}  // namespace comodal::engine

#endif  // ENGINE_RTP_PICTURE_ID_H_
