// RFC 8785 (JCS) as the audit chain uses it, the text checks at the edge,
// and the property the exports rest on: whatever text the admin center
// accepted, the line it writes is valid JSON whose recomputed hash is the
// stored one.
#include "common/canonical_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <set>

#include "common/audit_chain.h"
#include "common/text.h"

namespace custodian {
namespace {

using web::json::value;

TEST(CanonicalJson, WritesNumbersAsEcmaScriptDoes) {
  // RFC 8785 Appendix B and ECMAScript's Number.prototype.toString.
  const std::vector<std::pair<double, std::string>> cases = {
      {0.0, "0"},
      {-0.0, "0"},
      {1.0, "1"},
      {-1.5, "-1.5"},
      {100.0, "100"},
      {1e21, "1e+21"},
      {1e20, "100000000000000000000"},
      {123456789012345680000.0, "123456789012345680000"},
      {0.000001, "0.000001"},
      {0.0000001, "1e-7"},
      {1.5e-7, "1.5e-7"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {9007199254740991.0, "9007199254740991"},
      {0.1, "0.1"},
      {1.0 / 3, "0.3333333333333333"},
      {295147905179352830000.0, "295147905179352830000"},
      {4.5, "4.5"},
      {2e-3, "0.002"},
      {-1e-7, "-1e-7"},
  };
  for (const auto& [d, want] : cases) {
    std::string out;
    AppendCanonicalNumber(d, out);
    EXPECT_EQ(out, want) << d;
  }
}

TEST(CanonicalJson, SortsKeysByUtf16CodeUnitsAndEscapesOnlyWhatItMust) {
  // RFC 8785 §3.2.3: U+FB33 (one unit) sorts after U+1F600 (a surrogate
  // pair starting 0xD83D), though its UTF-8 sorts before.
  const value v = value::parse(
      R"({"\ufb33":1,"\ud83d\ude00":2,"b":[true,null,"\u2028\u007f\u0001\n\t\"\\/"],"a":{}})");
  EXPECT_EQ(CanonicalJson(v),
            "{\"a\":{},\"b\":[true,null,\"\xE2\x80\xA8\x7f\\u0001\\n\\t\\\"\\\\/\"],"
            "\"\xF0\x9F\x98\x80\":2,\"\xEF\xAC\xB3\":1}");
}

TEST(TextChecks, FindWhatJsonCannotCarryWithTheirPointers) {
  const value v = value::parse(R"({"a":{"x":1e400,"y/z":"\udc00"},"n":[9007199254740993, 2.5]})");
  const auto problems = text::JsonTextProblems(v);
  ASSERT_EQ(problems.size(), 3u);
  std::set<std::string> pointers;
  for (const auto& p : problems) pointers.insert(p.pointer);
  EXPECT_EQ(pointers, (std::set<std::string>{"/a/x", "/a/y~1z", "/n/0"}));
  EXPECT_TRUE(
      text::JsonTextProblems(value::parse(R"({"ok":["Grüße 😀",-9007199254740991]})")).empty());
}

TEST(TextChecks, SafeUtf8ReplacesBadBytesAndCutsAtACharacter) {
  EXPECT_EQ(text::SafeUtf8("a\xff\xfe"
                           "b",
                           100),
            "a\xEF\xBF\xBD\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(text::SafeUtf8("\xC0\xAF", 100), "\xEF\xBF\xBD\xEF\xBF\xBD");          // overlong '/'
  EXPECT_EQ(text::SafeUtf8("\xED\xA0\x80", 100).find('\xED'), std::string::npos);  // surrogate
  const std::string cut = text::SafeUtf8(std::string(300, 'x') + "ü", 256);
  EXPECT_LE(cut.size(), 256u);
  EXPECT_TRUE(text::IsValidUtf8(cut));
  EXPECT_TRUE(cut.ends_with("\xE2\x80\xA6"));
  EXPECT_EQ(text::SafeUtf8("ü", 1), "");  // not even the mark fits
}

TEST(TextChecks, ForTerminalShowsControlCharactersInsteadOfObeyingThem) {
  EXPECT_EQ(text::ForTerminal("ok\x1b[31mred\x07"), "ok\\x1b[31mred\\x07");
  EXPECT_EQ(text::ForTerminal(std::string("a\0b", 3)), "a\\x00b");
  EXPECT_EQ(text::ForTerminal("\xC2\x9B"
                              "2J Grüße \\"),
            "\\xc2\\x9b2J Grüße \\\\");
  EXPECT_EQ(text::ForTerminal("\xff"), "\\xff");
}

// Random text of every kind: ASCII controls, quotes, backslashes, U+2028,
// astral characters, and ill-formed bytes.
std::string RandomText(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {"a",
                                                  "Z",
                                                  " ",
                                                  "\"",
                                                  "\\",
                                                  "/",
                                                  "\n",
                                                  "\r",
                                                  "\t",
                                                  "\x01",
                                                  "\x1b",
                                                  "\x7f",
                                                  "\xC2\x85",
                                                  "\xE2\x80\xA8",
                                                  "\xF0\x9F\x98\x80",
                                                  "ü",
                                                  "\xff",
                                                  "\xfe",
                                                  "\xC0\xAF",
                                                  "\xED\xA0\x80",
                                                  "\xF4\x90\x80\x80",
                                                  "=",
                                                  "+",
                                                  "-",
                                                  "@",
                                                  "%",
                                                  "{",
                                                  "}",
                                                  "\0"};
  std::string s;
  const int n = std::uniform_int_distribution<int>(0, 40)(rng);
  for (int i = 0; i < n; ++i) {
    s += pieces[std::uniform_int_distribution<std::size_t>(0, pieces.size() - 1)(rng)];
  }
  return s;
}

value RandomJson(std::mt19937& rng, int depth) {
  switch (std::uniform_int_distribution<int>(0, depth > 2 ? 3 : 5)(rng)) {
    case 0:
      return value::string(text::SafeUtf8(RandomText(rng), 1000));
    case 1:
      return value::number(std::uniform_int_distribution<int64_t>(-text::kMaxExactInteger,
                                                                  text::kMaxExactInteger)(rng));
    case 2: {
      const double d = std::uniform_real_distribution<double>(-1e30, 1e30)(rng) *
                       std::pow(10.0, std::uniform_int_distribution<int>(-300, 270)(rng));
      return value::number(d);
    }
    case 3:
      return std::uniform_int_distribution<int>(0, 1)(rng) ? value::boolean(true) : value::null();
    case 4: {
      value a = value::array();
      for (int i = 0; i < std::uniform_int_distribution<int>(0, 4)(rng); ++i) {
        a[static_cast<std::size_t>(i)] = RandomJson(rng, depth + 1);
      }
      return a;
    }
    default: {
      value o = value::object();
      for (int i = 0; i < std::uniform_int_distribution<int>(0, 4)(rng); ++i) {
        o[text::SafeUtf8(RandomText(rng), 100)] = RandomJson(rng, depth + 1);
      }
      return o;
    }
  }
}

TEST(AuditChain, EveryAcceptedEventExportsAsALineWhoseHashRecomputes) {
  std::mt19937 rng(20261201);
  for (int i = 0; i < 3000; ++i) {
    audit::EventFields f;
    f.seq = i + 1;
    f.id = "evt_" + std::to_string(i);
    f.ts = "2026-12-01T09:00:00Z";
    f.actor_kind = "anonymous";
    f.actor_id = text::SafeUtf8(RandomText(rng), 256);
    f.action = "authz.denied";
    f.target = text::SafeUtf8(RandomText(rng), 256);
    f.outcome = "failure";
    value details = value::object();
    details["x"] = RandomJson(rng, 0);
    ASSERT_TRUE(text::JsonTextProblems(details).empty());
    f.details_json = CanonicalJson(details);
    f.prev_hash = audit::kGenesisHash;
    const std::string hash = audit::EventHash(f);
    const std::string line = audit::CanonicalRecord(f, &hash);
    ASSERT_EQ(line.find('\n'), std::string::npos) << line;
    ASSERT_TRUE(text::IsValidUtf8(line));
    std::error_code ec;
    const value parsed = value::parse(line, ec);
    ASSERT_FALSE(ec) << line;
    EXPECT_EQ(audit::RecordHash(parsed), hash) << line;
    EXPECT_EQ(CanonicalJson(parsed), line) << "the export line is the record's JCS form";
  }
}

}  // namespace
}  // namespace custodian
