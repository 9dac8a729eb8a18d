#include "station/net/connection.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/serialize.hpp>

namespace tallystation::station::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kReadChunk = 16 * 1024;
// After refusing a request whose body was not read, up to this much of it is read and dropped so
// the client gets to read the refusal instead of a connection reset.
constexpr std::size_t kMaxDrain = 4 * 1024 * 1024;
constexpr std::size_t kMaxLoggedTarget = 256;
constexpr std::chrono::milliseconds kCloseNotifyWait{100};

enum class Phase { handshake, idle, reading, handling, writing, closing };
// What a connection does after one request.
enum class After { next, close, drain_and_close, abandon };

// The handler's answer for one request, delivered to the connection's strand.
struct Pending {
  explicit Pending(const asio::any_io_executor& ex)
      : timer(ex, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;  // cancelled when the response arrives
  std::optional<HttpResponse> response;
  std::atomic<bool> answered{false};
};

}  // namespace

class AnswerInbox : public std::enable_shared_from_this<AnswerInbox> {
 public:
  AnswerInbox(asio::any_io_executor ex, bool single_thread)
      : ex_(std::move(ex)), single_thread_(single_thread) {}

  // Any thread. Hands r to the connection waiting on p, from an I/O thread.
  void deliver(std::shared_ptr<Pending> p, HttpResponse r) {
    bool post = false;
    {
      std::lock_guard lock(mu_);
      items_.push_back({std::move(p), std::move(r)});
      post = !std::exchange(scheduled_, true);
    }
    if (post) asio::post(ex_, [self = shared_from_this()] { self->run(); });
  }

 private:
  struct Item {
    std::shared_ptr<Pending> pending;
    HttpResponse response;
  };

  static void complete(Pending& p, HttpResponse&& r) {
    p.response = std::move(r);
    p.timer.cancel();
  }

  void run() {
    // Local: with several I/O threads, the next run() may start on another thread before this
    // one has finished delivering.
    std::vector<Item> batch;
    {
      std::lock_guard lock(mu_);
      batch.swap(items_);
      scheduled_ = false;
    }
    for (Item& item : batch) {
      if (single_thread_) {
        complete(*item.pending, std::move(item.response));  // ex_ is the connection's executor
      } else {
        auto strand = item.pending->timer.get_executor();
        asio::post(strand, [p = std::move(item.pending), r = std::move(item.response)]() mutable {
          complete(*p, std::move(r));
        });
      }
    }
  }

  asio::any_io_executor ex_;
  const bool single_thread_;
  std::mutex mu_;
  std::vector<Item> items_;  // guarded by mu_
  bool scheduled_ = false;   // guarded by mu_: a run() is posted and has not yet taken items_
};

std::shared_ptr<AnswerInbox> make_answer_inbox(const asio::any_io_executor& ex,
                                               bool single_thread) {
  return std::make_shared<AnswerInbox>(ex, single_thread);
}

