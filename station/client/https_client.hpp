#pragma once
// An HTTPS/1.1 client for talking to a station: TLS 1.3, keep-alive, and trust by pinning the
// station's certificate fingerprint (SHA-256 of the certificate DER, CONTRACT.md section 1) rather
// than by a certificate authority. Used by the tests, the reference terminal and the load
// generator. Protocol: docs/terminals.md.
//
// Synchronous: each call runs to completion (or to its timeout) on the client's private
// io_context. One connection per client, reopened when the station closed it; a request that
// failed on a reused connection before any byte of the answer arrived is sent once more (the
// station's POST endpoints are safe to retry, CONTRACT.md section 2). Not thread safe: use one
// client per thread.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace tallystation::station::client {

struct ClientOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;
  // Lowercase hex SHA-256 of the station certificate's DER. A station presenting another
  // certificate is refused (the handshake fails, peer_fingerprint() tells what it showed).
  std::string tls_fingerprint;
  // Accept any certificate, but still record its fingerprint: only for showing it to a human who
  // compares it with the one the station printed. Never for submitting anything.
  bool accept_any_certificate = false;
  // Bounds connecting plus the handshake, and separately each request plus its response.
  std::chrono::milliseconds timeout{10000};
  std::size_t response_limit = 16 * 1024 * 1024;
};

struct Response {
  unsigned status = 0;
  std::string content_type;
  std::string body;
};

class HttpsClient {
 public:
  explicit HttpsClient(ClientOptions options);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Sends one request and returns the response, whatever its status. Errors are transport errors
  // (refused connection, timeout, failed handshake or pin, malformed response).
  boost::system::result<Response> request(std::string_view method, std::string_view target,
                                          std::string_view body = {},
                                          std::string_view content_type = "application/json");
  boost::system::result<Response> get(std::string_view target) { return request("GET", target); }
  boost::system::result<Response> post(std::string_view target, std::string_view json) {
    return request("POST", target, json);
  }

  // Opens the connection now (otherwise the first request does).
  boost::system::error_code connect();
  // Closes the connection with a TLS close_notify.
  void close();
  bool is_open() const noexcept;
  // How many TCP+TLS connections this client has opened so far (keep-alive shows as 1).
  std::size_t connections_opened() const noexcept;
  // Fingerprint of the certificate the station presented in the last handshake.
  const std::string& peer_fingerprint() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// A pinned TLS connection that sends and receives raw bytes: for tests and tools that must
// misbehave on purpose (garbage, half requests, stalls). Not thread safe.
class RawTlsConnection {
 public:
  static boost::system::result<std::unique_ptr<RawTlsConnection>> connect(
      const ClientOptions& options);
  ~RawTlsConnection();

  boost::system::error_code write(std::string_view bytes);
  // Reads what arrives until the station closes the connection or the timeout passes (then
  // returns what was read so far; closed() tells which).
  std::string read_until_close(std::chrono::milliseconds timeout);
  // Reads until `marker` has been seen (or close/timeout) and returns everything read.
  std::string read_until(std::string_view marker, std::chrono::milliseconds timeout);
  bool closed() const noexcept;

  struct Impl;

 private:
  explicit RawTlsConnection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tallystation::station::client
