// HttpsClient and RawTlsConnection share the pinned connection set-up below; they live in one
// translation unit because Beast's TLS and HTTP templates are slow to compile.
#include "station/client/https_client.hpp"

#include <array>
#include <exception>
#include <memory>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "crypto/hash.hpp"
#include "station/client/peer_certificate.hpp"

namespace tallystation::station::client {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
using Stream = beast::ssl_stream<beast::tcp_stream>;

// Runs a coroutine to completion on ioc and returns its value.
template <class T>
T run_sync(asio::io_context& ioc, asio::awaitable<T> task) {
  std::optional<T> out;
  std::exception_ptr failure;
  asio::co_spawn(ioc, std::move(task), [&](std::exception_ptr e, T value) {
    failure = e;
    if (!e) out.emplace(std::move(value));
  });
  ioc.restart();
  ioc.run();
  if (failure) std::rethrow_exception(failure);
  return std::move(*out);
}

// One pinned TLS connection and the context it was made with.
struct Link {
  explicit Link(ClientOptions o) : options(std::move(o)) {
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                    asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_tlsv1_2);
    // Chain validation is replaced by the pin: the station's certificate is self-signed, and
    // what a terminal trusts is the fingerprint it was given out of band.
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.set_verify_callback([this](bool, asio::ssl::verify_context& vc) {
      auto cert = current_certificate(vc);
      if (!cert) return false;
      if (cert->depth != 0) return true;
      seen_fingerprint = crypto::to_hex(crypto::sha256(cert->der));
      pinned = options.accept_any_certificate ||
               (!options.tls_fingerprint.empty() &&
                crypto::constant_time_equal(seen_fingerprint, options.tls_fingerprint));
      return pinned;
    });
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(*stream); }
  bool is_open() { return stream && lowest().socket().is_open(); }

  asio::awaitable<error_code> connect() {
    stream.reset();
    buffer.clear();
    tcp::resolver resolver(ioc);
    auto [rec, endpoints] =
        co_await resolver.async_resolve(options.host, std::to_string(options.port), kTuple);
    if (rec) co_return rec;
    stream.emplace(ioc, tls);
    lowest().expires_after(options.timeout);
    auto [cec, endpoint] = co_await lowest().async_connect(endpoints, kTuple);
    if (cec) co_return cec;
    error_code ignored;
    lowest().socket().set_option(tcp::no_delay(true), ignored);
    pinned = false;
    ++opened;
    auto [hec] = co_await stream->async_handshake(asio::ssl::stream_base::client, kTuple);
    if (!hec && !pinned) hec = asio::error::access_denied;  // never reached the leaf check
    if (hec) lowest().close();
    co_return hec;
  }

  asio::awaitable<int> shutdown() {
    if (is_open()) {
      lowest().expires_after(std::chrono::milliseconds(500));
      co_await stream->async_shutdown(kTuple);
      lowest().close();
    }
    co_return 0;
  }

  ClientOptions options;
  asio::io_context ioc;
  asio::ssl::context tls{asio::ssl::context::tlsv13_client};
  std::optional<Stream> stream;
  beast::flat_buffer buffer;
  std::string seen_fingerprint;
  bool pinned = false;
  std::size_t opened = 0;
};

bool stale_connection(error_code ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::ssl::error::stream_truncated;
}

}  // namespace

struct HttpsClient::Impl : Link {
  using Link::Link;

  asio::awaitable<boost::system::result<Response>> round_trip(std::string_view method,
                                                              std::string_view target,
                                                              std::string_view body,
                                                              std::string_view content_type) {
    for (int attempt = 0;; ++attempt) {
      const bool reused = is_open();
      if (!reused) {
        if (auto ec = co_await connect()) co_return ec;
      }
      http::request<http::string_body> req;
      req.version(11);
      req.method_string(method);
      req.target(target);
      req.set(http::field::host, options.host);
      req.set(http::field::user_agent, "tallystation-client");
      if (!body.empty() || method == "POST") {
        req.set(http::field::content_type, content_type);
        req.body() = std::string(body);
      }
      req.keep_alive(true);
      req.prepare_payload();
      lowest().expires_after(options.timeout);
      auto [ec, n] = co_await http::async_write(*stream, req, kTuple);
      http::response_parser<http::string_body> parser;
      parser.body_limit(options.response_limit);
      if (!ec) std::tie(ec, n) = co_await http::async_read(*stream, buffer, parser, kTuple);
      if (ec) {
        lowest().close();
        if (reused && attempt == 0 && !parser.got_some() && stale_connection(ec)) continue;
        co_return ec;
      }
      auto& res = parser.get();
      Response out{res.result_int(), std::string(res[http::field::content_type]),
                   std::move(res.body())};
      if (!res.keep_alive()) co_await shutdown();
      co_return out;
    }
  }
};