namespace {

HttpResponse error_response(unsigned status, std::string code, std::string message) {
  HttpResponse r;
  r.status = status;
  r.body = boost::json::serialize(boost::json::object{{"error", code}, {"message", message}});
  r.log_code = std::move(code);
  return r;
}

// Why a request's framing is refused: the status (400, or 501 for a transfer coding the station
// does not implement) and what is wrong.
struct FramingProblem {
  unsigned status = 400;
  std::string message;
};

bool is_tchar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 9112 section 6: the header of a request whose message body length cannot be determined
// exactly one way is refused (400) before any body byte is read, and the connection closed, so
// that no byte of it can be taken for the next request (request smuggling). Beast already refuses
// a Content-Length that is not a number, different Content-Length values, a Content-Length
// before a Transfer-Encoding and a second Transfer-Encoding after one ending in chunked; the rest
// is checked here. Returns what is wrong, or nothing.
//
// Transfer-Encoding: the codings of all its field lines in order, one list (RFC 9110 section
// 5.3). The station implements chunked only, so exactly one "chunked" is read; otherwise, when
// chunked is not the final coding (gzip, identity, "chunked, gzip") the length cannot be
// determined: 400 (RFC 9112 section 6.3 rule 4); chunked twice is 400 (section 7: a sender MUST
// NOT); an empty or malformed element is 400; and a well-formed list ending in one chunked with
// another coding before it ("gzip, chunked") is valid framing in a coding the station does not
// understand: 501 (section 6.1). Either way the connection is closed.
std::optional<FramingProblem> framing_problem(const http::request_header<>& req) {
  std::vector<std::string_view> codings;
  std::size_t coding_fields = 0;
  std::size_t lengths = 0;
  for (const auto& f : req) {
    if (f.name() == http::field::transfer_encoding) {
      ++coding_fields;
      std::string_view list = f.value();
      for (;;) {
        const auto comma = list.find(',');
        std::string_view element = list.substr(0, comma);
        while (!element.empty() && (element.front() == ' ' || element.front() == '\t'))
          element.remove_prefix(1);
        while (!element.empty() && (element.back() == ' ' || element.back() == '\t'))
          element.remove_suffix(1);
        codings.push_back(element);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    } else if (f.name() == http::field::content_length) {
      ++lengths;
      const auto v = f.value();
      if (v.empty() || !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return FramingProblem{400, "Content-Length must be one decimal number"};
    }
  }
  if (lengths > 1) return FramingProblem{400, "Content-Length must be sent once"};
  if (coding_fields == 0) return std::nullopt;
  if (lengths > 0) return FramingProblem{400, "Transfer-Encoding and Content-Length together"};
  if (req.version() < 11) return FramingProblem{400, "Transfer-Encoding in an HTTP/1.0 request"};
  std::size_t chunked = 0;
  for (std::string_view c : codings) {
    // A coding is a token, possibly with parameters ("gzip;q=1" is not one, but is refused anyway).
    if (c.empty() || !is_tchar(c.front())) {
      return FramingProblem{400, "Transfer-Encoding has an empty or malformed element"};
    }
    if (beast::iequals(c, "chunked")) ++chunked;
  }
  if (!beast::iequals(codings.back(), "chunked")) {
    return FramingProblem{400, "the final transfer coding is not chunked: the body's length "
                               "cannot be determined"};
  }
  if (chunked > 1) return FramingProblem{400, "chunked applied more than once"};
  if (codings.size() > 1) {
    return FramingProblem{501, "the station implements no transfer coding but chunked; send the "
                               "body with Transfer-Encoding: chunked alone or Content-Length"};
  }
  return std::nullopt;
}

// What is wrong with the lines of a request's header section (the start line and the field
// lines), or nothing: each must end in CRLF (a bare LF or a bare CR is refused: RFC 9112 section
// 2.2 allows taking a lone LF as a line end, but a proxy in front that did not would read other
// lines than the station), and none may begin with a blank: obsolete line folding (section 5.2),
// or whitespace before the first field line (section 2.2). Beast would join a folded line to the
// field before. complete: header is the whole section through its final CRLF, else a prefix of it
// (a CR at its end may still be followed by an LF).
std::optional<std::string> header_line_problem(std::string_view header, bool complete) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == '\n' && (i == 0 || header[i - 1] != '\r')) {
      return "a line that ends in a bare LF (lines end in CRLF)";
    }
    if (header[i] == '\r' && (i + 1 < header.size() ? header[i + 1] != '\n' : complete)) {
      return "a bare CR (lines end in CRLF)";
    }
    if (header[i] == '\n' && i + 1 < header.size() && (header[i + 1] == ' ' || header[i + 1] == '\t')) {
      return "obsolete line folding (a header line that begins with a blank)";
    }
  }
  return std::nullopt;
}

struct Refusal {
  HttpResponse response;
  bool send = true;  // false when the socket is already gone (timeouts)
};

// What to tell a client whose request could not be read; nullopt if shutdown cancelled the read.
// body_limit: the limit that applied to this request (the server's, or the handler's if lower).
std::optional<Refusal> refusal_for(error_code ec, const ServerOptions& opt,
                                   std::uint64_t body_limit) {
  if (ec == http::error::body_limit) {
    return Refusal{error_response(
        413, "too_large",
        "request body exceeds the limit of " + std::to_string(body_limit) + " bytes")};
  }
  if (ec == http::error::header_limit) {
    return Refusal{error_response(
        431, "too_large",
        "request header exceeds the limit of " + std::to_string(opt.header_limit) + " bytes")};
  }
  if (ec == beast::error::timeout) {
    return Refusal{error_response(408, "timeout", "request not received in time"), false};
  }
  if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
      ec != http::error::end_of_stream && ec != http::error::partial_message) {
    return Refusal{error_response(400, "malformed", "malformed HTTP request: " + ec.message())};
  }
  if (ec != asio::error::operation_aborted) {  // the request had begun
    return Refusal{error_response(400, "incomplete", "connection closed mid-request"), false};
  }
  return std::nullopt;
}

}  // namespace

