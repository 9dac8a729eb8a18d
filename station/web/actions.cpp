#include "actions.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "crypto/dsse.hpp"
#include "crypto/hash.hpp"
#include "station/config/session.hpp"
#include "station/ctl/audit_bundle.hpp"
#include "station/ctl/tables.hpp"
#include "station/print/print.hpp"

namespace tallystation::station::web {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

Reply json_reply(const json::value& v) { return Reply{200, "application/json; charset=utf-8", json::serialize(v)}; }

// The station's refusal as it gave it, or the console's own for a link that failed.
Reply refusal(const ctl::CtlError& e) {
  unsigned status = e.status;
  if (status == 0) {
    status = (e.code == "transport" || e.code == "pin" || e.code == "protocol" ||
              e.code == "bad_signature")
                 ? 502
                 : (e.code == "usage" ? 400 : 500);
  }
  json::object o{{"error", e.code}, {"message", e.what()}};
  if (!e.rule.empty()) o["rule"] = e.rule;
  return Reply{status, "application/json; charset=utf-8", json::serialize(o)};
}

json::object parse_object(std::string_view body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) throw ctl::CtlError("bad_request", "the body is not a JSON object", 400);
  return std::move(v.as_object());
}

std::string string_member(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string() || v->as_string().empty()) {
    throw ctl::CtlError("bad_request", "\"" + std::string(key) + "\": a non-empty string is needed",
                        400);
  }
  return std::string(v->as_string());
}

// A contest id as the session defines them (docs/session.md): checked before it goes into a
// path of the station's or a file name here.
std::string contest_member(const json::object& o) {
  std::string contest = string_member(o, "contest");
  if (!is_valid_id(contest)) {
    throw ctl::CtlError("bad_request", "\"contest\": not an identifier of the session", 400);
  }
  return contest;
}

std::uint32_t round_member(const json::object& o) {
  const json::value* v = o.if_contains("round");
  std::uint32_t round = 0;
  if (v != nullptr && v->is_int64() && v->as_int64() >= 1 && v->as_int64() <= 2147483647) {
    round = static_cast<std::uint32_t>(v->as_int64());
  } else if (v != nullptr && v->is_uint64() && v->as_uint64() >= 1 &&
             v->as_uint64() <= 2147483647) {
    round = static_cast<std::uint32_t>(v->as_uint64());
  } else {
    throw ctl::CtlError("bad_request", "\"round\": a round number, 1 or more, is needed", 400);
  }
  return round;
}

// Creates `path` (it must not exist) with `mode` and writes `bytes` durably; false on failure,
// having removed what it created.
// All of `bytes` to `fd`, through short writes and signals, then fsync.
bool write_all(int fd, std::string_view bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return ::fsync(fd) == 0;
}

bool write_new(const fs::path& path, std::string_view bytes, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return false;
  bool ok = ::fchmod(fd, mode) == 0 && write_all(fd, bytes);
  ok = (::close(fd) == 0) && ok;
  if (!ok) ::unlink(path.c_str());
  return ok;
}

const json::object* find_contest(const json::object& status, std::string_view contest) {
  for (const json::value& c : status.at("contests").as_array()) {
    if (c.at("id").as_string() == contest) return &c.as_object();
  }
  return nullptr;
}

}  // namespace

Reply error_reply(unsigned status, std::string_view code, std::string_view message) {
  return Reply{status, "application/json; charset=utf-8",
               json::serialize(json::object{{"error", code}, {"message", message}})};
}

Reply Actions::command(std::string_view body) {
  try {
    json::object request = parse_object(body);
    const std::string name = string_member(request, "name");
    const json::value* args = request.if_contains("args");
    if (args == nullptr || !args->is_object()) {
      throw ctl::CtlError("bad_request", "\"args\": the command's arguments, an object", 400);
    }
    if (options_.official.empty()) {
      throw ctl::CtlError("no_official",
                          "this console was started without --official: it countersigns, it "
                          "sends no commands",
                          403);
    }
    if (name == "issue_tokens") return issue_tokens(options_.official, args->as_object());
    ctl::StationLink link(options_.link);
    return json_reply(json::object{
        {"ok", true},
        {"response", link.command(*options_.key, options_.official, name, args->as_object())}});
  } catch (const ctl::CtlError& e) {
    return refusal(e);
  } catch (const std::exception& e) {
    return error_reply(502, "bad_response", std::string("the station's answer: ") + e.what());
  }
}