HttpsClient::HttpsClient(ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

HttpsClient::~HttpsClient() {
  close();
}

boost::system::result<Response> HttpsClient::request(std::string_view method,
                                                     std::string_view target, std::string_view body,
                                                     std::string_view content_type) {
  return run_sync(impl_->ioc, impl_->round_trip(method, target, body, content_type));
}

error_code HttpsClient::connect() {
  if (impl_->is_open()) return {};
  return run_sync(impl_->ioc, impl_->connect());
}

void HttpsClient::close() {
  run_sync(impl_->ioc, impl_->shutdown());
}
bool HttpsClient::is_open() const noexcept {
  return impl_->is_open();
}
std::size_t HttpsClient::connections_opened() const noexcept {
  return impl_->opened;
}
const std::string& HttpsClient::peer_fingerprint() const noexcept {
  return impl_->seen_fingerprint;
}

struct RawTlsConnection::Impl : Link {
  using Link::Link;
  bool closed = false;

  asio::awaitable<std::string> read(std::string_view marker, std::chrono::milliseconds timeout) {
    // A timer that cancels the read, not the stream's own timeout: that would close the socket,
    // and the caller may want to go on writing (a client trickling a request).
    std::string out;
    std::array<char, 4096> chunk;
    lowest().expires_never();
    asio::steady_timer timer(ioc, timeout);
    // Shared with the timer's handler, which can outlive this frame: a timer that expired just
    // as the read finished has its handler queued with success, and cancel() no longer stops it.
    // It then runs after the coroutine returned, and must neither touch the frame nor cancel a
    // later read on the same socket.
    struct Watch {
      bool active = true;
      bool timed_out = false;
    };
    auto watch = std::make_shared<Watch>();
    timer.async_wait([this, watch](error_code ec) {
      if (ec || !watch->active) return;
      watch->timed_out = true;
      error_code ignored;
      lowest().socket().cancel(ignored);
    });
    while (!closed && !watch->timed_out) {
      auto [ec, n] = co_await stream->async_read_some(asio::buffer(chunk), kTuple);
      out.append(chunk.data(), n);
      if (watch->timed_out) break;
      if (ec) closed = true;
      if (!marker.empty() && out.find(marker) != std::string::npos) break;
    }
    watch->active = false;
    timer.cancel();
    co_return out;
  }
};

boost::system::result<std::unique_ptr<RawTlsConnection>> RawTlsConnection::connect(
    const ClientOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  if (auto ec = run_sync(impl->ioc, impl->Link::connect())) return ec;
  return std::unique_ptr<RawTlsConnection>(new RawTlsConnection(std::move(impl)));
}

RawTlsConnection::RawTlsConnection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RawTlsConnection::~RawTlsConnection() = default;

error_code RawTlsConnection::write(std::string_view bytes) {
  auto& impl = *impl_;
  auto task = [&]() -> asio::awaitable<error_code> {
    impl.lowest().expires_after(impl.options.timeout);
    auto [ec, n] = co_await asio::async_write(*impl.stream, asio::buffer(bytes), kTuple);
    co_return ec;
  };
  return run_sync(impl.ioc, task());
}

std::string RawTlsConnection::read_until_close(std::chrono::milliseconds timeout) {
  return run_sync(impl_->ioc, impl_->read({}, timeout));
}

std::string RawTlsConnection::read_until(std::string_view marker,
                                         std::chrono::milliseconds timeout) {
  return run_sync(impl_->ioc, impl_->read(marker, timeout));
}

bool RawTlsConnection::closed() const noexcept {
  return impl_->closed;
}

}  // namespace tallystation::station::client
