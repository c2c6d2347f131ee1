// Attacks on policy bundles (DESIGN.md §4), each offered to a BundleHolder
// over a real state directory (SQLite, files) with real Ed25519 keys: every
// one is rejected with its reason, the last good bundle stays in force and
// on disk, and the rejection is an event of the endpoint's chain naming
// the reason.
#include "enforcer/bundle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "common/crypto.h"
#include "common/files.h"
#include "enforcer/storage/store.h"
#include "policy/system_time_zones.h"
#include "support/process.h"

namespace custodian::enforcer {
namespace {

using web::json::value;

const policy::Instant kNow = *policy::ParseRfc3339("2026-11-23T12:00:00Z");

struct Signer {
  crypto::Ed25519KeyPair pair = crypto::GenerateEd25519();
  std::string id() const { return crypto::KeyId(pair.public_raw); }
  PinnedKey pinned() const { return {id(), pair.public_raw}; }
};

// A bundle's bytes as the admin center writes them.
std::string Bytes(int64_t version, const std::vector<const Signer*>& keys,
                  policy::Instant issued = kNow,
                  policy::Instant expires = kNow + std::chrono::hours(168),
                  const std::string& policy = R"({"groups":[{"id":"g","name":"G"}]})",
                  int format = 1) {
  value b = value::object(true);
  b["format"] = value::number(format);
  b["version"] = value::number(version);
  b["issued_at"] = value::string(policy::FormatRfc3339(issued));
  b["expires_at"] = value::string(policy::FormatRfc3339(expires));
  b["key_id"] = value::string(keys.front()->id());
  std::vector<PinnedKey> pinned;
  for (const Signer* k : keys) pinned.push_back(k->pinned());
  b["keys"] = crypto::EncodeKeyList(pinned);
  b["policy"] = value::parse(policy);
  return b.serialize();
}

std::string Envelope(const std::string& bytes, const std::vector<const Signer*>& signers) {
  value e = value::object(true);
  e["bundle"] = value::string(crypto::Base64(bytes));
  value sigs = value::array();
  for (std::size_t i = 0; i < signers.size(); ++i) {
    value s = value::object(true);
    s["key_id"] = value::string(signers[i]->id());
    s["signature"] =
        value::string(crypto::Base64(*crypto::SignEd25519(signers[i]->pair.private_pem, bytes)));
    sigs[i] = s;
  }
  e["signatures"] = sigs;
  return e.serialize();
}

class BundleAttacks : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::FreshTestDir("custodian-bundles");
    std::string error;
    store_ = Store::Open(dir_, true, &error);
    ASSERT_TRUE(store_) << error;
    store_->Set({{"endpoint_id", "e-test"},
                 {"pinned_keys", crypto::EncodeKeyList({key_.pinned()}).serialize()}});
    holder_ = std::make_unique<BundleHolder>(*store_, policy::SystemTimeZones::Get());
  }
  void TearDown() override {
    holder_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string LastEventReason() {
    const auto events = store_->Events();
    const value& last = events.back();
    if (last.at("action").as_string() != "bundle.rejected") return "(no rejection event)";
    return last.at("reasons").at(0).at("code").as_string();
  }
  std::string File() { return ReadFile((dir_ / kBundleFile).string()).value_or(""); }

  std::filesystem::path dir_;
  Signer key_, other_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<BundleHolder> holder_;
};

TEST_F(BundleAttacks, EveryAttackIsRejectedAndTheLastGoodBundleKept) {
  const std::string v5 = Bytes(5, {&key_});
  ASSERT_EQ(holder_->Offer(Envelope(v5, {&key_}), kNow), BundleHolder::Outcome::kAccepted);
  const std::string good_file = File();
  const std::string v6 = Bytes(6, {&key_});
  const std::string sig6 = crypto::Base64(*crypto::SignEd25519(key_.pair.private_pem, v6));

  auto with = [](const std::string& bytes, const std::string& key_id, const std::string& sig) {
    value e = value::object(true);
    e["bundle"] = value::string(crypto::Base64(bytes));
    value s = value::object(true);
    s["key_id"] = value::string(key_id);
    s["signature"] = value::string(sig);
    e["signatures"] = value::array({s});
    return e.serialize();
  };
  std::string reordered = v6;  // the same JSON with two keys swapped
  {
    const auto f = reordered.find("\"format\":1,");
    reordered.erase(f, 11);
    reordered.insert(reordered.find("\"key_id\""), "\"format\":1,");
  }
  ASSERT_NE(reordered, v6);
  std::string bad_sig = *crypto::FromBase64(sig6);
  bad_sig[10] ^= 1;
  const std::string v6_by_other = crypto::Base64(*crypto::SignEd25519(other_.pair.private_pem, v6));

  const std::map<std::string, std::pair<std::string, std::string>> attacks = {
      {"empty", {"", "malformed"}},
      {"not JSON", {"{\"bundle\":", "malformed"}},
      {"truncated envelope", {Envelope(v6, {&key_}).substr(0, 60), "malformed"}},
      {"no signatures",
       {R"({"bundle":")" + crypto::Base64(v6) + R"(","signatures":[]})", "unknown_key"}},
      {"bundle not base64", {R"({"bundle":"***","signatures":[]})", "malformed"}},
      {"signatures not an array", {R"({"bundle":"e30=","signatures":{}})", "malformed"}},
      {"bad signature", {with(v6, key_.id(), crypto::Base64(bad_sig)), "bad_signature"}},
      {"garbage signature", {with(v6, key_.id(), "AAAA"), "bad_signature"}},
      {"signed by an unpinned key", {Envelope(v6, {&other_}), "unknown_key"}},
      {"other key's signature under the pinned key id",
       {with(v6, key_.id(), v6_by_other), "bad_signature"}},
      {"truncated bytes", {with(v6.substr(0, v6.size() - 10), key_.id(), sig6), "bad_signature"}},
      {"whitespace added to the signed bytes", {with(v6 + " ", key_.id(), sig6), "bad_signature"}},
      {"key order changed in the signed bytes",
       {with(reordered, key_.id(), sig6), "bad_signature"}},
      {"older version", {Envelope(Bytes(4, {&key_}), {&key_}), "rollback"}},
      {"same version, other content",
       {Envelope(Bytes(5, {&key_}, kNow, kNow + std::chrono::hours(100)), {&key_}),
        "version_reused"}},
      {"expired",
       {Envelope(Bytes(7, {&key_}, kNow - std::chrono::hours(200), kNow - std::chrono::hours(1)),
                 {&key_}),
        "expired"}},
      {"issued too far in the future",
       {Envelope(Bytes(7, {&key_}, kNow + std::chrono::hours(1), kNow + std::chrono::hours(200)),
                 {&key_}),
        "issued_in_future"}},
      {"unsupported format",
       {Envelope(Bytes(7, {&key_}, kNow, kNow + std::chrono::hours(9), "{}", 2), {&key_}),
        "unsupported_format"}},
      {"signed bytes are not JSON", {Envelope("not json", {&key_}), "malformed"}},
      {"invalid policy",
       {Envelope(Bytes(7, {&key_}, kNow, kNow + std::chrono::hours(9),
                       R"({"groups":[{"id":"g","name":"G","parent_id":"nope"}]})"),
                 {&key_}),
        "invalid_policy"}},
      {"signing key id not among the listed keys",
       {Envelope(std::string(v6).replace(v6.find(key_.id()), 4, "ffff"), {&key_}), "malformed"}},
      {"keys list with a forged key id",
       {Envelope(std::string(v6).replace(v6.rfind(key_.id()), 4, "ffff"), {&key_}), "malformed"}},
  };
  std::size_t n = 0;
  for (const auto& [name, attack] : attacks) {
    const auto& [envelope, want] = attack;
    std::string reason;
    EXPECT_EQ(holder_->Offer(envelope, kNow, &reason), BundleHolder::Outcome::kRejected) << name;
    EXPECT_EQ(reason, want) << name;
    EXPECT_EQ(LastEventReason(), want) << name << ": the rejection is recorded with its reason";
    EXPECT_EQ(holder_->held_version(), 5) << name << ": the last good bundle stays in force";
    EXPECT_EQ(File(), good_file) << name << ": and on disk";
    ++n;
  }
  EXPECT_GE(n, 20u);
  // And the genuine next version is still accepted afterwards.
  EXPECT_EQ(holder_->Offer(Envelope(v6, {&key_}), kNow), BundleHolder::Outcome::kAccepted);
  EXPECT_EQ(holder_->held_version(), 6);
}

TEST_F(BundleAttacks, AnOldBundleReplayedAfterARestartIsRejected) {
  const std::string v3 = Envelope(Bytes(3, {&key_}), {&key_});
  const std::string v4 = Envelope(Bytes(4, {&key_}), {&key_});
  ASSERT_EQ(holder_->Offer(v3, kNow), BundleHolder::Outcome::kAccepted);
  ASSERT_EQ(holder_->Offer(v4, kNow), BundleHolder::Outcome::kAccepted);
  // Restart: a new holder over the same state directory.
  holder_ = std::make_unique<BundleHolder>(*store_, policy::SystemTimeZones::Get());
  holder_->Load(kNow);
  EXPECT_EQ(holder_->held_version(), 4);
  std::string reason;
  EXPECT_EQ(holder_->Offer(v3, kNow, &reason), BundleHolder::Outcome::kRejected);
  EXPECT_EQ(reason, "rollback");
  EXPECT_EQ(holder_->Offer(v4, kNow), BundleHolder::Outcome::kUnchanged);

  // The old file put back in place of the stored one: refused at start.
  std::string error;
  ASSERT_TRUE(WriteFileAtomically((dir_ / kBundleFile).string(), v3, 0600, &error));
  holder_ = std::make_unique<BundleHolder>(*store_, policy::SystemTimeZones::Get());
  holder_->Load(kNow);
  EXPECT_FALSE(holder_->active()) << "nothing in force: decisions fail closed";
  EXPECT_EQ(LastEventReason(), "rollback");
}

TEST_F(BundleAttacks, AfterARefusedRollbackTheCurrentBundleRestoresItself) {
  const std::string v3 = Envelope(Bytes(3, {&key_}), {&key_});
  const std::string v4 = Envelope(Bytes(4, {&key_}), {&key_});
  ASSERT_EQ(holder_->Offer(v3, kNow), BundleHolder::Outcome::kAccepted);
  ASSERT_EQ(holder_->Offer(v4, kNow), BundleHolder::Outcome::kAccepted);
  for (const std::string& tampered : {v3, v4.substr(0, v4.size() / 2) + "x"}) {
    std::string error;
    ASSERT_TRUE(WriteFileAtomically((dir_ / kBundleFile).string(), tampered, 0600, &error));
    holder_ = std::make_unique<BundleHolder>(*store_, policy::SystemTimeZones::Get());
    holder_->Load(kNow);
    ASSERT_FALSE(holder_->active());
    std::string reason;
    EXPECT_EQ(holder_->Offer(v3, kNow, &reason), BundleHolder::Outcome::kRejected);
    EXPECT_EQ(reason, "rollback");
    // The admin center still serves version 4: it is accepted again.
    EXPECT_EQ(holder_->Offer(v4, kNow), BundleHolder::Outcome::kAccepted);
    EXPECT_EQ(holder_->held_version(), 4);
    EXPECT_EQ(File(), v4);
    EXPECT_EQ(holder_->Offer(v4, kNow), BundleHolder::Outcome::kUnchanged);
    // Version 4 with other content is still refused.
    EXPECT_EQ(holder_->Offer(Envelope(Bytes(4, {&key_}, kNow + std::chrono::seconds(1)), {&key_}),
                             kNow, &reason),
              BundleHolder::Outcome::kRejected);
    EXPECT_EQ(reason, "version_reused");
  }
}

TEST_F(BundleAttacks, ARotationReachesTheEndpointThroughABundleTheOldKeySigned) {
  // Signed by both during the rotation: accepted on the old pin, and the
  // pins become the listed keys.
  ASSERT_EQ(holder_->Offer(Envelope(Bytes(1, {&other_, &key_}), {&other_, &key_}), kNow),
            BundleHolder::Outcome::kAccepted);
  // After the old key retired, the new one alone is enough.
  EXPECT_EQ(holder_->Offer(Envelope(Bytes(2, {&other_}), {&other_}), kNow),
            BundleHolder::Outcome::kAccepted);
  // And the retired key no longer is.
  std::string reason;
  EXPECT_EQ(holder_->Offer(Envelope(Bytes(3, {&key_}), {&key_}), kNow, &reason),
            BundleHolder::Outcome::kRejected);
  EXPECT_EQ(reason, "unknown_key");
}

TEST_F(BundleAttacks, TurningTheClockBackDoesNotExtendABundle) {
  const policy::Instant later = kNow + std::chrono::hours(10);
  EXPECT_EQ(store_->Now(later), later);
  EXPECT_EQ(store_->Now(kNow), later) << "the clock went back; time did not";
  // A bundle that expired by the high-water mark is refused even though the
  // wall clock says it is still valid.
  std::string reason;
  EXPECT_EQ(holder_->Offer(Envelope(Bytes(1, {&key_}, kNow, kNow + std::chrono::hours(5)), {&key_}),
                           store_->Now(kNow), &reason),
            BundleHolder::Outcome::kRejected);
  EXPECT_EQ(reason, "expired");
  // The mark survives a restart.
  store_.reset();
  std::string error;
  holder_.reset();
  store_ = Store::Open(dir_, false, &error);
  EXPECT_EQ(store_->Now(kNow), later);
}

}  // namespace
}  // namespace custodian::enforcer
