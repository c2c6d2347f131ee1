// The OS boundary of the enforcer: the command-based verifier and OS
// action get the secret on standard input only (never in arguments), their
// exit status decides, and failures say why without the secret; PAM refuses
// an unknown user.
#include "enforcer/os.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "support/process.h"

namespace custodian::enforcer {
namespace {

TEST(OsCommands, TheSecretArrivesOnStandardInputOnly) {
  const auto dir = testing::FreshTestDir("custodian-os");
  const std::string out = (dir / "seen").string();
  // Records its arguments and what stdin held.
  auto os =
      CommandOsActions({"/bin/sh", "-c", "printf '%s|' \"$@\" > " + out + "; cat >> " + out, "sh"});
  std::string detail;
  EXPECT_TRUE(os->Run("unlock", "anna", "HOME", SecretBytes("pa55 word"), &detail)) << detail;
  EXPECT_EQ(testing::Slurp(out), "unlock|anna|HOME|pa55 word");
  std::filesystem::remove_all(dir);
}

TEST(OsCommands, ExitStatusDecidesAndFailuresSayWhyWithoutTheSecret) {
  auto verifier =
      CommandVerifier({"/bin/sh", "-c", "[ \"$1\" = admin ] && [ \"$(cat)\" = right ]", "sh"});
  EXPECT_TRUE(verifier->Verify("admin", SecretBytes("right")));
  EXPECT_FALSE(verifier->Verify("admin", SecretBytes("wrong")));
  EXPECT_FALSE(verifier->Verify("guest", SecretBytes("right")));
  std::string detail;
  EXPECT_FALSE(
      CommandOsActions({"/bin/false"})->Run("restart", "u", "d", SecretBytes("s3"), &detail));
  EXPECT_EQ(detail, "/bin/false exited with 1");
  EXPECT_FALSE(CommandOsActions({"/nonexistent/action"})
                   ->Run("restart", "u", "d", SecretBytes("s3"), &detail));
  EXPECT_NE(detail.find("/nonexistent/action"), std::string::npos);
  EXPECT_EQ(detail.find("s3"), std::string::npos);
  EXPECT_FALSE(CommandOsActions({})->Run("restart", "u", "d", SecretBytes("s3"), &detail));
  EXPECT_EQ(detail, "no OS action configured (os_action)");
  // A program that never reads its input does not hang or kill us.
  EXPECT_TRUE(CommandOsActions({"/bin/true"})
                  ->Run("restart", "u", "d", SecretBytes(std::string(1 << 20, 'x')), &detail));
}

TEST(Pam, RefusesAnUnknownUser) {
  EXPECT_FALSE(PamVerifier("login")->Verify("custodian-no-such-user", SecretBytes("whatever")));
}

}  // namespace
}  // namespace custodian::enforcer
