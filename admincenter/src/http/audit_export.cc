#include "admincenter/audit_export.h"

#include <boost/asio/post.hpp>

#include "admincenter/audit_repository.h"
#include "common/canonical_json.h"

namespace custodian::admincenter {

using web::json::value;
namespace {

enum class Format { kJsonl, kCsv, kCef };
constexpr int kRowsPerChunk = 2000;

// RFC 4180 quoting, after OWASP's defence against formula injection: a
// cell that a spreadsheet would evaluate (it starts with = + - @ TAB or CR)
// gets a leading ', and so does one that starts with ' itself, so that
// removing one leading ' from every cell that has one gives back the
// stored text exactly (docs/audit-format.md "CSV").
std::string CsvField(const std::string& stored) {
  const bool neutralise =
      !stored.empty() && std::string_view("=+-@\t\r'").find(stored[0]) != std::string_view::npos;
  const std::string s = neutralise ? "'" + stored : stored;
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

struct ExportState {
  std::unique_ptr<AuditCursor> rows;  // one snapshot, read a chunk at a time
  StoredEvent row;                    // the current one, its buffers reused
  Format format;
  value filter = value::object(true);  // as signed in the trailer; empty: the whole chain
  bool header_sent = false;
  int64_t count = 0, first_seq = 0, last_seq = 0;
  std::string last_hash = kGenesisHash;
  int64_t chain_seq = 0;  // the chain's head in this export's snapshot
  std::string chain_hash = kGenesisHash;
};

void AppendRow(ExportState& s, const StoredEvent& row, std::string& out) {
  const audit::EventFields& e = row.fields;
  const std::string& hash = row.hash;
  if (s.count++ == 0) s.first_seq = e.seq;
  s.last_seq = e.seq;
  s.last_hash = hash;
  switch (s.format) {
    case Format::kJsonl:
      // The record's canonical (JCS) form with its hash: exactly what the
      // chain hashes, built from the stored canonical text without a JSON
      // value per row.
      out += audit::CanonicalRecord(e, &hash);
      out += '\n';
      break;
    case Format::kCsv:
      out += std::to_string(e.seq);
      for (const std::string* f : std::initializer_list<const std::string*>{
               &e.id, &e.ts, &e.actor_kind, &e.actor_id, &e.action, &e.target, &e.outcome,
               &e.reasons_json, &e.details_json, &e.prev_hash, &hash}) {
        out += ',';
        out += CsvField(*f);
      }
      out += "\r\n";
      break;
    case Format::kCef: {
      const char* severity = e.outcome == "success" ? "3" : "7";
      out += "CEF:0|Custodian|admincenter|1|" + CefHeader(e.action) + "|" + CefHeader(e.action) +
             "|" + severity + "|rt=" + CefValue(e.ts) + " externalId=" + std::to_string(e.seq) +
             " suid=" + CefValue(e.actor_id) + " cs1Label=actorKind cs1=" + CefValue(e.actor_kind) +
             " outcome=" + CefValue(e.outcome) + " cs2Label=target cs2=" + CefValue(e.target) +
             " cs3Label=reasons cs3=" + CefValue(e.reasons_json) +
             " cs4Label=details cs4=" + CefValue(e.details_json) +
             " cs5Label=prevHash cs5=" + e.prev_hash + " cs6Label=hash cs6=" + hash + "\n";
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
      if (!s->rows->Next(s->row)) {
        more = false;
        break;
      }
      AppendRow(*s, s->row, out);
    }
    if (!more && s->format == Format::kJsonl) {
      value t = value::object(true);
      t["format"] = value::string("jsonl");
      t["filter"] = s->filter;
      t["complete"] = value::boolean(s->filter.size() == 0);
      t["count"] = value::number(s->count);
      t["first_seq"] = value::number(s->first_seq);
      t["last_seq"] = value::number(s->last_seq);
      t["last_hash"] = value::string(s->last_hash);
      value chain = value::object(true);
      chain["seq"] = value::number(s->chain_seq);
      chain["hash"] = value::string(s->chain_hash);
      t["chain"] = chain;
      // No trailer when the chain no longer verifies: the export then
      // ends unsigned, and verify reports it.
      Result<value> sealed = service.seal().SignTrailer(std::move(t));
      if (sealed.ok()) {
        value trailer = value::object(true);
        trailer["trailer"] = sealed.value();
        out += CanonicalJson(trailer) + "\n";
      }
    }
  } catch (const std::exception&) {
    more = false;  // the stream ends short; verify reports it as truncated
  }
  if (!more) s->rows.reset();  // ends the snapshot, returns the connection
  sink(std::move(out), more);
}

}  // namespace

http::Response ExportAudit(Service& service, const http::Request& request,
                           boost::asio::thread_pool& workers) {
  std::vector<policy::FieldError> errors;
  Format format = Format::kJsonl;
  std::string content_type = "application/x-ndjson";
  AuditQuery query;
  value filter = value::object(true);
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
    } else if (filter.has_field(key)) {
      errors.push_back({"/" + key, "query parameter " + key + " is given more than once"});
    } else if (key == "since" || key == "until") {
      auto t = policy::ParseRfc3339(v);
      if (!t) {
        errors.push_back({"/" + key, "query parameter " + key + " must be RFC 3339"});
        continue;
      }
      (key == "since" ? query.since : query.until) = policy::FormatRfc3339(*t);
      filter[key] = value::string(policy::FormatRfc3339(*t));
    } else if (key == "actor" || key == "action" || key == "target") {
      (key == "actor" ? query.actor : key == "action" ? query.action : query.target) = v;
      filter[key] = value::string(v);
    } else {
      errors.push_back({"/" + key, "unknown query parameter"});
    }
  }
  if (!errors.empty()) return ToResponse(InvalidQuery(std::move(errors)));
  if (format == Format::kJsonl) {
    if (auto broken = service.seal().broken()) {
      return ToResponse(Problem{ErrorKind::kUnavailable,
                                "the audit chain does not verify (" + *broken +
                                    "); no signed export until an operator has restored the "
                                    "database (CSV and CEF exports still show the events)",
                                {},
                                {}});
    }
  }
  auto state = std::make_shared<ExportState>();
  state->format = format;
  state->filter = filter;
  state->rows = service.storage().ExportAudit(query);
  state->chain_seq = state->rows->head().seq;
  state->chain_hash = state->rows->head().hash;
  http::Response r;
  r.content_type = content_type;
  r.stream = [state, &service, &workers](http::Response::ChunkSink sink) {
    boost::asio::post(
        workers, [state, &service, sink = std::move(sink)] { NextChunk(state, service, sink); });
  };
  return r;
}

}  // namespace custodian::admincenter
