#pragma once
// Printed documents of a congress, as PDF (A4): the counting minutes of a round, to be read,
// signed by hand by the counting committee and filed, and the ballot-token slips that delegates
// receive. Both are rendered from what the station serves (the signed minutes payload, the
// session's names, the tokens `stationctl issue-tokens` wrote), in English or Vietnamese: the
// signed records carry codes and numbers, the words are added here (CONTRACT.md section 0).
// What is printed and when: docs/operations.md "Printing".
//
// Pure functions from values to PDF bytes: no files, no network (the caller writes the bytes, so
// that nothing is written when rendering fails). Text is laid out by Pango with the fonts
// fontconfig finds for "Noto Sans" and "Noto Serif" (fonts-noto-core), so Vietnamese diacritics
// are real text a PDF reader can search and copy; hashes and tokens are set in fontconfig's
// "monospace". Thread safe: each call owns its surface, and Pango's font map is per thread.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "tally/wording.hpp"

namespace tallystation::station::print {

// Input a document cannot be made from (a minutes payload without a member the minutes state,
// no tokens, a token that is not one line of printable text), or a failure of the PDF surface.
struct PrintError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Pdf {
  std::string bytes;
  unsigned pages = 0;
};

struct Person {
  std::string id;
  std::string name;
};

struct MinutesInput {
  boost::json::object minutes;        // the signed payload (docs/protocol.md "Results"), parsed
  boost::json::object certification;  // as GET /v1/results serves it; empty: not stated
  std::string session_title;          // GET /v1/status `session.title`
  std::string organisation;           // and `session.organisation`
  std::vector<Person> committee;      // one signature line each, in this order
};

// The minutes of one round, `copies` times in one PDF (each copy starts on a new page and is
// numbered "copy i of n"). The tally table marks the elected; `attendance` and `composition` are
// printed as tables when the payload carries them. copies must be 1..kMaxCopies (PrintError).
inline constexpr unsigned kMaxCopies = 50;

// The input of minutes_pdf from what the station serves: a round's minutes payload and
// certification (GET /v1/results) and the station's status (GET /v1/status: the session's title,
// organisation and counting committee). PrintError if the minutes name another session than the
// status, or the status names no counting committee (a station older than the printed minutes).
MinutesInput minutes_input(boost::json::object minutes, boost::json::object certification,
                           const boost::json::object& status);

Pdf minutes_pdf(const MinutesInput& input, tally::Language language, unsigned copies);

struct SlipsInput {
  std::string session_title;
  std::string contest_title;
  std::uint32_t round = 0;
  std::vector<std::string> tokens;  // one slip each, in this order
};

// One slip per token: the token as text and as a QR code, headed with the session, the contest
// and the round, kSlipsPerPage slips a page with dashed cut lines between them. The PDF holds the
// tokens: it is as secret as the token file.
// Five a page leaves room for a QR code of about 48 mm (modules of about 1 mm) for a 64-digit
// token: at six a page, rendered at 150 dpi, zbarimg missed about one code in 300.
inline constexpr unsigned kSlipsPerPage = 5;
Pdf slips_pdf(const SlipsInput& input, tally::Language language);

}  // namespace tallystation::station::print
