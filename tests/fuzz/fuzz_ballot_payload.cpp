// Fuzz target: station::parse_ballot_payload, the strict parser of a ballot envelope's payload
// (station/app/messages.hpp), as intake applies it to every ballot.
// Invariants: a parsed payload has a positive round and no repeated mark; built again with
// make_ballot_payload it parses to the same fields.
#include <cstdint>
#include <set>
#include <string>

#include "fuzz_util.hpp"
#include "station/app/messages.hpp"

using namespace tallystation;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto p = station::parse_ballot_payload(fuzz::as_view(data, size));
  if (!p) return 0;
  FUZZ_CHECK(p->round > 0);
  FUZZ_CHECK(std::set<std::string>(p->marks.begin(), p->marks.end()).size() == p->marks.size());
  const std::string rebuilt =
      station::make_ballot_payload(p->session, p->contest, p->round, p->token, p->marks);
  auto q = station::parse_ballot_payload(rebuilt);
  FUZZ_CHECK(q.has_value());
  FUZZ_CHECK(q->session == p->session && q->contest == p->contest && q->round == p->round &&
             q->token == p->token && q->marks == p->marks);
  return 0;
}
