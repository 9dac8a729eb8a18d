#include "follower.hpp"

#include <boost/json/serialize.hpp>
#include <cstdio>

#include "station/ctl/tables.hpp"

namespace tallystation::station::web {

namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

// How often the station is asked while a page is connected, and how long a page's last request
// keeps the follower asking (a page polling /api/state instead of listening to events).
constexpr auto kTick = 300ms;
constexpr auto kDemandLasts = 5s;

}  // namespace

Follower::Follower(ctl::LinkOptions link, json::object fixed, std::string language)
    : link_options_(std::move(link)),
      fixed_(std::move(fixed)),
      language_choice_(std::move(language)) {
  // A state before the station has been asked, so that a page never gets an empty answer.
  json::object state = fixed_;
  state["language"] = language_choice_.empty() ? "en" : language_choice_;
  state["station"] = json::object{{"url", link_options_.station}, {"reachable", nullptr},
                                  {"error", nullptr}, {"keyid", nullptr}};
  state["status"] = nullptr;
  state["people"] = nullptr;
  state["minutes"] = json::array();
  publish(std::move(state));
  thread_ = std::thread([this] { loop(); });
}

Follower::~Follower() {
  stop();
  if (thread_.joinable()) thread_.join();
}

void Follower::stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  wake_.notify_all();
  changed_.notify_all();
}

void Follower::poke() {
  std::lock_guard lock(mutex_);
  poked_ = true;
  last_demand_ = std::chrono::steady_clock::now();
  wake_.notify_all();
}

std::string Follower::language() {
  if (!language_choice_.empty()) return language_choice_;
  std::lock_guard lock(mutex_);
  return session_language_;
}

Snapshot Follower::current() {
  std::unique_lock lock(mutex_);
  const bool idle = std::chrono::steady_clock::now() - last_demand_ > kDemandLasts;
  last_demand_ = std::chrono::steady_clock::now();
  if (idle) {
    // Wait for one round of questions that began after this request, so that a page that asks
    // after a pause is not answered with what the station said minutes ago.
    const std::uint64_t done = polls_done_;
    poked_ = true;
    wake_.notify_all();
    changed_.wait_for(lock, 3s, [&] { return stopping_ || (polls_done_ > done && !poked_); });
  }
  return snapshot_;
}

std::optional<Snapshot> Follower::wait_after(std::uint64_t seen, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  ++waiting_;
  wake_.notify_all();
  const bool got = changed_.wait_for(lock, timeout,
                                     [&] { return stopping_ || snapshot_.revision > seen; });
  --waiting_;
  last_demand_ = std::chrono::steady_clock::now();
  if (!got || stopping_) return std::nullopt;
  return snapshot_;
}

void Follower::loop() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] {
        return stopping_ || poked_ || waiting_ > 0 ||
               std::chrono::steady_clock::now() - last_demand_ <= kDemandLasts;
      });
      if (stopping_) return;
      poked_ = false;  // this round of questions answers every poke made before it
    }
    try {
      poll_once();
    } catch (const std::exception& e) {
      // Only memory exhaustion gets here (poll_once keeps the station's answers checked): the
      // pages keep the last state, the next tick tries again.
      std::fprintf(stderr, "stationctl: following the station failed: %s\n", e.what());
    }
    std::unique_lock lock(mutex_);
    ++polls_done_;
    changed_.notify_all();  // current() waits for the end of a round of questions
    wake_.wait_for(lock, kTick, [&] { return stopping_ || poked_; });
    if (stopping_) return;
  }
}

void Follower::poll_once() {
  json::object station{{"url", link_options_.station}, {"reachable", true}, {"error", nullptr},
                       {"keyid", nullptr}};
  try {
    // Everything is read into locals and kept only once the whole round of questions succeeded:
    // an answer of an unexpected shape leaves the last good state as it was.
    if (!link_) link_.emplace(link_options_);
    station["keyid"] = link_->station_key().keyid();
    json::value status = link_->get_json("/v1/status");
    const json::object& so = status.as_object();
    const std::string head(so.at("command_log").at("head").as_string());
    json::value people = people_;
    if (people.is_null() || head != people_head_) people = link_->get_json("/v1/people");
    auto minutes = minutes_;
    for (const json::value& c : so.at("contests").as_array()) {
      const std::string contest(c.at("id").as_string());
      for (const json::value& r : c.at("rounds").as_array()) {
        if (r.at("state").as_string() != "closed") continue;
        const auto round = r.at("round").to_number<std::uint32_t>();
        const json::value* m = r.as_object().if_contains("minutes");
        const std::string stamp = m != nullptr ? json::serialize(*m) : std::string();
        CachedMinutes& cached = minutes[{contest, round}];
        if (!cached.entry.empty() && cached.stamp == stamp) continue;
        ctl::StationLink::Minutes got = link_->minutes(contest, round);
        // Signed by the station, and the round asked for: a station that served another
        // round's minutes under this one's address is not shown.
        if (got.payload.at("contest") != contest.c_str() ||
            got.payload.at("round").to_number<std::uint32_t>() != round) {
          throw ctl::CtlError("bad_response", "the minutes served for " + contest + " round " +
                                                  std::to_string(round) + " are another round's");
        }
        cached.entry = json::object{{"contest", contest},
                                    {"round", round},
                                    {"payload", std::move(got.payload)},
                                    {"certification", std::move(got.certification)}};
        cached.stamp = stamp;
      }
    }
    status_ = std::move(status);
    people_ = std::move(people);
    people_head_ = head;
    minutes_ = std::move(minutes);
  } catch (const ctl::CtlError& e) {
    station["reachable"] = false;
    station["error"] = json::object{{"code", e.code}, {"message", e.what()}};
    link_.reset();  // a new connection (and pin check) next time
  } catch (const std::exception& e) {
    station["reachable"] = false;
    station["error"] = json::object{{"code", "bad_response"}, {"message", e.what()}};
    link_.reset();
  }

  json::object state = fixed_;
  std::string language = language_choice_;
  if (language.empty()) {
    language = status_.is_object() ? tally::to_string(ctl::session_language(status_.as_object()))
                                   : "en";
  }
  state["language"] = language;
  state["station"] = std::move(station);
  state["status"] = status_;
  state["people"] = people_;
  json::array minutes;
  if (status_.is_object()) {
    // In the session's order of contests, then rounds (the status's order).
    for (const json::value& c : status_.at("contests").as_array()) {
      for (const json::value& r : c.at("rounds").as_array()) {
        auto it = minutes_.find({std::string(c.at("id").as_string()),
                                 r.at("round").to_number<std::uint32_t>()});
        if (it != minutes_.end() && !it->second.entry.empty()) minutes.push_back(it->second.entry);
      }
    }
  }
  state["minutes"] = std::move(minutes);
  {
    std::lock_guard lock(mutex_);
    session_language_ = language;
  }
  publish(std::move(state));
}

void Follower::publish(json::object state) {
  std::string body = json::serialize(state);
  std::lock_guard lock(mutex_);
  if (body == last_body_ && snapshot_.revision != 0) return;
  last_body_ = std::move(body);
  state["revision"] = snapshot_.revision + 1;
  snapshot_ = Snapshot{snapshot_.revision + 1, json::serialize(state)};
  changed_.notify_all();
}

}  // namespace tallystation::station::web
