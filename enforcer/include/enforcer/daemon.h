// The running enforcer: the parts of an enrolled state directory wired
// together — the store, the held bundle, the sync agent, the machine
// vault, the workflows and the local API's server. main() parses flags,
// starts one and turns signals into its methods.
//
// Thread safety: Reconfigure, Wake and Stop may be called from any one
// thread (the signal handler's).
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "enforcer/agent.h"
#include "enforcer/config.h"

namespace custodian::enforcer {

class Daemon {
 public:
  // Opens the enrolled state directory `dir` and starts every part, reading
  // time from `wall`. Returns nullptr and sets `*error` when it cannot (not
  // enrolled, incomplete state, a bad vault key, the port taken).
  static std::unique_ptr<Daemon> Start(const std::filesystem::path& dir, Config config,
                                       WallClock wall, std::string* error);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // The local API's address and port, e.g. for the "listening" line.
  std::string address() const;
  uint16_t port() const;

  // A new configuration (SIGHUP): poll intervals, the workflows' options.
  void Reconfigure(const Config& config);
  // Re-reads the clock at once: it may have moved.
  void Wake();
  // Stops serving and syncing, drains what is in flight, stops the timers.
  void Stop();

 private:
  struct Parts;
  explicit Daemon(std::unique_ptr<Parts> parts);
  static void Notify(Parts& parts, const std::string& prompt_id);
  std::unique_ptr<Parts> parts_;
};

}  // namespace custodian::enforcer
