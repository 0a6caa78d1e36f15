#ifndef TRANSPORT_BASE_BYTE_IO_H_
#define TRANSPORT_BASE_BYTE_IO_H_

// Explicit big-endian (network order) loads and stores. Callers check lengths first; these
// helpers never look past the bytes they are told to read or write.

#include <cstddef>
#include <cstdint>
#include <span>

namespace comodal {

inline constexpr uint16_t LoadBE16(const uint8_t* p) {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | p[1]);
}
inline constexpr uint32_t LoadBE24(const uint8_t* p) {
  return (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
}
inline constexpr uint32_t LoadBE32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
inline constexpr uint64_t LoadBE64(const uint8_t* p) {
  return (uint64_t{LoadBE32(p)} << 32) | LoadBE32(p + 4);
}
// A 24-bit two's-complement field, sign-extended.
inline constexpr int32_t LoadBE24Signed(const uint8_t* p) {
  uint32_t v = LoadBE24(p);
  return (v & 0x800000u) ? static_cast<int32_t>(v | 0xFF000000u) : static_cast<int32_t>(v);
}

inline constexpr void StoreBE16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline constexpr void StoreBE24(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 16);
  p[1] = static_cast<uint8_t>(v >> 8);
  p[2] = static_cast<uint8_t>(v);
}
inline constexpr void StoreBE32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
inline constexpr void StoreBE64(uint8_t* p, uint64_t v) {
  StoreBE32(p, static_cast<uint32_t>(v >> 32));
  StoreBE32(p + 4, static_cast<uint32_t>(v));
}

// Reads fields in order from untrusted bytes. Every read checks the remaining length; after the
// first failed read the reader stays failed, so a parser can read a whole fixed layout and test
// ok() once.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool ok() const { return ok_; }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  std::span<const uint8_t> rest() const { return data_.subspan(pos_); }

  uint8_t U8() { return Need(1) ? data_[pos_++] : 0; }
  uint16_t U16() { return Need(2) ? Advance(2, LoadBE16(&data_[pos_])) : 0; }
  uint32_t U24() { return Need(3) ? Advance(3, LoadBE24(&data_[pos_])) : 0; }
  uint32_t U32() { return Need(4) ? Advance(4, LoadBE32(&data_[pos_])) : 0; }
  uint64_t U64() { return Need(8) ? Advance(8, LoadBE64(&data_[pos_])) : 0; }
  std::span<const uint8_t> Bytes(size_t n) {
    if (!Need(n)) return {};
    auto out = data_.subspan(pos_, n);
    pos_ += n;
    return out;
  }
  void Skip(size_t n) { (void)Bytes(n); }

 private:
  bool Need(size_t n) {
    if (ok_ && remaining() >= n) return true;
    ok_ = false;
    return false;
  }
  template <typename T>
  T Advance(size_t n, T value) {
    pos_ += n;
    return value;
  }

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// Writes fields in order into a caller-provided buffer; fails (and stays failed) instead of
// writing past its end.
class ByteWriter {
 public:
  explicit ByteWriter(std::span<uint8_t> out) : out_(out) {}

  bool ok() const { return ok_; }
  size_t size() const { return pos_; }
  size_t remaining() const { return out_.size() - pos_; }

  void U8(uint8_t v) {
    if (Need(1)) out_[pos_++] = v;
  }
  void U16(uint16_t v) {
    if (Need(2)) StoreBE16(&out_[pos_], v), pos_ += 2;
  }
  void U24(uint32_t v) {
    if (Need(3)) StoreBE24(&out_[pos_], v), pos_ += 3;
  }
  void U32(uint32_t v) {
    if (Need(4)) StoreBE32(&out_[pos_], v), pos_ += 4;
  }
  void U64(uint64_t v) {
    if (Need(8)) StoreBE64(&out_[pos_], v), pos_ += 8;
  }
  void Bytes(std::span<const uint8_t> bytes);
  void Zeros(size_t n);
  // Room for `n` bytes the caller fills itself; empty span (and failed) if there is none.
  std::span<uint8_t> Reserve(size_t n) {
    if (!Need(n)) return {};
    auto out = out_.subspan(pos_, n);
    pos_ += n;
    return out;
  }

 private:
  bool Need(size_t n) {
    if (ok_ && remaining() >= n) return true;
    ok_ = false;
    return false;
  }

  std::span<uint8_t> out_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace comodal

#endif  // TRANSPORT_BASE_BYTE_IO_H_
