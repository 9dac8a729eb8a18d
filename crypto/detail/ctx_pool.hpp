#pragma once
// A small free list of ready-to-use OpenSSL operation contexts, private to crypto/.
//
// Setting up a verification context (provider fetch under a global lock, allocations) costs a few
// microseconds, several percent of an Ed25519 verification; a PublicKey keeps the contexts its
// verifications used and hands them out again. Thread safe: take() and give() lock a mutex held
// for a few instructions; a context is used by one thread at a time.
#include <memory>
#include <mutex>
#include <vector>

#include "crypto/detail/openssl_ptr.hpp"

namespace tallystation::crypto::detail {

template <class T, void (*Free)(T*)>
class CtxPool {
 public:
  using Ptr = std::unique_ptr<T, Deleter<T, Free>>;

  // An idle context, or null if there is none (the caller then makes one).
  Ptr take() {
    std::lock_guard lock(mu_);
    if (idle_.empty()) return nullptr;
    Ptr p = std::move(idle_.back());
    idle_.pop_back();
    return p;
  }

  // Returns a context, ready for the next operation. Beyond kMaxIdle the context is freed.
  void give(Ptr p) {
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdle) idle_.push_back(std::move(p));
  }

 private:
  static constexpr std::size_t kMaxIdle = 16;
  std::mutex mu_;
  std::vector<Ptr> idle_;
};

}  // namespace tallystation::crypto::detail
