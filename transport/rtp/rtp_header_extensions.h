#ifndef TRANSPORT_RTP_RTP_HEADER_EXTENSIONS_H_
#define TRANSPORT_RTP_RTP_HEADER_EXTENSIONS_H_

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "transport/time/ntp_time.h"
#include "transport/units/time_delta.h"
#include "transport/units/timestamp.h"

namespace comodal {

// The RTP header extensions comodal reads and writes. Each typed extension knows its URI (as
// signalled in SDP extmap), its value size and how to read and write its value; the local ID
// (1..14 one-byte, 1..255 two-byte, RFC 8285) comes from an RtpExtensionMap.
enum class RtpExtensionType : uint8_t {
  kTransportSequenceNumber,
  kAbsoluteSendTime,
  kAudioLevel,
  kPlayoutDelay,
  kAbsoluteCaptureTime,
};
inline constexpr size_t kRtpExtensionTypeCount = 5;

// Transport-wide sequence number (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2):
// a 16-bit counter over every packet of the flow, echoed in transport feedback.
struct TransportSequenceNumber {
  static constexpr RtpExtensionType kType = RtpExtensionType::kTransportSequenceNumber;
  static constexpr std::string_view kUri =
      "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
  static constexpr size_t kValueSize = 2;
  using value_type = uint16_t;

  static std::optional<value_type> Parse(std::span<const uint8_t> data);
  static bool Write(std::span<uint8_t> out, value_type value);
};

// Absolute send time (webrtc abs-send-time): the send time in seconds, 6.18 fixed point, which
// wraps every 64 s.
struct AbsoluteSendTime {
  static constexpr RtpExtensionType kType = RtpExtensionType::kAbsoluteSendTime;
  static constexpr std::string_view kUri =
      "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
  static constexpr size_t kValueSize = 3;
  using value_type = uint32_t;  // Low 24 bits used.

  static std::optional<value_type> Parse(std::span<const uint8_t> data);
  static bool Write(std::span<uint8_t> out, value_type value);
  // 6.18 fixed-point seconds of `at`, modulo 64 s.
  static value_type FromTimestamp(Timestamp at);
  // The time within the 64 s cycle that `value` stands for.
  static TimeDelta ToTimeDelta(value_type value);
};

// Client-to-mixer audio level (RFC 6464 §3): voice activity flag and level in -dBov (0..127).
struct AudioLevel {
  static constexpr RtpExtensionType kType = RtpExtensionType::kAudioLevel;
  static constexpr std::string_view kUri = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
  static constexpr size_t kValueSize = 1;
  struct value_type {
    bool voice_activity = false;
    uint8_t level_dbov = 127;  // 0 = loudest, 127 = silence; the value is -dBov.
    friend bool operator==(const value_type&, const value_type&) = default;
  };

  static std::optional<value_type> Parse(std::span<const uint8_t> data);
  // Fails for levels above 127.
  static bool Write(std::span<uint8_t> out, value_type value);
};

// Playout delay limits (webrtc playout-delay): minimum and maximum receiver playout delay, each
// 12 bits in units of 10 ms (0 to 40.95 s).
struct PlayoutDelay {
  static constexpr RtpExtensionType kType = RtpExtensionType::kPlayoutDelay;
  static constexpr std::string_view kUri =
      "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
  static constexpr size_t kValueSize = 3;
  static constexpr TimeDelta kGranularity = TimeDelta::Millis(10);
  static constexpr TimeDelta kMax = TimeDelta::Millis(4095 * 10);
  struct value_type {
    TimeDelta min = TimeDelta::Zero();
    TimeDelta max = TimeDelta::Zero();
    friend bool operator==(const value_type&, const value_type&) = default;
  };

  static std::optional<value_type> Parse(std::span<const uint8_t> data);
  // Fails for negative values, values over 40.95 s, or min > max; rounds down to 10 ms.
  static bool Write(std::span<uint8_t> out, value_type value);
};

// Absolute capture time (webrtc abs-capture-time): the NTP time (UQ32.32) at which the first
// sample of the frame was captured, on the sender's clock, so that a receiver sharing that clock
// measures glass-to-glass latency, and a mixer can pass the original capture time through. The
// optional second 8 bytes (the sender's estimate of the capture clock's offset to its own) are
// read when present and never written: comodal senders are the capturers.
struct AbsoluteCaptureTime {
  static constexpr RtpExtensionType kType = RtpExtensionType::kAbsoluteCaptureTime;
  static constexpr std::string_view kUri =
      "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";
  static constexpr size_t kValueSize = 8;
  static constexpr size_t kValueSizeWithOffset = 16;
  struct value_type {
    NtpTime capture_time;
    std::optional<int64_t> capture_clock_offset;  // Q32.32 seconds, signed.
    friend bool operator==(const value_type&, const value_type&) = default;
  };

  static std::optional<value_type> Parse(std::span<const uint8_t> data);
  // Writes the 8-byte form; fails when a clock offset is given.
  static bool Write(std::span<uint8_t> out, const value_type& value);
};

// Local extension IDs negotiated for a flow.
class RtpExtensionMap {
 public:
  static constexpr uint8_t kInvalidId = 0;
  static constexpr uint8_t kMaxId = 255;

  // Binds `type` to `id` (1..255); fails if the ID is taken by another type.
  bool Register(RtpExtensionType type, uint8_t id);
  template <typename Ext>
  bool Register(uint8_t id) {
    return Register(Ext::kType, id);
  }
  // The ID of `type`, or kInvalidId when not registered.
  uint8_t GetId(RtpExtensionType type) const { return ids_[static_cast<size_t>(type)]; }
  template <typename Ext>
  uint8_t GetId() const {
    return GetId(Ext::kType);
  }

 private:
  std::array<uint8_t, kRtpExtensionTypeCount> ids_{};
};

}  // namespace comodal

#endif  // TRANSPORT_RTP_RTP_HEADER_EXTENSIONS_H_
