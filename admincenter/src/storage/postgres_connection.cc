// PgConnection: sql::Connection on libpq. Parameters are sent as text
// (bytes in binary) with their types left to the server, which infers them
// from where they stand, so that the repositories' one dialect serves.
#include <libpq-fe.h>

#include <charconv>
#include <optional>
#include <vector>

#include "admincenter/storage/postgres.h"

namespace custodian::admincenter {
namespace {

// libpq's messages end in a newline; a StorageError reads better without.
std::string Trimmed(const char* message) {
  std::string m = message ? message : "";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

[[noreturn]] void FailResult(PGresult* r, pg_conn* conn) {
  std::string m = Trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(conn));
  if (m.empty()) m = Trimmed(PQerrorMessage(conn));
  if (const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr) {
    m += std::string(" (SQLSTATE ") + state + ")";
  }
  if (r) PQclear(r);
  throw StorageError("PostgreSQL: " + m);
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

// `?` and `?N` as PostgreSQL's `$N`, outside quoted text and names.
std::string Numbered(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 0;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote) {
      if (c == quote) quote = 0;  // a doubled quote reopens at once
      out += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c != '?') {
      out += c;
      continue;
    }
    out += '$';
    if (i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') continue;  // ?N: $N
    out += std::to_string(++next);
  }
  return out;
}

class PgStatement : public sql::Statement {
 public:
  PgStatement(pg_conn* conn, PgConnection::Prepared& prepared, std::string_view sql, bool stream)
      : conn_(conn), prepared_(prepared), sql_(Numbered(sql)), stream_(stream) {}
  ~PgStatement() override {
    if (streaming_) Drain(true);
  }

  bool IsNull(const char* column) const override { return IsNull(Index(column)); }
  std::string Text(const char* column) const override { return std::string(View(Index(column))); }
  int64_t Int64(const char* column) const override { return Int64(Index(column)); }
  bool IsNull(int i) const override { return PQgetisnull(rows_.get(), row_, i) != 0; }
  std::string_view View(int i) const override {
    if (IsNull(i)) return {};
    return {PQgetvalue(rows_.get(), row_, i),
            static_cast<std::size_t>(PQgetlength(rows_.get(), row_, i))};
  }
  int64_t Int64(int i) const override {
    const std::string_view v = View(i);
    int64_t out = 0;
    const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc() || end != v.data() + v.size()) {
      if (v.empty()) return 0;  // NULL
      throw StorageError("PostgreSQL: column " + std::to_string(i) + " is not an integer");
    }
    return out;
  }

  void Bind(int i, std::string_view text) override { Set(i, std::string(text), 0); }
  void Bind(int i, int64_t value) override { Set(i, std::to_string(value), 0); }
  void BindBytes(int i, std::string_view bytes) override { Set(i, std::string(bytes), 1); }
  void BindNull(int i) override { Set(i, std::nullopt, 0); }

  bool Step() override {
    if (stream_) return StepStream();
    if (!rows_) {
      rows_ = Execute();
      row_ = -1;
    }
    return ++row_ < PQntuples(rows_.get());
  }

  int64_t Run() override {
    const Result r = Execute();
    rows_.reset();
    const char* n = PQcmdTuples(r.get());
    return n && *n ? std::stoll(n) : 0;
  }

 private:
  int Index(const char* column) const {
    const int i = PQfnumber(rows_.get(), column);
    if (i < 0) throw StorageError(std::string("PostgreSQL: no column ") + column);
    return i;
  }

  void Set(int i, std::optional<std::string> v, int format) {
    const auto n = static_cast<std::size_t>(i);
    if (values_.size() < n) {
      values_.resize(n);
      formats_.resize(n, 0);
    }
    values_[n - 1] = std::move(v);
    formats_[n - 1] = format;
  }

  struct Params {
    std::vector<const char*> values;
    std::vector<int> lengths;
  };
  Params Gather() const {
    Params p;
    for (const auto& v : values_) {
      p.values.push_back(v ? v->data() : nullptr);
      p.lengths.push_back(v ? static_cast<int>(v->size()) : 0);
    }
    return p;
  }

