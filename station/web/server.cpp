// The loopback HTTP/1.1 server of the console and the display (docs/hall.md "The console's own
// interface"): synchronous Beast, one thread per connection (a handful of browsers on the
// official's own machine), the follower on its own thread.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "actions.hpp"
#include "assets.hpp"
#include "crypto/hash.hpp"
#include "follower.hpp"
#include "hall.hpp"

namespace tallystation::station::web {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

namespace {

// Bodies the console accepts (a command's arguments are small; the station's own limit is 1 MiB).
constexpr std::size_t kBodyLimit = 1 << 20;
// Connections served at once; more wait in the listen queue.
constexpr int kMaxConnections = 64;
// A comment line this often keeps an event stream open through idle times.
constexpr auto kKeepAlive = std::chrono::seconds(15);

std::string query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == key) {
      std::string out;
      const std::string_view v = pair.substr(eq + 1);
      for (std::size_t i = 0; i < v.size(); ++i) {
        unsigned byte = 0;
        if (v[i] == '%' && i + 2 < v.size() &&
            std::from_chars(v.data() + i + 1, v.data() + i + 3, byte, 16).ptr == v.data() + i + 3) {
          out.push_back(static_cast<char>(byte));
          i += 2;
        } else {
          out.push_back(v[i] == '+' ? ' ' : v[i]);
        }
      }
      return out;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

}  // namespace

struct Hall::Impl {
  explicit Impl(HallOptions o)
      : options(std::move(o)), acceptor(io), actions(options) {}

  HallOptions options;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::string console_key;  // hex; empty for the display
  std::unique_ptr<Follower> follower;
  Actions actions;

  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::condition_variable idle;  // a connection ended
  std::set<int> open_sockets;    // shut down by stop()
  int connections = 0;

  // Set once the acceptor is bound, before any thread starts: connection threads read it while
  // run() uses the acceptor.
  std::uint16_t bound_port = 0;
  std::uint16_t port() const { return bound_port; }

  // The console key, compared in constant time: it is what keeps other pages and other local
  // users from signing or reading tokens.
  bool key_given(const http::request<http::string_body>& req) const {
    const std::string_view given = req["X-Console-Key"];
    return !console_key.empty() && given.size() == console_key.size() &&
           crypto::constant_time_equal(given, console_key);
  }

  bool host_allowed(std::string_view host) const {
    const std::string p = std::to_string(port());
    return host == "127.0.0.1:" + p || host == "localhost:" + p;
  }

