#include "audit_commands.h"

#include <cpprest/containerstream.h>
#include <cpprest/http_client.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

#include "common/audit_chain.h"
#include "common/crypto.h"
#include "common/files.h"
#include "common/text.h"
#include "online.h"
#include "policy_commands.h"

namespace custodian::cli {
namespace {

struct VerifyOptions {
  std::string file;
  std::vector<std::string> public_keys;  // base64 raw Ed25519, each a trusted key
  std::vector<std::string> checkpoints;  // files, each a signed checkpoint
};

int RunVerify(const VerifyOptions& o) {
  std::vector<std::string> pinned;
  for (const std::string& k : o.public_keys) {
    const auto raw = crypto::FromBase64(k);
    if (!raw || raw->size() != 32) {
      std::cerr << "--public-key: not a base64 Ed25519 public key\n";
      return kExitBadInput;
    }
    pinned.push_back(*raw);
  }
  std::vector<web::json::value> held;
  for (const std::string& file : o.checkpoints) {
    const std::optional<std::string> text = ReadFile(file);
    std::error_code ec;
    web::json::value c = text ? web::json::value::parse(*text, ec) : web::json::value();
    if (!text || ec || !c.is_object()) {
      std::cerr << file << ": " << (text ? "not a JSON checkpoint" : "cannot be read") << "\n";
      return kExitBadInput;
    }
    held.push_back(std::move(c));
  }
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    std::cerr << o.file << ": cannot be read\n";
    return kExitBadInput;
  }
  const audit::VerifyReport r = audit::VerifyJsonl(in, pinned, held);
  if (r.not_an_export) {
    std::cerr << o.file << ": not a JSON Lines audit export (custodian audit export, or "
              << "GET /v1/audit/events?format=jsonl): " << r.problems.front() << "\n";
    return kExitBadInput;
  }
  for (const std::string& p : r.problems) std::cout << o.file << ": " << p << "\n";
  for (const std::string& n : r.notes) std::cout << o.file << ": note: " << n << "\n";
  if (!r.ok) {
    std::cout << o.file << ": NOT intact (" << r.problems.size() << " problem"
              << (r.problems.size() == 1 ? "" : "s") << ")\n";
    return kExitDeny;
  }
  std::cout << o.file << ": intact: " << r.events << " events";
  if (r.events) std::cout << " (" << r.first_seq << " to " << r.last_seq << ")";
  std::cout << ", " << (r.complete ? "the whole chain" : "a filtered export") << ", signed by key "
            << r.key_id << (r.key_pinned ? " (pinned)" : " (not pinned)");
  if (r.checkpoints_checked > 0) {
    std::cout << ", consistent with " << r.checkpoints_checked << " held checkpoint(s)";
  }
  if (r.checkpoints_checked < held.size()) {
    std::cout << "; " << held.size() - r.checkpoints_checked
              << " held checkpoint(s) cannot be checked against this filtered export";
  }
  std::cout << "\n";
  return kExitOk;
}

struct ExportOptions {
  ConnectionOptions connection;
  std::string format = "jsonl";
  std::map<std::string, std::string> filters;  // query parameter -> value
  std::optional<std::string> output;
};

// --since/--until as the RFC 3339 instant the admin center takes: an
// instant as given (it checks it); a date (YYYY-MM-DD) as its midnight in
// the local zone (TZ); a span back from `now` ("90m", "24h", "7d", "2w").
// nullopt for anything else.
std::optional<std::string> QueryInstant(const std::string& text, std::time_t now) {
  const bool dated = text.size() >= 10 && text[4] == '-' && text[7] == '-';
  if (dated && text.size() > 10 && (text[10] == 'T' || text[10] == 't')) return text;
  std::time_t at = 0;
  if (dated && text.size() == 10) {
    const auto y = text::ParseDecimal(text.substr(0, 4));
    const auto m = text::ParseDecimal(text.substr(5, 2), 12);
    const auto d = text::ParseDecimal(text.substr(8, 2), 31);
    if (!y || !m || !d || *m == 0 || *d == 0) return std::nullopt;
    std::tm local{};
    local.tm_year = static_cast<int>(*y) - 1900;
    local.tm_mon = static_cast<int>(*m) - 1;
    local.tm_mday = static_cast<int>(*d);
    local.tm_isdst = -1;
    at = std::mktime(&local);
    if (at == -1 || local.tm_mday != static_cast<int>(*d)) return std::nullopt;  // 02-30
  } else {
    static const std::map<char, int64_t> kUnit = {
        {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
    const auto unit = text.empty() ? kUnit.end() : kUnit.find(text.back());
    const auto n = unit == kUnit.end()
                       ? std::nullopt
                       : text::ParseDecimal(text.substr(0, text.size() - 1), 100LL * 365 * 86400);
    if (!n) return std::nullopt;
    at = now - static_cast<std::time_t>(*n * unit->second);
  }
  std::tm utc{};
  char out[32];
  if (!gmtime_r(&at, &utc) || std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0) {
    return std::nullopt;
  }
  return std::string(out);
}

// Makes the finished file `from` durable and moves it to `to`.
bool SyncAndRename(const std::string& from, const std::string& to, std::string* error) {
  const int fd = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!synced || std::rename(from.c_str(), to.c_str()) != 0) {
    *error = std::string(": ") + std::strerror(errno);
    return false;
  }
  return true;
}

// Streams GET /v1/audit/events to a file or stdout in constant memory,
// with a running count on stderr when stderr is a terminal.
int RunExport(const ExportOptions& o) {
  const auto c = Resolve(o.connection, std::cerr);
  if (!c) return kExitBadInput;
  std::string query = "/v1/audit/events?format=" + web::uri::encode_data_string(o.format);
  for (const auto& [k, v] : o.filters) query += "&" + k + "=" + web::uri::encode_data_string(v);
  // Into a temporary file beside -o's, renamed over it only when the whole
  // export arrived: a refusal or a broken connection leaves the last
  // export as it was.
  std::ofstream file;
  const std::string partial =
      o.output ? *o.output + ".partial-" + std::to_string(::getpid()) : std::string();
  struct Discard {
    const std::string& path;
    bool keep = false;
    ~Discard() {
      if (!path.empty() && !keep) std::remove(path.c_str());
    }
  } discard{partial};
  if (o.output) {
    file.open(partial, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << *o.output << ": cannot be written\n";
      return kExitBadInput;
    }
  }
  std::ostream& out = o.output ? static_cast<std::ostream&>(file) : std::cout;
  const bool progress = ::isatty(STDERR_FILENO) != 0;
  try {
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::seconds(300));
    http::ApplyClientTls(c->tls, config);
    web::http::client::http_client client(c->urls->Current(), config);
    web::http::http_request req(web::http::methods::GET);
    req.set_request_uri(query);
    req.headers().add("Authorization", "Bearer " + c->token);
    web::http::http_response resp = client.request(req).get();
    if (resp.status_code() != web::http::status_codes::OK) {
      Answer a;
      a.status = resp.status_code();
      a.text = resp.extract_string(true).get();
      std::error_code ec;
      a.body = web::json::value::parse(a.text, ec);
      return ReportFailure(a, std::cerr);
    }
    auto body = resp.body();
    std::size_t bytes = 0, lines = 0;
    for (;;) {
      concurrency::streams::container_buffer<std::string> chunk;  // at most 64 KiB
      const std::size_t n = body.read(chunk, 64 * 1024).get();
      if (n == 0) break;
      // The buffer's string may be longer than what was read into it.
      const std::string_view piece(chunk.collection().data(), n);
      out.write(piece.data(), static_cast<std::streamsize>(n));
      bytes += n;
      lines += static_cast<std::size_t>(std::count(piece.begin(), piece.end(), '\n'));
      if (progress)
        std::cerr << "\r" << lines << " lines, " << bytes / 1024 << " KiB" << std::flush;
    }
    if (progress) std::cerr << "\n";
    out.flush();
    if (o.output) file.close();
    std::string error;
    if (!out || (o.output && !SyncAndRename(partial, *o.output, &error))) {
      std::cerr << (o.output ? *o.output : "stdout") << ": write failed" << error << "\n";
      return kExitUnavailable;
    }
    discard.keep = true;
  } catch (const std::exception& e) {
    std::cerr << "the admin center cannot be reached: " << e.what() << "\n";
    return kExitUnavailable;
  }
  return kExitOk;
}

}  // namespace

