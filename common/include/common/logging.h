// Structured JSON logs for the daemons: one line per event on stderr, each
// `{"ts":…,"level":…,"msg":"bundle accepted","event":"bundle_accepted",…}`:
// a readable message, and the event's fields beside it.
//
// Lines are collected in a buffer and written to stderr in large pieces:
// when 32 KiB have gathered, at least once a second, at once for warnings
// and errors, and on Flush(). Writing each line as it comes (or handing it
// to a logging thread, which wakes that thread once per line) cost about a
// sixth of the admin center's time per request; the price is that after a
// kill -9 up to a second of info lines may be missing. The audit log, not
// this one, is the record of what happened.
#pragma once

#include <spdlog/common.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace custodian::logging {

// "debug", "info", "warn" or "error" (--log-level); nullopt otherwise.
std::optional<spdlog::level::level_enum> ParseLevel(std::string_view name);
// Installs the default logger; `name` is the program's. Lines below
// `level` are not written.
void SetUp(const std::string& name, spdlog::level::level_enum level = spdlog::level::info);
// Writes out whatever is buffered (after a line a test or operator waits
// for, and before exit).
void Flush();
// Flushes and stops the background flusher: the last call before exit.
void Shutdown();
// A lifecycle message: {"event": name[, "detail": detail]} as JSON text.
std::string Event(const std::string& name, const std::string& detail = "");
// A log line of text fields, {"event": name, key: value, …}, as JSON text.
std::string Line(const std::string& name,
                 std::initializer_list<std::pair<const char*, std::string_view>> fields);

}  // namespace custodian::logging
