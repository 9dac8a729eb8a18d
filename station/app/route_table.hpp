#pragma once
// The HTTP surface as a table (docs/protocol.md "Routes"): each row names a method, a path, the
// handler that serves it, the most body it takes and the content type its body must have.
// StationApp dispatches every request through one RouteTable, and the network edge asks the same
// table for a request's body rules before it reads the body (Handler::body_rules), so body limits
// and content types are decided here and nowhere else. The station's rows are in
// station/app/routes/table.cpp, their handlers one file per resource beside it.
//
// A path is literal segments and parameters: "/v1/results/{contest}/{round}" takes
// "/v1/results/cc/1" with the parameters {"cc", "1"}. A parameter is one whole segment, possibly
// empty: its handler checks it. A RouteTable borrows its rows and never changes: thread safe.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "station/app/handler.hpp"
#include "station/app/query.hpp"

namespace tallystation::station {

struct AppContext;  // what handlers may use: station/app/routes/routes.hpp

// A request the table has admitted, as its route's handler sees it.
struct RouteRequest {
  HttpRequest http;
  Target target;                    // the decoded path and the query
  std::vector<std::string> params;  // the path's parameters, in order
};

// Serves an admitted request: calls respond exactly once (handler.hpp), or moves it on to
// whatever will.
using RouteHandler = void (*)(AppContext& app, RouteRequest& request, Responder& respond);

struct Route {
  std::string_view method;  // "GET", "POST"
  std::string_view path;    // "/v1/ballots", "/v1/results/{contest}/{round}"
  RouteHandler handler;
  std::size_t body_limit;         // bytes; a larger body is 413 too_large
  std::string_view content_type;  // the body's media type, else 415 wrong_content_type; "": any
};

// The body rules of a request that no row takes. The application will refuse it (404, or 405)
// but the edge reads it first: it is held to the smallest limit of its path's rows, or to
// body_limit for an unknown path, and a POST to post_content_type.
struct Unrouted {
  std::size_t body_limit;
  std::string_view post_content_type;
};

class RouteTable {
 public:
  // rows must outlive the table. A path appears once per method.
  RouteTable(std::span<const Route> rows, Unrouted unrouted);

  std::span<const Route> rows() const noexcept { return rows_; }

  // For the edge (Handler::body_rules): the row's limit and content type (a HEAD's: the GET
  // row's), else Unrouted's.
  BodyRules body_rules(std::string_view method, std::string_view target) const;

  struct Admitted {
    const Route* route;
    RouteRequest request;
  };
  // The row that takes the request, or the refusal, checked in this order: a target that does not
  // parse is 400 bad_query; no row for the path is 404 not_found; none for the method is 405
  // method_not_allowed with an Allow header naming the path's methods (HEAD after each GET); a
  // HEAD is taken by the path's GET row (RFC 9110 section 9.3.2); a body of another content
  // type than the row's is 415 wrong_content_type, one over the row's limit 413 too_large.
  std::variant<Admitted, HttpResponse> admit(HttpRequest request) const;

  // admit(), then the row's handler, or the refusal to respond.
  void dispatch(AppContext& app, HttpRequest request, Responder& respond) const;

 private:
  struct Lookup;
  Lookup find(std::string_view method, std::string_view path) const;

  std::span<const Route> rows_;
  Unrouted unrouted_;
};

}  // namespace tallystation::station
