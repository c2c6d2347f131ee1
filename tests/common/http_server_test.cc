// The Beast server's own limits (issue "Integrity under attack", findings
// 12 and 13), in-process over loopback: request smuggling refused as RFC
// 9112 asks, repeated credentials refused, the header timeout, the
// connection cap, and accept errors that back off instead of spinning.
#include "common/http_server.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <memory>

#include "support/process.h"
#include "support/raw_http.h"

namespace custodian::http {
namespace {

using custodian::testing::Eventually;
using custodian::testing::RawConnection;

// Answers every request with its method, path and body; counts them.
struct EchoServer {
  explicit EchoServer(ServerOptions o = {}) {
    server = std::make_unique<Server>(o, [this](Request r, Respond respond) {
      ++handled;
      Response out;
      out.content_type = "text/plain";
      out.body = r.method_name + " " + r.path + " [" + r.body + "]";
      respond(std::move(out));
    });
    std::string error;
    EXPECT_TRUE(server->Start(&error)) << error;
  }
  std::atomic<int> handled{0};
  std::unique_ptr<Server> server;
};

std::string Exchange(uint16_t port, const std::string& bytes) {
  RawConnection c(port);
  c.Send(bytes);
  return c.ReadAll(std::chrono::seconds(3));
}

int Responses(const std::string& answer) {
  int n = 0;
  for (std::size_t at = answer.find("HTTP/1.1 "); at != std::string::npos;
       at = answer.find("HTTP/1.1 ", at + 1)) {
    ++n;
  }
  return n;
}

TEST(HttpServer, TransferCodingsOtherThanChunkedAreRefusedAndTheBodyNeverRunsAsARequest) {
  EchoServer s;
  const std::string smuggled = "GET /v1/admins HTTP/1.1\r\nHost: x\r\n\r\n";
  for (const std::string te :
       {"xchunked", "gzip", "identity", "chunked, identity", "gzip, chunked", "chunked;x=1"}) {
    const int before = s.handled;
    const std::string answer = Exchange(
        s.server->port(),
        "POST /v1/tokens HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + te + "\r\n\r\n" + smuggled);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 501")) << te << ": " << answer;
    EXPECT_EQ(Responses(answer), 1) << te << ": " << answer;
    EXPECT_EQ(s.handled, before) << te;
  }
  // Both framings at once: 400.
  const std::string both = Exchange(
      s.server->port(),
      "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n" +
          std::string("0\r\n\r\n") + smuggled);
  EXPECT_TRUE(both.starts_with("HTTP/1.1 400")) << both;
  EXPECT_EQ(Responses(both), 1) << both;
  // Plain chunked still works.
  const std::string chunked = Exchange(s.server->port(),
                                       "POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: "
                                       "Chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  EXPECT_TRUE(chunked.starts_with("HTTP/1.1 200")) << chunked;
  EXPECT_NE(chunked.find("POST /a [abc]"), std::string::npos) << chunked;
}

TEST(HttpServer, RepeatedCredentialsOrFramingHeadersAreRefused) {
  EchoServer s;
  for (const std::string header :
       {"Authorization: Bearer a\r\nAuthorization: Bearer b",
        "Content-Length: 0\r\nContent-Length: 0", "Content-Type: a/b\r\nContent-Type: c/d"}) {
    const std::string answer =
        Exchange(s.server->port(), "GET /a HTTP/1.1\r\nHost: x\r\n" + header + "\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 400")) << header << ": " << answer;
  }
  EXPECT_EQ(s.handled, 0);
}

TEST(HttpServer, TextThatIsNotUtf8IsRefusedInPathsQueriesAndHeaders) {
  EchoServer s;
  for (const std::string request :
       {"GET /a%ff HTTP/1.1\r\nHost: x\r\n\r\n", "GET /a?q=%c0%af HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /a HTTP/1.1\r\nHost: x\r\nX-Name: \xed\xa0\x80\r\n\r\n"}) {
    EXPECT_TRUE(Exchange(s.server->port(), request).starts_with("HTTP/1.1 400")) << request;
  }
  EXPECT_EQ(s.handled, 0);
  EXPECT_TRUE(Exchange(s.server->port(),
                       "GET /gr%C3%BC%C3%9Fe HTTP/1.1\r\nHost: x\r\n"
                       "Connection: close\r\n\r\n")
                  .starts_with("HTTP/1.1 200"));
}

TEST(HttpServer, AHalfSentHeaderIsDroppedAfterTheReadTimeoutNotTheIdleOne) {
  ServerOptions o;
  o.read_timeout = std::chrono::seconds(1);
  o.idle_timeout = std::chrono::seconds(60);
  EchoServer s(o);
  RawConnection slow(s.server->port());
  slow.Send("GET /a HTTP/1.1\r\nHost: x\r\n");  // never finished
  bool closed = false;
  // Generous: the point is 1 s against 60 s, not a precise instant.
  slow.ReadAll(std::chrono::seconds(20), &closed);
  EXPECT_TRUE(closed);
  // An idle keep-alive connection is not dropped by the read timeout.
  RawConnection idle(s.server->port());
  idle.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  idle.ReadAll(std::chrono::milliseconds(2500), &closed);
  EXPECT_FALSE(closed);
  idle.Send("GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_NE(idle.ReadAll(std::chrono::seconds(3)).find("GET /b"), std::string::npos);
}

TEST(HttpServer, ConnectionsBeyondTheCapAreClosedAtOnceAndCounted) {
  ServerOptions o;
  o.max_connections = 4;
  EchoServer s(o);
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 4; ++i) held.push_back(std::make_unique<RawConnection>(s.server->port()));
  ASSERT_TRUE(Eventually([&] { return s.server->stats().open_connections == 4; }));
  RawConnection extra(s.server->port());
  bool closed = false;
  extra.Send("GET /a HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(extra.ReadAll(std::chrono::seconds(5), &closed), "");
  EXPECT_TRUE(closed);
  EXPECT_EQ(s.server->stats().rejected_connections, 1u);
  held.clear();
  ASSERT_TRUE(Eventually([&] { return s.server->stats().open_connections == 0; }));
  EXPECT_TRUE(Exchange(s.server->port(), "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .starts_with("HTTP/1.1 200"));
}

TEST(HttpServer, RunningOutOfDescriptorsBacksOffInsteadOfSpinning) {
  EchoServer s;
  // Client sockets first (connecting needs no new descriptor), then a limit
  // that leaves the server room for two connections.
  std::vector<int> clients;
  for (int i = 0; i < 12; ++i) clients.push_back(::socket(AF_INET, SOCK_STREAM, 0));
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit tight = saved;
  tight.rlim_cur = static_cast<rlim_t>(clients.back() + 3);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(s.server->port());
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int fd : clients) ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  ASSERT_TRUE(Eventually([&] { return s.server->stats().accept_errors > 0; }));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  // A loop that retried at once would have failed hundreds of thousands of
  // times by now; backing off, about ten times a second.
  EXPECT_LT(s.server->stats().accept_errors, 200u);
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &saved), 0);
  for (int fd : clients) ::close(fd);
  EXPECT_TRUE(Exchange(s.server->port(), "GET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                  .starts_with("HTTP/1.1 200"));
}

}  // namespace
}  // namespace custodian::http