// Tokens are secret: they go to a file (0600) and onto slips (a PDF, 0600) in out_dir, never
// into the page. The token file is created before the command is sent, as `stationctl
// issue-tokens` does, so that tokens are never issued that cannot be written down.
Reply Actions::issue_tokens(const std::string& official, json::object args) {
  const std::string contest = contest_member(args);
  const std::uint32_t round = round_member(args);
  ctl::StationLink link(options_.link);
  // Named for the command's seq; the seq is known once the station has answered, so the files
  // are created under the next seq as the status gives it and renamed if the command got
  // another (another official's command came first).
  const auto name_for = [&](std::uint64_t seq) {
    return contest + "-r" + std::to_string(round) + "-" + std::to_string(seq);
  };
  const std::uint64_t guess =
      link.get_json("/v1/status").at("command_log").at("last_seq").to_number<std::uint64_t>() + 1;
  fs::path tokens_file = fs::path(options_.out_dir) / ("tokens-" + name_for(guess) + ".txt");
  const int fd = ::open(tokens_file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw ctl::CtlError("io", tokens_file.string() + ": cannot create: " + std::strerror(errno), 500);
  }
  json::object response;
  try {
    response = link.command(*options_.key, official, "issue_tokens", args);
  } catch (...) {
    ::close(fd);
    fs::remove(tokens_file);
    throw;
  }
  // The tokens are issued now: whatever follows, what arrived is written down.
  std::string lines;
  std::vector<std::string> tokens;
  json::object* result = nullptr;
  if (json::value* r = response.if_contains("result"); r != nullptr && r->is_object()) {
    result = &r->as_object();
    if (json::value* t = result->if_contains("tokens"); t != nullptr && t->is_array()) {
      for (const json::value& token : t->as_array()) {
        if (!token.is_string()) continue;
        tokens.emplace_back(token.as_string());
        lines += tokens.back() + "\n";
      }
    }
  }
  const bool written = write_all(fd, lines);
  ::close(fd);
  if (!written) {
    throw ctl::CtlError("io", tokens_file.string() + ": writing the tokens failed; they are issued",
                        500);
  }
  if (result == nullptr || tokens.empty()) {
    throw ctl::CtlError("bad_response", "the station's answer to issue_tokens holds no tokens", 502);
  }
  std::string stem = name_for(guess);
  if (const json::value* seq = response.if_contains("seq"); seq != nullptr && seq->is_number()) {
    const std::string actual = name_for(seq->to_number<std::uint64_t>());
    const fs::path renamed = fs::path(options_.out_dir) / ("tokens-" + actual + ".txt");
    std::error_code ec;
    if (actual != stem && !fs::exists(renamed, ec)) {
      fs::rename(tokens_file, renamed, ec);
      if (!ec) {
        tokens_file = renamed;
        stem = actual;
      }
    }
  }
  result->erase("tokens");
  (*result)["file"] = tokens_file.string();

  // The slips: a failure here leaves the tokens issued and in their file; the page says so.
  const std::string slips_name = "slips-" + stem + ".pdf";
  try {
    const json::value status = link.get_json("/v1/status");
    print::SlipsInput in;
    in.session_title = std::string(status.at("session").at("title").as_string());
    if (const json::object* c = find_contest(status.as_object(), contest)) {
      in.contest_title = std::string(c->at("title").as_string());
    }
    in.round = round;
    in.tokens = std::move(tokens);
    const tally::Language language =
        options_.language.empty() ? ctl::session_language(status.as_object())
                                  : tally::parse_language(options_.language).value_or(tally::Language::en);
    const print::Pdf pdf = print::slips_pdf(in, language);
    if (!write_new(fs::path(options_.out_dir) / slips_name, pdf.bytes, 0600)) {
      throw print::PrintError(slips_name + ": cannot be written in " + options_.out_dir);
    }
  } catch (const std::exception& e) {
    throw ctl::CtlError("print",
                        std::string("the tokens are issued and written to ") +
                            tokens_file.string() + ", but the slips could not be printed: " +
                            e.what(),
                        500);
  }
  {
    std::lock_guard lock(mutex_);
    files_.insert(slips_name);
  }
  (*result)["slips"] = slips_name;
  return json_reply(json::object{{"ok", true}, {"response", std::move(response)}});
}

