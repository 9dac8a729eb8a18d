#pragma once
// Test scaffolding for the station core: a temporary data directory, keys for officials,
// committee members and terminals, a session definition over them, and synchronous calls into
// StationApp::handle (waiting on a future with a deadline, never sleeping).
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "crypto/keys.hpp"
#include "station/app/messages.hpp"
#include "station/app/station_app.hpp"

namespace tallystation::station::testing {

namespace json = boost::json;

inline std::filesystem::path temp_dir(const std::string& name) {
  std::string tmpl = (std::filesystem::temp_directory_path() / ("ts-" + name + "-XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
  return tmpl;
}

inline void write_file(const std::filesystem::path& p, std::string_view bytes) {
  std::ofstream out(p, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Keys are generated once per test binary: key generation is the slow part of a fixture.
struct Keys {
  crypto::SecretKey official1 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey official2 = crypto::SecretKey::generate(crypto::KeyType::ecdsa_p256);
  crypto::SecretKey member1 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey member2 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey t1 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey t2 = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  crypto::SecretKey t3 = crypto::SecretKey::generate(crypto::KeyType::ecdsa_p256);
  crypto::SecretKey stranger = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  static const Keys& get() {
    static const Keys keys;
    return keys;
  }
};

// A session's person record: {"id","name","public_key"}.
inline json::object person_json(const char* id, const char* name, const crypto::SecretKey& key) {
  return json::object{{"id", id}, {"name", name}, {"public_key", key.public_key().pem()}};
}

// The contests of the congress tests that elect a secretary from the committee: ec, the executive
// committee (4 seats among a..f), and sec, the secretary (1 seat, elected from those elected in
// ec).
inline json::array committee_and_secretary_contests() {
  const std::pair<const char*, const char*> list[] = {{"a", "Anna"}, {"b", "Bao"}, {"c", "Chi"},
                                                       {"d", "Dung"}, {"e", "Em"}, {"f", "Phuong"}};
  json::array candidates;
  for (auto [id, name] : list) candidates.push_back(json::object{{"id", id}, {"name", name}});
  return json::array{
      json::object{{"id", "ec"}, {"title", "Executive Committee"}, {"seats", 4},
                   {"candidates", std::move(candidates)}},
      json::object{{"id", "sec"}, {"title", "Secretary"}, {"seats", 1}, {"elect_from", "ec"}}};
}

inline json::object session_json() {
  const Keys& k = Keys::get();
  const auto person = person_json;
  json::array candidates;
  for (int i = 1; i <= 6; ++i) {
    candidates.push_back(
        json::object{{"id", "c" + std::to_string(i)}, {"name", "Candidate " + std::to_string(i)}});
  }
  return json::object{
      {"id", "cc2026"},
      {"title", "Central Committee 2026"},
      {"organisation", "The Party"},
      {"congress_kind", "delegates"},
      {"convened", 300},
      {"officials", json::array{person("o1", "Official One", k.official1),
                                person("o2", "Official Two", k.official2)}},
      {"counting_committee",
       json::object{{"members", json::array{person("m1", "Member One", k.member1),
                                            person("m2", "Member Two", k.member2)}},
                    {"required_signatures", 2}}},
      {"terminals",
       json::array{json::object{{"id", "t1"}, {"public_key", k.t1.public_key().pem()}},
                   json::object{{"id", "t2"}, {"public_key", k.t2.public_key().pem()}},
                   json::object{{"id", "t3"}, {"public_key", k.t3.public_key().pem()}}}},
      {"contests",
       json::array{
           json::object{{"id", "cc"},
                        {"title", "Central Committee"},
                        {"seats", 3},
                        {"alternates", 1},
                        {"candidates", candidates},
                        {"rule_set", "cpv-2024"},
                        {"majority_basis", "convened"},
                        {"excluded", 0}},
           json::object{{"id", "chair"},
                        {"title", "Chair"},
                        {"seats", 1},
                        {"candidates", json::array{json::object{{"id", "a"}, {"name", "A"}},
                                                   json::object{{"id", "b"}, {"name", "B"}}}}}}}};
}

class Station {
 public:
  explicit Station(const std::string& name, StationOptions extra = {})
      : Station(name, session_json(), std::move(extra)) {}
  // A station of another session definition (its id must stay "cc2026": command() signs for it).
  Station(const std::string& name, const json::object& session, StationOptions extra = {})
      : dir_(temp_dir(name)), session_file_(dir_ / "session-def.json") {
    write_file(session_file_, json::serialize(session));
    options_ = std::move(extra);
    options_.data_dir = dir_ / "data";
    options_.session_file = session_file_;
    if (options_.worker_threads == 0) options_.worker_threads = 2;
    reopen();
  }
  ~Station() {
    app_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Drains and destroys the app, then opens the data directory again (a restart).
  void reopen() {
    if (app_) app_->drain();
    app_.reset();
    auto app = StationApp::open(options_);
    if (!app) throw std::runtime_error(app.error().message);
    app_ = std::move(*app);
  }

  StationApp& app() { return *app_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path data() const { return options_.data_dir; }
  StationOptions& options() { return options_; }

  HttpResponse call(std::string method, std::string target, std::string body = {},
                    std::string content_type = "application/json") {
    return wait(
        start(std::move(method), std::move(target), std::move(body), std::move(content_type)));
  }

  std::future<HttpResponse> start(std::string method, std::string target, std::string body = {},
                                  std::string content_type = "application/json") {
    auto promise = std::make_shared<std::promise<HttpResponse>>();
    auto future = promise->get_future();
    app_->handle(HttpRequest{std::move(method), std::move(target), std::move(content_type),
                             std::move(body), "127.0.0.1:1"},
                 [promise](HttpResponse r) { promise->set_value(std::move(r)); });
    return future;
  }

  static HttpResponse wait(std::future<HttpResponse> f) {
    if (f.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
      throw std::runtime_error("no response within 30 s");
    }
    return f.get();
  }

  // A signed command from official o1 with the next sequence number.
  HttpResponse command(const std::string& name, json::object args,
                       const crypto::SecretKey* key = nullptr, std::string official = "o1") {
    const std::string payload = make_command_payload("cc2026", ++seq_, official, name, args);
    return call("POST", "/v1/commands", sign_command(key ? *key : Keys::get().official1, payload));
  }
  std::uint64_t& seq() { return seq_; }

  // Enrols t1..t3, issues `tokens` tokens for contest cc round 1 and opens it.
  std::vector<std::string> open_cc(int tokens = 20) {
    for (const char* t : {"t1", "t2", "t3"})
      expect_ok(command("enrol_terminal", {{"terminal", t}}));
    auto res =
        expect_ok(command("issue_tokens", {{"contest", "cc"}, {"round", 1}, {"count", tokens}}));
    std::vector<std::string> out;
    for (const auto& t : res.at("result").at("tokens").as_array()) {
      out.emplace_back(t.as_string().c_str());
    }
    expect_ok(command("open_round", {{"contest", "cc"}, {"round", 1}}));
    return out;
  }

  HttpResponse ballot(const std::string& token, std::vector<std::string> marks,
                      const crypto::SecretKey* terminal = nullptr, std::string contest = "cc",
                      std::uint32_t round = 1) {
    return call("POST", "/v1/ballots",
                ballot_body(token, std::move(marks), terminal, contest, round));
  }
  static std::string ballot_body(const std::string& token, std::vector<std::string> marks,
                                 const crypto::SecretKey* terminal = nullptr,
                                 std::string contest = "cc", std::uint32_t round = 1) {
    return sign_ballot(terminal ? *terminal : Keys::get().t1,
                       make_ballot_payload("cc2026", contest, round, token, marks));
  }

  static json::object expect_ok(const HttpResponse& r) {
    if (r.status != 200) throw std::runtime_error("expected 200, got " + r.body);
    return json::parse(r.body).as_object();
  }

 private:
  std::filesystem::path dir_;
  std::filesystem::path session_file_;
  StationOptions options_;
  std::unique_ptr<StationApp> app_;
  std::uint64_t seq_ = 0;
};

inline std::string error_code_of(const HttpResponse& r) {
  auto v = json::parse(r.body);
  if (!v.is_object() || !v.as_object().contains("error")) return "(none)";
  return std::string(v.at("error").as_string().c_str());
}

// The payload of a DSSE envelope JSON, after checking the signature by `key`.
inline json::object verified_payload(const std::string& envelope_json, const crypto::PublicKey& key,
                                     std::string_view type) {
  auto env = crypto::parse_envelope(envelope_json);
  if (!env) throw std::runtime_error("not an envelope");
  crypto::KeySet keys;
  keys.add(key);
  if (!crypto::verify_envelope(*env, type, keys)) throw std::runtime_error("bad signature");
  return json::parse(env->payload).as_object();
}

}  // namespace tallystation::station::testing
