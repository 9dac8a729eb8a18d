#pragma once
// Readable text for stationctl: plain tables (columns padded by UTF-8 code points, numbers
// right-aligned), the station's status and the counting minutes of a round as officials read
// them aloud, in English or Vietnamese (the words: words.cpp). Pure functions over the JSON the
// station serves (docs/protocol.md); thread safe.
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "tally/wording.hpp"

namespace tallystation::station::ctl {

class Table {
 public:
  explicit Table(std::vector<std::string> header) : header_(std::move(header)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  // Columns separated by two spaces; a rule under the header; a column whose cells are all
  // numbers is right-aligned.
  std::string render() const;

 private:
  std::vector<std::string> header_;
  std::vector<std::vector<std::string>> rows_;
};

// Each render_ function words its headers, labels and the station's codes (states, outcomes,
// bases, absence categories, offices) in `language`; English shows the codes as they are, and
// in Vietnamese a code this build does not know is shown as it is. Ids, names, numbers and
// hashes are the station's, unchanged.

// The session's language as GET /v1/status states it (`session.language`, "en" or "vi"):
// English when the member is missing or names a language this build does not know.
tally::Language session_language(const boost::json::object& status);

// GET /v1/status as text: session, attendance, terminals, contests and rounds, command log.
std::string render_status(const boost::json::object& status, tally::Language language);
// GET /v1/people (docs/protocol.md) as text. The roll: the attendance figures (convened,
// present, absent by category, excluded, quorum) and, unless `summary`, the roll place by place.
std::string render_roll(const boost::json::object& people, bool summary, tally::Language language);
// Each candidate of `contest` (every contest when empty) against the contest's age limits:
// age, limit, standing, eligible, and the reason or the exception that allows it.
std::string render_eligibility(const boost::json::object& people, const std::string& contest,
                               tally::Language language);
// The composition of those elected in `contest` (every contest with someone elected when empty)
// as the seed report states it (re-elected, first time, women, under 40, ethnic minorities,
// non-local, mean age) and, with a personnel plan, who of the plan was not elected and who was
// elected outside it.
std::string render_composition(const boost::json::object& people, const std::string& contest,
                               tally::Language language);

// A round's minutes payload (CONTRACT.md section 4 and the station's extras) and its
// certification ({"certified","required","signed_by","missing"}; may be empty) as text. The
// outcome sentence is rendered from the minutes' codes (tally/wording.hpp).
std::string render_minutes(const boost::json::object& minutes,
                           const boost::json::object& certification, tally::Language language);
// What `stationctl countersign` shows: the minutes signed, the key that signed them and, if the
// station answered with it, how far the certification got (`certification` may be empty).
std::string render_countersigned(const boost::json::object& minutes, std::string_view keyid,
                                 const boost::json::object& certification,
                                 tally::Language language);
// The outcome of a minutes payload in words, from its codes and numbers (`outcome`,
// `next_step.step`, `round`, `seats_unfilled`, `alternates_unfilled`, `tied`); empty if the
// payload lacks them or names a code this build does not know.
std::string outcome_sentence(const boost::json::object& minutes, tally::Language language);

}  // namespace tallystation::station::ctl
