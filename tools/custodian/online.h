// The online commands' plumbing: where the admin center is and who we are,
// one HTTP exchange, and how answers and problems are printed.
//
// Connection: --url and --token-file, then CUSTODIAN_URL and
// CUSTODIAN_TOKEN, then the config file ($CUSTODIAN_CONFIG or
// ~/.config/custodian/config.json: {"url": …, "token_file": …, "ca_file": …,
// "pin_sha256": …}; relative paths beside the file, "~/" is home, an
// unknown key is an error). A token is never taken from the command line
// itself.
// Plain http:// only to loopback unless --allow-insecure-http.
//
// Exit codes: 0 done; 1 refused by the admin center (401, 403, 404, 409,
// or a deny); 2 bad input (usage, or a 400 with its pointers); 3 the admin
// center could not be reached or failed (5xx).
#pragma once

#include <cpprest/json.h>

#include <CLI/CLI.hpp>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/http_client.h"

namespace custodian::cli {

inline constexpr int kExitRefused = 1;
inline constexpr int kExitUnavailable = 3;

struct ConnectionOptions {
  std::optional<std::string> url;
  std::optional<std::string> token_file;
  std::optional<std::string> ca_file;
  std::optional<std::string> pin_sha256;
  bool allow_insecure_http = false;
  bool json = false;        // --json, or --output json
  std::string output;       // --output: table (default), json or wide
  bool no_headers = false;  // --no-headers: tables without their header line
};

struct Connection {
  std::string url;  // as given: one URL, or replicas separated by commas
  std::optional<http::Failover> urls;
  std::string token;
  http::ClientTls tls;  // CA file, pinned certificate, plain HTTP only to loopback
};

// The config file, and the profiles `login` keeps beside it
// (profiles/NAME.json, with its token in profiles/NAME.token, both 0600);
// config.json's "profile" names the current one.
std::string ConfigPath();
std::string ProfilePath(const std::string& name);
inline const std::vector<std::string_view> kConfigKeys = {"url", "token_file", "ca_file",
                                                          "pin_sha256", "profile"};
inline const std::vector<std::string_view> kProfileKeys = {"url",       "token_file", "token_id",
                                                           "principal", "ca_file",    "pin_sha256"};
// A JSON object of string values under `keys` only (every other is an
// error with its pointer, on `err`); token_file and ca_file read beside
// the file ("~/" is home). An absent file is {} unless `required`.
std::optional<web::json::value> ReadSettingsFile(const std::string& path,
                                                 const std::vector<std::string_view>& keys,
                                                 bool required, std::ostream& err);

// Adds --url, --token-file and --json to `cmd`.
void AddConnectionOptions(CLI::App* cmd, ConnectionOptions& options);
// Resolves the connection; on failure says why on `err` and returns nullopt.
std::optional<Connection> Resolve(const ConnectionOptions& options, std::ostream& err);

struct Answer {
  unsigned status = 0;  // 0: no answer (the reason is in `error`)
  web::json::value body;
  std::string text;
  std::string error;
  std::string etag;  // the ETag header, if any: If-Match for a later write
};
// Extra request headers (If-Match).
using Headers = std::map<std::string, std::string>;
Answer Call(const Connection& c, const std::string& method, const std::string& path,
            const std::optional<web::json::value>& body = std::nullopt,
            const Headers& headers = {});

// A command that fetches one JSON document (a checkpoint, the policy):
// adds -o/--output to `cmd`; when run, GETs `path` and prints the JSON,
// or writes it atomically to the file with `mode` and prints
// `saved(answer)`. The exit code goes to `*exit_code`.
void AddSaveCommand(CLI::App* cmd, const std::string& path, unsigned mode,
                    std::function<std::string(const web::json::value&)> saved, int* exit_code);

// The If-Match header for a write over what `read` answered (none when
// it carried no ETag).
Headers IfMatch(const Answer& read);

// Prints a problem (title, detail, pointers, reasons) and maps the status
// to an exit code.
int ReportFailure(const Answer& a, std::ostream& err);

// One call: resolves the connection, sends, and on success prints the
// answer as JSON (--json) or through `then`; on failure the problem.
// Returns the exit code.
int Run(const ConnectionOptions& o, const std::string& method, const std::string& path,
        const std::optional<web::json::value>& body,
        const std::function<void(const web::json::value&)>& then, const Headers& headers = {});

// A table's column; `wide` ones show only with --output wide.
struct Column {
  Column(const char* n) : name(n) {}  // NOLINT: a plain name is a column
  Column(std::string n, bool w) : name(std::move(n)), wide(w) {}
  std::string name;
  bool wide = false;
};
// A table: a header and rows of cells (one per column), columns padded to
// the cells' display width (UTF-8, wide characters count two), as the
// command being run asked (--output wide, --no-headers: Run() passes that
// on).
void PrintTable(std::ostream& out, const std::vector<Column>& header,
                const std::vector<std::vector<std::string>>& rows);
// The columns a terminal gives `utf8` (wcwidth; needs a UTF-8 LC_CTYPE,
// which main sets).
std::size_t DisplayWidth(std::string_view utf8);
// A JSON value as a cell: strings bare, null as "-", others as JSON.
std::string Cell(const web::json::value& v);

}  // namespace custodian::cli
