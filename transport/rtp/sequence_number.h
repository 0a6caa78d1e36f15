#ifndef TRANSPORT_RTP_SEQUENCE_NUMBER_H_
#define TRANSPORT_RTP_SEQUENCE_NUMBER_H_

#include <cstdint>
#include <limits>
#include <optional>
#include <type_traits>

namespace comodal {

// Wrap-aware ordering of RTP sequence numbers (16 bit) and timestamps (32 bit): `a` is newer
// than `b` when it is less than half the number space ahead of it (RFC 3550 §A.1). The exact
// half-way point is broken by value so that the relation stays antisymmetric.
template <typename T>
constexpr bool IsNewerSequenceNumber(T a, T b) {
  static_assert(std::is_unsigned_v<T>, "sequence numbers are unsigned");
  constexpr T kHalf = static_cast<T>(std::numeric_limits<T>::max() / 2 + 1);
  const T forward = static_cast<T>(a - b);
  if (forward == kHalf) return a > b;
  return forward != 0 && forward < kHalf;
}

// `a` comes before `b` (wrap-aware); the one helper every sequence comparison goes through.
template <typename T>
constexpr bool SeqNumLessThan(T a, T b) {
  return IsNewerSequenceNumber(b, a);
}

// Signed distance from `b` forward to `a`, in (-half, half].
template <typename T>
constexpr int64_t SeqNumDiff(T a, T b) {
  const T forward = static_cast<T>(a - b);
  return IsNewerSequenceNumber(a, b) || a == b ? static_cast<int64_t>(forward)
                                               : -static_cast<int64_t>(static_cast<T>(b - a));
}

// Extends wrapping sequence numbers to 64 bits, relative to the last value seen: each new value
// is placed at the unwrapped position closest to the previous one, so reordering within half the
// number space and any number of wraps keep a consistent history.
template <typename T>
class SeqNumUnwrapper {
 public:
  int64_t Unwrap(T value) {
    if (!last_) {
      last_unwrapped_ = value;
    } else {
      last_unwrapped_ += SeqNumDiff<T>(value, *last_);
    }
    last_ = value;
    return last_unwrapped_;
  }
  // The unwrapped position `value` would get, without recording it.
  int64_t PeekUnwrap(T value) const {
    return last_ ? last_unwrapped_ + SeqNumDiff<T>(value, *last_) : int64_t{value};
  }
  void Reset() { last_.reset(); }

 private:
  std::optional<T> last_;
  int64_t last_unwrapped_ = 0;
};

}  // namespace comodal

#endif  // TRANSPORT_RTP_SEQUENCE_NUMBER_H_
