#pragma once
// The seam between the network edge (station/net) and the application (station/app): an HTTP
// request goes in, a response comes out, no socket in sight.
//
// Handler::handle may complete asynchronously (a ballot's response waits for signature checks on
// the worker pool and for the group commit that makes it durable). The Responder is called exactly
// once, from any thread; the network edge posts it back to the connection's executor.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tallystation::station {

struct HttpRequest {
  std::string method;        // "GET", "POST", ...
  std::string target;        // path and query, e.g. "/v1/checkpoint?contest=cc&round=1"
  std::string content_type;  // as sent, may be empty
  std::string body;
  std::string peer;          // "ip:port" of the client, for logs only
};

struct HttpResponse {
  unsigned status = 200;
  std::string body;  // JSON text
  std::string content_type = "application/json";
  // For the structured request log (one JSON object per line). Never ballot contents or tokens.
  std::string log_code = "ok";                                // error code, or "ok"
  std::vector<std::pair<std::string, std::string>> log_fields;  // e.g. {"terminal", keyid}
};

using Responder = std::function<void(HttpResponse)>;

class Handler {
 public:
  virtual ~Handler() = default;
  // Handles one request; calls respond exactly once, possibly on another thread, possibly before
  // returning.
  virtual void handle(HttpRequest request, Responder respond) = 0;
  // Stops taking new work, completes everything already taken (in-flight commits are finished and
  // answered), then returns. Called once, at shutdown.
  virtual void drain() = 0;
};

}  // namespace tallystation::station
