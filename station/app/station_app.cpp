#include "station/app/station_app.hpp"

#include <pthread.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <thread>

#include "station/app/ledger.hpp"
#include "station/app/writer.hpp"
#include "station/store/faulty_store.hpp"
#include "station/store/journaled_store.hpp"

namespace tallystation::station {

namespace fs = std::filesystem;

namespace {

// The data directory records the session it was created for; a copy of another session (or an
// edited session.json) must not be able to take over its ballots.
Status check_config_hash(Store& store, const Session& session) {
  auto stored = store.get_meta("config_hash");
  if (!stored) return stored.error();
  if (*stored) {
    if (**stored != session.config_hash) {
      return make_error(Errc::session_mismatch,
                        "the database belongs to the session with config_hash " + **stored +
                            ", but session.json hashes to " + session.config_hash);
    }
    return {};
  }
  if (auto s = store.begin(); !s) return s;
  if (auto s = store.put_meta("config_hash", session.config_hash); !s) {
    store.rollback();
    return s;
  }
  if (auto s = store.put_meta("session_id", session.id); !s) {
    store.rollback();
    return s;
  }
  if (auto s = store.commit(); !s) {
    store.rollback();
    return s;
  }
  return {};
}

}  // namespace

StationApp::StationApp(DataDirPaths paths, Session session, StationIdentity identity)
    : paths_(std::move(paths)),
      session_(std::move(session)),
      identity_(std::move(identity)),
      routes_(routes::table(), routes::unrouted()) {}

Result<std::unique_ptr<StationApp>> StationApp::open(const StationOptions& options) {
  DataDirPaths paths{options.data_dir};
  std::error_code ec;
  fs::create_directories(paths.root, ec);
  if (ec) return make_error(Errc::io_error, paths.root.string() + ": " + ec.message());
  auto source = load_session(paths, options.session_file);
  if (!source) return source.error();
  // session.json is written only after the database records its config_hash, so a directory with
  // session.json but no database has lost its ballots: never start an empty store over it.
  // With a mirror, the store restores a missing database from it (journaled_store.hpp).
  const bool mirror_holds_data =
      options.mirror && fs::exists(*options.mirror / "journal");
  if (!source->install && !fs::exists(paths.database()) && !mirror_holds_data) {
    return make_error(Errc::corrupt, paths.database().string() + " is missing although " +
                                         paths.session().string() +
                                         " exists; restore the database instead of starting empty");
  }
  auto identity = load_or_create_identity(paths, options.tls_names);
  if (!identity) return identity.error();

  JournalSetup setup;
  setup.database = paths.database();
  setup.head = paths.head();
  setup.mirror = options.mirror;
  setup.accept_loss = options.accept_loss;
  setup.sqlite.vfs = options.sqlite_vfs;
  auto opened = open_journaled_store(setup);
  if (!opened) return opened.error();
  std::unique_ptr<StationApp> app(
      new StationApp(paths, std::move(source->session), std::move(*identity)));
  app->first_run_ = app->identity_.created || source->install;
  app->store_notices_ = std::move(opened->notices);
  if (options.inject_faults) {
    auto faulty = std::make_unique<FaultyStore>(std::move(opened->store));
    app->faults_ = faulty.get();
    app->store_ = std::move(faulty);
  } else {
    app->store_ = std::move(opened->store);
  }
  if (auto s = check_config_hash(*app->store_, app->session_); !s) return s.error();
  if (source->install) {
    if (auto s = install_session(paths, source->bytes); !s) return s.error();
  }
  app->ledger_ = std::make_unique<Ledger>(app->session_, *app->store_, app->identity_.signing_key);
  if (auto s = app->ledger_->load(); !s) return s.error();

  unsigned threads = options.worker_threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  app->pool_ = std::make_unique<boost::asio::thread_pool>(threads);
  app->writer_ = std::make_unique<Writer>(*app->ledger_, options.max_batch);
  StationApp* self = app.get();
  app->context_.emplace(AppContext{self->session_, self->identity_, *self->ledger_, *self->writer_,
                                   [self](Responder& respond, std::function<void(Responder)> work) {
                                     self->to_pool(respond, std::move(work));
                                   }});
  return app;
}

StationApp::~StationApp() {
  drain();
}

void StationApp::drain() {
  {
    std::unique_lock lock(drain_mutex_);
    if (drained_) return;
    draining_ = true;
    drained_ = true;
  }
  // Every check already posted finishes and hands its job to the writer; the writer then answers
  // everything it holds before its thread ends.
  if (pool_) pool_->join();
  if (writer_) writer_->stop();
}

std::uint64_t StationApp::commits() const noexcept {
  return store_->commits();
}

bool StationApp::wait_for_queued(std::size_t n, std::chrono::steady_clock::time_point deadline) {
  return writer_->wait_for_queued(n, deadline);
}

void StationApp::to_pool(Responder& respond, std::function<void(Responder)> work) {
  std::shared_lock lock(drain_mutex_);
  if (draining_) {
    respond(refusal_response(Refusal::shutting_down, "the station is shutting down"));
    return;
  }
  boost::asio::post(*pool_, [work = std::move(work), respond = std::move(respond)]() mutable {
    // Named for per-thread CPU figures (top -H, perf, /proc/PID/task), once per pool thread.
    thread_local const bool named = ::pthread_setname_np(::pthread_self(), "checks") == 0;
    (void)named;
    try {
      work(respond);
    } catch (const std::exception& e) {
      // work() calls respond last, so an exception means nobody has answered yet.
      respond(refusal_response(Refusal::internal, e.what()));
    }
  });
}

void StationApp::handle(HttpRequest request, Responder respond) {
  try {
    routes_.dispatch(*context_, std::move(request), respond);
  } catch (const std::exception& e) {
    // Only reached if nothing answered: every handler answers as its last step.
    respond(refusal_response(Refusal::internal, e.what()));
  }
}

BodyRules StationApp::body_rules(std::string_view method, std::string_view target) const {
  return routes_.body_rules(method, target);
}

}  // namespace tallystation::station
