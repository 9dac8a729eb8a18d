#include "station/net/request_log.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <utility>

#include <boost/json/serialize.hpp>

namespace tallystation::station::net {

RequestLog::RequestLog() : RequestLog(stderr, false) {}

RequestLog::RequestLog(std::FILE* out, bool owned)
    : out_(out), owned_(owned), thread_([this] { run(); }) {}

RequestLog::~RequestLog() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_one();
  thread_.join();
  if (owned_) std::fclose(out_);
}

void RequestLog::run() {
  ::pthread_setname_np(::pthread_self(), "log");  // per-thread CPU in top, perf, /proc
  std::vector<std::string> batch;
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty() && stopping_) return;
    // Under load, let lines gather for a moment so that one write and one flush carry many of
    // them; a quiet station's line is written at most kLinger after it was queued.
    cv_.wait_for(lock, kLinger, [&] { return stopping_ || queue_.size() >= kBatchLines; });
    batch.swap(queue_);
    std::size_t dropped = std::exchange(dropped_, 0);
    lock.unlock();
    for (const auto& line : batch) std::fwrite(line.data(), 1, line.size(), out_);
    if (dropped > 0) {
      std::string line = boost::json::serialize(boost::json::object{
          {"ts", timestamp()}, {"event", "log_lines_dropped"}, {"count", dropped}});
      line.push_back('\n');
      std::fwrite(line.data(), 1, line.size(), out_);
    }
    std::fflush(out_);
    batch.clear();
    lock.lock();
  }
}

boost::system::result<std::unique_ptr<RequestLog>> RequestLog::open(
    const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) return boost::system::error_code(errno, boost::system::system_category());
  std::FILE* f = ::fdopen(fd, "a");
  if (f == nullptr) {
    int e = errno;
    ::close(fd);
    return boost::system::error_code(e, boost::system::system_category());
  }
  return std::unique_ptr<RequestLog>(new RequestLog(f, true));
}

std::string RequestLog::timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  ::gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

void RequestLog::write(const boost::json::object& fields) {
  // {"ts":"...", then the fields' own members: one serialisation, no copy of the object.
  std::string text = "{\"ts\":\"" + timestamp() + "\"";
  if (!fields.empty()) {
    const std::string rest = boost::json::serialize(fields);
    text.push_back(',');
    text.append(rest, 1, std::string::npos);  // rest without its opening brace
  } else {
    text.push_back('}');
  }
  text.push_back('\n');
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (queue_.size() >= kMaxQueued) {
      ++dropped_;
      return;
    }
    queue_.push_back(std::move(text));
    // The writer thread waits for the first line, then for a batch; other lines need no wake-up.
    wake = queue_.size() == 1 || queue_.size() == kBatchLines;
  }
  if (wake) cv_.notify_one();
}

}  // namespace tallystation::station::net
