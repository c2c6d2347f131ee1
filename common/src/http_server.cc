#include "common/http_server.h"

#include <openssl/crypto.h>

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <mutex>
#include <thread>

#include "common/text.h"
#include "http_parts.h"

namespace custodian::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";

using internal::BuildRequest;
using internal::HeaderProblem;
using internal::PlainError;

// What a session needs of the server.
struct Shared {
  ServerOptions options;
  Handler handler;
  std::atomic<bool> stopping{false};
  // Live sessions, so that Stop() can close the idle ones.
  struct Tracked {
    std::weak_ptr<void> session;
    std::function<void()> close_if_idle;
  };
  std::mutex sessions_mutex;
  std::vector<Tracked> sessions;
  std::size_t prune_at = 64;
  std::atomic<std::size_t> open{0};
  std::atomic<uint64_t> rejected{0};
  std::atomic<uint64_t> accept_errors{0};
};

template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<Shared> shared, std::string remote)
      : stream_(std::move(stream)), shared_(std::move(shared)), remote_(std::move(remote)) {
    ++shared_->open;
  }
  ~Session() { --shared_->open; }

  void Run() {
    net::dispatch(Executor(), [self = this->shared_from_this()] { self->Begin(); });
  }

  // Closes the connection if it is waiting for a request (on Stop()).
  void CloseIfIdle() {
    net::post(Executor(), [self = this->shared_from_this()] {
      if (self->idle_) self->Close();
    });
  }

 private:
  auto Executor() { return beast::get_lowest_layer(stream_).get_executor(); }
  beast::tcp_stream& Tcp() { return beast::get_lowest_layer(stream_); }

  void Begin() {
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      Tcp().expires_after(shared_->options.read_timeout);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->Close();
                                self->ReadHeader();
                              });
    } else {
      ReadHeader();
    }
  }

  // Waits up to idle_timeout for the request's first bytes; from then on
  // the whole request must arrive within read_timeout.
  void ReadHeader() {
    if (shared_->stopping) return Close();
    parser_.emplace();
    parser_->body_limit(shared_->options.body_limit);
    parser_->header_limit(static_cast<uint32_t>(shared_->options.header_limit));
    idle_ = buffer_.size() == 0;
    if (!idle_) return ReadRestOfHeader();
    Tcp().expires_after(shared_->options.idle_timeout);
    // The raw stream, not the parser: Beast's parser reads on until the
    // whole header is there, which would let it trickle in under the idle
    // timeout.
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->idle_ = false;
                              // Stop() closed it as idle while these bytes
                              // were arriving: the client hears nothing, so
                              // the request must not be carried out either.
                              if (self->closed_) return;
                              if (ec) return self->OnReadError(ec);
                              self->buffer_.commit(n);
                              self->ReadRestOfHeader();
                            });
  }

  void ReadRestOfHeader() {
    Tcp().expires_after(shared_->options.read_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                               if (ec) return self->OnReadError(ec);
                               self->CheckHeader();
                             });
  }

  void CheckHeader() {
    unsigned status = 400;
    const std::string problem = HeaderProblem(parser_->get(), status);
    if (!problem.empty()) {
      return Reply(PlainError(status, status == 501 ? "Not Implemented" : "Bad Request", problem),
                   false);
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->OnReadError(ec);
                        self->Dispatch();
                      });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) return Reply(PlainError(413, "Payload Too Large"), false);
    if (ec == bhttp::error::header_limit) {
      return Reply(PlainError(431, "Request Header Fields Too Large"), false);
    }
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::eof ||
        ec == net::error::connection_reset) {
      return Close();
    }
    Reply(PlainError(400, "Bad Request"), false);
  }

  void Dispatch() {
    auto& m = parser_->get();
    keep_alive_ = m.keep_alive();
    head_ = m.method() == bhttp::verb::head;
    Request r;
    if (auto refused = BuildRequest(m, remote_, r)) return Reply(std::move(*refused), false);
    // The bytes read stay in the buffer's memory after they are consumed; a
    // request may have carried a password. Wipe them (when nothing of a
    // next request is waiting there).
    if (buffer_.size() == 0) {
      const auto whole = buffer_.prepare(buffer_.capacity());
      OPENSSL_cleanse(whole.data(), whole.size());
    }
    // The handler may answer from any thread; the answer comes back here.
    // The work guard keeps the event loop alive until it does, also while
    // the server drains on Stop().
    auto self = this->shared_from_this();
    shared_->handler(
        std::move(r), [self, work = net::make_work_guard(Executor())](Response response) {
          net::post(self->Executor(), [self, response = std::move(response)]() mutable {
            self->Reply(std::move(response), self->keep_alive_);
          });
        });
  }

  void Reply(Response response, bool keep_alive) {
    keep_alive = keep_alive && !shared_->stopping;
    Tcp().expires_after(shared_->options.read_timeout);
    // HEAD (RFC 9110 §9.3.2): the answer GET would get, without its body;
    // a streamed one is not produced at all.
    const bool head = std::exchange(head_, false);
    if (head) response.stream = nullptr;
    if (response.stream) return ReplyStreamed(std::move(response), keep_alive);
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(response.status), 11);
    res->set(bhttp::field::server, "custodian");
    if (!response.body.empty() || response.status != 204) {
      res->set(bhttp::field::content_type, response.content_type);
    }
    for (const auto& [k, v] : response.headers) res->set(k, v);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    if (head) res->body().clear();  // Content-Length stays the GET's
    bhttp::async_write(
        stream_, *res,
        [self = this->shared_from_this(), res, keep_alive](beast::error_code ec, std::size_t) {
          if (ec || !keep_alive) return self->Close();
          self->ReadHeader();
        });
  }

  // Chunked, one piece at a time, in constant memory.
  void ReplyStreamed(Response response, bool keep_alive) {
    auto res = std::make_shared<bhttp::response<bhttp::empty_body>>(
        static_cast<bhttp::status>(response.status), 11);
    res->set(bhttp::field::server, "custodian");
    res->set(bhttp::field::content_type, response.content_type);
    for (const auto& [k, v] : response.headers) res->set(k, v);
    res->chunked(true);
    res->keep_alive(keep_alive);
    auto sr = std::make_shared<bhttp::response_serializer<bhttp::empty_body>>(*res);
    bhttp::async_write_header(
        stream_, *sr,
        [self = this->shared_from_this(), res, sr, keep_alive,
         producer = std::move(response.stream)](beast::error_code ec, std::size_t) mutable {
          if (ec) return self->Close();
          self->WriteChunks(std::move(producer), keep_alive);
        });
  }

  void WriteChunks(std::function<void(Response::ChunkSink)> producer, bool keep_alive) {
    auto self = this->shared_from_this();
    auto work = net::make_work_guard(Executor());
    auto next = producer;
    next([self, work, keep_alive, producer = std::move(producer)](std::string piece,
                                                                  bool more) mutable {
      net::post(self->Executor(),
                [self, keep_alive, more, producer = std::move(producer),
                 chunk = std::make_shared<std::string>(std::move(piece))]() mutable {
                  self->Tcp().expires_after(self->shared_->options.read_timeout);
                  if (chunk->empty()) {
                    if (more) return self->WriteChunks(std::move(producer), keep_alive);
                    return self->FinishChunks(keep_alive);
                  }
                  net::async_write(self->stream_, bhttp::make_chunk(net::buffer(*chunk)),
                                   [self, chunk, more, keep_alive, producer = std::move(producer)](
                                       beast::error_code ec, std::size_t) mutable {
                                     if (ec) return self->Close();
                                     if (more)
                                       return self->WriteChunks(std::move(producer), keep_alive);
                                     self->FinishChunks(keep_alive);
                                   });
                });
    });
  }

  void FinishChunks(bool keep_alive) {
    net::async_write(
        stream_, bhttp::make_chunk_last(),
        [self = this->shared_from_this(), keep_alive](beast::error_code ec, std::size_t) {
          if (ec || !keep_alive) return self->Close();
          self->ReadHeader();
        });
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::ssl_stream<beast::tcp_stream>>) {
      Tcp().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->Tcp().socket().close(ignored);
      });
    } else {
      Tcp().socket().shutdown(tcp::socket::shutdown_send, ec);
      Tcp().socket().close(ec);
    }
  }

  Stream stream_;
  std::shared_ptr<Shared> shared_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bool keep_alive_ = false;
  bool head_ = false;  // the request being answered is a HEAD
  bool idle_ = false;
  bool closed_ = false;
};

}  // namespace

