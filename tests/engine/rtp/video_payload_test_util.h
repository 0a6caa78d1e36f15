#ifndef TESTS_ENGINE_RTP_VIDEO_PAYLOAD_TEST_UTIL_H_
#define TESTS_ENGINE_RTP_VIDEO_PAYLOAD_TEST_UTIL_H_

// Helpers shared by the VP8 and VP9 payload descriptor tests.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "engine/rtp/video_rtp_payload.h"
#include "transport/base/byte_io.h"
#include "transport/base/result.h"

namespace comodal::testing {

// Writes `descriptor` into exactly Size() bytes; a failure fails the calling test.
template <typename Descriptor>
std::vector<uint8_t> WriteDescriptor(const Descriptor& descriptor) {
  std::vector<uint8_t> out(descriptor.Size());
  ByteWriter writer(out);
  Status written = descriptor.Write(writer);
  EXPECT_TRUE(written.ok()) << written.error().ToString();
  EXPECT_EQ(writer.size(), out.size());
  return out;
}

// The error code Write() fails with given ample room, or nullopt when it succeeds.
template <typename Descriptor>
std::optional<ErrorCode> DescriptorWriteError(const Descriptor& descriptor) {
  std::vector<uint8_t> out(descriptor.Size() + 16);
  ByteWriter writer(out);
  Status status = descriptor.Write(writer);
  return status.ok() ? std::nullopt : std::optional<ErrorCode>(status.error().code);
}

// A descriptor followed by one octet of codec data (a descriptor alone is not a payload).
inline std::vector<uint8_t> WithData(std::vector<uint8_t> descriptor) {
  descriptor.push_back(0xAA);
  return descriptor;
}

// The packetizer's run for one frame: `count` payloads, none above `max_payload_size`, sizes on
// the wire within one byte of each other, only the first marked first and the last marked last.
inline void ExpectBalancedRun(const std::vector<engine::RtpVideoPayload>& payloads, size_t count,
                              size_t max_payload_size) {
  ASSERT_EQ(payloads.size(), count);
  size_t smallest = SIZE_MAX;
  size_t largest = 0;
  for (size_t i = 0; i < payloads.size(); ++i) {
    const engine::RtpVideoPayload& payload = payloads[i];
    EXPECT_LE(payload.data.size(), max_payload_size);
    smallest = std::min(smallest, payload.data.size());
    largest = std::max(largest, payload.data.size());
    EXPECT_EQ(payload.first_in_frame, i == 0);
    EXPECT_EQ(payload.last_in_frame, i + 1 == count);
  }
  EXPECT_LE(largest - smallest, 1u);
}

}  // namespace comodal::testing

#endif  // TESTS_ENGINE_RTP_VIDEO_PAYLOAD_TEST_UTIL_H_
