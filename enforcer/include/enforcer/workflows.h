// Access workflows on the endpoint (DESIGN.md §6, R1–R15): where they are
// settled. Commands from the admin center open and end support sessions,
// carry unattended-access requests, connects, revocations and credential
// requests; the enforcer decides each again with its own signed bundle (its
// deny wins and is reported), asks the customer through the local API,
// keeps grants and their timers, and holds the credential vault. Every step
// is an event of the endpoint's chain, with the decision's reasons; the
// admin center follows the state from those events.
//
// Secrets:
// - Session credentials (R9–R12) are sealed with a key that lives only in
//   this process, bound to endpoint and session; they are wiped at session
//   end, on the customer's revoke and, since the key dies with the process,
//   by any restart.
// - at_setup credentials (R7) are sealed with the machine key and bound to
//   endpoint and grant ("grant:" + id); erased when the grant ends.
// - Plaintext exists only in locked memory (SecretBytes), handed to the OS
//   action or the verifier on a pipe. No event, log line or reply carries it.
//
// States and events are policy/workflow.h's: each step loads a row, asks
// policy::workflow::Apply for the transition and writes it back as a
// compare-and-set (workflow_rows.h). No JSON here: commands arrive decoded
// (policy/commands.h), answers leave typed for the local API to encode.
//
// Thread-safe: one mutex serialises the operations (commands, the local
// API and the timer), which are few and short; it is let go while an OS
// action or the administrator-credential check runs.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "enforcer/bundle.h"
#include "enforcer/customer_texts.h"
#include "enforcer/os.h"
#include "enforcer/secret_form.h"
#include "enforcer/storage/store.h"
#include "enforcer/storage/workflow_rows.h"
#include "enforcer/vault.h"
#include "policy/commands.h"

namespace custodian::enforcer {

using WallClock = std::function<policy::Instant()>;

struct WorkflowOptions {
  std::string endpoint_id;
  std::string os = "linux";       // as enrolled
  std::string time_zone = "UTC";  // as enrolled
  // R14: what the credential prompt pre-fills.
  std::string windows_user;
  std::string windows_domain;
  // The warning before an unattended session is ended.
  int warning_minutes = 5;
};

// One prompt waiting for the customer's answer.
struct Prompt {
  enum class Kind { kUnattendedAccess, kWindowsCredentials };
  Kind kind = Kind::kUnattendedAccess;
  std::string id;
  std::string session_id;
  std::string technician_id;
  std::string technician_name;
  std::string message;  // in the customer's language
  // kUnattendedAccess: what was asked, and what approving creates now (the
  // decision as the answer will make it; unset if the policy now refuses).
  policy::AuthMode credential_mode = policy::AuthMode::kAtConnection;
  policy::Schedule schedule;
  std::optional<policy::EffectiveSchedule> effective_schedule;
  policy::Instant expires_at;
  // kWindowsCredentials, and kUnattendedAccess at_setup (R14): filled in
  // for the customer.
  std::string prefill_user_name;
  std::string prefill_domain;
};

// What an answer, a revocation or presented credentials settled.
struct Settled {
  State state = State::kPending;
  std::string notice;             // R15 or R12, when there is one
  std::optional<GrantRow> grant;  // approving unattended access: the new grant
};

// Sessions, grants and connections as the endpoint holds them (no secrets).
struct Overview {
  std::vector<SessionRow> sessions;
  std::vector<GrantRow> grants;
  std::vector<ConnectionRow> connections;
  // The sessions whose Windows credentials the customer stored (R9–R12).
  std::vector<std::string> credential_sessions;
};

class Workflows {
 public:
  Workflows(Store& store, BundleHolder& bundles, const policy::TimeZones& zones, WallClock wall,
            Vault machine_vault, AdminVerifier& verifier, OsActions& os, WorkflowOptions options,
            std::function<void()> events_appended);
  ~Workflows();
  Workflows(const Workflows&) = delete;
  Workflows& operator=(const Workflows&) = delete;

