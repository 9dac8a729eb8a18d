#include "station/store/faulty_store.hpp"

#include <stdexcept>

namespace tallystation::station {

void FaultyStore::hold_commits() {
  std::lock_guard lock(hold_mutex_);
  held_ = true;
}

void FaultyStore::release_commits() {
  std::lock_guard lock(hold_mutex_);
  held_ = false;
  hold_changed_.notify_all();
}

bool FaultyStore::wait_until_commit_held(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(hold_mutex_);
  return hold_changed_.wait_until(lock, deadline, [&] { return waiting_; });
}

Status FaultyStore::commit() {
  {
    std::unique_lock lock(hold_mutex_);
    if (held_) {
      waiting_ = true;
      hold_changed_.notify_all();
      hold_changed_.wait(lock, [&] { return !held_; });
      waiting_ = false;
    }
  }
  bool fail = fail_all_.load();
  std::uint64_t n = countdown_.load();
  while (!fail && n > 0) {
    if (countdown_.compare_exchange_weak(n, n - 1)) {
      fail = (n == 1);
      break;
    }
  }
  if (fail) {
    ++failed_;
    return make_error(Errc::injected_fault, "commit: injected fault");
  }
  return inner_->commit();
}

Status FaultyStore::put_round(const RoundRow& r) {
  if (throw_put_round_) throw std::runtime_error("put_round: injected exception");
  return inner_->put_round(r);
}

}  // namespace tallystation::station
