#pragma once
// The station's network edge: an HTTPS/1.1 listener (TLS 1.3 only, keep-alive) that reads
// requests under limits and timeouts, hands each to a Handler and writes back its response.
// Behaviour, limits, log format and shutdown: docs/network.md.
//
// The server never blocks its I/O threads: Handler::handle may answer later from any thread, and
// the response is posted back to the connection's strand. Ownership: the Server borrows the
// Handler and the RequestLog, which must outlive it. Thread safety: run() is called once, from
// one thread; stop() and port() may be called from any thread at any time.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <boost/system/result.hpp>

#include "station/app/handler.hpp"
#include "station/net/request_log.hpp"

namespace tallystation::station::net {

struct ServerOptions {
  std::string address = "127.0.0.1";       // loopback unless told otherwise
  std::uint16_t port = 8443;               // 0: an ephemeral port, see Server::port()
  std::filesystem::path certificate_file;  // PEM certificate (chain) presented to clients
  std::filesystem::path private_key_file;  // PEM private key of that certificate

  std::size_t max_connections = 512;  // further connections are accepted and closed at once
  // Open connections from one client IP address; further ones are accepted and closed at once, so
  // that one device cannot take every slot.
  std::size_t max_connections_per_client = 64;
  // Bytes; larger bodies are 413 too_large. The handler's Handler::body_rules may set a lower
  // limit for a request (and a content type), asked once the request's header has arrived: both
  // limits are checked from Content-Length before any body byte is read, and while reading a
  // chunked body.
  std::uint64_t body_limit = 256 * 1024;
  std::uint32_t header_limit = 8 * 1024;  // bytes of request line and headers; larger are 431
  unsigned io_threads = 1;                // signature checks run on the handler's pool, not here

  // A client gets handshake_timeout to complete the TLS handshake, idle_timeout between requests
  // on a kept-alive connection, read_timeout to send one whole request once it has begun, and
  // write_timeout to take one response. linger bounds the orderly close of a connection.
  std::chrono::milliseconds handshake_timeout{5000};
  std::chrono::milliseconds idle_timeout{30000};
  std::chrono::milliseconds read_timeout{10000};
  std::chrono::milliseconds write_timeout{10000};
  std::chrono::milliseconds linger{1000};
  // After stop(), connections still open after this long are closed.
  std::chrono::milliseconds shutdown_timeout{30000};

  bool handle_signals = false;  // SIGINT and SIGTERM call stop()
};

class Server {
 public:
  // Loads the certificate and key and binds the listening socket (so port() is known at once).
  static boost::system::result<std::unique_ptr<Server>> open(ServerOptions options,
                                                             Handler& handler, RequestLog& log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound port (the actual one when options.port was 0).
  std::uint16_t port() const noexcept;

  // Serves until stop(), then shuts down cleanly: stops accepting, closes idle connections, lets
  // requests already handed to the handler get their responses, calls Handler::drain() (on a
  // thread of its own, so that the I/O threads keep writing responses), and returns once every
  // connection is closed and drain() has returned.
  void run();

  // Begins the shutdown described at run(). Idempotent, thread safe, returns at once.
  void stop();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tallystation::station::net
