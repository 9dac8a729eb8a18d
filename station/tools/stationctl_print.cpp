// stationctl print-minutes and print-slips (stationctl_print.hpp): fetch over the pinned link,
// render with tallystation_print, then write a file that did not exist, so that a failure at any
// step leaves nothing behind and nothing is ever overwritten.
#include "station/tools/stationctl_print.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "station/ctl/tables.hpp"
#include "station/print/print.hpp"

namespace tallystation::station::ctl {

namespace {

namespace json = boost::json;

struct PrintArgs {
  std::string contest, out, tokens, lang;  // lang empty: the session's
  std::uint32_t round = 0;
  unsigned copies = 1;
};

// --lang when given, else the session's `language` (GET /v1/status; "en" from a station that
// does not state it).
tally::Language language_of(const std::string& code, const json::value& status) {
  if (!code.empty()) return tally::parse_language(code).value_or(tally::Language::en);
  return session_language(status.as_object());
}

// Refused before anything is fetched, so that a wrong --out costs no round trip; the file is
// still created with O_EXCL at the end, which is what guarantees it.
void require_new(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    throw CtlError("io", path + ": already exists; give a new file name (nothing is overwritten)");
  }
}

// Creates `path` (it must not exist) with exactly `mode` and writes `bytes`, durably; on a failure
// removes what it created.
void write_new_file(const std::string& path, const std::string& bytes, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    throw CtlError("io", path + ": cannot create (it must not exist yet): " + std::strerror(errno));
  }
  // The umask may have taken bits away; the mode is part of what the operator was promised.
  bool ok = ::fchmod(fd, mode) == 0;
  for (std::size_t done = 0; ok && done < bytes.size();) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int saved = errno;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    ::unlink(path.c_str());
    throw CtlError("io", path + ": writing failed: " + std::strerror(saved));
  }
}

std::vector<std::string> read_tokens(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CtlError("io", path + ": cannot be read: " + std::strerror(errno));
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw CtlError("io", path + ": not a file (give the token file issue-tokens wrote)");
  }
  std::vector<std::string> tokens;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) throw CtlError("usage", path + ":" + std::to_string(number) + ": empty line");
    tokens.push_back(line);
  }
  if (in.bad()) throw CtlError("io", path + ": read error: " + std::strerror(errno));
  if (tokens.empty()) throw CtlError("usage", path + ": holds no tokens");
  return tokens;
}

const json::object* find_contest(const json::object& status, const std::string& id) {
  for (const json::value& c : status.at("contests").as_array()) {
    if (c.at("id").as_string() == id) return &c.as_object();
  }
  return nullptr;
}

void print_minutes(const PrintArgs& a, const LinkOptions& link_options, bool as_json) {
  require_new(a.out);
  StationLink link(link_options);
  StationLink::Minutes m = link.minutes(a.contest, a.round);
  const json::value status = link.get_json("/v1/status");
  const tally::Language language = language_of(a.lang, status);
  print::MinutesInput in;
  try {
    in = print::minutes_input(std::move(m.payload), std::move(m.certification), status.as_object());
  } catch (const print::PrintError& e) {
    throw CtlError("bad_response", e.what());
  }
  print::Pdf pdf;
  try {
    pdf = print::minutes_pdf(in, language, a.copies);
  } catch (const print::PrintError& e) {
    throw CtlError("print", e.what());
  }
  write_new_file(a.out, pdf.bytes, 0644);
  const json::object out{{"file", a.out},  {"contest", a.contest}, {"round", a.round},
                         {"lang", tally::to_string(language)}, {"copies", a.copies},   {"pages", pdf.pages}};
  if (as_json) {
    std::cout << json::serialize(out) << "\n";
  } else {
    std::cout << "minutes of " << a.contest << " round " << a.round << " written to " << a.out
              << ": " << a.copies << (a.copies == 1 ? " copy, " : " copies, ") << pdf.pages
              << " pages (" << tally::to_string(language) << ")\n";
  }
}

