#include "apps/class_file.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

namespace comodal::apps {
namespace {

using ::testing::HasSubstr;

constexpr const char* kFingerprint =
    "3B:0E:7C:41:9A:52:D8:6F:11:C4:A0:23:9F:E5:77:B2:08:6D:14:CA:F3:59:2E:80:41:BE:67:D2:93:1A:0C:"
    "F5";

TEST(ClassFileTest, TheDocumentedExampleEnrollsItsSitesAndPeople) {
  auto definition = LoadClassFile(std::string(COMODAL_SOURCE_DIR) + "/docs/class-example.toml");
  ASSERT_TRUE(definition.ok()) << definition.error();
  EXPECT_EQ(definition->hub_node, 1u);
  ASSERT_EQ(definition->sites.size(), 2u);
  EXPECT_EQ(definition->sites[0].node, 101u);
  EXPECT_EQ(definition->sites[0].fingerprint.ToString(), kFingerprint);
  EXPECT_EQ(definition->sites[1].name, "Elahé");
  const session::Participant* lea = definition->roster.Find(2);
  ASSERT_NE(lea, nullptr);
  EXPECT_EQ(lea->node, 1u);  // A pupil at the hub.
  EXPECT_EQ(lea->role, session::Role::kPupil);
  EXPECT_EQ(definition->roster.Find(1000)->node, 101u);
  std::ostringstream out, err;
  ASSERT_EQ(RunClassCheck({std::string(COMODAL_SOURCE_DIR) + "/docs/class-example.toml"}, out, err),
            0);
  EXPECT_THAT(out.str(), HasSubstr("2 site(s), 1 teacher(s), 1 tutor(s), 3 pupil(s)"));
}

// Each mistake is named with its line and changes nothing.
TEST(ClassFileTest, EachMistakeIsNamedWithItsLine) {
  const std::string head = "name = \"c\"\n";
  const std::string teacher = "[[participants]]\nid = 1\nrole = \"teacher\"\nname = \"T\"\n";
  const std::string site =
      std::string("[[sites]]\nnode = 101\nname = \"S\"\nfingerprint = \"") + kFingerprint + "\"\n";
  auto error = [](const std::string& text) {
    auto parsed = ParseClassFile(text, "class.toml");
    return parsed.ok() ? std::string("accepted") : parsed.error();
  };
  EXPECT_EQ(error(head + site + teacher), "accepted");
  EXPECT_EQ(error(head), "class.toml: [[participants]] no teacher");
  EXPECT_THAT(error(head + "colour = 3\n" + teacher),
              HasSubstr("class.toml:2: key colour is not a class file key"));
  EXPECT_THAT(error(head + teacher + "[[participants]]\nid = 1\nrole = \"pupil\"\nname = \"P\"\n"),
              HasSubstr("class.toml:7: [[participants]] id 1 is given twice"));
  EXPECT_THAT(
      error(head + teacher + "[[participants]]\nid = 5\nrole = \"pilot\"\nname = \"P\"\n"),
      HasSubstr(":8: [[participants]] role must be teacher, tutor or pupil, got \"pilot\""));
  EXPECT_THAT(error(head + site + teacher +
                    "[[participants]]\nid = 5\nrole = \"pupil\"\nsite = 102\nname = \"P\"\n"),
              HasSubstr(":13: [[participants]] site 102 is not enrolled"));
  EXPECT_THAT(error(head + site +
                    "[[participants]]\nid = 1\nrole = \"teacher\"\nsite = 101\n"
                    "name = \"T\"\n"),
              HasSubstr("a teacher takes part from the hub"));
  EXPECT_THAT(error(head + teacher + "[[participants]]\nid = 5\nrole = \"tutor\"\nname = \"P\"\n"),
              HasSubstr("a tutor needs the site they are at"));
  EXPECT_THAT(error(head + "[[sites]]\nnode = 1\nname = \"S\"\nfingerprint = \"x\"\n" + teacher),
              HasSubstr(":2: [[sites]] node 1 is the hub's or another site's"));
  EXPECT_THAT(
      error(head + "[[sites]]\nnode = 101\nname = \"S\"\nfingerprint = \"AB:CD\"\n" + teacher),
      HasSubstr(":5: [[sites]] fingerprint: "));
  EXPECT_THAT(error(head + "[[participants]]\nid = 0\nrole = \"teacher\"\nname = \"T\"\n"),
              HasSubstr(":3: [[participants]] id must be a whole number from 1 to 4294967295"));
  EXPECT_THAT(error(head + "[[participants]]\nid = 1\nrole = \"teacher\"\nname = \"T\\u0007\"\n"),
              HasSubstr(":5: [[participants]] name has a control character"));
  EXPECT_THAT(error("name = \n"), HasSubstr("class.toml:1: "));
  std::ostringstream out, err;
  EXPECT_EQ(RunClassCheck({"/nonexistent/class.toml"}, out, err), 1);
  EXPECT_THAT(err.str(), HasSubstr("/nonexistent/class.toml: cannot be read"));
}

}  // namespace
}  // namespace comodal::apps
