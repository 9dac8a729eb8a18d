#include "tally/audit/rollup/roster.hpp"

#include <fstream>
#include <iterator>
#include <sstream>

#include "tally/congress/congress.hpp"

namespace tallystation::audit::rollup {

namespace {

[[noreturn]] void refuse(const std::string& file, std::size_t line, const std::string& what) {
  throw RosterError(file + ":" + std::to_string(line) + ": " + what);
}

std::string in_quotes(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

}  // namespace

std::optional<std::size_t> Roster::find(std::string_view id) const {
  auto it = index_.find(id);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& file) {
  std::vector<CsvRecord> out;
  std::size_t line = 1;
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    CsvRecord rec;
    rec.line = line;
    for (;;) {  // one field
      std::string field;
      if (i < n && text[i] == '"') {
        const std::size_t opened = line;
        ++i;
        for (;;) {
          if (i >= n) refuse(file, opened, "a quoted field is not closed");
          if (text[i] == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (text[i] == '\n') ++line;
          field += text[i++];
        }
        if (i < n && text[i] != ',' && text[i] != '\n' && !(text[i] == '\r')) {
          refuse(file, line, "text after a closing quote");
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') refuse(file, line, "a quote inside an unquoted field");
          field += text[i++];
        }
      }
      rec.fields.push_back(std::move(field));
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      break;
    }
    // The record ends with CRLF, LF or the end of the text.
    if (i < n && text[i] == '\r') {
      if (i + 1 >= n || text[i + 1] != '\n')
        refuse(file, line, "a carriage return without a line feed");
      ++i;
    }
    if (i < n && text[i] == '\n') {
      ++i;
      ++line;
    }
    out.push_back(std::move(rec));
  }
  return out;
}

Roster Roster::build(std::vector<Unit> units, const std::string& file) {
  Roster r;
  if (units.empty()) throw RosterError(file + ": no units after the header");
  for (std::size_t k = 0; k < units.size(); ++k) {
    const Unit& u = units[k];
    if (!congress::is_valid_id(u.id)) {
      refuse(file, u.line,
             "unit " + in_quotes(u.id) +
                 ": not an identifier (1 to 64 of A-Z a-z 0-9 . _ -, starting with a letter or "
                 "digit; it is the bundle's session id)");
    }
    if (u.name.empty()) refuse(file, u.line, "unit " + in_quotes(u.id) + ": the name is empty");
    auto [it, fresh] = r.index_.emplace(u.id, k);
    if (!fresh) {
      refuse(file, u.line,
             "unit " + in_quotes(u.id) + " is listed twice (first on line " +
                 std::to_string(units[it->second].line) + ")");
    }
  }
  for (const Unit& u : units) {
    if (!u.parent.empty() && r.index_.count(u.parent) == 0) {
      refuse(file, u.line,
             "unit " + in_quotes(u.id) + ": parent " + in_quotes(u.parent) +
                 " is not a unit of the roster");
    }
  }
  // Walk up from each unit; a walk that comes back to a unit already on it is a cycle.
  r.ancestors_.resize(units.size());
  for (std::size_t k = 0; k < units.size(); ++k) {
    std::vector<std::size_t>& up = r.ancestors_[k];
    std::vector<bool> on_walk(units.size(), false);
    on_walk[k] = true;
    std::string path = units[k].id;
    std::size_t at = k;
    while (!units[at].parent.empty()) {
      const std::size_t p = r.index_.at(units[at].parent);
      path += " -> " + units[p].id;
      if (on_walk[p]) {
        refuse(file, units[k].line,
               "unit " + in_quotes(units[k].id) + ": its parents form a cycle: " + path);
      }
      on_walk[p] = true;
      up.push_back(p);
      at = p;
    }
  }
  r.units_ = std::move(units);
  return r;
}

Roster read_roster(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) throw RosterError(name + ": cannot open");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<CsvRecord> records = parse_csv(text, name);
  if (records.empty()) throw RosterError(name + ": empty (the header unit,name,parent is missing)");
  const std::vector<std::string> three{"unit", "name", "parent"};
  const std::vector<std::string> four{"unit", "name", "parent", "expected"};
  if (records[0].fields != three && records[0].fields != four) {
    refuse(name, records[0].line,
           "the header must be exactly unit,name,parent or unit,name,parent,expected");
  }
  const std::size_t columns = records[0].fields.size();
  const std::string header = columns == 3 ? "unit,name,parent" : "unit,name,parent,expected";
  std::vector<Unit> units;
  for (std::size_t k = 1; k < records.size(); ++k) {
    const CsvRecord& rec = records[k];
    if (rec.fields.size() != columns) {
      refuse(name, rec.line,
             "expected " + std::to_string(columns) + " fields (" + header + "), found " +
                 std::to_string(rec.fields.size()));
    }
    Unit u{rec.fields[0], rec.fields[1], rec.fields[2], true, rec.line};
    if (columns == 4) {
      if (rec.fields[3] != "yes" && rec.fields[3] != "no") {
        refuse(name, rec.line,
               "unit \"" + rec.fields[0] + "\": expected must be yes or no, not \"" +
                   rec.fields[3] + "\"");
      }
      u.expected = rec.fields[3] == "yes";
    }
    units.push_back(std::move(u));
  }
  return Roster::build(std::move(units), name);
}

}  // namespace tallystation::audit::rollup
