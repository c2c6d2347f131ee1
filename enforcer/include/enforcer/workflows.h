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
// Thread-safe: one mutex serialises the operations (commands, the local
// API and the timer), which are few and short; it is let go while an OS
// action or the administrator-credential check runs.
#pragma once

#include <cpprest/json.h>

#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "enforcer/bundle.h"
#include "enforcer/os.h"
#include "enforcer/secret_form.h"
#include "enforcer/store.h"
#include "enforcer/vault.h"
#include "policy/codec.h"

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

enum class Language { kEnglish, kGerman };

// What a local API route answers: a JSON body, or a problem (status >= 400).
struct Reply {
  unsigned status = 200;
  web::json::value body;
};
Reply ProblemReply(unsigned status, const std::string& title, const std::string& detail,
                   const std::vector<policy::FieldError>& errors = {});

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

  // A command from the admin center (session.*, unattended.*, grant.revoke,
  // credentials.*). False for a type it does not know.
  bool OnCommand(const std::string& type, const web::json::value& body);

  // The local API: the customer's prompts and answers, revocations, and the
  // administrator credentials of an at_connection connect.
  web::json::value Prompts(Language language);
  Reply Answer(const std::string& prompt_id, bool approve, SecretForm& body, Language language);
  Reply RevokeGrant(const std::string& grant_id);
  Reply RevokeCredentials(const std::string& session_id, Language language);
  Reply PresentAdminCredentials(const std::string& connection_id, SecretForm& body);
  // Sessions, grants and connections as the endpoint holds them (no secrets).
  web::json::value Overview();

  // Does what is due now (expiries, warnings, ends) and returns when to
  // look again. The timer thread calls it; tests call it directly.
  std::optional<policy::Instant> Sweep();

 private:
  struct SessionSecret {
    std::string request_id;
    std::string sealed;
  };
  policy::Instant Now();
  void TimerLoop();
  void Emit();

  // Commands, with mutex_ held by `lock`; those that run an OS action let
  // go of it meanwhile (RunUnlocked).
  using Lock = std::unique_lock<std::mutex>;
  void OpenSession(const web::json::value& body, policy::Instant now, Lock& lock);
  void UpdateSession(const web::json::value& body, policy::Instant now, Lock& lock);
  void EndSession(const web::json::value& body, policy::Instant now, Lock& lock);
  void ReceiveUnattendedRequest(const web::json::value& body, policy::Instant now, Lock& lock);
  void Connect(const web::json::value& body, policy::Instant now, Lock& lock);
  void ReceiveCredentialRequest(const web::json::value& body, policy::Instant now, Lock& lock);
  void ApplyCredentials(const web::json::value& body, policy::Instant now, Lock& lock);
  bool RunUnlocked(Lock& lock, const std::string& operation, const std::string& user,
                   const std::string& domain, const SecretBytes& secret, std::string* failure);
  void EndGrant(const std::string& grant_id, const std::string& state, const std::string& by,
                policy::Instant now);

  Reply AnswerUnattended(const web::json::value& row, bool approve, SecretForm& body,
                         policy::Instant now);
  Reply AnswerCredentials(const web::json::value& row, bool approve, SecretForm& body,
                          Language language, policy::Instant now);

  // A decision request for `action` in session `session_id`, with the
  // session and endpoint facts this endpoint holds.
  web::json::value DecisionRequest(const std::string& action, const std::string& technician_id,
                                   const std::string& session_id);
  // A stored unattended request decided now, as approving it would be.
  policy::Decision UnattendedDecision(const web::json::value& row, policy::Instant now);
  policy::Decision DecideJson(const web::json::value& request, policy::Instant now,
                              std::vector<policy::FieldError>* errors);

  Store& store_;
  BundleHolder& bundles_;
  const policy::TimeZones& zones_;
  WallClock wall_;
  Vault machine_vault_;
  Vault session_vault_;
  AdminVerifier& verifier_;
  OsActions& os_;
  std::function<void()> events_appended_;

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
