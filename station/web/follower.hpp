#pragma once
// Follows one station for the pages (docs/hall.md "GET /api/state"): while a page is connected
// (or asked within the last seconds), asks the station for its status every 300 ms and, when the
// command log or a certification changed, for the people and the minutes of each closed round
// (each checked against the station's key). Each change of what it holds is a new revision; pages
// wait for the next one (server-sent events). Internal to tallystation_web; thread safe.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "station/ctl/station_link.hpp"

namespace tallystation::station::web {

struct Snapshot {
  std::uint64_t revision = 0;
  std::string json;  // the whole state, serialized, `revision` included
};

class Follower {
 public:
  // `fixed` holds the members that never change (mode, station url, signer, export);
  // `language` is the --lang choice, empty for the session's.
  Follower(ctl::LinkOptions link, boost::json::object fixed, std::string language);
  ~Follower();  // stops the thread

  // The state now (refreshes first if it was idle: a page asking gets a current answer).
  Snapshot current();
  // Waits until the revision is above `seen`, at most `timeout`; nullopt on timeout or stop.
  // Counts as a connected page while it waits.
  std::optional<Snapshot> wait_after(std::uint64_t seen, std::chrono::milliseconds timeout);
  // Asks the station now (after an action), without waiting for the next tick.
  void poke();
  void stop();

  // The session's language as the station states it ("en" when unknown); the --lang choice first.
  std::string language();

 private:
  void loop();
  void poll_once();                 // one round of questions to the station
  void publish(boost::json::object state);  // a new revision if it differs

  const ctl::LinkOptions link_options_;
  const boost::json::object fixed_;
  const std::string language_choice_;

  std::mutex mutex_;
  std::condition_variable changed_;  // a new revision, or stop
  std::condition_variable wake_;     // demand, a poke, or stop
  bool stopping_ = false;
  bool poked_ = false;          // asked to ask the station now; cleared when a round begins
  std::uint64_t polls_done_ = 0;  // rounds of questions finished
  int waiting_ = 0;  // pages waiting for a change
  std::chrono::steady_clock::time_point last_demand_{};
  Snapshot snapshot_;
  std::string last_body_;  // the state without its revision, to tell a change
  std::string session_language_ = "en";

  // Owned by the follower thread only.
  std::optional<ctl::StationLink> link_;
  std::string people_head_;  // the command log head the people were fetched at
  boost::json::value people_;
  boost::json::value status_;
  struct CachedMinutes {
    std::string stamp;  // the status's minutes entry (outcome, certification) it was fetched at
    boost::json::object entry;
  };
  std::map<std::pair<std::string, std::uint32_t>, CachedMinutes> minutes_;
  std::thread thread_;
};

}  // namespace tallystation::station::web
