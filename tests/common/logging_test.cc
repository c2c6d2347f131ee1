// The daemons' log lines: a readable "msg" with the event's fields beside
// it (log stacks index "msg" as text), and the level option.
#include "common/logging.h"

#include <cpprest/json.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

namespace custodian::logging {
namespace {

// What the logger wrote to stderr while `log` ran.
std::string Captured(spdlog::level::level_enum level, const std::function<void()>& log) {
  int pipe_fds[2];
  EXPECT_EQ(::pipe(pipe_fds), 0);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(pipe_fds[1], STDERR_FILENO);
  SetUp("test", level);
  log();
  Flush();
  spdlog::drop_all();  // the sink writes out what it holds
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(pipe_fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) > 0;) out.append(buf, n);
  ::close(pipe_fds[0]);
  return out;
}

TEST(Logging, MsgIsReadableTextWithTheFieldsBesideIt) {
  const std::string out = Captured(spdlog::level::info, [] {
    spdlog::info(Line("bundle_accepted", {{"version", "7"}}));
    spdlog::warn(R"({{"event":"sync_failed","retry_ms":{}}})", 500);
    spdlog::info("plain text \"quoted\"");
  });
  std::istringstream lines(out);
  std::vector<web::json::value> parsed;
  for (std::string line; std::getline(lines, line);) {
    std::error_code ec;
    parsed.push_back(web::json::value::parse(line, ec));
    ASSERT_FALSE(ec) << line;
  }
  ASSERT_EQ(parsed.size(), 3u) << out;
  EXPECT_EQ(parsed[0].at("msg").as_string(), "bundle accepted");
  EXPECT_EQ(parsed[0].at("event").as_string(), "bundle_accepted");
  EXPECT_EQ(parsed[0].at("version").as_string(), "7");
  EXPECT_EQ(parsed[0].at("level").as_string(), "info");
  EXPECT_TRUE(parsed[0].at("ts").as_string().ends_with("Z"));
  EXPECT_EQ(parsed[1].at("msg").as_string(), "sync failed");
  EXPECT_EQ(parsed[1].at("retry_ms").as_integer(), 500);
  EXPECT_EQ(parsed[2].at("msg").as_string(), "plain text \"quoted\"");
}

TEST(Logging, TheLevelLeavesOutWhatIsBelowIt) {
  const std::string out = Captured(*ParseLevel("warn"), [] {
    spdlog::debug(Event("debug_line"));
    spdlog::info(Event("info_line"));
    spdlog::warn(Event("warn_line"));
    spdlog::error(Event("error_line"));
  });
  EXPECT_EQ(out.find("info_line"), std::string::npos) << out;
  EXPECT_EQ(out.find("debug_line"), std::string::npos) << out;
  EXPECT_NE(out.find("warn_line"), std::string::npos) << out;
  EXPECT_NE(out.find("error_line"), std::string::npos) << out;
  EXPECT_NE(Captured(*ParseLevel("debug"), [] { spdlog::debug(Event("seen")); }).find("seen"),
            std::string::npos);
  EXPECT_FALSE(ParseLevel("verbose").has_value());
}

}  // namespace
}  // namespace custodian::logging
