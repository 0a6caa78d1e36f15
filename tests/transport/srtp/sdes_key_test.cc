#include "transport/srtp/sdes_key.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace comodal {
namespace {

using ::testing::HasSubstr;

TEST(SdesKeyTest, DecodesThirtyBytesAsAnAesCmKeyForBothDirections) {
  std::vector<uint8_t> bytes(30);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i);
  // RFC 4648 base64 of 00 01 02 ... 1D.
  const std::string text = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd";
  EXPECT_EQ(EncodeBase64(bytes), text);
  auto keys = ParseSdesKey(text);
  ASSERT_TRUE(keys.ok()) << keys.error();
  EXPECT_EQ(keys->profile, SrtpProfile::kAesCm128HmacSha1_80);
  EXPECT_EQ(keys->local, bytes);
  EXPECT_EQ(keys->remote, bytes);
  EXPECT_TRUE(SrtpSession::Create(*keys).ok());
}

TEST(SdesKeyTest, Base64FollowsRfc4648) {
  // RFC 4648 §10 test vectors.
  const std::vector<std::pair<std::string, std::string>> vectors = {{"", ""},
                                                                    {"f", "Zg=="},
                                                                    {"fo", "Zm8="},
                                                                    {"foo", "Zm9v"},
                                                                    {"foob", "Zm9vYg=="},
                                                                    {"fooba", "Zm9vYmE="},
                                                                    {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, encoded] : vectors) {
    const std::vector<uint8_t> bytes(plain.begin(), plain.end());
    EXPECT_EQ(EncodeBase64(bytes), encoded);
  }
}

TEST(SdesKeyTest, RefusesBadTextWithoutEchoingIt) {
  EXPECT_THAT(ParseSdesKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw").error(),
              HasSubstr("not base64"));
  EXPECT_THAT(ParseSdesKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGx*d").error(),
              HasSubstr("not base64"));
  EXPECT_THAT(ParseSdesKey("AAE=AwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd").error(),
              HasSubstr("not base64"));
  auto short_key = ParseSdesKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBka");
  ASSERT_FALSE(short_key.ok());
  EXPECT_THAT(short_key.error(), HasSubstr("must be 30 bytes"));
  EXPECT_THAT(short_key.error(), HasSubstr("got 27"));
  EXPECT_THAT(short_key.error(), ::testing::Not(HasSubstr("AAEC")));
}

}  // namespace
}  // namespace comodal
