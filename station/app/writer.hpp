#pragma once
// The group-commit writer: one thread that owns every write. Ballots that arrive while a commit is
// on its way to disk queue up and go into the next transaction together, so that N concurrent
// ballots cost far fewer than N fsyncs; commands run one per transaction, in arrival order with
// the ballots around them. Outcomes are delivered after the transaction has committed (or failed),
// on the writer thread.
//
// submit() is thread safe. stop() finishes every job already submitted, then joins the thread;
// jobs submitted after stop() are answered at once with Refusal::shutting_down.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <variant>

#include "station/app/ledger.hpp"

namespace tallystation::station {

class Writer {
 public:
  using BallotDone = std::function<void(BallotOutcome)>;
  using CommandDone = std::function<void(CommandOutcome)>;

  Writer(Ledger& ledger, std::size_t max_batch);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void submit(PendingBallot ballot, BallotDone done);
  void submit(PendingCommand command, CommandDone done);
  // Runs task(true) on the writer thread, alone, in queue order (a countersignature's own
  // transaction); after stop(), task(false) is called at once instead.
  void submit(std::function<void(bool)> task);
  void stop();
  // Tests: waits until at least n jobs are queued (not yet taken by the writer thread).
  bool wait_for_queued(std::size_t n, std::chrono::steady_clock::time_point deadline);

 private:
  struct BallotJob {
    PendingBallot ballot;
    BallotDone done;
  };
  struct CommandJob {
    PendingCommand command;
    CommandDone done;
  };
  struct TaskJob {
    std::function<void(bool)> task;
  };
  using Job = std::variant<BallotJob, CommandJob, TaskJob>;

  void run();
  void run_ballots(std::vector<BallotJob>& jobs);
  void run_command(CommandJob& job);

  Ledger& ledger_;
  const std::size_t max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable queued_;  // notified on every submit
  std::deque<Job> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tallystation::station
