#pragma once
// The structured request log of the network edge: one JSON object per line, to stderr or to a file
// opened for appending. Format: docs/network.md, section "Logging".
//
// The edge writes a line for every request it answers or refuses and for every connection it
// refuses; the fields come from the edge (ts, peer, method, path, status, code, ms) and from the
// handler's HttpResponse::log_fields. Nothing written here may hold ballot contents or tokens: the
// callers pass only those fields. Thread safe: write() may be called from any thread; each line is
// written whole.
//
// write() only queues the line: a thread of the log's own writes and flushes, so that an I/O
// thread never waits for the disk (a write to a file can block behind the store's fsync). That
// thread writes what has queued once kBatchLines lines wait or kLinger after the first of them,
// so that a busy station makes one write system call per batch of lines, not one per line. If the
// disk stalls and kMaxQueued lines wait, further lines are dropped and counted, and a line
// {"event":"log_lines_dropped","count":n} is written once the queue drains. The destructor writes
// everything queued before it returns.
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>

namespace tallystation::station::net {

class RequestLog {
 public:
  // Writes to stderr.
  RequestLog();
  // Appends to path (created if missing, mode 0640).
  static boost::system::result<std::unique_ptr<RequestLog>> open(const std::filesystem::path& path);
  ~RequestLog();
  RequestLog(const RequestLog&) = delete;
  RequestLog& operator=(const RequestLog&) = delete;

  static constexpr std::size_t kMaxQueued = 100000;
  static constexpr std::size_t kBatchLines = 256;
  static constexpr std::chrono::milliseconds kLinger{5};

  // Queues {"ts":"<UTC, ISO 8601, milliseconds>", ...fields} and a newline for writing.
  void write(const boost::json::object& fields);

  // "2026-11-23T18:01:02.345Z" for now.
  static std::string timestamp();

 private:
  explicit RequestLog(std::FILE* out, bool owned);
  void run();

  std::FILE* out_;
  bool owned_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> queue_;  // guarded by mu_
  std::size_t dropped_ = 0;         // guarded by mu_
  bool stopping_ = false;           // guarded by mu_
  std::thread thread_;
};

}  // namespace tallystation::station::net
