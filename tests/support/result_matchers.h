#ifndef TESTS_SUPPORT_RESULT_MATCHERS_H_
#define TESTS_SUPPORT_RESULT_MATCHERS_H_

#include <optional>

#include "transport/base/result.h"

namespace comodal::testing {

// The error code of a failed result, or nullopt when it succeeded: lets a test write
// EXPECT_EQ(ErrorCodeOf(Parse(bad)), ErrorCode::kTruncated) and fail cleanly (not crash) when
// the input was accepted.
template <typename R>
std::optional<ErrorCode> ErrorCodeOf(const R& result) {
  if (result.ok()) return std::nullopt;
  return result.error().code;
}

}  // namespace comodal::testing

#endif  // TESTS_SUPPORT_RESULT_MATCHERS_H_
