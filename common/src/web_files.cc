#include "common/web_files.h"

#include "common/crypto.h"
#include "common/files.h"

namespace custodian::http {
namespace {

namespace fs = std::filesystem;

// Bounds an app's folder may not pass: what Vite builds is far smaller.
constexpr std::size_t kMaxFiles = 2000;
constexpr std::uintmax_t kMaxBytes = 64u << 20;

std::string ContentType(const fs::path& file) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".txt", "text/plain; charset=utf-8"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"}};
  const auto it = kTypes.find(file.extension().string());
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace

std::optional<WebFiles> WebFiles::Load(const fs::path& dir, std::string* error) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "index.html", ec)) {
    *error = (dir / "index.html").string() + ": missing (build web/, see web/README.md)";
    return std::nullopt;
  }
  WebFiles app;
  std::uintmax_t bytes = 0;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    if (app.files_.size() == kMaxFiles || (bytes += it->file_size()) > kMaxBytes) {
      *error = dir.string() + ": more than " + std::to_string(kMaxFiles) + " files or " +
               std::to_string(kMaxBytes >> 20) + " MiB";
      return std::nullopt;
    }
    std::optional<std::string> body = ReadFile(it->path().string());
    if (!body) {
      *error = it->path().string() + ": cannot be read";
      return std::nullopt;
    }
    const std::string url = "/" + fs::relative(it->path(), dir).generic_string();
    File& f = app.files_[url];
    f.etag = "\"" + crypto::Hex(crypto::Sha256(*body)).substr(0, 32) + "\"";
    f.content_type = ContentType(it->path());
    f.body = std::move(*body);
  }
  if (ec) {
    *error = dir.string() + ": " + ec.message();
    return std::nullopt;
  }
  return app;
}

fs::path WebFiles::BesideExecutable(const fs::path& executable, const std::string& name) {
  return executable.parent_path().parent_path() / "share" / "custodian" / name;
}

std::optional<WebFiles> WebFiles::Configured(const std::string& configured, const std::string& name,
                                             const fs::path& executable, std::string* error,
                                             std::string* absent) {
  if (configured == "none") return std::nullopt;
  if (!configured.empty()) return Load(configured, error);
  if (executable.empty()) {
    *absent = "this program's path is unknown";
    return std::nullopt;
  }
  return Load(BesideExecutable(executable, name), absent);
}

bool WebFiles::Serves(const std::string& path) {
  // /healthz and /metrics are routes: they never reach this question.
  return path.starts_with("/") && !path.starts_with("/v1/") && path != "/v1";
}

Response WebFiles::Get(const std::string& path, const std::string& if_none_match) const {
  Response r;
  AddWebHeaders(r);
  auto it = files_.find(path == "/" ? "/index.html" : path);
  const std::string last = path.substr(path.rfind('/') + 1);
  if (it == files_.end() && last.find('.') == std::string::npos) it = files_.find("/index.html");
  if (it == files_.end()) {
    r.status = 404;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "not found\n";
    return r;
  }
  const File& f = it->second;
  // Vite names what it builds under /assets/ by content: never stale.
  r.headers.push_back({"Cache-Control", it->first.starts_with("/assets/")
                                            ? "public, max-age=31536000, immutable"
                                            : "no-cache"});
  r.headers.push_back({"ETag", f.etag});
  if (if_none_match == f.etag) {
    r.status = 304;
    r.content_type.clear();
    return r;
  }
  r.content_type = f.content_type;
  r.body = f.body;
  return r;
}

void AddWebHeaders(Response& r) {
  r.headers.push_back({"Content-Security-Policy",
                       "default-src 'none'; script-src 'self'; style-src 'self'; "
                       "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
                       "manifest-src 'self'; base-uri 'none'; form-action 'self'; "
                       "frame-ancestors 'none'"});
  r.headers.push_back({"X-Content-Type-Options", "nosniff"});
  r.headers.push_back({"Referrer-Policy", "no-referrer"});
  r.headers.push_back({"X-Frame-Options", "DENY"});
  r.headers.push_back({"Cross-Origin-Opener-Policy", "same-origin"});
}

}  // namespace custodian::http
