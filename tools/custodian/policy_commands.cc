#include "policy_commands.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "common/files.h"
#include "online.h"
#include "policy/codec.h"
#include "policy/engine.h"
#include "policy/system_time_zones.h"

namespace custodian::cli {
namespace {

namespace p = custodian::policy;

std::optional<std::string> ReadOrReport(const std::string& path, std::ostream& err) {
  std::optional<std::string> text = custodian::ReadFile(path);
  if (!text) err << path << ": cannot be read\n";
  return text;
}

void PrintErrors(const std::string& file, const std::vector<p::FieldError>& errors,
                 std::ostream& out) {
  for (const p::FieldError& e : errors) {
    out << file << ": " << (e.pointer.empty() ? "(document)" : e.pointer) << ": " << e.message
        << "\n";
  }
}

}  // namespace

int RunLint(const LintOptions& o, std::ostream& out, std::ostream& err) {
  std::optional<std::string> text = ReadOrReport(o.file, err);
  if (!text) return kExitBadInput;
  p::Parsed<p::Policy> parsed = p::ParsePolicy(*text, p::SystemTimeZones::Get());
  if (o.json) {
    web::json::value errors = web::json::value::array();
    for (std::size_t i = 0; i < parsed.errors.size(); ++i) {
      web::json::value e = web::json::value::object(true);
      e["pointer"] = web::json::value::string(parsed.errors[i].pointer);
      e["message"] = web::json::value::string(parsed.errors[i].message);
      errors[i] = e;
    }
    web::json::value result = web::json::value::object(true);
    result["valid"] = web::json::value::boolean(parsed.ok());
    result["errors"] = errors;
    out << result.serialize() << "\n";
  } else if (parsed.ok()) {
    out << o.file << ": valid (" << parsed.value->groups.size() << " groups, "
        << parsed.value->technicians.size() << " technicians)\n";
  } else {
    PrintErrors(o.file, parsed.errors, out);
  }
  return parsed.ok() ? kExitOk : kExitBadInput;
}

int RunExplain(const ExplainOptions& o, std::ostream& out, std::ostream& err) {
  p::Instant now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  if (o.now) {
    std::optional<p::Instant> parsed = p::ParseRfc3339(*o.now);
    if (!parsed) {
      err << "--now: \"" << *o.now << "\" is not an RFC 3339 instant (2026-03-29T01:30:00Z)\n";
      return kExitBadInput;
    }
    now = *parsed;
  }
  std::optional<std::string> policy_text = ReadOrReport(o.policy_file, err);
  std::optional<std::string> request_text = ReadOrReport(o.request_file, err);
  if (!policy_text || !request_text) return kExitBadInput;
  const p::TimeZones& zones = p::SystemTimeZones::Get();
  p::Parsed<p::Policy> policy = p::ParsePolicy(*policy_text, zones);
  p::Parsed<p::Request> request = p::ParseRequest(*request_text);
  PrintErrors(o.policy_file, policy.errors, err);
  PrintErrors(o.request_file, request.errors, err);
  if (!policy.ok() || !request.ok()) return kExitBadInput;
  const p::CompiledPolicy compiled = p::CompiledPolicy::Compile(*policy.value, zones);
  const p::Decision decision = p::Decide(compiled, *request.value, now);
  out << p::SerializeDecision(decision) << "\n";
  return decision.effect == p::Effect::kAllow ? kExitOk : kExitDeny;
}

void AddPolicyCommands(CLI::App& app, int* exit_code) {
  CLI::App* policy = app.add_subcommand(
      "policy", "Policy documents: offline checks, and the admin center's current policy");
  policy->require_subcommand(1);

  auto lint = std::make_shared<LintOptions>();
  CLI::App* lint_cmd = policy->add_subcommand(
      "lint", "Validate a policy document; exit 0 when valid, 2 with every error listed");
  lint_cmd->add_option("file", lint->file, "Policy document (JSON)")->required();
  lint_cmd->add_flag("--json", lint->json, "Print the result as JSON");
  lint_cmd->callback([lint, exit_code] { *exit_code = RunLint(*lint, std::cout, std::cerr); });

  auto explain = std::make_shared<ExplainOptions>();
  CLI::App* explain_cmd = policy->add_subcommand(
      "explain",
      "Decide a request on a policy and print the decision as JSON; exit 0 allow, 1 deny, "
      "2 bad input");
  explain_cmd->add_option("--policy", explain->policy_file, "Policy document (JSON)")->required();
  explain_cmd->add_option("--request", explain->request_file, "Request to decide (JSON)")
      ->required();
  explain_cmd->add_option("--now", explain->now, "Decide at this RFC 3339 instant (default: now)");
  explain_cmd->callback(
      [explain, exit_code] { *exit_code = RunExplain(*explain, std::cout, std::cerr); });

  // Online: the admin center's current policy (private: the whole tree).
  AddSaveCommand(
      policy->add_subcommand(
          "show", "The admin center's current policy document (master admins, auditors)"),
      "/v1/policy/document", 0600,
      [](const web::json::value&) { return std::string("the policy document"); }, exit_code);

  struct DecideOptions {
    ConnectionOptions connection;
    std::string request_file;
    std::optional<std::string> now;
  };
  auto decide = std::make_shared<DecideOptions>();
  CLI::App* decide_cmd = policy->add_subcommand(
      "decide",
      "What-if: decide a request on the admin center's current policy; exit 0 allow, 1 deny");
  decide_cmd->add_option("--request", decide->request_file, "Request to decide (JSON)")
      ->required()
      ->check(CLI::ExistingFile);
  decide_cmd->add_option("--now", decide->now, "Decide at this RFC 3339 instant (default: now)");
  AddConnectionOptions(decide_cmd, decide->connection);
  decide_cmd->callback([decide, exit_code] {
    std::error_code ec;
    const web::json::value request =
        web::json::value::parse(ReadFile(decide->request_file).value_or(""), ec);
    if (ec) {
      std::cerr << decide->request_file << ": not JSON\n";
      *exit_code = kExitBadInput;
      return;
    }
    const auto c = Resolve(decide->connection, std::cerr);
    if (!c) {
      *exit_code = kExitBadInput;
      return;
    }
    const std::string query =
        decide->now ? "?now=" + web::uri::encode_data_string(*decide->now) : std::string();
    const Answer a = Call(*c, "POST", "/v1/decisions" + query, request);
    if (a.status != 200) {
      *exit_code = ReportFailure(a, std::cerr);
      return;
    }
    // As explain prints it; the effect is the exit code.
    std::cout << a.text << (a.text.ends_with("\n") ? "" : "\n");
    const bool allowed = a.body.is_object() && a.body.has_field("effect") &&
                         a.body.at("effect").is_string() &&
                         a.body.at("effect").as_string() == "allow";
    *exit_code = allowed ? kExitOk : kExitDeny;
  });
}

}  // namespace custodian::cli
