#include "transport/rtp/rtp_header_extensions.h"

#include "transport/base/byte_io.h"

namespace comodal {

std::optional<uint16_t> TransportSequenceNumber::Parse(std::span<const uint8_t> data) {
  if (data.size() != kValueSize) return std::nullopt;
  return LoadBE16(data.data());
}

bool TransportSequenceNumber::Write(std::span<uint8_t> out, uint16_t value) {
  if (out.size() != kValueSize) return false;
  StoreBE16(out.data(), value);
  return true;
}

std::optional<uint32_t> AbsoluteSendTime::Parse(std::span<const uint8_t> data) {
  if (data.size() != kValueSize) return std::nullopt;
  return LoadBE24(data.data());
}

bool AbsoluteSendTime::Write(std::span<uint8_t> out, uint32_t value) {
  if (out.size() != kValueSize || value > 0xFFFFFF) return false;
  StoreBE24(out.data(), value);
  return true;
}

uint32_t AbsoluteSendTime::FromTimestamp(Timestamp at) {
  // seconds * 2^18, keeping 24 bits (6 integer bits of seconds): ((us << 18) / 1e6) mod 2^24.
  const uint64_t us = static_cast<uint64_t>(at.us());
  return static_cast<uint32_t>(((us << 18) + 500'000) / 1'000'000) & 0xFFFFFF;
}

TimeDelta AbsoluteSendTime::ToTimeDelta(uint32_t value) {
  return TimeDelta::Micros((uint64_t{value & 0xFFFFFF} * 1'000'000 + (1u << 17)) >> 18);
}

std::optional<AudioLevel::value_type> AudioLevel::Parse(std::span<const uint8_t> data) {
  if (data.size() != kValueSize) return std::nullopt;
  return value_type{(data[0] & 0x80) != 0, static_cast<uint8_t>(data[0] & 0x7F)};
}

bool AudioLevel::Write(std::span<uint8_t> out, value_type value) {
  if (out.size() != kValueSize || value.level_dbov > 127) return false;
  out[0] = static_cast<uint8_t>((value.voice_activity ? 0x80 : 0) | value.level_dbov);
  return true;
}

std::optional<PlayoutDelay::value_type> PlayoutDelay::Parse(std::span<const uint8_t> data) {
  if (data.size() != kValueSize) return std::nullopt;
  const uint32_t raw = LoadBE24(data.data());
  return value_type{kGranularity * static_cast<int64_t>(raw >> 12),
                    kGranularity * static_cast<int64_t>(raw & 0xFFF)};
}

bool PlayoutDelay::Write(std::span<uint8_t> out, value_type value) {
  if (out.size() != kValueSize || value.min < TimeDelta::Zero() || value.max > kMax ||
      value.min > value.max) {
    return false;
  }
  const uint32_t min_units = static_cast<uint32_t>(value.min.us() / kGranularity.us());
  const uint32_t max_units = static_cast<uint32_t>(value.max.us() / kGranularity.us());
  StoreBE24(out.data(), (min_units << 12) | max_units);
  return true;
}

std::optional<AbsoluteCaptureTime::value_type> AbsoluteCaptureTime::Parse(
    std::span<const uint8_t> data) {
  if (data.size() != kValueSize && data.size() != kValueSizeWithOffset) return std::nullopt;
  value_type value;
  value.capture_time = NtpTime(LoadBE64(data.data()));
  if (data.size() == kValueSizeWithOffset) {
    value.capture_clock_offset = static_cast<int64_t>(LoadBE64(data.data() + 8));
  }
  return value;
}

bool AbsoluteCaptureTime::Write(std::span<uint8_t> out, const value_type& value) {
  if (out.size() != kValueSize || value.capture_clock_offset) return false;
  StoreBE64(out.data(), value.capture_time.value());
  return true;
}

bool RtpExtensionMap::Register(RtpExtensionType type, uint8_t id) {
  if (id == kInvalidId) return false;
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (ids_[i] == id && i != static_cast<size_t>(type)) return false;
  }
  ids_[static_cast<size_t>(type)] = id;
  return true;
}

}  // namespace comodal
