#ifndef TRANSPORT_BASE_RESULT_H_
#define TRANSPORT_BASE_RESULT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace comodal {

// Why an operation on untrusted input or a caller's request failed. Codes are stable: they
// index drop counters and appear in /metrics.
enum class ErrorCode : uint8_t {
  kTruncated,             // Fewer bytes than a length field or fixed layout needs.
  kBadVersion,            // Version field is not the one this parser speaks.
  kBadLength,             // A length field is inconsistent with the data around it.
  kBadPadding,            // Padding count is zero, too large, or padding appears where it may not.
  kMalformed,             // Any other violation of the wire format.
  kUnsupported,           // Well-formed but of a kind this code does not handle.
  kBufferTooSmall,        // A serialiser's output buffer cannot hold the message.
  kInvalidArgument,       // A builder was given a value the format cannot carry.
  kAuthenticationFailed,  // A cryptographic check (SRTP/SRTCP tag) failed: not from the peer.
  kReplayed,              // Authentic, but already received or older than the replay window.
  kNoKeys,                // Secured flow without keys yet (handshake not complete).
};
inline constexpr int kErrorCodeCount = 11;

std::string_view ToString(ErrorCode code);

// An error with a static description of what exactly was wrong. `detail` must point to a string
// literal: errors are made on the data path and must not allocate.
struct Error {
  ErrorCode code;
  std::string_view detail;

  std::string ToString() const;
  friend bool operator==(const Error&, const Error&) = default;
};

// A value or an error, in the spirit of std::expected (C++23), which C++20 lacks. The data path
// uses the default Error; start-up code may use a std::string that names the file, key or
// address at fault.
template <typename T, typename E = Error>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT implicit
  Result(E error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // Precondition: ok().
  T& value() & { return *std::get_if<0>(&state_); }
  const T& value() const& { return *std::get_if<0>(&state_); }
  T&& value() && { return std::move(*std::get_if<0>(&state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Precondition: !ok().
  const E& error() const { return *std::get_if<1>(&state_); }

 private:
  std::variant<T, E> state_;
};

// Result of an operation that yields nothing but can fail.
class [[nodiscard]] Status {
 public:
  static Status Ok() { return Status(); }
  Status(Error error) : error_(error), ok_(false) {}  // NOLINT implicit

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Status() = default;
  Error error_{ErrorCode::kMalformed, ""};
  bool ok_ = true;
};

}  // namespace comodal

#endif  // TRANSPORT_BASE_RESULT_H_
