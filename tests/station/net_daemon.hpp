#pragma once
// The real stationd binary as a child process, for integration and crash tests: started on an
// ephemeral loopback port (it writes the port to --port-file once listening), stopped with SIGTERM
// or killed with SIGKILL. Waits are polls with deadlines, never fixed sleeps.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "station/client/https_client.hpp"

namespace tallystation::station::test {

class Daemon {
 public:
  // binary: stationd; work: a directory for the data dir, the log and captured output.
  Daemon(std::filesystem::path binary, std::filesystem::path work,
         std::vector<std::string> extra_args = {});
  ~Daemon();  // SIGKILL if still running
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Starts stationd --data WORK/data [--session FILE] and waits until it listens. Throws if it
  // exits first or does not listen within the timeout.
  void start(const std::optional<std::filesystem::path>& session_file = std::nullopt,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGTERM, then waits for the exit; returns the exit status (or -signal).
  int terminate(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // SIGKILL, then reaps it.
  void kill9();
  bool running() const noexcept { return pid_ > 0; }

  std::uint16_t port() const noexcept { return port_; }
  const std::string& tls_fingerprint() const noexcept { return fingerprint_; }
  const std::string& keyid() const noexcept { return keyid_; }
  std::filesystem::path data_dir() const { return work_ / "data"; }
  std::filesystem::path log_file() const { return work_ / "requests.log"; }
  // What the last start printed on stdout, and on stderr (so far, while it runs).
  std::string output() const;
  std::string error_output() const;
  // The exit status of the last start that exited before listening (start() threw), else none.
  std::optional<int> start_exit_status() const noexcept { return start_exit_status_; }
  client::ClientOptions client_options() const;

 private:
  int wait_exit(std::chrono::milliseconds timeout);

  std::filesystem::path binary_;
  std::filesystem::path work_;
  std::vector<std::string> extra_args_;
  pid_t pid_ = -1;
  int starts_ = 0;
  std::uint16_t port_ = 0;
  std::optional<int> start_exit_status_;
  std::string fingerprint_;
  std::string keyid_;
};

}  // namespace tallystation::station::test
