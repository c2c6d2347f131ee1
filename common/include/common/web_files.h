// A web app's files (built by Vite from web/: the admin center's console,
// the enforcer's customer window), served at / beside an API under /v1/
// (DESIGN.md "Browser sessions"). Read into memory once at start: a few
// hundred kilobytes, each with its ETag, so a request never touches the
// disk.
//
// What a browser gets:
//   - the file at its path; a path of the app's own (no extension, not
//     under /v1/) gets index.html, so that a reload of /groups/g-1 works,
//     while the API's unknown routes still answer its 404;
//   - a strict Content-Security-Policy (scripts, styles and connections
//     from this origin only; nothing inline; no framing), nosniff and no
//     referrer on every answer;
//   - Vite's fingerprinted /assets/ cached for a year, everything else
//     revalidated by ETag (304 when If-None-Match names it).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "common/http_server.h"

namespace custodian::http {

class WebFiles {
 public:
  // Every file under `dir`, which must hold index.html; nullopt with
  // `error` (what and where) otherwise.
  static std::optional<WebFiles> Load(const std::filesystem::path& dir, std::string* error);
  // The app `name`'s folder beside an installed or built daemon
  // (`executable`/../share/custodian/`name`), whether or not it exists.
  static std::filesystem::path BesideExecutable(const std::filesystem::path& executable,
                                                const std::string& name);

  // The app `name`'s files as a daemon's configuration names them: none for
  // "none"; the folder `configured`, which must load (else nullopt with
  // `error` set); or, when `configured` is empty, the folder beside
  // `executable`, if it loads (else nullopt with `absent` saying why).
  static std::optional<WebFiles> Configured(const std::string& configured, const std::string& name,
                                            const std::filesystem::path& executable,
                                            std::string* error, std::string* absent);

  // Whether `path` is the app's to answer rather than the API's.
  static bool Serves(const std::string& path);
  // The answer to GET `path` with the request's If-None-Match.
  Response Get(const std::string& path, const std::string& if_none_match) const;

 private:
  struct File {
    std::string body;
    std::string content_type;
    std::string etag;
  };
  std::map<std::string, File> files_;  // by URL path ("/index.html", "/assets/…")
};

// The security headers of every answer to a browser.
void AddWebHeaders(Response& response);

}  // namespace custodian::http
