#include "admincenter/audit_export.h"

#include <SQLiteCpp/Statement.h>

#include <boost/asio/post.hpp>

namespace custodian::admincenter {
namespace {

enum class Format { kJsonl, kCsv, kCef };
constexpr int kRowsPerChunk = 2000;

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// CEF extension values escape backslash, '=' and line breaks; header
// fields escape backslash and '|'.
std::string CefValue(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '=') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '\r') {
      out += "\\r";
      continue;
    }
    out += c;
  }
  return out;
}
std::string CefHeader(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '|') out += '\\';
    out += c;
  }
  return out;
}

// A JSON string literal of `s` (UTF-8 passes through; quotes, backslashes
// and control characters are escaped).
void AppendJsonString(const std::string& s, std::string& out) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    } else {
      out += c;
    }
  }
  out += '"';
}

struct ExportState {
  std::shared_ptr<SQLite::Database> db;
  std::unique_ptr<SQLite::Statement> rows;
  Format format;
  bool complete;  // no filter: the whole chain
  bool header_sent = false;
  int64_t last_seq = 0;
  std::string last_hash;
};

void AppendRow(ExportState& s, std::string& out) {
  SQLite::Statement& q = *s.rows;
  AuditEvent e;
  const int64_t seq = q.getColumn(0).getInt64();
  const std::string id = q.getColumn(1).getString();
  const std::string ts = q.getColumn(2).getString();
  e.actor_kind = q.getColumn(3).getString();
  e.actor_id = q.getColumn(4).getString();
  e.action = q.getColumn(5).getString();
  e.target = q.getColumn(6).getString();
  e.outcome = q.getColumn(7).getString();
  const std::string reasons = q.getColumn(8).getString();
  const std::string details = q.getColumn(9).getString();
  const std::string prev = q.getColumn(10).getString();
  const std::string hash = q.getColumn(11).getString();
  s.last_seq = seq;
  s.last_hash = hash;
  switch (s.format) {
    case Format::kJsonl:
      // Written directly: reasons and details are stored as JSON already,
      // and building a web::json value per row would cost four times more.
      // Field order is that of AuditRecord; verification does not depend on it.
      out += "{\"seq\":" + std::to_string(seq) + ",\"id\":";
      AppendJsonString(id, out);
      out += ",\"ts\":";
      AppendJsonString(ts, out);
      out += ",\"actor\":{\"kind\":";
      AppendJsonString(e.actor_kind, out);
      out += ",\"id\":";
      AppendJsonString(e.actor_id, out);
      out += "},\"action\":";
      AppendJsonString(e.action, out);
      out += ",\"target\":";
      AppendJsonString(e.target, out);
      out += ",\"outcome\":";
      AppendJsonString(e.outcome, out);
      out += ",\"reasons\":" + reasons + ",\"details\":" + details + ",\"prev_hash\":";
      AppendJsonString(prev, out);
      out += ",\"hash\":";
      AppendJsonString(hash, out);
      out += "}\n";
      break;
    case Format::kCsv:
      out += std::to_string(seq);
      for (const std::string* f : std::initializer_list<const std::string*>{
               &id, &ts, &e.actor_kind, &e.actor_id, &e.action, &e.target, &e.outcome, &reasons,
               &details, &prev, &hash}) {
        out += ',';
        out += CsvField(*f);
      }
      out += "\r\n";
      break;
    case Format::kCef: {
      const char* severity = e.outcome == "success" ? "3" : "7";
      out += "CEF:0|Custodian|admincenter|1|" + CefHeader(e.action) + "|" + CefHeader(e.action) +
             "|" + severity + "|rt=" + CefValue(ts) + " externalId=" + std::to_string(seq) +
             " suid=" + CefValue(e.actor_id) + " cs1Label=actorKind cs1=" + CefValue(e.actor_kind) +
             " outcome=" + CefValue(e.outcome) + " cs2Label=target cs2=" + CefValue(e.target) +
             " cs3Label=reasons cs3=" + CefValue(reasons) +
             " cs4Label=details cs4=" + CefValue(details) + " cs5Label=prevHash cs5=" + prev +
             " cs6Label=hash cs6=" + hash + "\n";
      break;
    }
  }
}

