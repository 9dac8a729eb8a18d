#pragma once
// StationApp: the station daemon's application, everything behind the network edge. It implements
// Handler (station/app/handler.hpp) for the routes of docs/protocol.md, dispatching every request
// through its route table (station/app/route_table.hpp; the rows: station/app/routes/table.cpp):
//   GET  /v1/station                      station key and TLS fingerprint (CONTRACT.md section 1)
//   GET  /v1/ballot?contest=ID            the open round's ballot (CONTRACT.md section 2)
//   POST /v1/ballots                      a terminal's signed ballot -> signed receipt
//   POST /v1/commands                     an official's signed command
//   GET  /v1/checkpoint?contest=ID&round=N  signed checkpoint of an open round's internal log
//   GET  /v1/status                       session, rounds, counts (never ballot contents)
//   GET  /v1/results/C/R                  the signed minutes of a closed round, certification
//   POST /v1/results/C/R/signatures       a committee member's countersignature
//   GET  /v1/proof?contest=C&round=R&ballot_hash=H  inclusion proof in a closed round's box
//
// Owns: the data directory (data_dir.hpp), the store (SQLite, or FaultyStore around it), the
// Ledger (in-memory state), a worker pool for signature checks and a Writer thread that group
// commits. handle() is thread safe (any number of I/O threads) and never blocks on disk or on
// signature checks: the Responder is called exactly once, inline (GETs, and refusals found before
// any work: route, method, content type, size, draining), on a worker-pool thread (refusals found
// by the signature and payload checks) or on the writer thread (ballots and commands, after their
// transaction committed or failed).
//
// For the network edge (stationd):
//   auto app = StationApp::open({.data_dir = dir, .session_file = file});  // Result<unique_ptr>
//   if (!app) { print app.error().message; exit 2; }
//   if ((*app)->first_run()) print keyid / TLS fingerprint for pinning;
//   TLS: certificate chain file (*app)->tls_certificate_path(), key file tls_key_path() (PEM).
//   Body limits and content types: body_rules() before reading a body (the route table's; the
//   app checks them again). kMaxRequestBody is the largest any route takes.
//   At shutdown: (*app)->drain(), then destroy.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "station/app/data_dir.hpp"
#include "station/app/handler.hpp"
#include "station/app/messages.hpp"
#include "station/app/refusal.hpp"
#include "station/app/route_table.hpp"
#include "station/app/routes/routes.hpp"
#include "station/config/session.hpp"

namespace boost::asio {
class thread_pool;
}

namespace tallystation::station {

class Ledger;
class Writer;
class Store;
class FaultyStore;

struct StationOptions {
  std::filesystem::path data_dir;
  // Required on the first run (copied into the data directory); afterwards optional, and if given
  // it must be byte-identical to the session the directory was initialised with.
  std::optional<std::filesystem::path> session_file;
  // Signature-check threads; 0 = std::thread::hardware_concurrency().
  unsigned worker_threads = 0;
  // subjectAltName entries for a new TLS certificate.
  std::vector<std::string> tls_names = {"localhost", "127.0.0.1", "::1"};
  // Most ballots in one transaction.
  std::size_t max_batch = 512;
  // Tests: wrap the store in a FaultyStore (see faults()).
  bool inject_faults = false;
  // stationd --mirror DIR: a second record of every commit, on another device (docs/storage.md
  // "Mirror and head").
  std::optional<std::filesystem::path> mirror;
  // stationd --accept-loss: start although the head file shows lost transactions.
  bool accept_loss = false;
  // Tests: the SQLite VFS to open the database with (a fault-injecting one); empty: the default.
  std::string sqlite_vfs;
};

class StationApp final : public Handler {
 public:
  // Opens (on the first run: initialises) the data directory, recovers the state from the
  // database (SQLite replays its WAL), checks the session's config_hash against the one the
  // database was created with, and starts the worker pool and the writer.
  // Errors name the file or field at fault.
  static Result<std::unique_ptr<StationApp>> open(const StationOptions& options);
  ~StationApp() override;  // drains if drain() was not called

  void handle(HttpRequest request, Responder respond) override;
  // The route table's rules for this method and target (station/app/routes/table.cpp).
  BodyRules body_rules(std::string_view method, std::string_view target) const override;
  void drain() override;

  bool first_run() const noexcept { return first_run_; }  // this start created the keys
  // What the store's checks at open found and did (journaled_store.hpp), for stderr.
  const std::vector<std::string>& store_notices() const noexcept { return store_notices_; }
  const Session& session() const noexcept { return session_; }
  const std::string& station_keyid() const noexcept { return identity_.signing_key.keyid(); }
  std::string station_public_key_pem() const { return identity_.signing_key.public_key().pem(); }
  const std::string& tls_fingerprint() const noexcept { return identity_.tls_fingerprint; }
  std::filesystem::path tls_certificate_path() const { return paths_.tls_certificate(); }
  std::filesystem::path tls_key_path() const { return paths_.tls_key(); }
  const std::string& config_hash() const noexcept { return session_.config_hash; }

  // Successful store commits since open (tests: group commit uses fewer commits than ballots).
  std::uint64_t commits() const noexcept;
  // Non-null if options.inject_faults.
  FaultyStore* faults() noexcept { return faults_; }
  // Tests: waits until at least n ballots or commands wait for the writer.
  bool wait_for_queued(std::size_t n, std::chrono::steady_clock::time_point deadline);

 private:
  StationApp(DataDirPaths paths, Session session, StationIdentity identity);

  // Posts work to the pool unless draining (then answers shutting_down): AppContext::to_pool.
  void to_pool(Responder& respond, std::function<void(Responder)> work);

  DataDirPaths paths_;
  Session session_;
  StationIdentity identity_;
  bool first_run_ = false;
  std::unique_ptr<Store> store_;
  FaultyStore* faults_ = nullptr;
  std::vector<std::string> store_notices_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<boost::asio::thread_pool> pool_;
  std::unique_ptr<Writer> writer_;
  const RouteTable routes_;
  std::optional<AppContext> context_;  // for the routes' handlers, once everything above is open
  std::shared_mutex drain_mutex_;
  bool draining_ = false;  // guarded by drain_mutex_
  bool drained_ = false;
};

}  // namespace tallystation::station