  // Records the wipe of session credentials a previous run held, then
  // starts the timer thread.
  void Start();
  void Stop();
  // Look at the timers again now (the clock may have moved).
  void Wake();
  void SetOptions(const WorkflowOptions& options);
  // Called with a prompt's id when one arrives for the customer (an
  // unattended request or a credential request the policy allows), with
  // the workflows' lock held: `f` must not call back, only hand it on.
  void SetPromptObserver(std::function<void(const std::string& prompt_id)> f);

  // A command from the admin center, as policy::ParseCommand decoded it.
  // False when it is no command (an unknown type). A command whose body is
  // wrong is recorded: a request it names is refused with what was wrong,
  // anything else as `command.invalid`.
  bool OnCommand(const policy::DecodedCommand& command);

  // The local API: the customer's prompts and answers, revocations, and the
  // administrator credentials of an at_connection connect.
  std::vector<Prompt> Prompts(Language language);
  Result<Settled> Answer(const std::string& prompt_id, bool approve, SecretForm& body,
                         Language language);
  Result<Settled> RevokeGrant(const std::string& grant_id);
  Result<Settled> RevokeCredentials(const std::string& session_id, Language language);
  Result<Settled> PresentAdminCredentials(const std::string& connection_id, SecretForm& body);
  Overview GetOverview();

  // Does what is due now (expiries, warnings, ends) and returns when to
  // look again. The timer thread calls it; tests call it directly.
  std::optional<policy::Instant> Sweep();

 private:
  struct SessionSecret {
    std::string request_id;
    std::string sealed;
  };
  using Lock = std::unique_lock<std::mutex>;

  policy::Instant Now();
  void TimerLoop();
  void Emit();
  void RecordInvalid(const policy::DecodedCommand& command, policy::Instant now);

  // Commands (commands.cc), with mutex_ held by `lock`; those that run an
  // OS action let go of it meanwhile (RunUnlocked).
  void OpenSession(const policy::Command& c, policy::Instant now);
  void UpdateSession(const policy::Command& c, policy::Instant now);
  void EndSession(const policy::Command& c, policy::Instant now);
  void ReceiveUnattendedRequest(const policy::Command& c,
                                const std::vector<policy::FieldError>& errors, policy::Instant now);
  void Connect(const policy::Command& c, policy::Instant now, Lock& lock);
  void ReceiveCredentialRequest(const policy::Command& c,
                                const std::vector<policy::FieldError>& errors, policy::Instant now);
  void ApplyCredentials(const policy::Command& c, policy::Instant now, Lock& lock);
  // `operation`: OsActions' (logon, restart, unlock).
  bool RunUnlocked(Lock& lock, const std::string& operation, const std::string& user,
                   const std::string& domain, const SecretBytes& secret, std::string* failure);
  // Ends grant `grant_id` by `event` (revoked or expired) and its open
  // connections, in one transaction.
  void EndGrant(const std::string& grant_id, policy::workflow::Event event, const std::string& by,
                policy::Instant now);

  // The customer's answers (customer.cc).
  Result<Settled> AnswerUnattended(const RequestRow& row, bool approve, SecretForm& body,
                                   policy::Instant now);
  Result<Settled> AnswerCredentials(const CredentialRequestRow& row, bool approve, SecretForm& body,
                                    Language language, policy::Instant now);

  // Decisions with the bundle in force and the facts this endpoint holds
  // (a session it never saw opened is no active session).
  policy::Request DecisionRequest(policy::Action action, const std::string& technician_id,
                                  const std::string& session_id);
  // A stored unattended request decided now, as approving it would be.
  policy::Decision UnattendedDecision(const RequestRow& row, policy::Instant now);

  Store& store_;
  BundleHolder& bundles_;
  const policy::TimeZones& zones_;
  WallClock wall_;
  Vault machine_vault_;
  Vault session_vault_;
  AdminVerifier& verifier_;
  OsActions& os_;
  std::function<void()> events_appended_;
  std::function<void(const std::string&)> prompted_;

  std::mutex mutex_;
  WorkflowOptions options_;
  std::map<std::string, SessionSecret> secrets_;  // by session id

  std::mutex timer_mutex_;
  std::condition_variable timer_wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread timer_;
};

}  // namespace custodian::enforcer
