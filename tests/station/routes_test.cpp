// The route table drives dispatch (station/app/route_table.hpp, docs/protocol.md "Routes"):
// a table of its own, then the station's table through StationApp, without sockets.
#include <catch2/catch.hpp>

#include <cstring>
#include <set>

#include "core_fixture.hpp"
#include "station/app/route_table.hpp"
#include "station/app/routes/routes.hpp"

using namespace tallystation;
using namespace tallystation::station;
using namespace tallystation::station::testing;

namespace {

void serve_nothing(AppContext&, RouteRequest&, Responder&) {}

// A made-up surface: a resource with two methods, one with a parameter, one taking any body.
constexpr Route kRows[] = {
    {"GET", "/v1/hall", serve_nothing, 100, ""},
    {"POST", "/v1/hall", serve_nothing, 50, "application/json"},
    {"GET", "/v1/hall/{seat}/{row}", serve_nothing, 100, ""},
    {"PUT", "/v1/report", serve_nothing, 10, ""},
};

HttpRequest request(std::string method, std::string target, std::string body = {},
                    std::string content_type = "application/json") {
  return HttpRequest{std::move(method), std::move(target), std::move(content_type), std::move(body),
                     "127.0.0.1:1"};
}

HttpResponse refused(const RouteTable& t, HttpRequest r) {
  auto out = t.admit(std::move(r));
  REQUIRE(std::holds_alternative<HttpResponse>(out));
  return std::get<HttpResponse>(out);
}

RouteTable::Admitted admitted(const RouteTable& t, HttpRequest r) {
  auto out = t.admit(std::move(r));
  if (auto* res = std::get_if<HttpResponse>(&out)) FAIL("refused: " << res->body);
  return std::move(std::get<RouteTable::Admitted>(out));
}

// Whether the table refused the request rather than its row's handler answering it.
bool refused_by_table(const HttpResponse& r) {
  if (r.log_code == "method_not_allowed" || r.log_code == "wrong_content_type") return true;
  const auto body = json::parse(r.body);
  return r.log_code == "not_found" && body.at("message").as_string().starts_with("no resource ");
}

std::string allow_header(const HttpResponse& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == "Allow") return value;
  }
  return "(none)";
}

// A target for a row: its parameters filled in with values the station knows.
std::string concrete(std::string_view path) {
  std::string out(path);
  for (auto [name, value] : {std::pair{"{contest}", "cc"}, std::pair{"{round}", "1"}}) {
    if (auto at = out.find(name); at != std::string::npos) out.replace(at, strlen(name), value);
  }
  return out;
}

}  // namespace

TEST_CASE("a route table picks the row for method and path, with the path's parameters",
          "[routes]") {
  const RouteTable t(kRows, Unrouted{1000, "application/json"});
  CHECK(admitted(t, request("GET", "/v1/hall?x=1")).route == &kRows[0]);
  CHECK(admitted(t, request("POST", "/v1/hall", "{}")).route == &kRows[1]);
  auto seat = admitted(t, request("GET", "/v1/hall/a%2012/7"));
  CHECK(seat.route == &kRows[2]);
  CHECK(seat.request.params == std::vector<std::string>{"a 12", "7"});
  CHECK(seat.request.target.path == "/v1/hall/a 12/7");
  CHECK(admitted(t, request("PUT", "/v1/report", "text", "text/plain")).route == &kRows[3]);
}

