#ifndef TESTS_TRANSPORT_FEC_FEC_TEST_UTIL_H_
#define TESTS_TRANSPORT_FEC_FEC_TEST_UTIL_H_

#include <cstdint>
#include <vector>

#include "transport/fec/fec_encoder.h"
#include "transport/link/random.h"
#include "transport/rtp/rtp_packet.h"

namespace comodal::fec_test {

using link::Random;

inline constexpr uint32_t kMediaSsrc = 0x0A0B0C0D;
inline constexpr uint32_t kFecSsrc = 0xF0F0F0F0;
inline constexpr uint8_t kMediaPt = 96;
inline constexpr uint8_t kFecPt = 118;

// 1-D masks at every rate unless `two_d_from_rate` says otherwise.
inline FlexfecSender::Config SenderConfig(size_t max_frames_per_group = 3,
                                          double two_d_from_rate = 2) {
  return {.ssrc = kFecSsrc,
          .payload_type = kFecPt,
          .protected_ssrc = kMediaSsrc,
          .initial_sequence_number = 7000,
          .max_frames_per_group = max_frames_per_group,
          .two_d_from_rate = two_d_from_rate};
}

// A media packet whose shape varies with `random`: payload 1..1100 bytes, sometimes CSRCs, a
// header extension or padding, so that recovery is checked on every field the XOR covers.
inline std::vector<uint8_t> MediaPacket(uint16_t sequence_number, uint32_t timestamp, bool marker,
                                        Random& random) {
  RtpPacketBuilder builder;
  builder.set_marker(marker)
      .set_payload_type(kMediaPt)
      .set_sequence_number(sequence_number)
      .set_timestamp(timestamp)
      .set_ssrc(kMediaSsrc);
  if (random.Bernoulli(0.2)) {
    const uint32_t csrcs[] = {static_cast<uint32_t>(random.Next()), 42};
    (void)builder.SetCsrcs(std::span(csrcs, 1 + random.Next() % 2));
  }
  if (random.Bernoulli(0.5)) {
    (void)builder.SetExtension<TransportSequenceNumber>(5, static_cast<uint16_t>(random.Next()));
  }
  std::vector<uint8_t> payload(1 + random.Next() % 1100);
  for (uint8_t& b : payload) b = static_cast<uint8_t>(random.Next());
  const size_t padding = random.Bernoulli(0.1) ? 1 + random.Next() % 40 : 0;
  std::vector<uint8_t> out(kMaxPacketBufferSize);
  out.resize(builder.Build(payload, out, padding).value());
  return out;
}

// The packets of one frame, sequence numbers from `first`.
inline std::vector<std::vector<uint8_t>> Frame(uint16_t first, size_t count, uint32_t timestamp,
                                               Random& random) {
  std::vector<std::vector<uint8_t>> packets;
  for (size_t i = 0; i < count; ++i) {
    packets.push_back(
        MediaPacket(static_cast<uint16_t>(first + i), timestamp, i + 1 == count, random));
  }
  return packets;
}

// Sends `frame` through `sender` and returns the repair packets emitted along the way.
inline std::vector<std::vector<uint8_t>> Protect(FlexfecSender& sender,
                                                 const std::vector<std::vector<uint8_t>>& frame,
                                                 bool keyframe) {
  std::vector<std::vector<uint8_t>> repair;
  for (size_t i = 0; i < frame.size(); ++i) {
    auto out = sender.OnMediaPacket(frame[i], i + 1 == frame.size(), keyframe);
    repair.insert(repair.end(), out.begin(), out.end());
  }
  return repair;
}

struct ProtectedFrame {
  std::vector<std::vector<uint8_t>> media;
  std::vector<std::vector<uint8_t>> repair;
};

// One keyframe of `count` packets from `first`, shaped by `seed`, through a fresh sender at
// `rate`.
inline ProtectedFrame MakeProtectedFrame(uint64_t seed, uint16_t first, size_t count, double rate,
                                         uint32_t timestamp = 0) {
  Random random(seed);
  FlexfecSender sender(SenderConfig());
  sender.SetProtection(rate, rate);
  ProtectedFrame frame;
  frame.media = Frame(first, count, timestamp, random);
  frame.repair = Protect(sender, frame.media, /*keyframe=*/true);
  return frame;
}

}  // namespace comodal::fec_test

#endif  // TESTS_TRANSPORT_FEC_FEC_TEST_UTIL_H_
