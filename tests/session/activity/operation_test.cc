#include "session/activity/operation.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace comodal::session {
namespace {

Operation RandomOperation(std::mt19937_64& random) {
  Operation op;
  op.id = {static_cast<uint32_t>(random()), 1 + random() % 1'000'000};
  op.time = {static_cast<int64_t>(random() % (uint64_t{1} << 48)), static_cast<uint16_t>(random())};
  op.activity = static_cast<ActivityKind>(1 + random() % kMaxActivityKind);
  op.action = static_cast<uint8_t>(random());
  op.author = static_cast<uint32_t>(random());
  op.body.resize(random() % 200);
  for (uint8_t& b : op.body) b = static_cast<uint8_t>(random());
  return op;
}

TEST(OperationTest, WrittenOperationsParseBackIdentical) {
  std::mt19937_64 random(1);
  for (int i = 0; i < 500; ++i) {
    const Operation op = RandomOperation(random);
    const std::vector<uint8_t> bytes = op.Serialize();
    ASSERT_EQ(bytes.size(), Operation::kHeaderSize + op.body.size());
    auto parsed = Operation::Parse(bytes);
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    EXPECT_EQ(*parsed, op);
  }
}

// Each wrong field is refused with its own reason; nothing is half-parsed.
TEST(OperationTest, MalformedOperationsAreRefusedWithTheirReason) {
  Operation op;
  op.id = {7, 42};
  op.time = {1'700'000'000'000, 3};
  op.activity = ActivityKind::kQuiz;
  op.action = 2;
  op.author = 1001;
  op.body = {1, 2, 3};
  const std::vector<uint8_t> good = op.Serialize();
  ASSERT_TRUE(Operation::Parse(good).ok());
  auto refused = [&](std::vector<uint8_t> bytes) {
    auto parsed = Operation::Parse(bytes);
    EXPECT_FALSE(parsed.ok());
    return parsed.ok() ? Error{ErrorCode::kMalformed, "parsed"} : parsed.error();
  };
  auto with = [&](size_t at, uint8_t value) {
    std::vector<uint8_t> bytes = good;
    bytes[at] = value;
    return bytes;
  };
  EXPECT_EQ(refused({good.begin(), good.begin() + 29}).code, ErrorCode::kTruncated);
  EXPECT_EQ(refused({}).code, ErrorCode::kTruncated);
  EXPECT_EQ(refused(with(0, 2)).code, ErrorCode::kBadVersion);
  EXPECT_EQ(refused(with(1, 0)).code, ErrorCode::kUnsupported);
  EXPECT_EQ(refused(with(1, kMaxActivityKind + 1)).code, ErrorCode::kUnsupported);
  EXPECT_EQ(refused(with(3, 1)).code, ErrorCode::kMalformed);
  std::vector<uint8_t> zero_counter = good;
  std::fill(zero_counter.begin() + 8, zero_counter.begin() + 16, 0);
  EXPECT_EQ(refused(zero_counter).detail, "operation counter 0 (they start at 1)");
  EXPECT_EQ(refused(with(29, 4)).code, ErrorCode::kBadLength);  // Says 4, 3 follow.
  EXPECT_EQ(refused(with(29, 2)).code, ErrorCode::kBadLength);  // Says 2, 3 follow.
  std::vector<uint8_t> huge = good;
  huge[28] = 0x10;
  huge[29] = 0x01;  // 4097.
  EXPECT_EQ(refused(huge).detail, "operation body over 4096 bytes");
}

TEST(OperationTest, WriteRefusesAShortBufferOrAnOversizedBodyAndWritesNothing) {
  Operation op;
  op.id = {1, 1};
  op.body.assign(10, 0xAB);
  std::vector<uint8_t> out(op.size() - 1, 0x55);
  auto written = op.Write(out);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, ErrorCode::kBufferTooSmall);
  EXPECT_TRUE(std::all_of(out.begin(), out.end(), [](uint8_t b) { return b == 0x55; }));
  op.body.assign(Operation::kMaxBodySize + 1, 0);
  std::vector<uint8_t> big(op.size());
  written = op.Write(big);
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.error().code, ErrorCode::kInvalidArgument);
  EXPECT_TRUE(op.Serialize().empty());
}

// Every replica orders operations the same way: by clock reading, then origin node, then counter.
TEST(OperationTest, OrderIsByClockThenNodeThenCounter) {
  Operation a, b;
  a.id = {2, 1};
  b.id = {1, 5};
  a.time = b.time = {1000, 0};
  EXPECT_EQ(Order(a, b), std::strong_ordering::greater);  // Same reading: node 1 first.
  b.time = {1000, 1};
  EXPECT_EQ(Order(a, b), std::strong_ordering::less);
  b = a;
  b.id.counter = 2;
  EXPECT_EQ(Order(a, b), std::strong_ordering::less);
  EXPECT_EQ(Order(a, a), std::strong_ordering::equal);
}

}  // namespace
}  // namespace comodal::session