struct Server::Impl {
  std::shared_ptr<Shared> shared = std::make_shared<Shared>();
  net::io_context ioc;
  std::optional<ssl::context> tls;
  std::optional<tcp::acceptor> acceptor;
  net::steady_timer backoff{ioc};
  std::vector<std::thread> threads;
  uint16_t port = 0;

  void Accept() {
    acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
        // E.g. out of descriptors: the pending connection stays queued, so
        // accepting again at once would spin. Try again shortly; the
        // sessions that end meanwhile free what is needed.
        ++shared->accept_errors;
        backoff.expires_after(std::chrono::milliseconds(100));
        backoff.async_wait([this](beast::error_code) {
          if (acceptor->is_open()) Accept();
        });
        return;
      }
      if (shared->open.load() >= shared->options.max_connections) {
        ++shared->rejected;
        beast::error_code ignored;
        socket.close(ignored);
        return Accept();
      }
      beast::error_code remote_ec;
      const auto endpoint = socket.remote_endpoint(remote_ec);
      const std::string remote = remote_ec ? "" : endpoint.address().to_string();
      if (tls) {
        auto s = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            beast::ssl_stream<beast::tcp_stream>(beast::tcp_stream(std::move(socket)), *tls),
            shared, remote);
        Track(s);
        s->Run();
      } else {
        auto s = std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)),
                                                              shared, remote);
        Track(s);
        s->Run();
      }
      Accept();
    });
  }

  template <typename S>
  void Track(const std::shared_ptr<S>& s) {
    std::lock_guard lock(shared->sessions_mutex);
    // Forget sessions that ended, whenever the list has doubled since the
    // last time: amortised constant work per connection, bounded memory.
    if (shared->sessions.size() >= shared->prune_at) {
      std::erase_if(shared->sessions, [](const Shared::Tracked& t) { return t.session.expired(); });
      shared->prune_at = std::max<std::size_t>(64, 2 * shared->sessions.size());
    }
    shared->sessions.push_back({std::static_pointer_cast<void>(s), [w = std::weak_ptr<S>(s)] {
                                  if (auto p = w.lock()) p->CloseIfIdle();
                                }});
  }
};

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->shared->options = std::move(options);
  impl_->shared->handler = std::move(handler);
}

