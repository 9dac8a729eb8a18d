#pragma once
// What the pages ask of stationctl besides the state (docs/hall.md "Answers to actions"): the
// console's signed commands, countersignatures and export, and the printed minutes for both
// pages. Each call opens its own pinned link to the station (one TLS connection per action).
// Internal to tallystation_web; thread safe (the written files' names under a mutex).
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "hall.hpp"

namespace tallystation::station::web {

struct Reply {
  unsigned status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
};

// {"error","message"} with `status`.
Reply error_reply(unsigned status, std::string_view code, std::string_view message);

class Actions {
 public:
  explicit Actions(const HallOptions& options) : options_(options) {}

  Reply command(std::string_view body);      // POST /api/command
  Reply countersign(std::string_view body);  // POST /api/countersign
  Reply export_bundle();                     // POST /api/export
  Reply file(std::string_view name);         // GET /api/files/<name>
  // GET /api/minutes.pdf; `language` "en" or "vi".
  Reply minutes_pdf(std::string_view contest, std::string_view round, std::string_view language);

 private:
  Reply issue_tokens(const std::string& official, boost::json::object args);

  const HallOptions& options_;
  std::mutex mutex_;         // files_
  std::mutex export_mutex_;  // one export at a time
  std::set<std::string, std::less<>> files_;  // PDFs this console wrote, by name in out_dir
};

}  // namespace tallystation::station::web
