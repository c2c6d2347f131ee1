// Entity tags of JSON representations and the If-Match precondition
// (RFC 9110 §8.8.3, §13.1.1).
#include "common/entity_tag.h"

#include <gtest/gtest.h>

namespace custodian::http {
namespace {

using web::json::value;

TEST(EntityTag, IsStrongAndFollowsTheContentNotItsSpelling) {
  const std::string tag = EntityTag(value::parse(R"({"b":1,"a":"x"})"));
  EXPECT_EQ(tag.size(), 66u);
  EXPECT_EQ(tag.front(), '"');
  EXPECT_EQ(tag.back(), '"');
  EXPECT_EQ(EntityTag(value::parse(R"({ "a" : "x", "b" : 1 })")), tag);
  EXPECT_NE(EntityTag(value::parse(R"({"a":"x","b":2})")), tag);
}

TEST(IfMatch, HoldsForNoneAStarOrAListWithTheCurrentStrongTag) {
  const std::string current = R"("abc")";
  for (const char* holds :
       {"", "  ", "*", R"("abc")", R"( "abc" )", R"("x", "abc")", R"("x","abc","y")"}) {
    EXPECT_TRUE(IfMatchHolds(holds, current)) << holds;
  }
  for (const char* fails : {R"("x")", R"(W/"abc")", "abc", R"("abc)", R"("x", W/"abc")", ",",
                            R"("ab")", R"(* , "x")"}) {
    EXPECT_FALSE(IfMatchHolds(fails, current)) << fails;
  }
}

}  // namespace
}  // namespace custodian::http
