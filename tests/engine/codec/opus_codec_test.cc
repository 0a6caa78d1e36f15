#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>

#include "engine/codec/opus_audio_decoder.h"
#include "engine/codec/opus_audio_encoder.h"
#include "engine/rtp/opus_payload.h"
#include "tests/support/test_audio.h"

namespace comodal::engine {
namespace {

using ::testing::HasSubstr;

constexpr int kRate = 48000;

// Encodes `pcm` frame by frame; returns the packets (DTX frames included, flagged).
std::vector<EncodedAudioFrame> EncodeAll(OpusAudioEncoder& encoder,
                                         const std::vector<int16_t>& pcm) {
  std::vector<EncodedAudioFrame> packets;
  const size_t step = static_cast<size_t>(encoder.samples_per_frame());
  for (size_t at = 0; at + step <= pcm.size(); at += step) {
    AudioFrame frame;
    frame.samples.assign(pcm.begin() + static_cast<ptrdiff_t>(at),
                         pcm.begin() + static_cast<ptrdiff_t>(at + step));
    auto packet = encoder.Encode(frame);
    EXPECT_TRUE(packet.ok()) << packet.error();
    if (packet.ok()) packets.push_back(std::move(*packet));
  }
  return packets;
}

std::unique_ptr<OpusAudioEncoder> MakeEncoder(OpusEncoderConfig config = {}) {
  auto encoder = OpusAudioEncoder::Create(config);
  EXPECT_TRUE(encoder.ok()) << encoder.error();
  return encoder.ok() ? std::move(*encoder) : nullptr;
}

std::unique_ptr<OpusAudioDecoder> MakeDecoder() {
  auto decoder = OpusAudioDecoder::Create();
  EXPECT_TRUE(decoder.ok()) << decoder.error();
  return decoder.ok() ? std::move(*decoder) : nullptr;
}

TEST(OpusCodecTest, SpeechRoundTripsAtTwentyFourKilobits) {
  const auto speech = testing::SyntheticSpeech(kRate, kRate * 3, 1);
  auto encoder = MakeEncoder();
  auto decoder = MakeDecoder();
  std::vector<int16_t> decoded;
  for (const EncodedAudioFrame& packet : EncodeAll(*encoder, speech)) {
    auto audio = packet.dtx ? decoder->Conceal(packet.duration) : decoder->Decode(packet.data);
    ASSERT_TRUE(audio.ok()) << audio.error();
    decoded.insert(decoded.end(), audio->samples.begin(), audio->samples.end());
  }
  ASSERT_EQ(decoded.size(), speech.size());
  const auto alignment = testing::Align(speech, decoded, 960);
  // The decoder's output is the input delayed by the encoder's lookahead (6.5 ms = 312 samples
  // at 48 kHz, what OPUS_GET_LOOKAHEAD reports) and closely follows it.
  EXPECT_NEAR(alignment.lag, 312, 3);
  EXPECT_GT(alignment.correlation, 0.90);
}

TEST(OpusCodecTest, BitrateFollowsTheSettingWhileRunning) {
  const auto speech = testing::SyntheticSpeech(kRate, kRate * 6, 2);
  auto encoder = MakeEncoder({.bitrate = DataRate::KilobitsPerSec(32), .dtx = false});
  const std::vector<int16_t> first(speech.begin(), speech.begin() + kRate * 3);
  const std::vector<int16_t> second(speech.begin() + kRate * 3, speech.end());
  // The rate over the frames of active speech (variable bitrate spends little on pauses).
  auto rate_of = [](const std::vector<int16_t>& pcm,
                    const std::vector<EncodedAudioFrame>& packets) {
    size_t bytes = 0, frames = 0;
    for (size_t i = 0; i < packets.size(); ++i) {
      const auto from = pcm.begin() + static_cast<ptrdiff_t>(i * 960);
      if (std::all_of(from, from + 960, [](int16_t s) { return s == 0; })) continue;
      bytes += packets[i].data.size();
      ++frames;
    }
    return bytes * 8.0 / (frames * 0.020) / 1000;  // kbit/s
  };
  const double high = rate_of(first, EncodeAll(*encoder, first));
  encoder->SetBitrate(DataRate::KilobitsPerSec(10));
  const double low = rate_of(second, EncodeAll(*encoder, second));
  EXPECT_NEAR(high, 32, 32 * 0.2);
  EXPECT_NEAR(low, 10, 10 * 0.2);
  EXPECT_EQ(encoder->bitrate(), DataRate::KilobitsPerSec(10));
  encoder->SetBitrate(DataRate::KilobitsPerSec(2));  // Clamped to Opus's 6 kbit/s floor.
  EXPECT_EQ(encoder->bitrate(), DataRate::KilobitsPerSec(6));
}

TEST(OpusCodecTest, SilenceBecomesDtxAndSpeechDoesNot) {
  auto encoder = MakeEncoder();
  std::vector<int16_t> silence(kRate * 2, 0);
  const auto packets = EncodeAll(*encoder, silence);
  const auto dtx = std::count_if(packets.begin(), packets.end(), [](auto& p) { return p.dtx; });
  // Opus needs a few frames to decide it is silence, then sends nothing but a refresh every
  // 400 ms (RFC 6716 leaves DTX to the encoder; libopus's is this).
  EXPECT_GE(dtx, static_cast<long>(packets.size()) * 8 / 10);
  const auto speech = testing::SyntheticSpeech(kRate, kRate, 3);
  // A voiced stretch (the synthetic speech starts with a syllable of at least 150 ms).
  const std::vector<int16_t> voiced(speech.begin(), speech.begin() + kRate / 10);
  const auto talk = EncodeAll(*encoder, voiced);
  for (const auto& p : talk) EXPECT_FALSE(p.dtx);
  // The packets say so themselves (the SILK VAD flag the receiver's jitter buffer reads): speech
  // at the start of the talkspurt, none in the silence.
  EXPECT_TRUE(std::any_of(talk.begin(), talk.end(), [](const EncodedAudioFrame& p) {
    return OpusPacketHasVoiceActivity(p.data, *ParseOpusPacket(p.data));
  }));
  EXPECT_FALSE(
      OpusPacketHasVoiceActivity(packets.back().data, *ParseOpusPacket(packets.back().data)));
}

// With a loss hint the encoder adds LBRR: a lost packet is rebuilt from the next one far better
// than concealment can guess it.
TEST(OpusCodecTest, InBandFecRecoversALostPacketBetterThanConcealment) {
  const auto speech = testing::SyntheticSpeech(kRate, kRate * 3, 4);
  auto encoder = MakeEncoder({.bitrate = DataRate::KilobitsPerSec(32), .dtx = false});
  encoder->SetPacketLossHint(0.0);
  const std::vector<int16_t> warmup(speech.begin(), speech.begin() + kRate);
  for (const auto& p : EncodeAll(*encoder, warmup)) {
    auto info = ParseOpusPacket(p.data);
    ASSERT_TRUE(info.ok());
    EXPECT_FALSE(OpusPacketHasLbrr(p.data, *info));  // No loss expected: no redundancy.
  }
  encoder->SetPacketLossHint(0.2);
  const std::vector<int16_t> rest(speech.begin() + kRate, speech.end());
  const auto packets = EncodeAll(*encoder, rest);
  int with_lbrr = 0;
  for (const auto& p : packets) with_lbrr += OpusPacketHasLbrr(p.data, *ParseOpusPacket(p.data));
  EXPECT_GT(with_lbrr, static_cast<int>(packets.size()) / 3);

  // Lose every 4th packet whose successor carries LBRR; decode twice: FEC vs concealment.
  double fec_error = 0, plc_error = 0;
  int recovered = 0;
  auto fec_decoder = MakeDecoder();
  auto plc_decoder = MakeDecoder();
  for (size_t i = 0; i < packets.size(); ++i) {
    const bool lost = i % 4 == 1 && i + 1 < packets.size() &&
                      OpusPacketHasLbrr(packets[i + 1].data, *ParseOpusPacket(packets[i + 1].data));
    if (!lost) {
      ASSERT_TRUE(fec_decoder->Decode(packets[i].data).ok());
      ASSERT_TRUE(plc_decoder->Decode(packets[i].data).ok());
      continue;
    }
    auto fec = fec_decoder->DecodeFec(packets[i + 1].data, TimeDelta::Millis(20));
    auto plc = plc_decoder->Conceal(TimeDelta::Millis(20));
    ASSERT_TRUE(fec.ok() && plc.ok());
    EXPECT_TRUE(fec->from_fec);
    // What the decoder should have produced for this packet: the original, 312 samples late.
    const size_t start = i * 960 - 312;
    const std::span<const int16_t> reference(rest.data() + start, 960);
    auto error = [&](const AudioFrame& f) {
      double e = 0;
      for (size_t n = 0; n < 960; ++n) e += std::pow(f.samples[n] - reference[n], 2.0);
      return e;
    };
    fec_error += error(fec->audio);
    plc_error += error(*plc);
    ++recovered;
  }
  ASSERT_GT(recovered, 5);
  EXPECT_LT(fec_error, plc_error / 2);
  EXPECT_EQ(fec_decoder->samples_recovered_by_fec(), static_cast<uint64_t>(recovered) * 960);
  EXPECT_EQ(plc_decoder->samples_concealed(), static_cast<uint64_t>(recovered) * 960);
}

// At the default 24 kbit/s libopus codes hybrid fullband speech and, below 5 % expected loss,
// no redundancy at all. With FEC on and 2 % loss expected the encoder narrows the band to
// wideband, where LBRR fits, and most speech packets carry it.
TEST(OpusCodecTest, ExpectedLossNarrowsTheBandSoThatInBandFecFits) {
  const auto speech = testing::SyntheticSpeech(kRate, kRate * 4, 5);
  auto count_lbrr = [&](OpusAudioEncoder& encoder) {
    int with_lbrr = 0, voiced = 0;
    for (const auto& p : EncodeAll(encoder, speech)) {
      if (p.dtx) continue;
      auto info = ParseOpusPacket(p.data);
      EXPECT_TRUE(info.ok());
      if (!info.ok() || !OpusPacketHasVoiceActivity(p.data, *info)) continue;
      ++voiced;
      with_lbrr += OpusPacketHasLbrr(p.data, *info);
    }
    return std::pair{with_lbrr, voiced};
  };

  auto unprotected = MakeEncoder({.fec = false});
  unprotected->SetPacketLossHint(0.02);
  EXPECT_EQ(unprotected->max_bandwidth_hz(), 20'000);
  EXPECT_EQ(count_lbrr(*unprotected).first, 0);

  auto protected_encoder = MakeEncoder();
  EXPECT_EQ(protected_encoder->max_bandwidth_hz(), 20'000);  // No loss expected yet.
  protected_encoder->SetPacketLossHint(0.02);
  EXPECT_EQ(protected_encoder->max_bandwidth_hz(), 8'000);
  const auto [with_lbrr, voiced] = count_lbrr(*protected_encoder);
  ASSERT_GT(voiced, 50);
  EXPECT_GT(with_lbrr, voiced * 3 / 4);

  // Enough rate for fullband and its redundancy: no narrowing.
  protected_encoder->SetBitrate(DataRate::KilobitsPerSec(40));
  EXPECT_EQ(protected_encoder->max_bandwidth_hz(), 20'000);
  // Loss gone: the full band again.
  protected_encoder->SetBitrate(DataRate::KilobitsPerSec(24));
  protected_encoder->SetPacketLossHint(0.0);
  EXPECT_EQ(protected_encoder->max_bandwidth_hz(), 20'000);
}

TEST(OpusCodecTest, EveryFrameDurationAndItsPacketsAgree) {
  const auto speech = testing::SyntheticSpeech(kRate, kRate, 5);
  for (int ms : {10, 20, 40, 60}) {
    auto encoder = MakeEncoder({.frame_duration = TimeDelta::Millis(ms), .dtx = false});
    const auto packets = EncodeAll(*encoder, speech);
    ASSERT_EQ(packets.size(), static_cast<size_t>(1000 / ms));
    auto decoder = MakeDecoder();
    for (const auto& p : packets) {
      auto info = ParseOpusPacket(p.data);
      ASSERT_TRUE(info.ok()) << info.error().ToString();
      EXPECT_EQ(info->duration, TimeDelta::Millis(ms));
      EXPECT_EQ(OpusRtpTimestampStep(info->duration), static_cast<uint32_t>(48 * ms));
      auto audio = decoder->Decode(p.data);
      ASSERT_TRUE(audio.ok());
      EXPECT_EQ(audio->samples_per_channel(), 48 * ms);
    }
  }
}

TEST(OpusCodecTest, BadConfigurationsAndInputsAreRefusedClearly) {
  EXPECT_THAT(OpusAudioEncoder::Create({.frame_duration = TimeDelta::Millis(15)}).error(),
              HasSubstr("must be 10, 20, 40 or 60 ms, got 15"));
  EXPECT_THAT(OpusAudioEncoder::Create({.sample_rate = 44100}).error(),
              HasSubstr("sample rate must be 8, 12, 16, 24 or 48 kHz, got 44100"));
  EXPECT_THAT(OpusAudioEncoder::Create({.channels = 3}).error(), HasSubstr("got 3"));
  auto encoder = MakeEncoder();
  AudioFrame short_frame;
  short_frame.samples.assign(100, 0);
  EXPECT_THAT(encoder->Encode(short_frame).error(), HasSubstr("expects 960 samples"));

  auto decoder = MakeDecoder();
  const std::vector<uint8_t> odd_code1 = {0x01 | (1 << 3), 7};  // Code 1, one byte: R3.
  EXPECT_THAT(decoder->Decode(odd_code1).error(), HasSubstr("odd payload length"));
  EXPECT_THAT(decoder->Decode({}).error(), HasSubstr("empty Opus packet"));
  EXPECT_THAT(decoder->Conceal(TimeDelta::Millis(3)).error(), HasSubstr("multiple of 2.5 ms"));
  EXPECT_EQ(decoder->samples_decoded(), 0u);
}

}  // namespace
}  // namespace comodal::engine
