#pragma once
// The seam between the network edge (station/net) and the application (station/app): an HTTP
// request goes in, a response comes out, no socket in sight.
//
// Handler::handle may complete asynchronously (a ballot's response waits for signature checks on
// the worker pool and for the group commit that makes it durable). The Responder is called exactly
// once, from any thread; the network edge posts it back to the connection's executor.
//
// Before it reads a request's body, the edge asks Handler::body_rules how much body the request
// may carry and of which content type, and refuses it (413, 415) itself if it breaks them; the
// handler decides the rules (StationApp: from its route table, station/app/route_table.hpp).
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tallystation::station {

struct HttpRequest {
  std::string method;        // "GET", "POST", ...
  std::string target;        // path and query, e.g. "/v1/checkpoint?contest=cc&round=1"
  std::string content_type;  // as sent, may be empty
  std::string body;
  std::string peer;  // "ip:port" of the client, for logs only
};

struct HttpResponse {
  unsigned status = 200;
  std::string body;  // JSON text
  std::string content_type = "application/json";
  // For the structured request log (one JSON object per line). Never ballot contents or tokens.
  std::string log_code = "ok";                                  // error code, or "ok"
  std::vector<std::pair<std::string, std::string>> log_fields;  // e.g. {"terminal", keyid}
  // Further response headers, e.g. {"Allow", "GET"} on a 405.
  std::vector<std::pair<std::string, std::string>> headers;
};

// What a handler requires of a request's body, decided from its method and target alone.
struct BodyRules {
  std::uint64_t limit = std::numeric_limits<std::uint64_t>::max();  // bytes; over it: 413
  std::string content_type;  // the media type the body must have (415 otherwise); empty: any
};

// Whether a Content-Type header value names media_type: ASCII case-insensitive, parameters (such
// as "; charset=utf-8") and trailing blanks ignored. An empty media_type accepts anything.
inline bool content_type_matches(std::string_view header, std::string_view media_type) {
  if (media_type.empty()) return true;
  std::string_view media = header.substr(0, header.find(';'));
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  if (media.size() != media_type.size()) return false;
  for (std::size_t i = 0; i < media.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(media[i]) != lower(media_type[i])) return false;
  }
  return true;
}

using Responder = std::function<void(HttpResponse)>;

class Handler {
 public:
  virtual ~Handler() = default;
  // Handles one request; calls respond exactly once, possibly on another thread, possibly before
  // returning. A HEAD is answered exactly as the same GET would be, body included (RFC 9110
  // section 9.3.2): the edge sends the answer's header, its Content-Length the body's length, and
  // never the body.
  virtual void handle(HttpRequest request, Responder respond) = 0;
  // The rules for the body of a request with this method and target (path and query, as sent),
  // asked by the edge once the request's header has arrived, before any body byte is read (and
  // before a 100 Continue invites one). Called on I/O threads: thread safe, quick, never blocks.
  // handle() must still refuse what breaks them: a request need not come through the edge.
  // By default: no rules beyond the edge's own limit.
  virtual BodyRules body_rules(std::string_view /*method*/, std::string_view /*target*/) const {
    return {};
  }
  // Stops taking new work, completes everything already taken (in-flight commits are finished and
  // answered), then returns. Called once, at shutdown.
  virtual void drain() = 0;
};

}  // namespace tallystation::station