TEST_CASE("a route table refuses an unknown path 404 and another method 405 with Allow",
          "[routes]") {
  const RouteTable t(kRows, Unrouted{1000, "application/json"});
  for (const char* path : {"/v1/halls", "/v1/hall/", "/v1/hall/1", "/v1/hall/1/2/3", "/"}) {
    CAPTURE(path);
    auto r = refused(t, request("GET", path));
    CHECK(r.status == 404);
    CHECK(r.log_code == "not_found");
    CHECK(allow_header(r) == "(none)");
  }
  auto r = refused(t, request("DELETE", "/v1/hall"));
  CHECK(r.status == 405);
  CHECK(r.log_code == "method_not_allowed");
  CHECK(allow_header(r) == "GET, HEAD, POST");
  CHECK(allow_header(refused(t, request("POST", "/v1/hall/1/2"))) == "GET, HEAD");
  // HEAD is taken by the GET row; on a path without one it is 405 like any other method.
  CHECK(admitted(t, request("HEAD", "/v1/hall?x=1")).route == &kRows[0]);
  CHECK(admitted(t, request("HEAD", "/v1/hall/a/7")).route == &kRows[2]);
  auto head = refused(t, request("HEAD", "/v1/report"));
  CHECK(head.status == 405);
  CHECK(allow_header(head) == "PUT");
  // A method is case-sensitive (RFC 9110 section 9.1): "get" is not GET.
  CHECK(allow_header(refused(t, request("get", "/v1/hall"))) == "GET, HEAD, POST");
  CHECK(refused(t, request("GET", "/v1/%zz")).log_code == "bad_query");
}

TEST_CASE("a route table refuses content types and body sizes by the row", "[routes]") {
  const RouteTable t(kRows, Unrouted{1000, "application/json"});
  auto wrong = refused(t, request("POST", "/v1/hall", "{}", "text/plain"));
  CHECK(wrong.status == 415);
  CHECK(wrong.log_code == "wrong_content_type");
  admitted(t, request("POST", "/v1/hall", "{}", "Application/JSON; charset=utf-8"));
  admitted(t, request("GET", "/v1/hall", "", "text/plain"));  // the GET row names no type

  admitted(t, request("POST", "/v1/hall", std::string(50, ' ')));
  auto large = refused(t, request("POST", "/v1/hall", std::string(51, ' ')));
  CHECK(large.status == 413);
  CHECK(large.log_code == "too_large");
  admitted(t, request("GET", "/v1/hall", std::string(100, ' ')));
  CHECK(refused(t, request("PUT", "/v1/report", std::string(11, ' '))).status == 413);
}

TEST_CASE("a route table reports each row's body rules, and the path's for a request no row takes",
          "[routes]") {
  const RouteTable t(kRows, Unrouted{1000, "application/json"});
  auto rules = t.body_rules("POST", "/v1/hall?x=1");
  CHECK(rules.limit == 50);
  CHECK(rules.content_type == "application/json");
  rules = t.body_rules("GET", "/v1/hall/3/4");
  CHECK(rules.limit == 100);
  CHECK(rules.content_type.empty());
  // Refused later (405): the smallest limit of the path's rows; a POST is held to JSON.
  CHECK(t.body_rules("DELETE", "/v1/hall").limit == 50);
  CHECK(t.body_rules("DELETE", "/v1/hall").content_type.empty());
  CHECK(t.body_rules("POST", "/v1/report").content_type == "application/json");
  // A HEAD's are its GET row's.
  CHECK(t.body_rules("HEAD", "/v1/hall").limit == 100);
  CHECK(t.body_rules("HEAD", "/v1/hall").content_type.empty());
  // Refused later (404): the table's default.
  CHECK(t.body_rules("GET", "/nowhere").limit == 1000);
  CHECK(t.body_rules("POST", "/nowhere").content_type == "application/json");
}