void AddAuditCommands(CLI::App& app, int* exit_code) {
  CLI::App* audit = app.add_subcommand("audit", "Audit log exports");
  audit->require_subcommand(1);
  auto verify = std::make_shared<VerifyOptions>();
  CLI::App* cmd = audit->add_subcommand(
      "verify", "Verify a JSON Lines export offline; exit 0 intact, 1 tampered, 2 bad input");
  cmd->add_option("file", verify->file, "Export from GET /v1/audit/events?format=jsonl")
      ->required();
  cmd->add_option("--public-key", verify->public_keys,
                  "Require the trailer and held checkpoints to be signed by this key (base64, "
                  "from `keys list`); repeat it for every key you trust across rotations");
  cmd->add_option("--checkpoint", verify->checkpoints,
                  "A checkpoint saved earlier from GET /v1/audit/checkpoint; the export must "
                  "agree with it (repeatable)")
      ->check(CLI::ExistingFile);
  cmd->callback([verify, exit_code] { *exit_code = RunVerify(*verify); });

  // checkpoint: the signed head to keep outside the admin center, for
  // verify --checkpoint later.
  AddSaveCommand(
      audit->add_subcommand("checkpoint",
                            "The signed head of the audit chain, to keep for verify --checkpoint"),
      "/v1/audit/checkpoint", 0644,
      [](const web::json::value& v) { return "checkpoint at event " + Cell(v.at("seq")); },
      exit_code);

  auto exp = std::make_shared<ExportOptions>();
  auto filters = std::make_shared<std::map<std::string, std::optional<std::string>>>();
  CLI::App* export_cmd = audit->add_subcommand(
      "export", "Export the audit log (auditors, master admins), streamed to a file or stdout");
  export_cmd->add_option("--format", exp->format, "jsonl (default, verifiable), csv or cef")
      ->check(CLI::IsMember({"jsonl", "csv", "cef"}));
  for (const auto& [f, help] :
       {std::pair{"since",
                  "From this instant (inclusive): RFC 3339, a date (local midnight), or a span "
                  "back from now: 30m, 24h, 7d, 2w"},
        {"until", "Up to this instant (exclusive), written as for --since"},
        {"actor", "Only events of this actor id"},
        {"action", "Only events with this action"},
        {"target", "Only events with this target"}}) {
    export_cmd->add_option(std::string("--") + f, (*filters)[f], help);
  }
  export_cmd->add_option("-o,--output", exp->output, "Write to this file (default: stdout)");
  AddConnectionOptions(export_cmd, exp->connection);
  export_cmd->callback([exp, filters, exit_code] {
    const std::time_t now = std::time(nullptr);
    for (const auto& [k, v] : *filters) {
      if (!v) continue;
      std::optional<std::string> value = *v;
      if (k == "since" || k == "until") value = QueryInstant(*v, now);
      if (!value) {
        std::cerr << "--" << k << " " << text::ForTerminal(*v)
                  << ": must be an RFC 3339 instant (2026-12-01T08:00:00Z), a date "
                     "(2026-12-01) or a span back from now (30m, 24h, 7d, 2w)\n";
        *exit_code = kExitBadInput;
        return;
      }
      exp->filters[k] = *value;
    }
    *exit_code = RunExport(*exp);
  });
}

}  // namespace custodian::cli
