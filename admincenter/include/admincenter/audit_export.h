// GET /v1/audit/events: the audit log streamed in JSON Lines, CSV or CEF,
// filtered by time range, actor, action and target, in constant memory
// whatever its size: rows are read in batches on worker threads from one
// read transaction (a consistent snapshot) and sent as chunks.
//
// A JSON Lines or CSV export carries every field an auditor needs to
// recompute each hash offline (`custodian audit verify`). A JSON Lines
// export ends with a signed trailer naming the last event it contains and
// whether the export is complete (no filter), so that removing events from
// its end or start is detected too.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "admincenter/service.h"
#include "common/http_server.h"

namespace custodian::admincenter {

http::Response ExportAudit(Service& service, const http::Request& request,
                           boost::asio::thread_pool& workers);

}  // namespace custodian::admincenter
