// The small text helpers every edge uses: decimal numbers from query
// parameters, headers and stored rows.
#include "common/text.h"

#include <gtest/gtest.h>

namespace custodian::text {
namespace {

TEST(ParseDecimal, AcceptsDigitsUpToTheBoundAndNothingElse) {
  EXPECT_EQ(ParseDecimal("0"), 0);
  EXPECT_EQ(ParseDecimal("007"), 7);
  EXPECT_EQ(ParseDecimal("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseDecimal("60", 60), 60);
  EXPECT_EQ(ParseDecimal("65535", 65535), 65535);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1.5", "1e3", "0x10", "٣"}) {
    EXPECT_EQ(ParseDecimal(bad), std::nullopt) << bad;
  }
  // Beyond int64 and beyond the bound: refused, never thrown or wrapped.
  EXPECT_EQ(ParseDecimal("9223372036854775808"), std::nullopt);
  EXPECT_EQ(ParseDecimal("99999999999999999999999"), std::nullopt);
  EXPECT_EQ(ParseDecimal("61", 60), std::nullopt);
  EXPECT_EQ(ParseDecimal("65536", 65535), std::nullopt);
}

}  // namespace
}  // namespace custodian::text