Reply Actions::countersign(std::string_view body) {
  try {
    const json::object request = parse_object(body);
    const std::string contest = contest_member(request);
    const std::uint32_t round = round_member(request);
    ctl::StationLink link(options_.link);
    const ctl::StationLink::Minutes m = link.minutes(contest, round);
    // What is signed must be the round asked for (the page shows its contest and round).
    if (m.payload.at("contest") != contest.c_str() ||
        m.payload.at("round").to_number<std::uint32_t>() != round) {
      throw ctl::CtlError("bad_response", "the station served another round's minutes", 502);
    }
    // The member signs the bytes the station signed, exactly as stored (CONTRACT.md section 1).
    const std::string sig = options_.key->sign(crypto::pae(m.envelope.payload_type, m.envelope.payload));
    const std::string signature = json::serialize(
        json::object{{"keyid", options_.key->keyid()}, {"sig", crypto::base64_encode(sig)}});
    json::value answer = link.post_json(
        "/v1/results/" + contest + "/" + std::to_string(round) + "/signatures", signature);
    json::object out{{"ok", true}};
    if (answer.is_object()) {
      if (const json::value* c = answer.as_object().if_contains("certification")) {
        out["certification"] = *c;
      }
    }
    return json_reply(out);
  } catch (const ctl::CtlError& e) {
    return refusal(e);
  } catch (const std::exception& e) {
    return error_reply(502, "bad_response", std::string("the station's answer: ") + e.what());
  }
}

Reply Actions::export_bundle() {
  if (options_.data_dir.empty()) {
    return error_reply(404, "not_found",
                       "this console was started without --data: export the bundle on the "
                       "station's machine with stationctl export");
  }
  std::lock_guard lock(export_mutex_);  // one export at a time: the name is chosen, then created
  try {
    // Named for the session of the data directory exported (its id is an identifier, so a
    // safe file name).
    std::string session = "session";
    {
      std::ifstream in(fs::path(options_.data_dir) / "session.json", std::ios::binary);
      boost::system::error_code ec;
      const json::value v = json::parse(std::string(std::istreambuf_iterator<char>(in), {}), ec);
      if (!ec && v.is_object()) {
        const json::value* id = v.as_object().if_contains("id");
        if (id != nullptr && id->is_string() && is_valid_id(id->as_string())) {
          session = std::string(id->as_string());
        }
      }
    }
    fs::path out;
    for (unsigned n = 1;; ++n) {
      out = fs::path(options_.out_dir) / ("bundle-" + session + "-" + std::to_string(n));
      std::error_code ec;
      if (!fs::exists(out, ec)) break;
    }
    auto summary = ctl::export_bundle(options_.data_dir, out);
    if (!summary) return error_reply(500, "export", summary.error().message);
    return json_reply(json::object{{"ok", true},
                                   {"bundle", out.string()},
                                   {"commands", summary->commands},
                                   {"rounds", summary->rounds},
                                   {"ballots", summary->ballots}});
  } catch (const std::exception& e) {
    return error_reply(500, "export", e.what());
  }
}

Reply Actions::file(std::string_view name) {
  {
    std::lock_guard lock(mutex_);
    if (!files_.contains(name)) return error_reply(404, "not_found", "no such file from this console");
  }
  std::ifstream in(fs::path(options_.out_dir) / std::string(name), std::ios::binary);
  if (!in) return error_reply(404, "not_found", "the file is no longer there");
  return Reply{200, "application/pdf", std::string(std::istreambuf_iterator<char>(in), {})};
}

Reply Actions::minutes_pdf(std::string_view contest, std::string_view round_text,
                           std::string_view language) {
  std::uint32_t round = 0;
  const auto [end, ec] =
      std::from_chars(round_text.data(), round_text.data() + round_text.size(), round);
  if (ec != std::errc() || end != round_text.data() + round_text.size() || round == 0 ||
      !is_valid_id(contest)) {
    return error_reply(400, "bad_query", "contest=ID&round=N (an identifier, N >= 1) are needed");
  }
  const auto lang = tally::parse_language(language);
  if (!lang) return error_reply(400, "bad_query", "lang must be en or vi");
  try {
    ctl::StationLink link(options_.link);
    ctl::StationLink::Minutes m = link.minutes(std::string(contest), round);
    const json::value status = link.get_json("/v1/status");
    const print::MinutesInput in =
        print::minutes_input(std::move(m.payload), std::move(m.certification), status.as_object());
    return Reply{200, "application/pdf", print::minutes_pdf(in, *lang, 1).bytes};
  } catch (const ctl::CtlError& e) {
    return refusal(e);
  } catch (const print::PrintError& e) {
    return error_reply(500, "print", e.what());
  } catch (const std::exception& e) {
    return error_reply(502, "bad_response", std::string("the station's answer: ") + e.what());
  }
}

}  // namespace tallystation::station::web
