// gzip for bundles: what Gzip writes, Gunzip (and the gzip tool) reads
// back; damaged, truncated and oversized streams are refused; which
// Accept-Encoding values accept it.
#include "common/gzip.h"

#include <gtest/gtest.h>

#include "common/crypto.h"
#include "support/process.h"

namespace custodian {
namespace {

TEST(Gzip, RoundTripsAndTheGzipToolAgrees) {
  std::string text;
  for (int i = 0; i < 2000; ++i)
    text += R"({"id":"g-)" + std::to_string(i) + R"(","name":"Group"},)";
  const std::string packed = Gzip(text);
  EXPECT_LT(packed.size(), text.size() / 5);
  EXPECT_EQ(Gunzip(packed, text.size()), text);
  EXPECT_EQ(Gunzip(Gzip(""), 0), "");
  const std::string random = crypto::RandomBytes(5000);
  EXPECT_EQ(Gunzip(Gzip(random), random.size()), random);
  const auto dir = testing::FreshTestDir("custodian-gzip");
  std::ofstream(dir / "bundle.gz", std::ios::binary) << packed;
  const auto tool = testing::RunCommand("gzip -dc " + (dir / "bundle.gz").string());
  EXPECT_EQ(tool.exit_code, 0);
  EXPECT_EQ(tool.output, text);
  std::filesystem::remove_all(dir);
}

TEST(Gzip, RefusesWhatIsDamagedTruncatedOrTooLarge) {
  const std::string text(100000, 'a');
  const std::string packed = Gzip(text);
  EXPECT_EQ(Gunzip(packed, text.size() - 1), std::nullopt) << "a bomb beyond the bound";
  EXPECT_EQ(Gunzip(packed.substr(0, packed.size() / 2), text.size()), std::nullopt);
  EXPECT_EQ(Gunzip(packed.substr(0, packed.size() - 4), text.size()), std::nullopt)
      << "without its length";
  std::string flipped = packed;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
  EXPECT_EQ(Gunzip(flipped, text.size()), std::nullopt);
  EXPECT_EQ(Gunzip(packed + "x", text.size()), std::nullopt) << "trailing bytes";
  EXPECT_EQ(Gunzip("not gzip", 100), std::nullopt);
}

TEST(Gzip, KnowsWhichAcceptEncodingTakesIt) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("deflate, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("br, *"));
  EXPECT_TRUE(AcceptsGzip("x-gzip"));
  EXPECT_FALSE(AcceptsGzip(""));
  EXPECT_FALSE(AcceptsGzip("identity"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzip; q=0.000, *"));
  EXPECT_FALSE(AcceptsGzip("*;q=0"));
  EXPECT_FALSE(AcceptsGzip("gzipped"));
}

}  // namespace
}  // namespace custodian
