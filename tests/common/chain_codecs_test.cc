// The pieces of the audit chain and the key list that the admin center and
// the enforcer share: how one event follows another, and the key list
// codec that refuses a forged list.
#include <gtest/gtest.h>

#include "common/audit_chain.h"
#include "common/crypto.h"
#include "common/key_list.h"

namespace custodian {
namespace {

using audit::ClassifyLink;
using audit::Link;

TEST(ClassifyLink, TellsTheNextLinkFromARepeatAGapAndABreak) {
  EXPECT_EQ(ClassifyLink(0, audit::kGenesisHash, 1, audit::kGenesisHash), Link::kNext);
  EXPECT_EQ(ClassifyLink(4, "h4", 5, "h4"), Link::kNext);
  EXPECT_EQ(ClassifyLink(4, "h4", 5, "other"), Link::kBroken);
  EXPECT_EQ(ClassifyLink(4, "h4", 4, "h3"), Link::kRepeated);
  EXPECT_EQ(ClassifyLink(4, "h4", 2, "h1"), Link::kRepeated);
  EXPECT_EQ(ClassifyLink(4, "h4", 7, "h6"), Link::kGap);
}

TEST(KeyList, ReadsBackWhatItWroteAndRefusesAListWhoseIdsAreNotTheKeys) {
  const auto a = crypto::GenerateEd25519();
  const auto b = crypto::GenerateEd25519();
  const std::vector<crypto::PublicKey> keys{{crypto::KeyId(a.public_raw), a.public_raw},
                                            {crypto::KeyId(b.public_raw), b.public_raw}};
  const auto back = crypto::ParseKeyList(crypto::EncodeKeyList(keys));
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[1].key_id, keys[1].key_id);
  EXPECT_EQ(back[1].public_raw, keys[1].public_raw);

  web::json::value forged = crypto::EncodeKeyList(keys);
  forged[1]["key_id"] = web::json::value::string(keys[0].key_id);  // b under a's id
  EXPECT_TRUE(crypto::ParseKeyList(forged).empty());
  EXPECT_TRUE(crypto::ParseKeyList(web::json::value::object()).empty());
}

}  // namespace
}  // namespace custodian
