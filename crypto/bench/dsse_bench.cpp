// DSSE verification throughput, for scripts/bench-crypto (which prints it beside `openssl speed`).
//
//   tallystation_crypto_bench [--seconds S] [--threads N] [--alg ed25519|ecdsa-p256]
//
// Measures, on N threads for S seconds each:
//   verify        verify_envelope() of a parsed ballot envelope: PAE construction, keyid lookup in
//                 a set of 200 enrolled terminal keys, signature verification;
//   parse+verify  parse_envelope() of the wire JSON, then the same;
//   raw           the bare OpenSSL call that `openssl speed` times: one pre-made context per
//                 thread, a 20-byte message (Ed25519: EVP_DigestVerify; ECDSA: EVP_PKEY_verify of
//                 a 20-byte "digest"), as an in-process reference.
// With --what all (the default) the three run in turns of 0.25 s until each has had S seconds,
// so that all three see the same machine: on a shared machine that makes verify/raw the
// library's own overhead even when absolute rates drift.
// Prints one line per measurement:
//   "<alg> <what> threads=<N> ops=<n> wall=<s> rate=<ops/s> cpu_rate=<ops/s>"
// rate divides by wall-clock time. cpu_rate is the sum over threads of ops / user CPU time of the
// thread: the method of `openssl speed` (which divides by user time unless given -elapsed, and
// with -multi adds up the rates of its processes), so the two compare even on a loaded machine.
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <openssl/evp.h>

#include "crypto/dsse.hpp"

namespace crypto = tallystation::crypto;
using Clock = std::chrono::steady_clock;

namespace {

// A realistic ballot payload (CONTRACT.md section 2), about 200 bytes.
const std::string kBallot =
    R"({"session":"congress-2026-03","contest":"central-committee","round":1,)"
    R"("token":"Zt3mXq8p0Vb2nR6kYw1sHc4fLd9gJa7e","marks":["cand-0007","cand-0013",)"
    R"("cand-0021","cand-0034","cand-0055","cand-0089"]})";

struct Fixture {
  crypto::KeySet trusted;
  crypto::Envelope env;
  std::string wire;
};

Fixture make_fixture(crypto::KeyType type) {
  Fixture f;
  const crypto::SecretKey terminal = crypto::SecretKey::generate(type);
  for (int i = 0; i < 199; ++i) f.trusted.add(crypto::SecretKey::generate(type).public_key());
  f.trusted.add(terminal.public_key());
  f.env = crypto::make_envelope(terminal, crypto::payload_type::kBallot, kBallot);
  f.wire = crypto::serialize(f.env);
  return f;
}

double thread_user_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_THREAD, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec) + static_cast<double>(ru.ru_utime.tv_usec) * 1e-6;
}

// Operations and user CPU time per thread, and wall-clock time, summed over the slices run.
struct Tally {
  std::vector<std::uint64_t> ops;
  std::vector<double> cpu;
  double wall = 0;

  explicit Tally(int threads)
      : ops(static_cast<std::size_t>(threads), 0), cpu(static_cast<std::size_t>(threads), 0) {}
  std::uint64_t total() const {
    std::uint64_t n = 0;
    for (auto o : ops) n += o;
    return n;
  }
  double rate() const { return wall > 0 ? static_cast<double>(total()) / wall : 0; }
  double cpu_rate() const {
    double r = 0;
    for (std::size_t t = 0; t < ops.size(); ++t) {
      if (cpu[t] > 0) r += static_cast<double>(ops[t]) / cpu[t];
    }
    return r;
  }
};

// Runs op(thread index) on `threads` threads for `seconds` of wall-clock time, adding to tally.
template <class Op>
void run_slice(int threads, double seconds, Op& op, Tally& tally) {
  std::atomic<bool> go{false};
  std::atomic<bool> stop{false};
  std::atomic<bool> failed{false};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      const double cpu0 = thread_user_seconds();
      std::uint64_t n = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        if (!op(t)) failed = true;
        ++n;
      }
      tally.ops[static_cast<std::size_t>(t)] += n;
      tally.cpu[static_cast<std::size_t>(t)] += thread_user_seconds() - cpu0;
    });
  }
  const auto start = Clock::now();
  go.store(true, std::memory_order_release);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& th : pool) th.join();
  tally.wall += std::chrono::duration<double>(Clock::now() - start).count();
  if (failed) {
    std::fprintf(stderr, "tallystation_crypto_bench: a verification failed\n");
    std::exit(1);
  }
}