TEST_CASE("the station dispatches every row of its table and refuses what the table refuses",
          "[routes]") {
  Station st("routes");
  std::set<std::string> paths;
  for (const Route& row : routes::table()) {
    const std::string target = concrete(row.path);
    INFO(std::string(row.method) << " " << target);
    const BodyRules rules = st.app().body_rules(row.method, target);
    CHECK(rules.limit == row.body_limit);
    CHECK(rules.content_type == row.content_type);
    // The row takes the request: whatever its handler answers, it is not the table's refusal.
    const HttpResponse res = st.call(std::string(row.method), target, "{}");
    CHECK_FALSE(refused_by_table(res));
    if (!row.content_type.empty()) {
      CHECK(st.call(std::string(row.method), target, "{}", "text/plain").status == 415);
    }
    auto large = st.call(std::string(row.method), target, std::string(row.body_limit + 1, ' '));
    CHECK(large.status == 413);
    paths.insert(target);
  }
  for (const std::string& target : paths) {
    CAPTURE(target);
    auto res = st.call("DELETE", target);
    CHECK(res.status == 405);
    CHECK(error_code_of(res) == "method_not_allowed");
    CHECK(allow_header(res) != "(none)");
  }
  CHECK(allow_header(st.call("GET", "/v1/ballots")) == "POST");
  CHECK(allow_header(st.call("POST", "/v1/status")) == "GET, HEAD");
  CHECK(allow_header(st.call("HEAD", "/v1/ballots")) == "POST");
  CHECK(st.call("HEAD", "/v1/commands").status == 405);
  CHECK(st.call("GET", "/v1/nowhere").status == 404);
  // A GET row names no content type: any is fine.
  CHECK(st.call("GET", "/v1/status", "", "text/plain").status == 200);
}

TEST_CASE("the station's body rules are the ones docs/protocol.md states", "[routes]") {
  Station st("rules");
  CHECK(st.app().body_rules("POST", "/v1/ballots").limit == 64 * 1024);
  CHECK(st.app().body_rules("POST", "/v1/ballots").content_type == "application/json");
  CHECK(st.app().body_rules("POST", "/v1/commands").limit == 1024 * 1024);
  CHECK(st.app().body_rules("POST", "/v1/results/cc/1/signatures").limit == 1024 * 1024);
  CHECK(st.app().body_rules("GET", "/v1/status").content_type.empty());
  // Requests that will be refused 404 or 405 once read, as the edge has always held them.
  CHECK(st.app().body_rules("GET", "/v1/ballots").limit == 64 * 1024);
  CHECK(st.app().body_rules("POST", "/v2/ballots").limit == 1024 * 1024);
  CHECK(st.app().body_rules("POST", "/v2/ballots").content_type == "application/json");
  CHECK(st.app().body_rules("POST", "/v1/status").content_type == "application/json");
}

TEST_CASE("HEAD on each of the station's GET routes is answered exactly as the GET", "[routes]") {
  // RFC 9110 section 9.3.2; the edge then sends the answer's header without the body
  // (tests/station/net_server_test.cpp "HEAD on the station's routes ...").
  Station st("head");
  std::set<std::string> gets;
  for (const Route& row : routes::table()) {
    if (row.method == "GET") gets.insert(concrete(row.path));
  }
  // With the queries they take, and some they refuse.
  for (const char* t : {"/v1/ballot?contest=cc", "/v1/ballot?contest=nope",
                        "/v1/checkpoint?contest=cc&round=1", "/v1/results/nope/1",
                        "/v1/results/cc/x", "/v1/proof?contest=cc&round=1&ballot_hash=00"}) {
    gets.insert(t);
  }
  for (const std::string& target : gets) {
    CAPTURE(target);
    const HttpResponse get = st.call("GET", target);
    const HttpResponse head = st.call("HEAD", target);
    CHECK(head.status == get.status);
    CHECK(head.body == get.body);
    CHECK(head.content_type == get.content_type);
    CHECK(head.headers == get.headers);
    CHECK(head.log_code == get.log_code);
  }
  CHECK(st.call("HEAD", "/v1/status").status == 200);
  CHECK(st.call("HEAD", "/v1/station").status == 200);
  // Every 405 names HEAD beside GET, and HEAD is never refused where GET is taken.
  auto res = st.call("get", "/v1/status");
  CHECK(res.status == 405);
  CHECK(allow_header(res) == "GET, HEAD");
}
