// stationd: the ballot-counting station daemon. Wires the application (StationApp) to the network
// edge (net::Server) and prints what terminals and auditors pin. Usage: stationd --help;
// operation: docs/network.md.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>

#include "station/app/station_app.hpp"
#include "station/net/request_log.hpp"
#include "station/net/server.hpp"

namespace ts = tallystation::station;

namespace {

struct Flags {
  std::filesystem::path data_dir;
  std::optional<std::filesystem::path> session_file;
  std::string listen = "127.0.0.1";
  std::uint16_t port = 8443;
  std::optional<std::filesystem::path> port_file;
  std::optional<std::filesystem::path> log_file;
  std::size_t max_connections = 512;
  std::size_t max_connections_per_client = 64;
  std::uint64_t body_limit = ts::kMaxRequestBody;
  std::uint32_t header_limit = 8 * 1024;
  unsigned io_threads = 1;
  unsigned workers = 0;
  std::vector<std::string> tls_names;
  unsigned handshake_ms = 5000, idle_ms = 30000, read_ms = 10000, write_ms = 10000;
  unsigned shutdown_ms = 30000;
  std::optional<std::filesystem::path> mirror;
  bool accept_loss = false;
};

void add_flags(CLI::App& cli, Flags& f) {
  cli.add_option("--data", f.data_dir, "data directory (created on the first run)")->required();
  cli.add_option("--session", f.session_file,
                 "session definition file (required on the first run; afterwards it must be "
                 "identical to the stored one)");
  cli.add_option("--mirror", f.mirror,
                 "directory on a second device: every commit is also written and synced there "
                 "before it is acknowledged, and the database is checked against it at start");
  cli.add_flag("--accept-loss", f.accept_loss,
               "start although station.head shows the database lost transactions (docs/"
               "operations.md)");
  cli.add_option("--listen", f.listen, "address to listen on")->capture_default_str();
  cli.add_option("--port", f.port, "TCP port; 0 picks a free one")->capture_default_str();
  cli.add_option("--port-file", f.port_file, "write the bound port to this file once listening");
  cli.add_option("--log", f.log_file, "append the request log here instead of stderr");
  cli.add_option("--max-connections", f.max_connections, "open connections at most")
      ->capture_default_str();
  cli.add_option("--max-connections-per-client", f.max_connections_per_client,
                 "open connections from one client IP address at most")
      ->capture_default_str();
  cli.add_option("--body-limit", f.body_limit, "largest request body, bytes")
      ->capture_default_str();
  cli.add_option("--header-limit", f.header_limit, "largest request header, bytes")
      ->capture_default_str();
  cli.add_option("--io-threads", f.io_threads, "network I/O threads")->capture_default_str();
  cli.add_option("--workers", f.workers, "signature-check threads (0: one per core)")
      ->capture_default_str();
  cli.add_option("--tls-name", f.tls_names,
                 "subjectAltName of a new TLS certificate (repeatable; default localhost, "
                 "127.0.0.1, ::1)");
  cli.add_option("--handshake-timeout-ms", f.handshake_ms)->capture_default_str();
  cli.add_option("--idle-timeout-ms", f.idle_ms, "between requests on a kept-alive connection")
      ->capture_default_str();
  cli.add_option("--read-timeout-ms", f.read_ms, "to send one whole request")
      ->capture_default_str();
  cli.add_option("--write-timeout-ms", f.write_ms)->capture_default_str();
  cli.add_option("--shutdown-timeout-ms", f.shutdown_ms,
                 "after SIGTERM, connections still open after this are closed")
      ->capture_default_str();
}

int serve(const Flags& f) {
  ts::StationOptions app_options;
  app_options.data_dir = f.data_dir;
  app_options.session_file = f.session_file;
  app_options.worker_threads = f.workers;
  if (!f.tls_names.empty()) app_options.tls_names = f.tls_names;
  app_options.mirror = f.mirror;
  app_options.accept_loss = f.accept_loss;
  auto app = ts::StationApp::open(app_options);
  if (!app) {
    std::cerr << "stationd: " << app.error().message << "\n";
    return 2;
  }
  ts::StationApp& station = **app;
  for (const std::string& notice : station.store_notices()) {
    std::cerr << "stationd: store: " << notice << "\n";
  }

  std::unique_ptr<ts::net::RequestLog> log;
  if (f.log_file) {
    auto opened = ts::net::RequestLog::open(*f.log_file);
    if (!opened) {
      std::cerr << "stationd: cannot open log " << *f.log_file << ": " << opened.error().message()
                << "\n";
      return 2;
    }
    log = std::move(*opened);
  } else {
    log = std::make_unique<ts::net::RequestLog>();
  }

  ts::net::ServerOptions options;
  options.address = f.listen;
  options.port = f.port;
  options.certificate_file = station.tls_certificate_path();
  options.private_key_file = station.tls_key_path();
  options.max_connections = f.max_connections;
  options.max_connections_per_client = f.max_connections_per_client;
  options.body_limit = f.body_limit;  // each route's own limit applies too (StationApp::body_rules)
  options.header_limit = f.header_limit;
  options.io_threads = f.io_threads;
  options.handshake_timeout = std::chrono::milliseconds(f.handshake_ms);
  options.idle_timeout = std::chrono::milliseconds(f.idle_ms);
  options.read_timeout = std::chrono::milliseconds(f.read_ms);
  options.write_timeout = std::chrono::milliseconds(f.write_ms);
  options.shutdown_timeout = std::chrono::milliseconds(f.shutdown_ms);
  options.handle_signals = true;
  auto server = ts::net::Server::open(options, station, *log);
  if (!server) {
    std::cerr << "stationd: cannot listen on " << f.listen << ":" << f.port << ": "
              << server.error().message() << "\n";
    return 2;
  }
  const auto port = (*server)->port();

  // What terminals and auditors pin (CONTRACT.md section 1): human lines, then one JSON line.
  std::cout << (station.first_run() ? "first run: created the station keys\n" : "")
            << "station keyid:   " << station.station_keyid() << "\n"
            << "tls fingerprint: " << station.tls_fingerprint() << "\n"
            << "listening on " << f.listen << ":" << port << "\n"
            << boost::json::serialize(
                   boost::json::object{{"event", "listening"},
                                       {"address", f.listen},
                                       {"port", port},
                                       {"keyid", station.station_keyid()},
                                       {"tls_fingerprint", station.tls_fingerprint()},
                                       {"first_run", station.first_run()}})
            << std::endl;
  if (f.port_file) {
    auto tmp = *f.port_file;
    tmp += ".tmp";
    std::ofstream(tmp) << port << "\n";
    std::filesystem::rename(tmp, *f.port_file);  // readers never see a partial file
  }

  (*server)->run();  // returns after SIGTERM/SIGINT, once in-flight work is answered and drained
  std::cout << "stopped" << std::endl;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"stationd: the tallystation ballot-counting station (HTTPS, TLS 1.3)"};
  Flags flags;
  add_flags(cli, flags);
  CLI11_PARSE(cli, argc, argv);
  try {
    return serve(flags);
  } catch (const std::exception& e) {
    std::cerr << "stationd: fatal: " << e.what() << "\n";
    return 1;
  }
}