Server::~Server() {
  Stop();
  Wait();
}

bool Server::Start(std::string* error) {
  const ServerOptions& o = impl_->shared->options;
  try {
    if (o.tls_certificate_file || o.tls_key_file) {
      if (!o.tls_certificate_file || !o.tls_key_file) {
        *error = "TLS needs both a certificate file and a key file";
        return false;
      }
      impl_->tls.emplace(ssl::context::tls_server);
      impl_->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                              ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                              ssl::context::no_tlsv1_1);
      // Mozilla's "intermediate" TLS 1.2 suites: forward secrecy and AEAD
      // only (no RSA key exchange, no CBC, no SHA-1); TLS 1.3 keeps
      // OpenSSL's defaults, which are all of that already.
      if (SSL_CTX_set_cipher_list(impl_->tls->native_handle(), kTls12Ciphers) != 1) {
        *error = "the TLS cipher list is not supported by this OpenSSL";
        return false;
      }
      impl_->tls->use_certificate_chain_file(*o.tls_certificate_file);
      impl_->tls->use_private_key_file(*o.tls_key_file, ssl::context::pem);
    }
    const auto address = net::ip::make_address(o.address);
    tcp::endpoint endpoint(address, o.port);
    impl_->acceptor.emplace(impl_->ioc);
    impl_->acceptor->open(endpoint.protocol());
    impl_->acceptor->set_option(net::socket_base::reuse_address(true));
    impl_->acceptor->bind(endpoint);
    impl_->acceptor->listen(net::socket_base::max_listen_connections);
    impl_->port = impl_->acceptor->local_endpoint().port();
  } catch (const std::exception& e) {
    *error = "cannot listen on " + o.address + ":" + std::to_string(o.port) + ": " + e.what();
    return false;
  }
  impl_->Accept();
  for (int i = 0; i < std::max(1, o.io_threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return true;
}

uint16_t Server::port() const { return impl_->port; }

Server::Stats Server::stats() const {
  return {impl_->shared->open.load(), impl_->shared->rejected.load(),
          impl_->shared->accept_errors.load()};
}
bool Server::tls() const { return impl_->tls.has_value(); }

void Server::Stop() {
  if (impl_->shared->stopping.exchange(true)) return;
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    if (impl_->acceptor) impl_->acceptor->close(ec);
    impl_->backoff.cancel();
  });
  std::vector<Shared::Tracked> sessions;
  {
    std::lock_guard lock(impl_->shared->sessions_mutex);
    sessions = impl_->shared->sessions;
  }
  for (auto& t : sessions) t.close_if_idle();
}

void Server::Wait() {
  for (auto& t : impl_->threads) {
    if (t.joinable()) t.join();
  }
  impl_->threads.clear();
}

}  // namespace custodian::http
