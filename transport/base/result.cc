#include "transport/base/result.h"

namespace comodal {

std::string_view ToString(ErrorCode code) {
  switch (code) {
    case ErrorCode::kTruncated:
      return "truncated";
    case ErrorCode::kBadVersion:
      return "bad_version";
    case ErrorCode::kBadLength:
      return "bad_length";
    case ErrorCode::kBadPadding:
      return "bad_padding";
    case ErrorCode::kMalformed:
      return "malformed";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kBufferTooSmall:
      return "buffer_too_small";
    case ErrorCode::kInvalidArgument:
      return "invalid_argument";
    case ErrorCode::kAuthenticationFailed:
      return "authentication_failed";
    case ErrorCode::kReplayed:
      return "replayed";
    case ErrorCode::kNoKeys:
      return "no_keys";
  }
  return "unknown";
}

std::string Error::ToString() const {
  std::string out(comodal::ToString(code));
  if (!detail.empty()) {
    out += ": ";
    out += detail;
  }
  return out;
}

}  // namespace comodal
