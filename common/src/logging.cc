#include "common/logging.h"

#include <cpprest/json.h>
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

}  // namespace

void SetUp(const std::string& name) {
  auto logger =
      std::make_shared<spdlog::logger>(name, std::make_shared<BufferedFdSink>(STDERR_FILENO));
  // Each message is a JSON object; the line wraps it with time and level.
  logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%v})",
                      spdlog::pattern_time_type::utc);
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