void NextChunk(const std::shared_ptr<ExportState>& s, Service& service,
               const http::Response::ChunkSink& sink) {
  std::string out;
  bool more = true;
  try {
    if (!s->header_sent && s->format == Format::kCsv) {
      out +=
          "seq,id,ts,actor_kind,actor_id,action,target,outcome,reasons,details,prev_hash,hash\r\n";
    }
    s->header_sent = true;
    for (int i = 0; i < kRowsPerChunk; ++i) {
      if (!s->rows->executeStep()) {
        more = false;
        break;
      }
      AppendRow(*s, out);
    }
    if (!more && s->format == Format::kJsonl) {
      auto checkpoint = service.SignCheckpoint(s->last_seq, s->last_hash);
      checkpoint["complete"] = value::boolean(s->complete);
      value trailer = value::object(true);
      trailer["checkpoint"] = checkpoint;
      out += trailer.serialize() + "\n";
    }
  } catch (const std::exception&) {
    more = false;  // the stream ends short; verify reports it as truncated
  }
  if (!more) {
    s->rows.reset();
    try {
      s->db->exec("COMMIT");
    } catch (const std::exception&) {
    }
    s->db.reset();
  }
  sink(std::move(out), more);
}

}  // namespace

http::Response ExportAudit(Service& service, const http::Request& request,
                           boost::asio::thread_pool& workers) {
  std::vector<policy::FieldError> errors;
  Format format = Format::kJsonl;
  std::string content_type = "application/x-ndjson";
  std::string where = " WHERE 1=1";
  std::vector<std::string> binds;
  bool complete = true;
  for (const auto& [key, v] : request.query) {
    if (key == "format") {
      if (v == "jsonl") {
        format = Format::kJsonl;
      } else if (v == "csv") {
        format = Format::kCsv;
        content_type = "text/csv";
      } else if (v == "cef") {
        format = Format::kCef;
        content_type = "text/plain";
      } else {
        errors.push_back({"/format", "must be jsonl, csv or cef"});
      }
    } else if (key == "since" || key == "until") {
      auto t = policy::ParseRfc3339(v);
      if (!t) {
        errors.push_back({"/" + key, "query parameter " + key + " must be RFC 3339"});
        continue;
      }
      where += key == "since" ? " AND ts >= ?" : " AND ts < ?";
      binds.push_back(policy::FormatRfc3339(*t));
      complete = false;
    } else if (key == "actor" || key == "action" || key == "target") {
      where += " AND " + std::string(key == "actor" ? "actor_id" : key) + " = ?";
      binds.push_back(v);
      complete = false;
    } else {
      errors.push_back({"/" + key, "unknown query parameter"});
    }
  }
  if (!errors.empty()) return ToResponse(Invalid(std::move(errors)));
  auto state = std::make_shared<ExportState>();
  state->format = format;
  state->complete = complete;
  state->db = service.db().Borrow();
  state->db->exec("BEGIN");  // one snapshot for the whole export
  state->rows = std::make_unique<SQLite::Statement>(
      *state->db,
      "SELECT seq, id, ts, actor_kind, actor_id, action, target, outcome, reasons, details, "
      "prev_hash, hash FROM audit_events" +
          where + " ORDER BY seq");
  for (std::size_t i = 0; i < binds.size(); ++i)
    state->rows->bind(static_cast<int>(i + 1), binds[i]);
  http::Response r;
  r.content_type = content_type;
  r.stream = [state, &service, &workers](http::Response::ChunkSink sink) {
    boost::asio::post(
        workers, [state, &service, sink = std::move(sink)] { NextChunk(state, service, sink); });
  };
  return r;
}

}  // namespace custodian::admincenter
