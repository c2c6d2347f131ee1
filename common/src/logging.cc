#include "common/logging.h"

#include <cpprest/json.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <memory>
#include <mutex>

namespace custodian::logging {
namespace {

constexpr std::size_t kWriteAt = 32 * 1024;

// Formats into a buffer and writes to a file descriptor in large pieces.
class BufferedFdSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit BufferedFdSink(int fd) : fd_(fd) { buffer_.reserve(2 * kWriteAt); }
  ~BufferedFdSink() override { WriteOut(); }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    formatter_->format(msg, line);
    buffer_.append(line.data(), line.size());
    if (buffer_.size() >= kWriteAt) WriteOut();
  }
  void flush_() override { WriteOut(); }

 private:
  void WriteOut() {
    std::size_t done = 0;
    while (done < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // nowhere to log to: drop rather than stall requests
      done += static_cast<std::size_t>(n);
    }
    buffer_.clear();
  }

  int fd_;
  std::string buffer_;
};

// %* in the pattern: a message {"event":"bundle_accepted",…} as
// `"msg":"bundle accepted","event":"bundle_accepted",…` — a text that log
// stacks index, the structured fields beside it. Textual, not parsed: a
// line per request must stay cheap. Anything else becomes "msg" as a
// string.
class FieldsBesideMessage : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string_view text(msg.payload.data(), msg.payload.size());
    constexpr std::string_view kStart = R"({"event":")";
    const std::size_t end = text.starts_with(kStart) && text.ends_with("}")
                                ? text.find('"', kStart.size())
                                : std::string_view::npos;
    if (end == std::string_view::npos) {
      const std::string quoted = web::json::value::string(std::string(text)).serialize();
      constexpr std::string_view kKey = R"("msg":)";
      dest.append(kKey.data(), kKey.data() + kKey.size());
      dest.append(quoted.data(), quoted.data() + quoted.size());
      return;
    }
    // Event names are [a-z_]: their words are the message. Appended in
    // place: no allocation per line.
    constexpr std::string_view kMsg = R"("msg":")";
    dest.append(kMsg.data(), kMsg.data() + kMsg.size());
    for (char c : text.substr(kStart.size(), end - kStart.size()))
      dest.push_back(c == '_' ? ' ' : c);
    dest.push_back('"');
    dest.push_back(',');
    const std::string_view fields = text.substr(1, text.size() - 2);  // without the braces
    dest.append(fields.data(), fields.data() + fields.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<FieldsBesideMessage>();
  }
};

}  // namespace

std::optional<spdlog::level::level_enum> ParseLevel(std::string_view name) {
  for (auto [text, level] : {std::pair{"debug", spdlog::level::debug},
                             {"info", spdlog::level::info},
                             {"warn", spdlog::level::warn},
                             {"error", spdlog::level::err}}) {
    if (name == text) return level;
  }
  return std::nullopt;
}

void SetUp(const std::string& name, spdlog::level::level_enum level) {
  auto logger =
      std::make_shared<spdlog::logger>(name, std::make_shared<BufferedFdSink>(STDERR_FILENO));
  // Each message is a JSON object; the line puts time and level before its
  // fields and a readable "msg".
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<FieldsBesideMessage>('*').set_pattern(
      R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%*})");
  logger->set_formatter(std::move(formatter));
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
}

void Flush() { spdlog::default_logger()->flush(); }

void Shutdown() {
  Flush();
  spdlog::shutdown();
}

std::string Event(const std::string& name, const std::string& detail) {
  web::json::value v = web::json::value::object(true);
  v["event"] = web::json::value::string(name);
  if (!detail.empty()) v["detail"] = web::json::value::string(detail);
  return v.serialize();
}

std::string Line(const std::string& name,
                 std::initializer_list<std::pair<const char*, std::string_view>> fields) {
  web::json::value v = web::json::value::object(true);
  v["event"] = web::json::value::string(name);
  for (const auto& [key, text] : fields) v[key] = web::json::value::string(std::string(text));
  return v.serialize();
}

}  // namespace custodian::logging
