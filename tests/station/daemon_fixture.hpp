#pragma once
// A real stationd over the test session of core_fixture.hpp (officials o1/o2, terminals t1..t3,
// contests cc and chair), driven over HTTPS: commands signed by officials, ballots by terminals,
// receipts checked against the station key that GET /v1/station serves.
#include <boost/json.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core_fixture.hpp"
#include "crypto/dsse.hpp"
#include "crypto/merkle.hpp"
#include "net_daemon.hpp"
#include "net_fixture.hpp"
#include "station/app/messages.hpp"
#include "station/client/https_client.hpp"

#ifndef STATIOND_PATH
#error "STATIOND_PATH must name the stationd binary"
#endif

namespace tallystation::station::client {
// For Catch's messages about results.
inline std::ostream& operator<<(std::ostream& os, const Response& r) {
  return os << r.status << " " << r.body;
}
}  // namespace tallystation::station::client

namespace tallystation::station::test {

namespace json = boost::json;
using testing::Keys;

class DaemonStation {
 public:
  // start_now false: the caller prepares the data directory (daemon().data_dir(), say a file
  // system mounted there) and then calls start(true) for the first start.
  explicit DaemonStation(std::vector<std::string> extra_args = {}, bool start_now = true)
      : daemon_(STATIOND_PATH, dir_.path() / "station", std::move(extra_args)) {
    session_file_ = dir_.path() / "session-def.json";
    testing::write_file(session_file_, json::serialize(testing::session_json()));
    if (start_now) start(true);
  }

  // Starts the daemon (with the session file on the first start) and a client pinned to it.
  void start(bool with_session = false) {
    daemon_.start(with_session ? std::optional(session_file_) : std::nullopt);
    client_ = std::make_unique<client::HttpsClient>(daemon_.client_options());
    auto station = json::parse(expect(client_->get("/v1/station"), 200)).as_object();
    station_key_ = crypto::PublicKey::from_pem(station.at("public_key").as_string()).value();
  }

  Daemon& daemon() { return daemon_; }
  client::HttpsClient& client() { return *client_; }
  std::unique_ptr<client::HttpsClient> new_client() const {
    return std::make_unique<client::HttpsClient>(daemon_.client_options());
  }
  const crypto::PublicKey& station_key() const { return *station_key_; }

  // The body of a signed command from o1 with the next sequence number.
  std::string command_body(const std::string& name, json::object args) {
    return sign_command(Keys::get().official1,
                        make_command_payload("cc2026", ++seq_, "o1", name, args));
  }
  client::Response command(const std::string& name, json::object args) {
    return client_->post("/v1/commands", command_body(name, std::move(args))).value();
  }

  // Enrols t1..t3, issues tokens for cc round 1 and opens it; returns the tokens.
  std::vector<std::string> open_cc(int tokens) {
    for (const char* t : {"t1", "t2", "t3"}) {
      expect(command("enrol_terminal", {{"terminal", t}}), 200);
    }
    auto issued = json::parse(
        expect(command("issue_tokens", {{"contest", "cc"}, {"round", 1}, {"count", tokens}}), 200));
    std::vector<std::string> out;
    for (const auto& t : issued.at("result").at("tokens").as_array()) {
      out.emplace_back(t.as_string().c_str());
    }
    expect(command("open_round", {{"contest", "cc"}, {"round", 1}}), 200);
    return out;
  }

  // Accepted ballots of a round, from /v1/status.
  std::int64_t ballots(const std::string& contest = "cc", int round = 1) {
    auto status = json::parse(expect(client_->get("/v1/status"), 200));
    for (const auto& c : status.at("contests").as_array()) {
      if (c.at("id").as_string() != contest) continue;
      for (const auto& r : c.at("rounds").as_array()) {
        if (r.at("round").to_number<int>() == round)
          return r.at("ballots").to_number<std::int64_t>();
      }
    }
    return 0;
  }

  // Checks a receipt envelope: signed by the station, for this ballot payload.
  bool receipt_matches(const std::string& receipt_json, const std::string& ballot_payload) const {
    auto env = crypto::parse_envelope(receipt_json);
    if (!env) return false;
    crypto::KeySet keys;
    keys.add(*station_key_);
    if (!crypto::verify_envelope(*env, crypto::payload_type::kReceipt, keys)) return false;
    auto receipt = json::parse(env->payload);
    return receipt.at("ballot_hash").as_string() ==
           crypto::to_hex(crypto::leaf_hash(ballot_payload));
  }

  static std::string expect(const boost::system::result<client::Response>& r, unsigned status) {
    if (!r) throw std::runtime_error("transport error: " + r.error().message());
    if (r->status != status) {
      throw std::runtime_error("expected " + std::to_string(status) + ", got " +
                               std::to_string(r->status) + " " + r->body);
    }
    return r->body;
  }

 private:
  TempDir dir_;
  std::filesystem::path session_file_;
  Daemon daemon_;
  std::unique_ptr<client::HttpsClient> client_;
  std::optional<crypto::PublicKey> station_key_;
  std::uint64_t seq_ = 0;
};

inline std::string error_of(const client::Response& r) {
  auto v = json::parse(r.body);
  if (!v.is_object() || !v.as_object().contains("error")) return "(none)";
  return std::string(v.at("error").as_string());
}

}  // namespace tallystation::station::test
