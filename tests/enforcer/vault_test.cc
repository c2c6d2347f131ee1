// The credential vault: AES-256-GCM with a fresh nonce per seal, bound to
// its session by associated data; tampering with any part of a sealed
// secret, or moving it to another session, endpoint or key, makes it fail
// to open; no nonce repeats over 1,000,000 seals; the machine key file is
// the owner's only.
#include "enforcer/vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "common/files.h"
#include "support/process.h"

namespace custodian::enforcer {
namespace {

const std::string kSecret = "Winter2026!-Ü-canary";

TEST(Vault, SealsAndOpensOnlyWhereItBelongs) {
  const Vault vault = Vault::WithRandomKey();
  const std::string here = SessionBinding("e-1", "s-1");
  const std::string sealed = vault.Seal(kSecret, here);
  EXPECT_EQ(sealed.find(kSecret), std::string::npos);
  auto opened = vault.Open(sealed, here);
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->view(), kSecret);

  EXPECT_FALSE(vault.Open(sealed, SessionBinding("e-1", "s-2"))) << "moved to another session";
  EXPECT_FALSE(vault.Open(sealed, SessionBinding("e-2", "s-1"))) << "moved to another endpoint";
  EXPECT_FALSE(vault.Open(sealed, SessionBinding("e-1s", "-1"))) << "bindings do not run together";
  EXPECT_FALSE(Vault::WithRandomKey().Open(sealed, here)) << "sealed under another key";
}

TEST(Vault, EveryAlteredByteIsDetected) {
  const Vault vault = Vault::WithRandomKey();
  const std::string here = SessionBinding("e-1", "s-1");
  const std::string sealed = vault.Seal(kSecret, here);
  // Format byte, every nonce byte, every ciphertext byte, every tag byte.
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    EXPECT_FALSE(vault.Open(altered, here)) << "byte " << i;
  }
  EXPECT_FALSE(vault.Open(sealed.substr(0, sealed.size() - 1), here)) << "truncated tag";
  EXPECT_FALSE(vault.Open(sealed + "x", here)) << "appended";
  EXPECT_FALSE(vault.Open("", here));
  std::string altered_ad = here;
  altered_ad.back() ^= 0x01;
  EXPECT_FALSE(vault.Open(sealed, altered_ad)) << "associated data";
}

TEST(Vault, NoNonceRepeatsOverAMillionSeals) {
  const Vault vault = Vault::WithRandomKey();
#ifdef __SANITIZE_ADDRESS__
  // A tenth under AddressSanitizer, which is after memory errors, not
  // repeats: the million takes it over a minute.
  constexpr std::size_t kSeals = 100000;
#else
  constexpr std::size_t kSeals = 1000000;
#endif
  std::vector<std::array<char, Vault::kNonceBytes>> nonces(kSeals);
  for (std::size_t i = 0; i < kSeals; ++i) {
    const std::string sealed = vault.Seal("x", "ad");
    std::memcpy(nonces[i].data(), sealed.data() + 1, Vault::kNonceBytes);
  }
  std::sort(nonces.begin(), nonces.end());
  EXPECT_EQ(std::adjacent_find(nonces.begin(), nonces.end()), nonces.end());
}

TEST(Vault, TheMachineKeyFileIsTheOwnersAndPersists) {
  const auto dir = testing::FreshTestDir("custodian-vault");
  const auto path = dir / "vault.key";
  std::string error;
  auto first = Vault::FromKeyFile(path, &error);
  ASSERT_TRUE(first) << error;
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string sealed = first->Seal(kSecret, "grant:g-1");
  auto again = Vault::FromKeyFile(path, &error);  // as after a restart
  ASSERT_TRUE(again) << error;
  auto opened = again->Open(sealed, "grant:g-1");
  ASSERT_TRUE(opened);
  EXPECT_EQ(opened->view(), kSecret);
  std::string damaged_error;
  ASSERT_TRUE(WriteFileAtomically(path.string(), "short", 0600, &error));
  EXPECT_FALSE(Vault::FromKeyFile(path, &damaged_error));
  EXPECT_NE(damaged_error.find("not a 32-byte vault key"), std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Vault, SecretBytesAreWipedWhenTheyMove) {
  SecretBytes a(std::string_view("secret"));
  SecretBytes b = std::move(a);
  EXPECT_EQ(a.size(), 0u);
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b.view(), "secret");
}

}  // namespace
}  // namespace custodian::enforcer