struct Connection::State {
  State(asio::ip::tcp::socket socket, ConnectionContext& c, std::string p)
      : ctx(c), stream(std::move(socket), c.tls), peer(std::move(p)) {}

  asio::awaitable<void> run();
  asio::awaitable<bool> await_request(beast::flat_buffer& buffer);
  asio::awaitable<error_code> read_header_section(beast::flat_buffer& buffer);
  asio::awaitable<error_code> read_request(beast::flat_buffer& buffer,
                                           http::request_parser<http::string_body>& parser);
  asio::awaitable<After> serve_one(beast::flat_buffer& buffer);
  asio::awaitable<HttpResponse> call_handler(HttpRequest request);
  asio::awaitable<error_code> write(HttpResponse& r, unsigned version, bool keep_alive,
                                    bool head);
  asio::awaitable<void> close(bool drain);
  void log(std::string_view method, std::string_view target, const HttpResponse& r,
           Clock::time_point started, bool sent);
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream); }

  ConnectionContext& ctx;
  beast::ssl_stream<beast::tcp_stream> stream;
  std::string peer;
  std::uint64_t body_limit = 0;  // the limit that applies to the request being read
  BodyRules rules;               // the handler's rules for it
  std::optional<FramingProblem> framing;  // why its framing is refused (RFC 9112), if it is
  Phase phase = Phase::handshake;
  bool stopping = false;
  bool closed = false;
  std::shared_ptr<Pending> pending;
};

Connection::Connection(asio::ip::tcp::socket socket, ConnectionContext& ctx, std::string peer)
    : state_(std::make_shared<State>(std::move(socket), ctx, std::move(peer))) {}

Connection::~Connection() = default;

asio::any_io_executor Connection::executor() const {
  return state_->stream.get_executor();
}
const std::string& Connection::peer() const noexcept {
  return state_->peer;
}
asio::awaitable<void> Connection::run() {
  return state_->run();
}

void Connection::stop() {
  auto& s = *state_;
  s.stopping = true;
  if (s.phase == Phase::handshake || s.phase == Phase::idle || s.phase == Phase::reading) {
    s.tcp().cancel();
  }
}

void Connection::force_close() {
  auto& s = *state_;
  s.stopping = true;
  s.closed = true;
  s.tcp().close();
  if (s.pending) s.pending->timer.cancel();
}

asio::awaitable<void> Connection::State::run() {
  tcp().expires_after(ctx.options.handshake_timeout);
  if (auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, kTuple); ec) {
    if (!stopping) {
      ctx.log.write({{"event", "tls_handshake_failed"}, {"peer", peer}, {"error", ec.message()}});
    }
    tcp().close();
    co_return;
  }
  beast::flat_buffer buffer;
  After after = After::next;
  while (after == After::next && !stopping) {
    if (buffer.size() == 0 && !co_await await_request(buffer)) break;
    after = co_await serve_one(buffer);
  }
  if (after == After::abandon) co_return;
  co_await close(after == After::drain_and_close);
}

asio::awaitable<bool> Connection::State::await_request(beast::flat_buffer& buffer) {
  // Between requests the idle timeout applies; the first byte starts the read timeout.
  phase = Phase::idle;
  tcp().expires_after(ctx.options.idle_timeout);
  auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kTuple);
  if (ec) co_return false;
  buffer.commit(n);
  co_return !stopping;
}

