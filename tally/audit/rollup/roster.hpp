#pragma once
// The season's roster (docs/audit.md "The season report"): the units expected to hold a congress,
// each with its name and the unit above it, read from an RFC 4180 CSV file whose header row is
// exactly `unit,name,parent` or `unit,name,parent,expected`. The reader is strict: a duplicate unit, an unknown parent, a cycle
// or a malformed row refuses the whole file with a message naming its line. Value type; not
// thread safe while being built, safe to read from several threads afterwards.
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tallystation::audit::rollup {

// The roster cannot be used: "FILE:LINE: what is wrong" (LINE omitted when the whole file is at
// fault). tally-audit exits 2 on it (no verdict).
struct RosterError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Unit {
  std::string id;        // a session identifier (docs/session.md): the bundle's session `id`
  std::string name;      // as written in the roster
  std::string parent;    // "" for a unit at the top
  // Expected to hold a congress this season (the roster's optional `expected` column, `yes` by
  // default); `no`: a unit that only groups those below it (a province in a season of district
  // congresses).
  bool expected = true;
  std::size_t line = 0;  // the CSV line its record starts on
};

class Roster {
 public:
  // Units in the roster's order.
  const std::vector<Unit>& units() const { return units_; }
  // The index of `id` in units(), or nullopt.
  std::optional<std::size_t> find(std::string_view id) const;
  // For each unit, the indexes of its ancestors, nearest first.
  const std::vector<std::size_t>& ancestors(std::size_t unit) const { return ancestors_[unit]; }

  // Builds a roster from `units` (in file order), checking ids, names, duplicates, parents and
  // cycles; `file` names the file in messages. Throws RosterError.
  static Roster build(std::vector<Unit> units, const std::string& file);

 private:
  std::vector<Unit> units_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::vector<std::vector<std::size_t>> ancestors_;
};

// The records of an RFC 4180 text: fields separated by commas, records by CRLF or LF, a field in
// double quotes may hold commas, line breaks and doubled quotes. Each record with the line it
// starts on. Throws RosterError ("FILE:LINE: ...") on a quote in an unquoted field, text after a
// closing quote, or an unterminated quoted field.
struct CsvRecord {
  std::size_t line = 0;
  std::vector<std::string> fields;
};
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& file);

// Reads and checks the roster file (header `unit,name,parent` or `unit,name,parent,expected`,
// then one unit per record; `expected` is `yes` or `no`).
Roster read_roster(const std::filesystem::path& file);

}  // namespace tallystation::audit::rollup