  void serve(tcp::socket& socket);
  http::response<http::string_body> handle(const http::request<http::string_body>& req);
  void events(tcp::socket& socket);
};

namespace {

http::response<http::string_body> make(unsigned status, std::string content_type,
                                       std::string body, unsigned version) {
  http::response<http::string_body> res{static_cast<http::status>(status), version};
  res.set(http::field::content_type, content_type);
  res.set(http::field::cache_control, "no-store");
  res.set("X-Content-Type-Options", "nosniff");
  // The pages load their own files only: no other origin, no inline script.
  res.set("Content-Security-Policy",
          "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
          "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  res.set("Referrer-Policy", "no-referrer");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

http::response<http::string_body> from_reply(Reply r, unsigned version) {
  return make(r.status, std::move(r.content_type), std::move(r.body), version);
}

const Asset* find_asset(std::string_view name) {
  for (const Asset& a : assets()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace

http::response<http::string_body> Hall::Impl::handle(const http::request<http::string_body>& req) {
  const unsigned v = req.version();
  const auto error = [&](unsigned status, std::string_view code, std::string_view message) {
    return from_reply(error_reply(status, code, message), v);
  };
  if (!host_allowed(req[http::field::host])) {
    return error(421, "misdirected", "open the address stationctl printed (127.0.0.1 or localhost)");
  }
  const std::string_view full(req.target().data(), req.target().size());
  const auto q = full.find('?');
  const std::string_view path = full.substr(0, q);
  const std::string_view query = q == std::string_view::npos ? std::string_view() : full.substr(q + 1);
  const bool console = options.mode == Mode::console;

  if (req.method() == http::verb::get) {
    std::string_view page;
    if (path == "/") page = console ? "console.html" : "display.html";
    if (path == "/display") page = "display.html";
    if (!page.empty()) {
      const Asset* a = find_asset(page);
      return make(200, std::string(a->media_type), std::string(a->bytes), v);
    }
    if (path.starts_with("/assets/")) {
      const Asset* a = find_asset(path.substr(8));
      if (a == nullptr || a->name.ends_with(".html")) return error(404, "not_found", "no such file");
      return make(200, std::string(a->media_type), std::string(a->bytes), v);
    }
    if (path == "/api/state") return make(200, "application/json; charset=utf-8", follower->current().json, v);
    if (path == "/api/minutes.pdf") {
      std::string lang = query_value(query, "lang");
      if (lang.empty()) lang = follower->language();
      return from_reply(actions.minutes_pdf(query_value(query, "contest"),
                                            query_value(query, "round"), lang),
                        v);
    }
    if (console && path.starts_with("/api/files/")) {
      // The slips hold the tokens: served to the console's page only.
      if (!key_given(req)) {
        return error(403, "console_key",
                     "the console key is missing or wrong: open the address stationctl console "
                     "printed, with its #k=");
      }
      return from_reply(actions.file(path.substr(11)), v);
    }
    return error(404, "not_found", "no such path");
  }
  if (req.method() == http::verb::post && console &&
      (path == "/api/command" || path == "/api/countersign" || path == "/api/export")) {
    const std::string_view type = req[http::field::content_type];
    if (type != "application/json" && !type.starts_with("application/json;")) {
      return error(415, "wrong_content_type", "Content-Type: application/json is needed");
    }
    if (!key_given(req)) {
      return error(403, "console_key",
                   "the console key is missing or wrong: open the address stationctl console "
                   "printed, with its #k=");
    }
    Reply r = path == "/api/command"       ? actions.command(req.body())
              : path == "/api/countersign" ? actions.countersign(req.body())
                                           : actions.export_bundle();
    follower->poke();
    return from_reply(std::move(r), v);
  }
  if (req.method() == http::verb::post) return error(404, "not_found", "no such action here");
  auto res = error(405, "method_not_allowed", "GET, HEAD or POST only");
  res.set(http::field::allow, "GET, HEAD, POST");
  return res;
}

void Hall::Impl::events(tcp::socket& socket) {
  boost::system::error_code ec;
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
      "Cache-Control: no-store\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n"
      "Referrer-Policy: no-referrer\r\nContent-Security-Policy: default-src 'none'\r\n\r\n";
  asio::write(socket, asio::buffer(head), ec);
  Snapshot s = follower->current();
  std::string message = "retry: 1000\nevent: state\ndata: " + s.json + "\n\n";
  asio::write(socket, asio::buffer(message), ec);
  std::uint64_t seen = s.revision;
  while (!ec && !stopping) {
    if (auto next = follower->wait_after(seen, kKeepAlive)) {
      seen = next->revision;
      message = "event: state\ndata: " + next->json + "\n\n";
    } else {
      message = ": keep-alive\n\n";
    }
    if (stopping) break;
    asio::write(socket, asio::buffer(message), ec);
  }
}

void Hall::Impl::serve(tcp::socket& socket) {
  beast::flat_buffer buffer;
  boost::system::error_code ec;
  // A refusal of the request's framing: answered, then the connection is closed, since where
  // the next request would begin is unknown (RFC 9112 section 6.3).
  const auto refuse = [&](unsigned status, std::string_view code, std::string_view message) {
    auto res = from_reply(error_reply(status, code, message), 11);
    res.keep_alive(false);
    http::write(socket, res, ec);
  };
  const auto closed = [](const boost::system::error_code& e) {
    return e == http::error::end_of_stream || e == asio::error::eof ||
           e == asio::error::connection_reset || e == asio::error::operation_aborted ||
           e == asio::error::shut_down || e == asio::error::bad_descriptor;
  };
  while (!stopping) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    parser.header_limit(16 * 1024);
    http::read_header(socket, buffer, parser, ec);
    if (ec == http::error::body_limit) {  // a Content-Length over the limit, seen in the header
      refuse(413, "too_large", "the body is over 1 MiB");
      break;
    }
    if (ec) {
      if (!closed(ec)) refuse(400, "bad_request", "the request is not HTTP/1.1 as RFC 9112 frames it");
      break;
    }
    // The pages send bodies with Content-Length only; a transfer coding is not read at all.
    const auto& head = parser.get();
    if (head.count(http::field::transfer_encoding) > 0) {
      refuse(501, "not_implemented", "no transfer coding is implemented: send Content-Length");
      break;
    }
    if (head.count(http::field::content_length) > 1) {
      refuse(400, "bad_request", "more than one Content-Length");
      break;
    }
    if (!parser.is_done()) http::read(socket, buffer, parser, ec);
    if (ec == http::error::body_limit) {
      refuse(413, "too_large", "the body is over 1 MiB");
      break;
    }
    if (ec) {
      if (!closed(ec)) refuse(400, "bad_request", "the body is not as its Content-Length says");
      break;
    }
    const http::request<http::string_body>& req = parser.get();
    const std::string_view target(req.target().data(), req.target().size());
    const bool events_target = target == "/api/events" || target.starts_with("/api/events?");
    if (req.method() == http::verb::get && events_target && host_allowed(req[http::field::host])) {
      events(socket);
      break;
    }
    if (req.method() == http::verb::head) {
      // The answer a GET would get, its header only (RFC 9110 section 9.3.2): never a body.
      http::request<http::string_body> as_get = req;
      as_get.method(http::verb::get);
      auto res = handle(as_get);
      if (events_target && host_allowed(req[http::field::host])) {
        res = from_reply(error_reply(405, "method_not_allowed", "the event stream is GET only"), 11);
        res.set(http::field::allow, "GET");
      }
      res.keep_alive(req.keep_alive());
      http::response_serializer<http::string_body> serializer(res);
      http::write_header(socket, serializer, ec);
      if (ec || !req.keep_alive()) break;
      continue;
    }
    auto res = handle(req);
    res.keep_alive(req.keep_alive());
    http::write(socket, res, ec);
    if (ec || !req.keep_alive()) break;
  }
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

Hall::Hall(HallOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  Impl& i = *impl_;
  if (i.options.link.station.empty()) {
    throw HallError("usage", "give the station: --station https://HOST:PORT (or TALLY_STATION)");
  }
  if (i.options.link.fingerprint.empty() && i.options.link.cacert.empty()) {
    throw HallError("usage",
                    "pin the station: --fingerprint HEX or --cacert FILE (or TALLY_FINGERPRINT, "
                    "TALLY_CACERT)");
  }
  if (i.options.mode == Mode::console) {
    if (!i.options.key) throw HallError("usage", "the console signs: give --key KEY (or TALLY_KEY)");
    std::error_code ec;
    if (!std::filesystem::is_directory(i.options.out_dir, ec) ||
        ::access(i.options.out_dir.c_str(), W_OK) != 0) {
      throw HallError("io", i.options.out_dir + ": not a directory this user can write to (--out)");
    }
    if (!i.options.data_dir.empty() &&
        !std::filesystem::is_regular_file(std::filesystem::path(i.options.data_dir) / "session.json", ec)) {
      throw HallError("io", i.options.data_dir + ": not a station's data directory (--data)");
    }
    i.console_key = crypto::to_hex(crypto::random_bytes(32));
  }
  // A refusal of the pin itself (a fingerprint that is not hex) is a usage error now, not a
  // banner later.
  try {
    (void)ctl::pinned_options(i.options.link);
  } catch (const ctl::CtlError& e) {
    throw HallError("usage", e.what());
  }
  boost::system::error_code ec;
  const tcp::endpoint at(asio::ip::make_address_v4("127.0.0.1"), i.options.port);
  i.acceptor.open(at.protocol(), ec);
  if (!ec) i.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) i.acceptor.bind(at, ec);
  if (!ec) i.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw HallError("bind", "127.0.0.1:" + std::to_string(i.options.port) + ": " + ec.message());
  }
  i.bound_port = i.acceptor.local_endpoint().port();
  json::object fixed{{"mode", i.options.mode == Mode::console ? "console" : "display"},
                     {"signer", nullptr}};
  if (i.options.mode == Mode::console) {
    fixed["signer"] = json::object{
        {"official", i.options.official.empty() ? json::value(nullptr) : json::value(i.options.official)},
        {"keyid", i.options.key->keyid()}};
    fixed["export"] = !i.options.data_dir.empty();
  }
  i.follower = std::make_unique<Follower>(i.options.link, std::move(fixed), i.options.language);
}

Hall::~Hall() {
  stop();
}

std::uint16_t Hall::port() const { return impl_->port(); }

std::string Hall::url() const {
  std::string u = "http://127.0.0.1:" + std::to_string(port()) + "/";
  if (impl_->options.mode == Mode::console) u += "#k=" + impl_->console_key;
  return u;
}

void Hall::run() {
  Impl& i = *impl_;
  while (!i.stopping) {
    {
      std::unique_lock lock(i.mutex);
      i.idle.wait(lock, [&] { return i.stopping || i.connections < kMaxConnections; });
    }
    boost::system::error_code ec;
    tcp::socket socket(i.io);
    i.acceptor.accept(socket, ec);
    if (i.stopping) break;
    if (ec) {
      // Out of file descriptors, say: the connection stays queued, so wait before trying again
      // rather than spin.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    std::lock_guard lock(i.mutex);
    ++i.connections;
    const int fd = socket.native_handle();
    i.open_sockets.insert(fd);
    auto owned = std::make_unique<tcp::socket>(std::move(socket));
    auto work = [&i, fd, s = std::move(owned)]() mutable {
      try {
        i.serve(*s);
      } catch (const std::exception& e) {
        // A bug, or memory exhausted: this connection ends, the console goes on.
        std::fprintf(stderr, "stationctl: a connection failed: %s\n", e.what());
      } catch (...) {
        std::fprintf(stderr, "stationctl: a connection failed\n");
      }
      {
        // Closed and gone before the count drops: run() may return, and the io_context with it,
        // as soon as it does.
        std::lock_guard lock2(i.mutex);
        i.open_sockets.erase(fd);
      }
      s.reset();
      std::lock_guard lock2(i.mutex);
      --i.connections;
      i.idle.notify_all();
    };
    try {
      std::thread(std::move(work)).detach();
    } catch (const std::system_error&) {
      // No thread to be had: this connection is closed (its socket went with `work`), and
      // counted out.
      i.open_sockets.erase(fd);
      --i.connections;
    }
  }
  // Every connection ends: stop() shut their sockets down; event streams wake from the follower.
  std::unique_lock lock(i.mutex);
  i.idle.wait(lock, [&] { return i.connections == 0; });
}

void Hall::stop() {
  Impl& i = *impl_;
  if (i.stopping.exchange(true)) return;
  if (i.follower) i.follower->stop();
  std::lock_guard lock(i.mutex);
  // shutdown(2) wakes a thread blocked in accept or read on the socket; close is left to the
  // socket's owner.
  ::shutdown(i.acceptor.native_handle(), SHUT_RDWR);
  for (int fd : i.open_sockets) ::shutdown(fd, SHUT_RDWR);
  i.idle.notify_all();
}

}  // namespace tallystation::station::web