// The loop that `openssl speed` times (apps/speed.c, EdDSA_verify_loop / ECDSA_verify_loop): one
// pre-made context per thread, a 20-byte message (for ECDSA: a 20-byte "digest").
class RawOpenssl {
 public:
  RawOpenssl(crypto::KeyType type, int threads) : type_(type) {
    pkey_ = type == crypto::KeyType::ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                                             : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (type == crypto::KeyType::ed25519) {
      EVP_MD_CTX* s = EVP_MD_CTX_new();
      EVP_DigestSignInit(s, nullptr, nullptr, nullptr, pkey_);
      EVP_DigestSign(s, sig_, &sig_len_, msg_, sizeof msg_);
      EVP_MD_CTX_free(s);
    } else {
      EVP_PKEY_CTX* s = EVP_PKEY_CTX_new(pkey_, nullptr);
      EVP_PKEY_sign_init(s);
      EVP_PKEY_sign(s, sig_, &sig_len_, msg_, sizeof msg_);
      EVP_PKEY_CTX_free(s);
    }
    for (int t = 0; t < threads; ++t) {
      md_.push_back(EVP_MD_CTX_new());
      EVP_DigestVerifyInit(md_.back(), nullptr, nullptr, nullptr, pkey_);
      pk_.push_back(EVP_PKEY_CTX_new(pkey_, nullptr));
      EVP_PKEY_verify_init(pk_.back());
    }
  }
  ~RawOpenssl() {
    for (auto* c : md_) EVP_MD_CTX_free(c);
    for (auto* c : pk_) EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(pkey_);
  }
  RawOpenssl(const RawOpenssl&) = delete;
  RawOpenssl& operator=(const RawOpenssl&) = delete;

  bool operator()(int t) {
    const auto i = static_cast<std::size_t>(t);
    return type_ == crypto::KeyType::ed25519
               ? EVP_DigestVerify(md_[i], sig_, sig_len_, msg_, sizeof msg_) == 1
               : EVP_PKEY_verify(pk_[i], sig_, sig_len_, msg_, sizeof msg_) == 1;
  }

 private:
  crypto::KeyType type_;
  EVP_PKEY* pkey_ = nullptr;
  unsigned char msg_[20] = {1, 2, 3};
  unsigned char sig_[80] = {};
  std::size_t sig_len_ = sizeof sig_;
  std::vector<EVP_MD_CTX*> md_;
  std::vector<EVP_PKEY_CTX*> pk_;
};

constexpr double kSlice = 0.25;  // seconds per turn when several measurements interleave

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  int threads = 1;
  std::string alg = "ed25519";
  std::string what = "all";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view k = argv[i];
    if (k == "--seconds") {
      seconds = std::atof(argv[i + 1]);
    } else if (k == "--threads") {
      threads = std::atoi(argv[i + 1]);
    } else if (k == "--alg") {
      alg = argv[i + 1];
    } else if (k == "--what") {
      what = argv[i + 1];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--seconds S] [--threads N] [--alg ed25519|ecdsa-p256]"
                   " [--what verify|parse+verify|raw|all]\n",
                   argv[0]);
      return 2;
    }
  }
  if (threads < 1 || seconds <= 0 || (alg != "ed25519" && alg != "ecdsa-p256")) return 2;
  const auto type = alg == "ed25519" ? crypto::KeyType::ed25519 : crypto::KeyType::ecdsa_p256;
  const Fixture f = make_fixture(type);
  RawOpenssl raw(type, threads);

  auto verify = [&](int) {
    return crypto::verify_envelope(f.env, crypto::payload_type::kBallot, f.trusted).has_value();
  };
  auto parse_verify = [&](int) {
    auto env = crypto::parse_envelope(f.wire);
    return env &&
           crypto::verify_envelope(*env, crypto::payload_type::kBallot, f.trusted).has_value();
  };

  // "all" interleaves the three in short turns, so that each sees the same machine on average.
  const bool all = what == "all";
  if (!all && what != "verify" && what != "parse+verify" && what != "raw") return 2;
  Tally t_verify(threads), t_pv(threads), t_raw(threads);
  const double slice = all ? std::min(kSlice, seconds) : seconds;
  int turn = 0;
  for (double done = 0; done < seconds - 1e-9; done += slice, ++turn) {
    // Rotate the order each turn, so that none of the three always runs first or last.
    for (int k = 0; k < 3; ++k) {
      switch ((turn + k) % 3) {
        case 0:
          if (all || what == "verify") run_slice(threads, slice, verify, t_verify);
          break;
        case 1:
          if (all || what == "parse+verify") run_slice(threads, slice, parse_verify, t_pv);
          break;
        default:
          if (all || what == "raw") run_slice(threads, slice, raw, t_raw);
          break;
      }
    }
  }

  const auto report = [&](const char* name, const Tally& t) {
    std::printf("%s %s threads=%d ops=%llu wall=%.3f rate=%.1f cpu_rate=%.1f\n", alg.c_str(), name,
                threads, static_cast<unsigned long long>(t.total()), t.wall, t.rate(),
                t.cpu_rate());
  };
  if (all || what == "verify") report("verify", t_verify);
  if (all || what == "parse+verify") report("parse+verify", t_pv);
  if (all || what == "raw") report("raw", t_raw);
  return 0;
}
