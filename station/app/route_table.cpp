#include "station/app/route_table.hpp"

#include <algorithm>
#include <limits>

#include "station/app/refusal.hpp"

namespace tallystation::station {

namespace {

bool is_parameter(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Whether path has pattern's segments; on success params holds the parameters' segments.
bool path_matches(std::string_view pattern, std::string_view path,
                  std::vector<std::string>& params) {
  std::vector<std::string> found;
  for (;;) {
    const auto p = pattern.find('/');
    const auto q = path.find('/');
    const std::string_view want = pattern.substr(0, p);
    const std::string_view got = path.substr(0, q);
    if (is_parameter(want)) {
      found.emplace_back(got);
    } else if (want != got) {
      return false;
    }
    if ((p == std::string_view::npos) != (q == std::string_view::npos)) return false;
    if (p == std::string_view::npos) break;
    pattern.remove_prefix(p + 1);
    path.remove_prefix(q + 1);
  }
  params = std::move(found);
  return true;
}

}  // namespace

struct RouteTable::Lookup {
  const Route* route = nullptr;     // the row for path and method
  std::vector<std::string> params;  // its parameters
  std::string allow;                // the methods of the path's rows, "GET, POST"
  std::size_t path_limit = std::numeric_limits<std::size_t>::max();  // their smallest limit
};

RouteTable::RouteTable(std::span<const Route> rows, Unrouted unrouted)
    : rows_(rows), unrouted_(unrouted) {}

// HEAD is GET without the body (RFC 9110 section 9.3.2): a HEAD takes the path's GET row, whose
// handler answers exactly as to the GET, and the edge sends that answer's header and no body.
// A path with a GET row names HEAD after GET in Allow.
RouteTable::Lookup RouteTable::find(std::string_view method, std::string_view path) const {
  Lookup out;
  std::vector<std::string> params;
  const std::string_view row_method = method == "HEAD" ? std::string_view("GET") : method;
  for (const Route& row : rows_) {
    if (!path_matches(row.path, path, params)) continue;
    if (row.method == row_method && out.route == nullptr) {
      out.route = &row;
      out.params = std::move(params);
    }
    if (!out.allow.empty()) out.allow += ", ";
    out.allow += row.method;
    if (row.method == "GET") out.allow += ", HEAD";
    out.path_limit = std::min(out.path_limit, row.body_limit);
  }
  return out;
}

BodyRules RouteTable::body_rules(std::string_view method, std::string_view target) const {
  auto parsed = parse_target(target);
  Lookup found = parsed ? find(method, parsed->path) : Lookup{};
  if (found.route != nullptr) {
    return {found.route->body_limit, std::string(found.route->content_type)};
  }
  BodyRules rules;
  rules.limit = found.allow.empty() ? unrouted_.body_limit : found.path_limit;
  if (method == "POST") rules.content_type = unrouted_.post_content_type;
  return rules;
}

std::variant<RouteTable::Admitted, HttpResponse> RouteTable::admit(HttpRequest request) const {
  auto target = parse_target(request.target);
  if (!target) return refusal_response(Refusal::bad_query, "the request target is not well formed");
  Lookup found = find(request.method, target->path);
  if (found.allow.empty())
    return refusal_response(Refusal::not_found, "no resource " + target->path);
  if (found.route == nullptr) {
    HttpResponse res = refusal_response(Refusal::method_not_allowed,
                                        "use " + found.allow + " for " + target->path);
    res.headers.emplace_back("Allow", found.allow);
    return res;
  }
  const Route& route = *found.route;
  if (!content_type_matches(request.content_type, route.content_type)) {
    return refusal_response(Refusal::wrong_content_type,
                            "Content-Type must be " + std::string(route.content_type));
  }
  if (request.body.size() > route.body_limit) {
    return refusal_response(Refusal::too_large,
                            "the body exceeds " + std::to_string(route.body_limit) + " bytes");
  }
  return Admitted{&route,
                  RouteRequest{std::move(request), std::move(*target), std::move(found.params)}};
}

void RouteTable::dispatch(AppContext& app, HttpRequest request, Responder& respond) const {
  auto admitted = admit(std::move(request));
  if (auto* refused = std::get_if<HttpResponse>(&admitted)) return respond(std::move(*refused));
  Admitted& a = std::get<Admitted>(admitted);
  a.route->handler(app, a.request, respond);
}

}  // namespace tallystation::station