void print_slips(const PrintArgs& a, const LinkOptions& link_options, bool as_json) {
  std::vector<std::string> tokens = read_tokens(a.tokens);
  require_new(a.out);
  StationLink link(link_options);
  const json::value status = link.get_json("/v1/status");
  const json::object* contest = find_contest(status.as_object(), a.contest);
  if (contest == nullptr) throw CtlError("unknown_contest", "no contest " + a.contest);
  const json::object* round = nullptr;
  for (const json::value& r : contest->at("rounds").as_array()) {
    if (r.at("round").to_number<std::uint32_t>() == a.round) round = &r.as_object();
  }
  if (round == nullptr || round->at("tokens_issued").to_number<std::uint64_t>() < tokens.size()) {
    throw CtlError("round_state", a.tokens + " holds " + std::to_string(tokens.size()) +
                                      " tokens, more than were issued for " + a.contest +
                                      " round " + std::to_string(a.round) +
                                      ": is it the file for another round?");
  }
  if (round->at("state").as_string() == "closed") {
    throw CtlError("round_state", a.contest + " round " + std::to_string(a.round) +
                                      " is closed: its tokens can no longer be used");
  }
  print::SlipsInput in;
  in.session_title = std::string(status.at("session").at("title").as_string());
  in.contest_title = std::string(contest->at("title").as_string());
  in.round = a.round;
  in.tokens = std::move(tokens);
  const tally::Language language = language_of(a.lang, status);
  print::Pdf pdf;
  try {
    pdf = print::slips_pdf(in, language);
  } catch (const print::PrintError& e) {
    throw CtlError("print", e.what());
  }
  // The slips are the tokens: readable by their owner only, like the token file.
  write_new_file(a.out, pdf.bytes, 0600);
  const json::object out{{"file", a.out},  {"contest", a.contest},      {"round", a.round},
                         {"lang", tally::to_string(language)}, {"slips", in.tokens.size()},
                         {"pages", pdf.pages}};
  if (as_json) {
    std::cout << json::serialize(out) << "\n";
  } else {
    std::cout << in.tokens.size() << " slips for " << a.contest << " round " << a.round
              << " written to " << a.out << " (" << pdf.pages
              << " pages, mode 0600): it holds the tokens; handle it as the token file\n";
  }
}

}  // namespace

void add_print_subcommands(const AddLinkSubcommand& add) {
  auto a = std::make_shared<PrintArgs>();
  auto language = [&](CLI::App* s) {
    s->add_option("--lang", a->lang,
                  "language of the document: vi (tiếng Việt) or en (English); default: the "
                  "session's")
        ->check(CLI::IsMember({"en", "vi"}));
  };
  CLI::App* minutes = add(
      "print-minutes",
      "print a round's signed minutes as PDF (A4), with a signature line per counting-committee "
      "member, for signing by hand and filing",
      [a](const LinkOptions& link, bool as_json) { print_minutes(*a, link, as_json); });
  minutes->add_option("--contest", a->contest, "contest id")->required();
  minutes->add_option("--round", a->round, "round number")->required()->check(CLI::PositiveNumber);
  language(minutes);
  minutes
      ->add_option(
          "--copies", a->copies,
          "copies in the one PDF, each numbered (1.." + std::to_string(print::kMaxCopies) + ")")
      ->check(CLI::Range(1u, print::kMaxCopies))
      ->capture_default_str();
  minutes->add_option("--out", a->out, "PDF file to create (must not exist)")->required();

  CLI::App* slips = add(
      "print-slips",
      "print ballot-token slips as PDF (A4, " + std::to_string(print::kSlipsPerPage) +
          " a page, token as text and QR code) from the file issue-tokens wrote; the PDF holds the "
          "tokens (mode 0600)",
      [a](const LinkOptions& link, bool as_json) { print_slips(*a, link, as_json); });
  slips->add_option("--tokens", a->tokens, "token file written by issue-tokens, one per line")
      ->required();
  slips->add_option("--contest", a->contest, "contest id")->required();
  slips->add_option("--round", a->round, "round number")->required()->check(CLI::PositiveNumber);
  language(slips);
  slips->add_option("--out", a->out, "PDF file to create (must not exist)")->required();
}

}  // namespace tallystation::station::ctl
