// What the forged-log bundle tests (rules_bundle_test.cpp, people_bundle_test.cpp) share: the
// station core in-process on a session of the test's own, and a command log rewritten as a forger
// would (commands inserted, moved or removed, each signed again by an official of the session,
// the chain and each round's audit_log_head recomputed), so that the only reason for a bundle to
// fail is the rule the forgery breaks.
#pragma once

#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <filesystem>
#include <future>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core_fixture.hpp"
#include "crypto/dsse.hpp"
#include "exported_bundle.hpp"
#include "station/app/messages.hpp"
#include "tally/audit/verify/report.hpp"

namespace tallystation::station::testing {

// The station core in-process on `session` (core_fixture.hpp's Station is bound to its own
// session).
class RulesStation {
 public:
  explicit RulesStation(const json::object& session)
      : dir_(temp_dir("rules-src")), session_id_(session.at("id").as_string()) {
    write_file(dir_ / "session-def.json", json::serialize(session));
    StationOptions o;
    o.data_dir = dir_ / "data";
    o.session_file = dir_ / "session-def.json";
    o.worker_threads = 2;
    auto app = StationApp::open(o);
    if (!app) throw std::runtime_error(app.error().message);
    app_ = std::move(*app);
    data_ = o.data_dir;
  }
  ~RulesStation() {
    app_->drain();
    app_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  HttpResponse call(std::string method, std::string target, std::string body) {
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    auto future = promise->get_future();
    app_->handle(HttpRequest{std::move(method), std::move(target), "application/json",
                             std::move(body), "127.0.0.1:1"},
                 [promise](HttpResponse r) { promise->set_value(std::move(r)); });
    return Station::wait(std::move(future));
  }
  json::object command(const std::string& name, json::object args,
                       const std::string& official = "o1") {
    const Keys& k = Keys::get();
    const crypto::SecretKey& key = official == "o2" ? k.official2 : k.official1;
    return Station::expect_ok(
        call("POST", "/v1/commands",
             sign_command(key, make_command_payload(session_id_, ++seq_, official, name, args))));
  }
  std::vector<std::string> tokens(const std::string& contest, int round, int n) {
    auto r = command("issue_tokens", {{"contest", contest}, {"round", round}, {"count", n}});
    std::vector<std::string> out;
    for (const auto& t : r.at("result").at("tokens").as_array()) out.emplace_back(t.as_string());
    return out;
  }
  void vote(const std::string& contest, int round, const std::vector<std::string>& tokens,
            const std::vector<std::vector<std::string>>& marks) {
    REQUIRE(tokens.size() >= marks.size());
    for (std::size_t i = 0; i < marks.size(); ++i) {
      auto r =
          call("POST", "/v1/ballots",
               sign_ballot(Keys::get().t1, make_ballot_payload(session_id_, contest,
                                                               static_cast<std::uint32_t>(round),
                                                               tokens[i], marks[i])));
      INFO(r.body);
      REQUIRE(r.status == 200);
    }
  }
  const std::filesystem::path& data() const { return data_; }

 private:
  std::filesystem::path dir_;
  std::string session_id_;
  std::filesystem::path data_;
  std::unique_ptr<StationApp> app_;
  std::uint64_t seq_ = 0;
};

// One command of a forged log: its payload, and the key that signs it (nullptr: the key of the
// official the payload names).
struct Entry {
  json::object payload;
  const crypto::SecretKey* key = nullptr;
};
using Log = std::vector<Entry>;

inline Log read_log(const std::filesystem::path& bundle) {
  Log log;
  for (const std::string& l : lines_of(bundle / "commands.jsonl")) {
    auto env = crypto::parse_envelope(l);
    REQUIRE(env);
    log.push_back(Entry{json::parse(env->payload).as_object(), nullptr});
  }
  return log;
}

// The index of the first command `name` on contest (and round, if not 0).
inline std::size_t index_of(const Log& log, const std::string& name, const std::string& contest,
                            int round = 0) {
  for (std::size_t i = 0; i < log.size(); ++i) {
    const json::object& p = log[i].payload;
    const json::object& a = p.at("args").as_object();
    if (p.at("command").as_string() != name) continue;
    if (!a.contains("contest") || a.at("contest").as_string() != contest) continue;
    if (round != 0 && (!a.contains("round") || a.at("round").to_number<int>() != round)) continue;
    return i;
  }
  FAIL("no " << name << " " << contest << "/" << round << " in the log");
  return 0;
}

inline const crypto::SecretKey& official_key(const json::object& payload) {
  const Keys& k = Keys::get();
  return payload.at("official").as_string() == "o2" ? k.official2 : k.official1;
}

// Writes `log` as the bundle's commands.jsonl: (with `renumber`) seq = line number, each
// command signed again, command_log.json's size and head recomputed, and each closed round's
// minutes given the audit_log_head its close_round now follows (signed again by the station).
inline void write_log(const std::filesystem::path& bundle, Log log,
                      const crypto::SecretKey& station, bool renumber = true) {
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < log.size(); ++i) {
    json::object& p = log[i].payload;
    if (renumber) p["seq"] = i + 1;
    const crypto::SecretKey& key = log[i].key ? *log[i].key : official_key(p);
    lines.push_back(crypto::serialize(
        crypto::make_envelope(key, crypto::payload_type::kCommand, json::serialize(p))));
  }
  write_lines(bundle / "commands.jsonl", lines);
  crypto::Digest head = crypto::sha256(read_file(bundle / "session.json"));
  std::set<std::string> closed;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const json::object& p = log[i].payload;
    if (p.at("command").as_string() == "close_round") {
      const json::object& a = p.at("args").as_object();
      const std::filesystem::path minutes =
          bundle / "rounds" / std::string(a.at("contest").as_string()) /
          std::to_string(a.at("round").to_number<int>()) / "minutes.json";
      const std::string before = crypto::to_hex(head);
      if (std::filesystem::exists(minutes) && closed.insert(minutes.string()).second) {
        auto env = crypto::parse_envelope(read_file(minutes));
        REQUIRE(env);
        json::value m = json::parse(env->payload);
        if (m.at("audit_log_head").as_string() != before) {
          m.as_object()["audit_log_head"] = before;
          write_file(minutes, crypto::serialize(crypto::make_envelope(
                                  station, crypto::payload_type::kResult, json::serialize(m))) +
                                  "\n");
        }
      }
    }
    const crypto::Digest inner = crypto::sha256(lines[i]);
    std::string buf(reinterpret_cast<const char*>(head.data()), head.size());
    buf.append(reinterpret_cast<const char*>(inner.data()), inner.size());
    head = crypto::sha256(buf);
  }
  write_file(
      bundle / "command_log.json",
      json::serialize(json::object{{"size", lines.size()}, {"head", crypto::to_hex(head)}}) + "\n");
}

inline std::set<std::string> failed_checks(const audit::verify::Report& r) {
  std::set<std::string> out;
  for (const audit::verify::Check& c : r.checks()) {
    if (c.state == audit::verify::CheckState::fail) out.insert(c.name);
  }
  return out;
}

}  // namespace tallystation::station::testing