  // The server-side statement for this text on this connection, prepared
  // (parsed and planned) the first time it runs: most writes run the same
  // few statements again and again.
  const std::string& PreparedName() {
    auto it = prepared_.find(sql_);
    if (it != prepared_.end()) return it->second;
    const std::string name = "c" + std::to_string(prepared_.size() + 1);
    PGresult* r = PQprepare(conn_, name.c_str(), sql_.c_str(), 0, nullptr);
    if (!r || PQresultStatus(r) != PGRES_COMMAND_OK) FailResult(r, conn_);
    PQclear(r);
    return prepared_.emplace(sql_, name).first->second;
  }

  Result Execute() {
    const Params p = Gather();
    PGresult* r = PQexecPrepared(conn_, PreparedName().c_str(), static_cast<int>(values_.size()),
                                 p.values.data(), p.lengths.data(), formats_.data(), 0);
    const ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) FailResult(r, conn_);
    return Result(r);
  }

  // One row at a time (single-row mode): a long export without its whole
  // result in memory.
  bool StepStream() {
    if (finished_) return false;
    if (!streaming_) {
      const Params p = Gather();
      if (!PQsendQueryParams(conn_, sql_.c_str(), static_cast<int>(values_.size()), nullptr,
                             p.values.data(), p.lengths.data(), formats_.data(), 0)) {
        FailResult(nullptr, conn_);
      }
      PQsetSingleRowMode(conn_);
      streaming_ = true;
    }
    rows_.reset(PQgetResult(conn_));
    row_ = 0;
    const ExecStatusType s = rows_ ? PQresultStatus(rows_.get()) : PGRES_TUPLES_OK;
    if (s == PGRES_SINGLE_TUPLE) return true;
    PGresult* failed = s == PGRES_TUPLES_OK ? nullptr : rows_.release();
    rows_.reset();
    Drain(false);
    finished_ = true;
    if (failed) FailResult(failed, conn_);
    return false;
  }

  // Reads what is left of a streamed result, so that the connection can
  // run the next statement; `cancel` first asks the server to stop sending
  // (an export abandoned half-way).
  void Drain(bool cancel_first) {
    streaming_ = false;
    PGcancel* cancel = cancel_first ? PQgetCancel(conn_) : nullptr;
    if (cancel) {
      char reason[256];
      PQcancel(cancel, reason, sizeof reason);
      PQfreeCancel(cancel);
    }
    while (PGresult* r = PQgetResult(conn_)) PQclear(r);
  }

  pg_conn* conn_;
  PgConnection::Prepared& prepared_;
  std::string sql_;
  bool stream_;
  bool streaming_ = false;
  bool finished_ = false;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;
  Result rows_;
  int row_ = -1;
};

}  // namespace

bool IsPostgresUrl(const std::string& location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::string RedactUrl(const std::string& url) {
  // scheme://user:password@host… → scheme://user@host…
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const std::size_t at = url.find('@', scheme + 3);
  const std::size_t slash = url.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return url;
  const std::size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + url.substr(at);
}

std::unique_ptr<PgConnection> PgConnection::Connect(const std::string& url) {
  pg_conn* conn = PQconnectdb(url.c_str());
  if (!conn || PQstatus(conn) != CONNECTION_OK) {
    const std::string reason = conn ? Trimmed(PQerrorMessage(conn)) : "out of memory";
    if (conn) PQfinish(conn);
    throw StorageError("PostgreSQL at " + RedactUrl(url) + ": cannot connect: " + reason);
  }
  // Notices (e.g. "relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  auto c = std::unique_ptr<PgConnection>(new PgConnection(conn));
  c->Execute("SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'");
  return c;
}

PgConnection::~PgConnection() { PQfinish(conn_); }

std::unique_ptr<sql::Statement> PgConnection::Prepare(std::string_view sql) {
  return std::make_unique<PgStatement>(conn_, prepared_, sql, false);
}

std::unique_ptr<sql::Statement> PgConnection::PrepareStream(std::string_view sql) {
  return std::make_unique<PgStatement>(conn_, prepared_, sql, true);
}

void PgConnection::Execute(std::string_view sql) {
  PGresult* r = PQexec(conn_, std::string(sql).c_str());
  const ExecStatusType s = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) FailResult(r, conn_);
  PQclear(r);
}

void PgConnection::Notify(std::string_view channel, std::string_view payload) {
  sql::BindAll(*Prepare("SELECT pg_notify(?, ?)"), channel, payload).Step();
}

void PgConnection::BeginSnapshot() { Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }

bool PgConnection::Idle() const {
  return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

}  // namespace custodian::admincenter