// Reads until the buffer holds the whole header section of the request it begins with, refusing
// (framing is set) as soon as a line of it ends in a bare LF or CR or begins with a blank. Beast parses the header from the buffer after.
// Stops early, leaving the refusal to Beast, once the buffer holds more than the header limit.
asio::awaitable<error_code> Connection::State::read_header_section(beast::flat_buffer& buffer) {
  for (;;) {
    const std::string_view data(static_cast<const char*>(buffer.data().data()), buffer.size());
    // Beast skips no empty line before the request line: the first CRLF CRLF ends the header.
    const auto end = data.find("\r\n\r\n");
    const bool complete = end != std::string_view::npos;
    if (auto problem = header_line_problem(complete ? data.substr(0, end + 2) : data, complete)) {
      framing = {400, std::move(*problem)};
      co_return http::error::bad_field;
    }
    if (complete) co_return error_code{};
    if (buffer.size() > ctx.options.header_limit) co_return error_code{};
    auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), kTuple);
    if (ec == asio::error::eof) ec = http::error::partial_message;  // as Beast's read says
    if (ec) co_return ec;
    buffer.commit(n);
  }
}

asio::awaitable<error_code> Connection::State::read_request(
    beast::flat_buffer& buffer, http::request_parser<http::string_body>& parser) {
  const ServerOptions& opt = ctx.options;
  tcp().expires_after(opt.read_timeout);  // all of the request, however it trickles in
  parser.header_limit(opt.header_limit);
  parser.body_limit(opt.body_limit);
  body_limit = opt.body_limit;
  rules = {};
  framing.reset();
  std::size_t n = 0;
  error_code ec = co_await read_header_section(buffer);
  if (!ec) std::tie(ec, n) = co_await http::async_read_header(stream, buffer, parser, kTuple);
  if (!ec) {
    if (auto problem = framing_problem(parser.get().base())) {
      framing = std::move(*problem);
      co_return http::error::bad_transfer_encoding;
    }
  }
  if (!ec) {
    // Beast checked Content-Length against the server-wide limit when the header completed; the
    // handler's limit for this request, if tighter, is checked here, before any body byte is read
    // (or a 100 Continue invites it), and a chunked body is held to it as it arrives.
    rules = ctx.handler.body_rules(parser.get().method_string(), parser.get().target());
    body_limit = std::min(opt.body_limit, rules.limit);
    if (body_limit < opt.body_limit) {
      const auto length = parser.content_length();
      if (length && *length > body_limit) co_return http::error::body_limit;
      parser.body_limit(body_limit);
    }
  }
  if (!ec && beast::iequals(parser.get()[http::field::expect], "100-continue") &&
      !parser.is_done()) {
    http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
    std::tie(ec, n) = co_await http::async_write(stream, go_on, kTuple);
  }
  if (!ec && !parser.is_done()) {
    std::tie(ec, n) = co_await http::async_read(stream, buffer, parser, kTuple);
  }
  co_return ec;
}

asio::awaitable<After> Connection::State::serve_one(beast::flat_buffer& buffer) {
  phase = Phase::reading;
  const auto started = Clock::now();
  http::request_parser<http::string_body> parser;
  const error_code ec = co_await read_request(buffer, parser);
  const auto& req = parser.get();
  const bool header_done = parser.is_header_done();
  std::string method = header_done ? std::string(req.method_string()) : std::string();
  std::string target = header_done ? std::string(req.target()) : std::string();
  const bool head = header_done && req.method() == http::verb::head;
  if (ec) {
    auto refusal =
        !framing                   ? refusal_for(ec, ctx.options, body_limit)
        : framing->status == 501 ? Refusal{error_response(501, "not_implemented",
                                                          "bad framing: " + framing->message)}
                                 : Refusal{error_response(400, "malformed",
                                                          "bad framing: " + framing->message)};
    if (!refusal) co_return After::close;  // the client went away, or shutdown cancelled it
    bool sent = false;
    if (refusal->send) {
      sent = !co_await write(refusal->response, header_done ? req.version() : 11, false, head);
    }
    log(method, target, refusal->response, started, sent);
    co_return refusal->send ? After::drain_and_close : After::close;
  }
  HttpResponse response;
  if (!content_type_matches(req[http::field::content_type], rules.content_type)) {
    response =
        error_response(415, "wrong_content_type", "Content-Type must be " + rules.content_type);
  } else {
    phase = Phase::handling;
    HttpRequest request{method, target, std::string(req[http::field::content_type]),
                        std::move(parser.get().body()), peer};
    response = co_await call_handler(std::move(request));
    if (closed) co_return After::abandon;
  }
  const bool keep_alive = req.keep_alive() && !stopping;
  phase = Phase::writing;
  auto wec = co_await write(response, req.version(), keep_alive, head);
  log(method, target, response, started, !wec);
  co_return wec || !keep_alive ? After::close : After::next;
}

