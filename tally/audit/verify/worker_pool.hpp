#pragma once
// A fixed pool of std::threads running jobs in submission order (first come, first taken). The
// verifier uses it to check ballot signatures on several cores while the main thread reads the
// file and folds the results in file order. With 0 threads, submit() runs each job on the
// calling thread before it returns (for callers that run many verifications side by side, like
// the season rollup: one thread each is cheaper than a pool each). Thread safe; the destructor
// finishes queued jobs.
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace tallystation::audit::verify {

class WorkerPool {
 public:
  explicit WorkerPool(unsigned threads);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  std::future<void> submit(std::function<void()> job);
  unsigned size() const { return static_cast<unsigned>(threads_.size()); }  // 0: inline

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::packaged_task<void()>> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace tallystation::audit::verify
