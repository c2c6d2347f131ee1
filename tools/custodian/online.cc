#include "online.h"

#include <cpprest/http_client.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <filesystem>
#include <iostream>

#include "common/files.h"
#include "common/text.h"
#include "policy_commands.h"

namespace custodian::cli {

using web::json::value;

void AddConnectionOptions(CLI::App* cmd, ConnectionOptions& o) {
  cmd->add_option("--url", o.url,
                  "Admin center URL, replicas separated by commas (or CUSTODIAN_URL, or the config "
                  "file)");
  cmd->add_option("--token-file", o.token_file,
                  "File holding the bearer token (or CUSTODIAN_TOKEN, or the config file)");
  cmd->add_option("--ca-file", o.ca_file,
                  "PEM CA certificates to trust for the admin center (or CUSTODIAN_CA_FILE)");
  cmd->add_option("--pin-sha256", o.pin_sha256,
                  "Accept exactly the admin center certificate with this SHA-256 fingerprint "
                  "(or CUSTODIAN_PIN_SHA256)");
  cmd->add_flag("--allow-insecure-http", o.allow_insecure_http,
                "Allow plain http:// to a host other than loopback (tokens travel in clear)");
  cmd->add_flag("--json", o.json, "Print JSON for scripts instead of a table");
  // Commands that write a file keep -o/--output for it.
  if (cmd->get_option_no_throw("--output") == nullptr) {
    cmd->add_option("--output", o.output, "table (default), json, or wide (more columns)")
        ->check(CLI::IsMember({"table", "json", "wide"}));
  }
  cmd->add_flag("--no-headers", o.no_headers, "Tables without their header line");
}

namespace {

// How PrintTable prints for the command being run (one per process): set
// by Run() from its options.
struct TableStyle {
  bool wide = false;
  bool headers = true;
};
TableStyle& CurrentTableStyle() {
  static TableStyle style;
  return style;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// `path` as written in a file in `folder`: "~/" is home, relative is
// beside the file.
std::string PathBeside(const std::filesystem::path& folder, const std::string& path) {
  if (path.starts_with("~/")) {
    const char* home = std::getenv("HOME");
    return std::string(home ? home : "") + path.substr(1);
  }
  const std::filesystem::path p(path);
  return p.is_absolute() ? path : (folder / p).string();
}

std::string Listed(const std::vector<std::string_view>& keys) {
  std::string out;
  for (std::string_view k : keys) out += (out.empty() ? "" : ", ") + std::string(k);
  return out;
}

}  // namespace

std::string ConfigPath() {
  if (const char* p = std::getenv("CUSTODIAN_CONFIG"); p && *p) return p;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.config/custodian/config.json";
}

std::string ProfilePath(const std::string& name) {
  return (std::filesystem::path(ConfigPath()).parent_path() / "profiles" / (name + ".json"))
      .string();
}

std::optional<value> ReadSettingsFile(const std::string& path,
                                      const std::vector<std::string_view>& keys, bool required,
                                      std::ostream& err) {
  const auto text = ReadFile(path);
  if (!text) {
    if (required) err << path << ": cannot be read\n";
    return required ? std::nullopt : std::optional(value::object());
  }
  std::error_code ec;
  value file = value::parse(*text, ec);
  if (ec || !file.is_object()) {
    err << path << ": not a JSON object\n";
    return std::nullopt;
  }
  bool ok = true;
  for (const auto& [k, v] : file.as_object()) {
    if (std::find(keys.begin(), keys.end(), k) == keys.end()) {
      err << path << ": " << text::JoinPointer("", k) << ": unknown key (known: " << Listed(keys)
          << "; a token itself is never kept here, only the file that holds it)\n";
      ok = false;
    } else if (!v.is_string()) {
      err << path << ": " << text::JoinPointer("", k) << ": must be a string\n";
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  for (const char* path_key : {"token_file", "ca_file"}) {
    if (file.has_field(path_key)) {
      file[path_key] = value::string(
          PathBeside(std::filesystem::path(path).parent_path(), file.at(path_key).as_string()));
    }
  }
  return file;
}

namespace {

// The config file, checked, with the current profile's settings under
// what it sets itself.
std::optional<value> ReadConfig(std::ostream& err) {
  std::optional<value> config = ReadSettingsFile(ConfigPath(), kConfigKeys, false, err);
  if (!config || !config->has_field("profile")) return config;
  const std::string name = config->at("profile").as_string();
  const std::optional<value> profile = ReadSettingsFile(ProfilePath(name), kProfileKeys, true, err);
  if (!profile) {
    err << "(the current profile is \"" << name << "\": custodian profile use NAME, or login)\n";
    return std::nullopt;
  }
  for (const auto& [k, v] : profile->as_object()) {
    if (!config->has_field(k)) (*config)[k] = v;
  }
  return config;
}

}  // namespace

std::optional<Connection> Resolve(const ConnectionOptions& o, std::ostream& err) {
  Connection c;
  std::optional<std::string> token_file = o.token_file;
  const std::optional<value> read = ReadConfig(err);
  if (!read) return std::nullopt;
  const value& config = *read;
  auto from_config = [&](const char* key) -> std::optional<std::string> {
    if (config.has_field(key)) return config.at(key).as_string();
    return std::nullopt;
  };
  if (o.url) {
    c.url = *o.url;
  } else if (const char* u = std::getenv("CUSTODIAN_URL"); u && *u) {
    c.url = u;
  } else if (auto u2 = from_config("url")) {
    c.url = *u2;
  }
  if (token_file) {
    const auto t = ReadFile(*token_file);
    if (!t) {
      err << *token_file << ": cannot be read\n";
      return std::nullopt;
    }
    c.token = Trim(*t);
  } else if (const char* t = std::getenv("CUSTODIAN_TOKEN"); t && *t) {
    c.token = t;
  } else if (auto f = from_config("token_file")) {
    const auto text = ReadFile(*f);
    if (!text) {
      err << *f << ": cannot be read (token_file in " << ConfigPath() << ")\n";
      return std::nullopt;
    }
    c.token = Trim(*text);
  }
  if (c.url.empty()) {
    err << "no admin center: give --url, CUSTODIAN_URL or \"url\" in " << ConfigPath() << "\n";
    return std::nullopt;
  }
  auto setting = [&](const std::optional<std::string>& flag, const char* env,
                     const char* key) -> std::optional<std::string> {
    if (flag) return flag;
    if (const char* v = std::getenv(env); v && *v) return std::string(v);
    return from_config(key);
  };
  c.tls.ca_file = setting(o.ca_file, "CUSTODIAN_CA_FILE", "ca_file");
  c.tls.pinned_sha256 = setting(o.pin_sha256, "CUSTODIAN_PIN_SHA256", "pin_sha256");
  c.tls.allow_insecure_http = o.allow_insecure_http;
  if (c.tls.pinned_sha256 && !http::ParsePin(*c.tls.pinned_sha256)) {
    err << "--pin-sha256: not a SHA-256 fingerprint (64 hex digits, colons allowed)\n";
    return std::nullopt;
  }
  std::string why;
  c.urls = http::Failover::Parse(c.url, c.tls, &why);
  if (!c.urls) {
    err << why << "\n";
    return std::nullopt;
  }
  return c;
}

namespace {

// One exchange with the admin center at `url`.
Answer CallOne(const Connection& c, const std::string& url, const std::string& method,
               const std::string& path, const std::optional<value>& body, const Headers& headers,
               bool* sent) {
  Answer a;
  *sent = true;
  try {
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::seconds(60));
    http::ApplyClientTls(c.tls, config);
    web::http::client::http_client client(url, config);
    web::http::http_request req(method);
    req.set_request_uri(path);
    if (!c.token.empty()) req.headers().add("Authorization", "Bearer " + c.token);
    for (const auto& [name, v] : headers) req.headers().add(name, v);
    if (body) req.set_body(*body);
    web::http::http_response resp = client.request(req).get();
    a.status = resp.status_code();
    if (auto it = resp.headers().find("ETag"); it != resp.headers().end()) a.etag = it->second;
    a.text = resp.extract_string(true).get();
    std::error_code ec;
    a.body = a.text.empty() ? value::null() : value::parse(a.text, ec);
    if (ec) a.body = value::null();
  } catch (const web::http::http_exception& e) {
    a.status = 0;
    a.error = url + ": " + e.what();
    // Not connected (cpprestsdk says "Failed to connect to any resolved
    // endpoint" with host_unreachable when every address refused): the
    // request never left, so another replica may take it whatever it was.
    *sent = e.error_code() != std::errc::connection_refused &&
            e.error_code() != std::errc::host_unreachable;
  } catch (const std::exception& e) {
    a.status = 0;
    a.error = url + ": " + e.what();
  }
  return a;
}

}  // namespace

Answer Call(const Connection& c, const std::string& method, const std::string& path,
            const std::optional<value>& body, const Headers& headers) {
  // The next replica, when this one did not take the request: unreachable
  // before it was sent, or answering 502/503. A request that may have
  // reached one (a read aside) is not sent twice.
  const std::size_t attempts = c.urls ? c.urls->urls().size() : 1;
  Answer a;
  for (std::size_t i = 0; i < attempts; ++i) {
    const std::string url = c.urls ? c.urls->Current() : c.url;
    bool sent = true;
    a = CallOne(c, url, method, path, body, headers, &sent);
    const bool unanswered = a.status == 0 && (!sent || method == web::http::methods::GET);
    if (!unanswered && !http::Failover::Retriable(a.status)) break;
    if (c.urls) c.urls->Failed(url);
  }
  return a;
}

int Run(const ConnectionOptions& o, const std::string& method, const std::string& path,
        const std::optional<value>& body, const std::function<void(const value&)>& then,
        const Headers& headers) {
  const auto c = Resolve(o, std::cerr);
  if (!c) return kExitBadInput;
  const Answer a = Call(*c, method, path, body, headers);
  if (a.status < 200 || a.status >= 300) return ReportFailure(a, std::cerr);
  CurrentTableStyle() = {o.output == "wide", !o.no_headers};
  if (o.json || o.output == "json") {
    std::cout << a.text << (a.text.empty() || a.text.back() == '\n' ? "" : "\n");
  } else {
    then(a.body);
  }
  return kExitOk;
}

void AddSaveCommand(CLI::App* cmd, const std::string& path, unsigned mode,
                    std::function<std::string(const value&)> saved, int* exit_code) {
  struct Options {
    ConnectionOptions connection;
    std::optional<std::string> output;
  };
  auto o = std::make_shared<Options>();
  char octal[8];
  std::snprintf(octal, sizeof octal, "%04o", mode);
  cmd->add_option("-o,--output", o->output,
                  "Write it to this file (mode " + std::string(octal) + "; default: stdout)");
  AddConnectionOptions(cmd, o->connection);
  cmd->callback([o, path, mode, saved, exit_code] {
    int write_failed = 0;
    *exit_code = Run(o->connection, "GET", path, std::nullopt, [&](const value& v) {
      const std::string text = v.serialize() + "\n";
      std::string error;
      if (!o->output) {
        std::cout << text;
      } else if (WriteFileAtomically(*o->output, text, mode, &error)) {
        std::cout << saved(v) << " written to " << *o->output << "\n";
      } else {
        std::cerr << *o->output << ": " << error << "\n";
        write_failed = kExitUnavailable;
      }
    });
    if (write_failed) *exit_code = write_failed;
  });
}

Headers IfMatch(const Answer& read) {
  if (read.etag.empty()) return {};
  return {{"If-Match", read.etag}};
}

int ReportFailure(const Answer& a, std::ostream& err) {
  if (a.status == 0) {
    err << "the admin center cannot be reached: " << a.error << "\n";
    return kExitUnavailable;
  }
  const value& p = a.body;
  auto field = [&](const char* k) {
    return p.is_object() && p.has_field(k) && p.at(k).is_string() ? p.at(k).as_string()
                                                                  : std::string();
  };
  err << "error " << a.status;
  if (!field("title").empty()) err << ": " << text::ForTerminal(field("title"));
  if (!field("detail").empty()) err << " — " << text::ForTerminal(field("detail"));
  err << "\n";
  if (p.is_object() && p.has_field("errors") && p.at("errors").is_array()) {
    for (const value& e : p.at("errors").as_array()) {
      err << "  " << text::ForTerminal(Cell(e.at("pointer"))) << ": "
          << text::ForTerminal(Cell(e.at("message"))) << "\n";
    }
  }
  if (p.is_object() && p.has_field("reasons") && p.at("reasons").is_array()) {
    for (const value& r : p.at("reasons").as_array()) {
      err << "  " << text::ForTerminal(Cell(r.at("rule"))) << " "
          << text::ForTerminal(Cell(r.at("code"))) << ": "
          << text::ForTerminal(Cell(r.at("message"))) << "\n";
    }
  }
  if (a.status == 412) {
    err << "  someone else changed it after this command read it; run the command again to "
           "apply the change to what is there now\n";
  }
  if (a.status == 400 || a.status == 413 || a.status == 415) return kExitBadInput;
  if (a.status >= 500) return kExitUnavailable;
  return kExitRefused;
}

std::string Cell(const value& v) {
  if (v.is_null()) return "-";
  if (v.is_string()) return v.as_string();
  return v.serialize();
}

std::size_t DisplayWidth(std::string_view utf8) {
  std::mbstate_t state{};
  std::size_t width = 0;
  const char* p = utf8.data();
  std::size_t left = utf8.size();
  while (left > 0) {
    wchar_t wc = 0;
    const std::size_t n = std::mbrtowc(&wc, p, left, &state);
    if (n == 0 || n > left) {  // a NUL, or not UTF-8 here: a byte, a column
      state = {};
      ++width;
      ++p;
      --left;
      continue;
    }
    const int w = ::wcwidth(wc);
    width += w < 0 ? 1 : static_cast<std::size_t>(w);
    p += n;
    left -= n;
  }
  return width;
}

void PrintTable(std::ostream& out, const std::vector<Column>& header,
                const std::vector<std::vector<std::string>>& rows) {
  const TableStyle& style = CurrentTableStyle();
  std::vector<std::size_t> shown;  // the columns printed
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (!header[i].wide || style.wide) shown.push_back(i);
  }
  // Untrusted text (names come from other people) is shown, not obeyed.
  std::vector<std::vector<std::string>> lines;
  if (style.headers) {
    lines.emplace_back();
    for (std::size_t i : shown) lines.back().push_back(header[i].name);
  }
  for (const auto& row : rows) {
    lines.emplace_back();
    for (std::size_t i : shown)
      lines.back().push_back(i < row.size() ? text::ForTerminal(row[i]) : "");
  }
  std::vector<std::size_t> width(shown.size());
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i)
      width[i] = std::max(width[i], DisplayWidth(line[i]));
  }
  for (const auto& line : lines) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      out << line[i];
      if (i + 1 < line.size()) out << std::string(width[i] - DisplayWidth(line[i]) + 2, ' ');
    }
    out << "\n";
  }
}

}  // namespace custodian::cli
