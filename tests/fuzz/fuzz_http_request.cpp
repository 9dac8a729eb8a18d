// Fuzz target: a whole HTTP request through the application handler, no socket: StationApp::handle
// (station/app/station_app.hpp) with its route table, every route's query and body parsing, intake
// and the command path. One StationApp, opened once on a temporary data directory with the example
// session (docs/examples/session.json), serves every input, so state (enrolled terminals, open
// rounds) carries over between inputs as it does in a running station.
//
// Input: "METHOD TARGET\nCONTENT-TYPE\nBODY..." (the first line split at its first space; a missing
// line is empty).
// Invariants: the responder is called exactly once, within 30 s; the status is in 100..599; an
// error (4xx, 5xx) has a JSON object body with a string "error"; a 2xx only for a request within
// the route's body rules (content type and size limit). (That a HEAD answer carries no body is the
// network edge's job, station/net/connection.cpp: the handler answers HEAD like any method.)
#include <boost/json.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <string>

#include "fuzz_util.hpp"
#include "station/app/station_app.hpp"

using namespace tallystation;
using namespace tallystation::station;

namespace {

struct World {
  std::filesystem::path dir;
  std::unique_ptr<StationApp> app;
  World() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "ts-fuzz-http-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    dir = tmpl;
    const std::filesystem::path session = dir / "session.json";
    {
      std::ofstream out(session, std::ios::binary);
      out << fuzz::source_file("docs/examples/session.json");
    }
    StationOptions o;
    o.data_dir = dir / "data";
    o.session_file = session;
    o.worker_threads = 1;
    auto opened = StationApp::open(o);
    if (!opened) {
      std::fprintf(stderr, "fuzz_http_request: %s\n", opened.error().message.c_str());
      std::abort();
    }
    app = std::move(*opened);
  }
};

World* world = nullptr;

void close_world() {
  if (world == nullptr) return;
  world->app->drain();
  world->app.reset();
  std::error_code ec;
  std::filesystem::remove_all(world->dir, ec);
}

std::string_view next_line(std::string_view& rest) {
  const auto nl = rest.find('\n');
  const std::string_view line = rest.substr(0, nl);
  rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (world == nullptr) {
    world = new World();
    std::atexit(close_world);
  }
  std::string_view rest = fuzz::as_view(data, size);
  const std::string_view first = next_line(rest);
  const auto sp = first.find(' ');
  HttpRequest req;
  req.method = std::string(first.substr(0, sp));
  req.target = sp == std::string_view::npos ? std::string() : std::string(first.substr(sp + 1));
  req.content_type = std::string(next_line(rest));
  req.body = std::string(rest);
  req.peer = "127.0.0.1:1";

  const BodyRules rules = world->app->body_rules(req.method, req.target);
  const bool within_rules =
      req.body.size() <= rules.limit && content_type_matches(req.content_type, rules.content_type);

  auto calls = std::make_shared<std::atomic<int>>(0);
  auto promise = std::make_shared<std::promise<HttpResponse>>();
  auto future = promise->get_future();
  world->app->handle(std::move(req), [calls, promise](HttpResponse r) {
    if (calls->fetch_add(1) == 0) promise->set_value(std::move(r));
  });
  if (future.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    fuzz::invariant_failed("a response within 30 s", __FILE__, __LINE__);
  }
  const HttpResponse res = future.get();
  FUZZ_CHECK(calls->load() == 1);
  FUZZ_CHECK(res.status >= 100 && res.status <= 599);
  if (res.status >= 400) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(res.body, ec);
    FUZZ_CHECK(!ec && v.is_object() && v.as_object().contains("error") &&
               v.as_object().at("error").is_string());
  }
  if (res.status >= 200 && res.status < 300) FUZZ_CHECK(within_rules);
  return 0;
}
