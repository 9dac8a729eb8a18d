#include "net_daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include <boost/json/parse.hpp>

extern char** environ;

namespace tallystation::station::test {

namespace {
std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

Daemon::Daemon(std::filesystem::path binary, std::filesystem::path work,
               std::vector<std::string> extra_args)
    : binary_(std::move(binary)), work_(std::move(work)), extra_args_(std::move(extra_args)) {
  std::filesystem::create_directories(work_);
}

Daemon::~Daemon() {
  if (running()) kill9();
}

std::string Daemon::output() const {
  return slurp(work_ / ("stdout-" + std::to_string(starts_) + ".txt"));
}

std::string Daemon::error_output() const {
  return slurp(work_ / ("stderr-" + std::to_string(starts_) + ".txt"));
}

void Daemon::start(const std::optional<std::filesystem::path>& session_file,
                   std::chrono::milliseconds timeout) {
  if (running()) throw std::logic_error("daemon already running");
  ++starts_;
  start_exit_status_.reset();
  const auto port_file = work_ / "port";
  std::filesystem::remove(port_file);
  std::vector<std::string> args{binary_.string(),   "--data", data_dir().string(),
                                "--port",           "0",      "--port-file",
                                port_file.string(), "--log",  log_file().string()};
  if (session_file) {
    args.push_back("--session");
    args.push_back(session_file->string());
  }
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  const auto out = work_ / ("stdout-" + std::to_string(starts_) + ".txt");
  const auto err = work_ / ("stderr-" + std::to_string(starts_) + ".txt");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("cannot spawn " + binary_.string());
  pid_ = pid;

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!std::filesystem::exists(port_file)) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      start_exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
      throw std::runtime_error("stationd exited at start: " + slurp(err));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill9();
      throw std::runtime_error("stationd did not listen in time: " + slurp(err));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // The JSON line of the start-up banner carries what a terminal pins.
  std::istringstream lines(output());
  for (std::string line; std::getline(lines, line);) {
    if (line.empty() || line.front() != '{') continue;
    auto o = boost::json::parse(line).as_object();
    port_ = static_cast<std::uint16_t>(o.at("port").to_number<int>());
    fingerprint_ = std::string(o.at("tls_fingerprint").as_string());
    keyid_ = std::string(o.at("keyid").as_string());
  }
  if (port_ == 0) throw std::runtime_error("no listening line in: " + output());
}

int Daemon::wait_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    if (std::chrono::steady_clock::now() > deadline) return -1000;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

int Daemon::terminate(std::chrono::milliseconds timeout) {
  if (!running()) throw std::logic_error("daemon not running");
  ::kill(pid_, SIGTERM);
  int status = wait_exit(timeout);
  if (status == -1000) {
    kill9();
    throw std::runtime_error("stationd did not exit after SIGTERM");
  }
  return status;
}

void Daemon::kill9() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

client::ClientOptions Daemon::client_options() const {
  client::ClientOptions c;
  c.port = port_;
  c.tls_fingerprint = fingerprint_;
  c.timeout = std::chrono::seconds(20);
  return c;
}

}  // namespace tallystation::station::test
