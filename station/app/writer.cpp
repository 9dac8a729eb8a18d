#include "station/app/writer.hpp"

#include <pthread.h>

#include <exception>

#include "station/app/intake.hpp"

namespace tallystation::station {

Writer::Writer(Ledger& ledger, std::size_t max_batch)
    : ledger_(ledger), max_batch_(max_batch == 0 ? 1 : max_batch), thread_([this] { run(); }) {}

Writer::~Writer() {
  stop();
}

void Writer::submit(PendingBallot ballot, BallotDone done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.emplace_back(BallotJob{std::move(ballot), std::move(done)});
      wake_.notify_one();
      queued_.notify_all();
      return;
    }
  }
  done(BallotOutcome{refuse(Refusal::shutting_down, "the station is shutting down"), false});
}

void Writer::submit(PendingCommand command, CommandDone done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.emplace_back(CommandJob{std::move(command), std::move(done)});
      wake_.notify_one();
      queued_.notify_all();
      return;
    }
  }
  done(refuse(Refusal::shutting_down, "the station is shutting down"));
}

void Writer::submit(std::function<void(bool)> task) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.emplace_back(TaskJob{std::move(task)});
      wake_.notify_one();
      queued_.notify_all();
      return;
    }
  }
  task(false);
}

void Writer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

bool Writer::wait_for_queued(std::size_t n, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mutex_);
  return queued_.wait_until(lock, deadline, [&] { return queue_.size() >= n; });
}

void Writer::run() {
  ::pthread_setname_np(::pthread_self(), "writer");  // per-thread CPU in top, perf, /proc
  for (;;) {
    std::vector<BallotJob> ballots;
    std::optional<CommandJob> command;
    std::optional<TaskJob> task;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything submitted is answered
      if (auto* c = std::get_if<CommandJob>(&queue_.front())) {
        command.emplace(std::move(*c));
        queue_.pop_front();
      } else if (auto* t = std::get_if<TaskJob>(&queue_.front())) {
        task.emplace(std::move(*t));
        queue_.pop_front();
      } else {
        // Everything that queued up during the previous commit shares this one.
        while (!queue_.empty() && ballots.size() < max_batch_ &&
               std::holds_alternative<BallotJob>(queue_.front())) {
          ballots.push_back(std::move(std::get<BallotJob>(queue_.front())));
          queue_.pop_front();
        }
      }
    }
    if (task) {
      task->task(true);  // answers its own request, exceptions included
    } else if (command) {
      run_command(*command);
    } else {
      run_ballots(ballots);
    }
  }
}

void Writer::run_ballots(std::vector<BallotJob>& jobs) {
  std::vector<BallotOutcome> outcomes(jobs.size());
  std::vector<PendingBallot> batch;
  std::vector<std::size_t> job_of;  // batch[k] is jobs[job_of[k]]
  batch.reserve(jobs.size());
  job_of.reserve(jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    // The marks against the list of the round the ballot goes into, as it stands now that every
    // command before the ballot has been applied (an open_round may have come after intake).
    if (auto listed = recheck_marks(jobs[i].ballot, ledger_); !listed) {
      outcomes[i] = BallotOutcome{listed.error(), false};
      continue;
    }
    batch.push_back(std::move(jobs[i].ballot));
    job_of.push_back(i);
  }
  if (!batch.empty()) {
    std::vector<BallotOutcome> committed;
    try {
      committed = ledger_.commit_ballots(batch);
    } catch (const std::exception& e) {
      // The transaction may still be open, and memory must match what is on disk. A ballot that
      // did commit is answered with its receipt when the terminal sends it again.
      ledger_.recover();
      committed.assign(batch.size(), BallotOutcome{refuse(Refusal::internal, e.what()), false});
    }
    for (std::size_t k = 0; k < batch.size(); ++k) outcomes[job_of[k]] = std::move(committed[k]);
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i].done(std::move(outcomes[i]));
}

void Writer::run_command(CommandJob& job) {
  CommandOutcome outcome = refuse(Refusal::internal, "command not applied");
  try {
    outcome = ledger_.apply_command(job.command);
  } catch (const std::exception& e) {
    ledger_.recover();  // as in run_ballots: no transaction left open, memory as on disk
    outcome = refuse(Refusal::internal, e.what());
  }
  job.done(std::move(outcome));
}

}  // namespace tallystation::station
