// Fuzz target: congress::parse_command, the strict parser of an official's command payload
// (tally/congress/congress.hpp), and then congress::apply, the rules every parsed command is
// decided by, against two states of the example session (docs/examples/session.json): the initial
// state, and one with terminal t1 enrolled, attendance recorded, tokens issued and contest cc round
// 1 open (so that close_round, further rounds and revocations are reachable).
// Invariants: a parsed command has seq >= 1 and object args; a legal command advances log_size by
// one and sets last_seq to its seq; a refusal carries a message.
#include <cstdint>
#include <string>

#include "crypto/keys.hpp"
#include "fuzz_util.hpp"
#include "station/app/ledger.hpp"
#include "station/config/session.hpp"
#include "tally/congress/congress.hpp"
#include "tally/counter.hpp"

using namespace tallystation;

namespace {

congress::Command command(std::uint64_t seq, std::string name,
                          std::vector<congress::JsonValue::Member> args) {
  congress::Command c;
  c.session = "cpv-xx-congress-2026";
  c.seq = seq;
  c.official = "o1";
  c.name = std::move(name);
  c.args = congress::JsonValue::make_object(std::move(args));
  return c;
}

struct World {
  congress::SessionRules rules;
  congress::Environment env;
  congress::State initial;
  congress::State open;

  World() {
    auto session = station::parse_session(fuzz::source_file("docs/examples/session.json"));
    if (!session) std::abort();
    rules = station::congress_rules(*session, std::string(64, 'a'));
    env.keyid_of = [](std::string_view pem) -> std::optional<std::string> {
      auto key = crypto::PublicKey::from_pem(pem);
      if (!key) return std::nullopt;
      return key->keyid();
    };
    env.count = [](const tally::Contest& contest) { return tally::Counter(contest).finish(); };
    initial = congress::initial_state(rules);
    using J = congress::JsonValue;
    const congress::Command setup[] = {
        command(1, "enrol_terminal", {{"terminal", J::make_string("t1")}}),
        command(2, "record_attendance", {{"present", J::make_integer(296)}}),
        command(3, "issue_tokens", {{"contest", J::make_string("cc")},
                                    {"round", J::make_integer(1)},
                                    {"count", J::make_integer(5)}}),
        command(4, "open_round", {{"contest", J::make_string("cc")}, {"round", J::make_integer(1)}}),
    };
    open = initial;
    for (const auto& c : setup) {
      auto d = congress::apply(rules, open, c, "o1", env);
      if (!d.applied) {
        std::fprintf(stderr, "fuzz_command_payload setup: %s\n", d.refusal.message.c_str());
        std::abort();
      }
      open = d.applied->state;
    }
  }
};

void decide(const World& w, const congress::State& state, const congress::Command& c) {
  auto d = congress::apply(w.rules, state, c, c.official, w.env);
  if (d.applied) {
    FUZZ_CHECK(d.applied->state.log_size == state.log_size + 1);
    FUZZ_CHECK(d.applied->state.last_seq == c.seq);
  } else {
    FUZZ_CHECK(!d.refusal.message.empty());
    FUZZ_CHECK(!congress::to_string(d.refusal.code).empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const World world;
  auto parsed = congress::parse_command(fuzz::as_view(data, size));
  if (!parsed.command) {
    FUZZ_CHECK(parsed.refusal.code == congress::Code::malformed_command);
    return 0;
  }
  const congress::Command& c = *parsed.command;
  FUZZ_CHECK(c.seq >= 1);
  FUZZ_CHECK(c.args.is_object());
  decide(world, world.initial, c);
  decide(world, world.open, c);
  return 0;
}
