// The season report's roster (docs/audit.md "The season report"): an RFC 4180 CSV with the
// header unit,name,parent, read strictly. A good roster gives each unit its ancestors; a
// duplicate unit, an unknown parent, a cycle, a bad row or header is refused with its line.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "tally/audit/rollup/roster.hpp"

namespace rollup = tallystation::audit::rollup;
namespace fs = std::filesystem;

namespace {

// Writes `text` to a file of its own and reads it as a roster.
rollup::Roster roster_of(const std::string& text) {
  // A name of its own: another build's tests may run this one at the same time.
  static int serial = 0;
  const fs::path p = fs::temp_directory_path() / ("ts-roster-" + std::to_string(::getpid()) + "-" +
                                                  std::to_string(++serial) + ".csv");
  {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
  }
  struct Remove {
    fs::path p;
    ~Remove() {
      std::error_code ec;
      fs::remove(p, ec);
    }
  } remove{p};
  return rollup::read_roster(p);
}

std::string refusal_of(const std::string& text) {
  try {
    roster_of(text);
  } catch (const rollup::RosterError& e) {
    const std::string m = e.what();
    return m.substr(m.find(".csv") + 4);  // after the file's name
  }
  return "accepted";
}

}  // namespace

TEST_CASE("a roster gives every unit its ancestors, nearest first", "[rollup]") {
  const rollup::Roster r = roster_of(
      "unit,name,parent\r\n"
      "P,\"Province \"\"P\"\", the top\",\r\n"
      "C1,\"Commune\none\",D1\r\n"
      "D1,District one,P\r\n"
      "D2,District two,P");  // no line break after the last record
  REQUIRE(r.units().size() == 4);
  CHECK(r.units()[0].name == "Province \"P\", the top");
  CHECK(r.units()[0].parent.empty());
  CHECK(r.units()[1].name == "Commune\none");
  CHECK(r.units()[2].line == 5);  // the quoted line break counts
  const std::size_t c1 = *r.find("C1");
  REQUIRE(r.ancestors(c1).size() == 2);
  CHECK(r.units()[r.ancestors(c1)[0]].id == "D1");
  CHECK(r.units()[r.ancestors(c1)[1]].id == "P");
  CHECK(r.ancestors(*r.find("P")).empty());
  CHECK_FALSE(r.find("C9"));
}

TEST_CASE("the roster's expected column marks the units that only group others", "[rollup]") {
  const rollup::Roster r = roster_of("unit,name,parent,expected\r\nP,Province,,no\r\nD1,One,P,yes\r\n");
  REQUIRE(r.units().size() == 2);
  CHECK_FALSE(r.units()[0].expected);
  CHECK(r.units()[1].expected);
  CHECK(roster_of("unit,name,parent\nA,a,\n").units()[0].expected);
}

TEST_CASE("a roster that cannot be used is refused with its line", "[rollup]") {
  using Case = std::pair<std::string, std::string>;
  const auto [text, message] = GENERATE(
      Case{"unit,name,parent\nA,a,\nB,b,A\nA,again,\n",
           ":4: unit \"A\" is listed twice (first on line 2)"},
      Case{"unit,name,parent\nA,a,\nB,b,Z\n",
           ":3: unit \"B\": parent \"Z\" is not a unit of the roster"},
      Case{"unit,name,parent\nR,r,\nA,a,C\nB,b,A\nC,c,B\n",
           ":3: unit \"A\": its parents form a cycle: A -> C -> B -> A"},
      Case{"unit,name,parent\nA,a,A\n", ":2: unit \"A\": its parents form a cycle: A -> A"},
      Case{"unit,name,parent\nA,a\n", ":2: expected 3 fields (unit,name,parent), found 2"},
      Case{"unit,name,parent\nA,a,,\n", ":2: expected 3 fields (unit,name,parent), found 4"},
      Case{"unit,name\nA,a\n",
           ":1: the header must be exactly unit,name,parent or unit,name,parent,expected"},
      Case{"unit,name,parent,expected\nA,a,\n",
           ":2: expected 4 fields (unit,name,parent,expected), found 3"},
      Case{"unit,name,parent,expected\nA,a,,Yes\n",
           ":2: unit \"A\": expected must be yes or no, not \"Yes\""},
      Case{"unit,name,parent\n\"A,a,\n", ":2: a quoted field is not closed"},
      Case{"unit,name,parent\nA,a \"x\",\n", ":2: a quote inside an unquoted field"},
      Case{"unit,name,parent\nA,\"a\"x,\n", ":2: text after a closing quote"},
      Case{"unit,name,parent\nA,,\n", ":2: unit \"A\": the name is empty"},
      Case{"unit,name,parent\na b,x,\n",
           ":2: unit \"a b\": not an identifier (1 to 64 of A-Z a-z 0-9 . _ -, starting with a "
           "letter or digit; it is the bundle's session id)"},
      Case{"unit,name,parent\n", ": no units after the header"},
      Case{"", ": empty (the header unit,name,parent is missing)"});
  INFO(text);
  CHECK(refusal_of(text) == message);
}
