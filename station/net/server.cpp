#include "station/net/server.hpp"

#include <pthread.h>

#include <atomic>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "station/net/connection.hpp"

namespace tallystation::station::net {

using detail::Connection;
using detail::ConnectionContext;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

struct Server::Impl {
  Impl(ServerOptions o, Handler& h, RequestLog& l)
      : ctx{std::move(o), h, l, asio::ssl::context{asio::ssl::context::tlsv13_server}, nullptr},
        listen_strand(asio::make_strand(ioc)),
        acceptor(listen_strand),
        shutdown_timer(listen_strand) {
    ctx.inbox = detail::make_answer_inbox(ioc.get_executor(), ctx.options.io_threads <= 1);
  }

  asio::awaitable<void> listen();
  void begin_shutdown();
  void maybe_finish();
  void connection_done(const std::shared_ptr<Connection>& c);

  ConnectionContext ctx;
  asio::io_context ioc;
  asio::strand<asio::io_context::executor_type> listen_strand;
  tcp::acceptor acceptor;
  asio::steady_timer shutdown_timer;
  std::optional<asio::signal_set> signals;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::uint16_t port = 0;

  // Touched on listen_strand only.
  bool stopping = false;
  bool drained = false;
  std::thread drain_thread;

  std::mutex mu;  // guards connections and per_client: sessions end on their own strands
  std::map<std::shared_ptr<Connection>, std::string> connections;  // -> client address
  std::map<std::string, std::size_t, std::less<>> per_client;      // open connections by address
};

asio::awaitable<void> Server::Impl::listen() {
  asio::steady_timer backoff(listen_strand);
  for (;;) {
    // One I/O thread serialises everything already; strands are needed only with more.
    auto executor = ctx.options.io_threads > 1 ? asio::any_io_executor(asio::make_strand(ioc))
                                               : asio::any_io_executor(ioc.get_executor());
    auto [ec, socket] =
        co_await acceptor.async_accept(executor, asio::as_tuple(asio::use_awaitable));
    if (stopping || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors or a transient network error: wait a little rather than spin.
      ctx.log.write({{"event", "accept_failed"}, {"error", ec.message()}});
      backoff.expires_after(std::chrono::milliseconds(50));
      co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    error_code ignored;
    auto remote = socket.remote_endpoint(ignored);
    std::string address = remote.address().to_string();
    std::string peer = address + ":" + std::to_string(remote.port());
    std::shared_ptr<Connection> c;
    const char* refused = nullptr;
    {
      std::lock_guard lock(mu);
      std::size_t& mine = per_client[address];
      if (connections.size() >= ctx.options.max_connections) {
        refused = "connection_limit";
      } else if (mine >= ctx.options.max_connections_per_client) {
        refused = "client_connection_limit";
      } else {
        socket.set_option(tcp::no_delay(true), ignored);
        c = std::make_shared<Connection>(std::move(socket), ctx, peer);
        connections.emplace(c, address);
        ++mine;
      }
      if (mine == 0) per_client.erase(address);
    }
    if (!c) {
      socket.close(ignored);
      ctx.log.write({{"event", "connection_refused"}, {"peer", peer}, {"code", refused}});
      continue;
    }
    asio::co_spawn(c->executor(), c->run(), [this, c](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          ctx.log.write(
              {{"event", "connection_failed"}, {"peer", c->peer()}, {"error", ex.what()}});
        }
      }
      connection_done(c);
    });
  }
}

void Server::Impl::connection_done(const std::shared_ptr<Connection>& c) {
  {
    std::lock_guard lock(mu);
    if (auto it = connections.find(c); it != connections.end()) {
      if (auto pc = per_client.find(it->second); pc != per_client.end() && --pc->second == 0) {
        per_client.erase(pc);
      }
      connections.erase(it);
    }
  }
  asio::post(listen_strand, [this] { maybe_finish(); });
}

void Server::Impl::begin_shutdown() {
  if (stopping) return;
  stopping = true;
  ctx.log.write({{"event", "shutdown"}, {"phase", "begin"}});
  work.emplace(ioc.get_executor());  // keeps run() going until drain() has returned
  error_code ignored;
  acceptor.close(ignored);
  if (signals) signals->cancel(ignored);
  {
    std::lock_guard lock(mu);
    for (const auto& [c, address] : connections) asio::post(c->executor(), [c] { c->stop(); });
  }
  shutdown_timer.expires_after(ctx.options.shutdown_timeout);
  shutdown_timer.async_wait([this](error_code ec) {
    if (ec) return;
    std::lock_guard lock(mu);
    for (const auto& [c, address] : connections) {
      asio::post(c->executor(), [c] { c->force_close(); });
    }
  });
  // drain() blocks until in-flight work is answered; the I/O threads must stay free to write
  // those answers, so it runs on a thread of its own.
  drain_thread = std::thread([this] {
    ctx.handler.drain();
    asio::post(listen_strand, [this] {
      drained = true;
      maybe_finish();
    });
  });
}

void Server::Impl::maybe_finish() {
  if (!stopping || !drained) return;
  {
    std::lock_guard lock(mu);
    if (!connections.empty()) return;
  }
  shutdown_timer.cancel();
  work.reset();
  ctx.log.write({{"event", "shutdown"}, {"phase", "end"}});
}

boost::system::result<std::unique_ptr<Server>> Server::open(ServerOptions options, Handler& handler,
                                                            RequestLog& log) {
  auto impl = std::make_unique<Impl>(std::move(options), handler, log);
  auto& tls = impl->ctx.tls;
  const auto& opt = impl->ctx.options;
  error_code ec;
  // TLS 1.3 only (RFC 8446); older versions are refused by the method and by these options.
  tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                      asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                      asio::ssl::context::no_tlsv1_1 | asio::ssl::context::no_tlsv1_2,
                  ec);
  if (ec) return ec;
  tls.use_certificate_chain_file(opt.certificate_file.string(), ec);
  if (ec) return ec;
  tls.use_private_key_file(opt.private_key_file.string(), asio::ssl::context::pem, ec);
  if (ec) return ec;

  auto address = asio::ip::make_address(opt.address, ec);
  if (ec) return ec;
  tcp::endpoint endpoint{address, opt.port};
  auto& acceptor = impl->acceptor;
  if (acceptor.open(endpoint.protocol(), ec)) return ec;
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec)) return ec;
  if (acceptor.bind(endpoint, ec)) return ec;
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) return ec;
  impl->port = acceptor.local_endpoint(ec).port();
  if (ec) return ec;
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_->drain_thread.joinable()) impl_->drain_thread.join();
}

std::uint16_t Server::port() const noexcept {
  return impl_->port;
}

void Server::stop() {
  asio::post(impl_->listen_strand, [impl = impl_.get()] { impl->begin_shutdown(); });
}

void Server::run() {
  auto& impl = *impl_;
  asio::co_spawn(impl.listen_strand, impl.listen(), asio::detached);
  if (impl.ctx.options.handle_signals) {
    impl.signals.emplace(impl.listen_strand, SIGINT, SIGTERM);
    impl.signals->async_wait([this](error_code ec, int) {
      if (!ec) impl_->begin_shutdown();
    });
  }
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < impl.ctx.options.io_threads; ++i) {
    threads.emplace_back([&impl] {
      ::pthread_setname_np(::pthread_self(), "io");
      impl.ioc.run();
    });
  }
  impl.ioc.run();
  for (auto& t : threads) t.join();
  if (impl.drain_thread.joinable()) impl.drain_thread.join();
}

}  // namespace tallystation::station::net
