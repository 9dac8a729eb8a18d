#include "station/app/station_app.hpp"

#include <pthread.h>

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>
#include <thread>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "station/app/intake.hpp"
#include "station/app/ledger.hpp"
#include "station/app/writer.hpp"
#include "station/store/faulty_store.hpp"
#include "station/store/sqlite_store.hpp"

namespace tallystation::station {

namespace json = boost::json;
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

bool is_json_content_type(std::string_view ct) {
  const auto semi = ct.find(';');
  std::string_view type = ct.substr(0, semi);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  if (type.size() != 16) return false;
  for (std::size_t i = 0; i < type.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(type[i])) != "application/json"[i]) return false;
  }
  return true;
}

}  // namespace

StationApp::StationApp(DataDirPaths paths, Session session, StationIdentity identity)
    : paths_(std::move(paths)), session_(std::move(session)), identity_(std::move(identity)) {}

Result<std::unique_ptr<StationApp>> StationApp::open(const StationOptions& options) {
  DataDirPaths paths{options.data_dir};
  std::error_code ec;
  fs::create_directories(paths.root, ec);
  if (ec) return make_error(Errc::io_error, paths.root.string() + ": " + ec.message());
  auto source = load_session(paths, options.session_file);
  if (!source) return source.error();
  // session.json is written only after the database records its config_hash, so a directory with
  // session.json but no database has lost its ballots: never start an empty store over it.
  if (!source->install && !fs::exists(paths.database())) {
    return make_error(Errc::corrupt, paths.database().string() + " is missing although " +
                                         paths.session().string() +
                                         " exists; restore the database instead of starting empty");
  }
  auto identity = load_or_create_identity(paths, options.tls_names);
  if (!identity) return identity.error();

  auto sqlite = SqliteStore::open(paths.database());
  if (!sqlite) return sqlite.error();
  std::unique_ptr<StationApp> app(
      new StationApp(paths, std::move(source->session), std::move(*identity)));
  app->first_run_ = app->identity_.created || source->install;
  if (options.inject_faults) {
    auto faulty = std::make_unique<FaultyStore>(std::move(*sqlite));
    app->faults_ = faulty.get();
    app->store_ = std::move(faulty);
  } else {
    app->store_ = std::move(*sqlite);
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

HttpResponse StationApp::json_response(std::string body) const {
  HttpResponse res;
  res.body = std::move(body);
  return res;
}

void StationApp::dispatch(Responder& respond, std::function<void(Responder)> work) {
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
  auto target = parse_target(request.target);
  if (!target) {
    respond(refusal_response(Refusal::bad_query, "the request target is not well formed"));
    return;
  }
  const std::string& path = target->path;
  const bool get = request.method == "GET";
  const bool post = request.method == "POST";
  auto wrong_method = [&](const char* allowed) {
    respond(refusal_response(Refusal::method_not_allowed,
                             std::string("use ") + allowed + " for " + path));
  };
  try {
    if (path == "/v1/ballots" || path == "/v1/commands") {
      if (!post) return wrong_method("POST");
      if (!is_json_content_type(request.content_type)) {
        return respond(
            refusal_response(Refusal::wrong_content_type, "Content-Type must be application/json"));
      }
      const bool ballot = path == "/v1/ballots";
      const std::size_t limit = ballot ? kMaxBallotBody : kMaxRequestBody;
      if (request.body.size() > limit) {
        return respond(refusal_response(Refusal::too_large,
                                        "the body exceeds " + std::to_string(limit) + " bytes"));
      }
      if (ballot) return post_ballot(std::move(request.body), std::move(respond));
      return post_command(std::move(request.body), std::move(respond));
    }
    if (path == "/v1/station" || path == "/v1/ballot" || path == "/v1/checkpoint" ||
        path == "/v1/status") {
      if (!get) return wrong_method("GET");
      if (path == "/v1/station") return get_station(respond);
      if (path == "/v1/status") return get_status(respond);
      if (path == "/v1/checkpoint") return get_checkpoint(*target, respond);
      auto contest = target->query.find("contest");
      if (contest == target->query.end()) {
        return respond(refusal_response(Refusal::bad_query, "missing query parameter contest"));
      }
      return get_ballot(contest->second, respond);
    }
    if (path.rfind("/v1/results/", 0) == 0) return results(request, path, respond);
    if (path == "/v1/proof") {
      if (!get) return wrong_method("GET");
      return get_proof(*target, respond);
    }
    respond(refusal_response(Refusal::not_found, "no resource " + path));
  } catch (const std::exception& e) {
    // Only reached if nothing answered: every branch answers as its last step.
    respond(refusal_response(Refusal::internal, e.what()));
  }
}

namespace {

// A round number in a URL or query: 1 to 999999999, no sign, no leading zero.
std::optional<std::uint32_t> round_number(const std::string& r) {
  const bool digits = !r.empty() && r.size() <= 9 && r.front() != '0' &&
                      r.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) return std::nullopt;
  return static_cast<std::uint32_t>(std::stoul(r));
}

}  // namespace

void StationApp::results(const HttpRequest& request, const std::string& path, Responder& respond) {
  // /v1/results/<contest>/<round>[/signatures]
  std::vector<std::string> parts;
  for (std::size_t at = std::string("/v1/results/").size(); at <= path.size();) {
    const std::size_t slash = std::min(path.find('/', at), path.size());
    parts.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  const bool signatures = parts.size() == 3 && parts[2] == "signatures";
  if ((parts.size() != 2 && !signatures) || parts[0].empty()) {
    return respond(refusal_response(Refusal::not_found, "no resource " + path));
  }
  if (session_.find_contest(parts[0]) == nullptr) {
    return respond(refusal_response(Refusal::unknown_contest, "no contest \"" + parts[0] + "\""));
  }
  auto round = round_number(parts[1]);
  if (!round) {
    return respond(refusal_response(Refusal::bad_query, "round must be a positive integer"));
  }
  std::vector<std::pair<std::string, std::string>> fields = {{"contest", parts[0]},
                                                             {"round", parts[1]}};
  if (!signatures) {
    if (request.method != "GET") {
      return respond(refusal_response(Refusal::method_not_allowed, "use GET for " + path));
    }
    auto out = ledger_->book().results(parts[0], *round);
    HttpResponse res = out ? json_response(json::serialize(*out)) : refusal_response(out.error());
    res.log_fields = std::move(fields);
    return respond(std::move(res));
  }
  if (request.method != "POST") {
    return respond(refusal_response(Refusal::method_not_allowed, "use POST for " + path));
  }
  if (!is_json_content_type(request.content_type)) {
    return respond(
        refusal_response(Refusal::wrong_content_type, "Content-Type must be application/json"));
  }
  if (request.body.size() > kMaxRequestBody) {
    return respond(refusal_response(Refusal::too_large, "the body is too large"));
  }
  // The envelope is rewritten in a transaction of its own, on the writer thread.
  writer_->submit([this, contest = parts[0], n = *round, body = request.body,
                   fields = std::move(fields), r = respond](bool run) {
    HttpResponse res;
    if (!run) {
      res = refusal_response(Refusal::shutting_down, "the station is shutting down");
    } else {
      try {
        auto out = ledger_->book().countersign(contest, n, body);
        res = out ? json_response(json::serialize(*out)) : refusal_response(out.error());
      } catch (const std::exception& e) {
        res = refusal_response(Refusal::internal, e.what());
      }
    }
    res.log_fields = fields;
    r(std::move(res));
  });
}

void StationApp::get_proof(const Target& target, Responder& respond) {
  auto contest = target.query.find("contest");
  auto round = target.query.find("round");
  auto hash = target.query.find("ballot_hash");
  if (contest == target.query.end() || round == target.query.end() || hash == target.query.end()) {
    return respond(
        refusal_response(Refusal::bad_query, "query parameters contest, round and ballot_hash"));
  }
  if (session_.find_contest(contest->second) == nullptr) {
    return respond(
        refusal_response(Refusal::unknown_contest, "no contest \"" + contest->second + "\""));
  }
  auto n = round_number(round->second);
  if (!n) return respond(refusal_response(Refusal::bad_query, "round must be a positive integer"));
  auto out = ledger_->book().proof(contest->second, *n, hash->second);
  HttpResponse res = out ? json_response(json::serialize(*out)) : refusal_response(out.error());
  res.log_fields = {{"contest", contest->second}, {"round", round->second}};
  respond(std::move(res));
}

void StationApp::get_station(Responder& respond) {
  respond(json_response(json::serialize(json::object{{"keyid", station_keyid()},
                                                     {"public_key", station_public_key_pem()},
                                                     {"tls_fingerprint", tls_fingerprint()}})));
}

void StationApp::get_ballot(const std::string& contest_id, Responder& respond) {
  const ContestDef* contest = session_.find_contest(contest_id);
  if (contest == nullptr) {
    return respond(refusal_response(Refusal::unknown_contest, "no contest \"" + contest_id + "\""));
  }
  auto round = ledger_->open_round(contest_id);
  if (!round) {
    return respond(
        refusal_response(Refusal::round_not_open, "contest " + contest_id + " has no open round"));
  }
  // The round's own list and places (a run-off, a further round, an elect-from contest).
  const RoundBallot ballot =
      ledger_->book().ballot(contest_id, *round).value_or(first_round_ballot(*contest));
  json::array candidates;
  for (const Candidate& c : ballot.candidates) {
    candidates.push_back(json::object{{"id", c.id}, {"name", c.name}});
  }
  HttpResponse res = json_response(json::serialize(json::object{{"session", session_.id},
                                                                {"contest", contest->id},
                                                                {"round", *round},
                                                                {"title", contest->title},
                                                                {"seats", ballot.seats},
                                                                {"alternates", ballot.alternates},
                                                                {"candidates", candidates}}));
  res.log_fields = {{"contest", contest->id}, {"round", std::to_string(*round)}};
  respond(std::move(res));
}

void StationApp::get_checkpoint(const Target& target, Responder& respond) {
  auto contest = target.query.find("contest");
  auto round = target.query.find("round");
  if (contest == target.query.end() || round == target.query.end()) {
    return respond(refusal_response(Refusal::bad_query, "query parameters contest and round"));
  }
  if (session_.find_contest(contest->second) == nullptr) {
    return respond(
        refusal_response(Refusal::unknown_contest, "no contest \"" + contest->second + "\""));
  }
  std::uint32_t n = 0;
  const std::string& r = round->second;
  const bool digits = !r.empty() && r.size() <= 9 && r.front() != '0' &&
                      r.find_first_not_of("0123456789") == std::string::npos;
  if (digits) n = static_cast<std::uint32_t>(std::stoul(r));
  if (!digits || n == 0) {
    return respond(refusal_response(Refusal::bad_query, "round must be a positive integer"));
  }
  auto cp = ledger_->checkpoint(contest->second, n);
  if (!cp) {
    return respond(refusal_response(
        Refusal::round_not_open, "round " + r + " of contest " + contest->second + " is not open"));
  }
  const std::string payload = make_checkpoint_payload(session_.id, contest->second, n, cp->ballots,
                                                      crypto::to_hex(cp->root));
  HttpResponse res = json_response(crypto::serialize(
      crypto::make_envelope(identity_.signing_key, crypto::payload_type::kCheckpoint, payload)));
  res.log_fields = {{"contest", contest->second}, {"round", r}};
  respond(std::move(res));
}

void StationApp::get_status(Responder& respond) {
  json::object status = ledger_->status();
  status["station"] =
      json::object{{"keyid", station_keyid()}, {"tls_fingerprint", tls_fingerprint()}};
  respond(json_response(json::serialize(status)));
}

void StationApp::post_ballot(std::string body, Responder respond) {
  dispatch(respond, [this, body = std::move(body)](Responder r) {
    auto ballot = check_ballot(body, session_, *ledger_);
    if (!ballot) return r(refusal_response(ballot.error()));
    std::vector<std::pair<std::string, std::string>> fields = {
        {"terminal", ballot->terminal_id},
        {"contest", ballot->payload.contest},
        {"round", std::to_string(ballot->payload.round)}};
    // The receipt says only what the ballot already fixes (session, contest, round, leaf hash),
    // so it is signed here, on the worker pool beside the verification, rather than on the single
    // writer thread; it is sent only once the writer has made the ballot durable, and never if the
    // writer refuses it. Ed25519 is deterministic (RFC 8032): a retry gets a byte-identical
    // receipt.
    std::string receipt = crypto::serialize(crypto::make_envelope(
        identity_.signing_key, crypto::payload_type::kReceipt,
        make_receipt_payload(session_.id, ballot->payload.contest, ballot->payload.round,
                             crypto::to_hex(ballot->leaf))));
    writer_->submit(std::move(*ballot), [receipt = std::move(receipt), fields = std::move(fields),
                                         r = std::move(r)](BallotOutcome o) mutable {
      HttpResponse res;
      if (o.refused) {
        res = refusal_response(*o.refused);
      } else {
        res.body = std::move(receipt);
      }
      res.log_fields = std::move(fields);
      if (!o.refused && o.retry) res.log_fields.emplace_back("retry", "true");
      r(std::move(res));
    });
  });
}

void StationApp::post_command(std::string body, Responder respond) {
  dispatch(respond, [this, body = std::move(body)](Responder r) {
    auto command = check_command(body, session_);
    if (!command) return r(refusal_response(command.error()));
    std::vector<std::pair<std::string, std::string>> fields = {
        {"official", command->official_id},
        {"command", command->payload.name},
        {"seq", std::to_string(command->payload.seq)}};
    writer_->submit(std::move(*command), [this, fields = std::move(fields),
                                          r = std::move(r)](CommandOutcome o) {
      HttpResponse res = o ? json_response(json::serialize(*o)) : refusal_response(o.error());
      res.log_fields = fields;
      r(std::move(res));
    });
  });
}

}  // namespace tallystation::station