asio::awaitable<HttpResponse> Connection::State::call_handler(HttpRequest request) {
  auto p = std::make_shared<Pending>(co_await asio::this_coro::executor);
  pending = p;
  Responder respond = [p, inbox = ctx.inbox](HttpResponse r) {
    if (p->answered.exchange(true)) return;  // exactly once, whatever the handler does
    inbox->deliver(p, std::move(r));
  };
  try {
    ctx.handler.handle(std::move(request), std::move(respond));
  } catch (const std::exception& e) {
    ctx.log.write({{"event", "handler_failed"}, {"peer", peer}, {"error", e.what()}});
    if (!p->answered.exchange(true)) {
      p->response = error_response(500, "internal", "internal error");
    }
  }
  while (!p->response && !closed) co_await p->timer.async_wait(kTuple);
  pending.reset();
  if (!p->response) co_return error_response(503, "shutting_down", "the station is stopping");
  co_return std::move(*p->response);
}

// head: the answer to a HEAD request. It, and a 1xx, 204 or 304 answer, never has body bytes
// (RFC 9112 section 6.3): a client reads none, and any sent would be read as the next response.
asio::awaitable<error_code> Connection::State::write(HttpResponse& r, unsigned version,
                                                     bool keep_alive, bool head) {
  auto fill = [&](auto& res) {
    res.version(version);
    res.result(r.status);
    res.set(http::field::server, "tallystation");
    res.set(http::field::content_type, r.content_type);
    res.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) res.set(name, value);
    res.keep_alive(keep_alive);
  };
  tcp().expires_after(ctx.options.write_timeout);
  const bool no_content = r.status / 100 == 1 || r.status == 204 || r.status == 304;
  if (head || no_content) {
    http::response<http::empty_body> res;
    fill(res);
    // A HEAD answer is the GET's answer without its body (RFC 9110 section 9.3.2): the handler
    // answers a HEAD as the GET (handler.hpp), and the edge's own refusals do not depend on the
    // method, so Content-Length names the length of the body a GET would get (section 8.6), a
    // refusal's as well. 1xx, 204 and 304 answers carry none.
    if (head && !no_content) res.content_length(r.body.size());
    auto [ec, n] = co_await http::async_write(stream, res, kTuple);
    co_return ec;
  }
  http::response<http::string_body> res;
  fill(res);
  res.body() = std::move(r.body);
  res.prepare_payload();
  auto [ec, n] = co_await http::async_write(stream, res, kTuple);
  co_return ec;
}

asio::awaitable<void> Connection::State::close(bool drain) {
  phase = Phase::closing;
  if (!tcp().socket().is_open()) co_return;
  tcp().expires_after(ctx.options.linger);
  if (drain) {
    std::array<char, kReadChunk> sink;
    std::size_t total = 0;
    while (total < kMaxDrain) {
      auto [ec, n] = co_await stream.async_read_some(asio::buffer(sink), kTuple);
      if (ec) break;
      total += n;
    }
  }
  if (tcp().socket().is_open()) {
    // Sends close_notify, then waits for the peer's, but only briefly: an idle client is not
    // reading and would hold the slot (and a shutdown) for the whole linger time.
    tcp().expires_after(std::min<std::chrono::milliseconds>(ctx.options.linger, kCloseNotifyWait));
    co_await stream.async_shutdown(kTuple);
  }
  tcp().close();
}

void Connection::State::log(std::string_view method, std::string_view target, const HttpResponse& r,
                            Clock::time_point started, bool sent) {
  double ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  // The path only: a query can carry a ballot hash (GET /v1/proof), and a log line that puts a
  // ballot hash beside a client address and a time would link a device to a ballot.
  const std::string_view path = target.substr(0, std::min(target.find('?'), kMaxLoggedTarget));
  boost::json::object line{{"peer", peer},       {"method", method},
                           {"path", path},       {"status", r.status},
                           {"code", r.log_code}, {"ms", std::round(ms * 1000.0) / 1000.0}};
  if (!sent) line["sent"] = false;
  for (const auto& [key, value] : r.log_fields) line.emplace(key, value);
  ctx.log.write(line);
}

}  // namespace tallystation::station::net::detail
