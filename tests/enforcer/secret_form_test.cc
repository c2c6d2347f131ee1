// The local API's reader of bodies that carry passwords (secret_form.h):
// flat objects of strings, decoded into wiped memory, everything else an
// error with its pointer.
#include "enforcer/secret_form.h"

#include <gtest/gtest.h>

namespace custodian::enforcer {
namespace {

TEST(SecretForm, DecodesStringsWithEveryEscapeIntoSecretBytes) {
  SecretForm f =
      ReadSecretForm(R"( {"user_name" : "anna", "password":"p\"a\\s\/s\n\u00fc\ud83d\ude00x"} )");
  ASSERT_TRUE(f.errors.empty()) << f.errors[0].message;
  EXPECT_EQ(f.fields.at("user_name").view(), "anna");
  EXPECT_EQ(f.fields.at("password").view(), "p\"a\\s/s\n\xC3\xBC\xF0\x9F\x98\x80x");
  EXPECT_TRUE(ReadSecretForm("").errors.empty());
  EXPECT_TRUE(ReadSecretForm("{}").errors.empty());
}

TEST(SecretForm, RefusesAnythingButAFlatObjectOfValidStrings) {
  for (const std::string& body : std::vector<std::string>{
           "{", "[]", R"({"password":1})", R"({"password":{"x":"y"}})", R"({"a":"b","a":"c"})",
           R"({"password":"\ud800"})", R"({"password":"\udc00x"})", "{\"password\":\"\xff\"}",
           "{\"password\":\"a\nb\"}", R"({"password":"\x"})", R"({"password":"x"} trailing)",
           R"({"password":"x",})", "{\"password\":\"" + std::string(1100, 'x') + "\"}"}) {
    EXPECT_FALSE(ReadSecretForm(body).errors.empty()) << body;
    EXPECT_TRUE(ReadSecretForm(body).fields.empty()) << body;
  }
  EXPECT_EQ(ReadSecretForm(R"({"password":5})").errors.at(0).pointer, "/password");
}

}  // namespace
}  // namespace custodian::enforcer
