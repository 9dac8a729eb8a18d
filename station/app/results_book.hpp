#pragma once
// The station's book of results: for every round, the ballot it was opened on; for every closed
// round, its signed minutes (the result envelope with the committee's countersignatures) and its
// ballot box's leaf hashes (for inclusion proofs); which contests the congress concluded. It
// stores what the congress rules decided (tally/congress/congress.hpp): the ballot a round opens
// on, the minutes of a round that closes (written by minutes.hpp, signed by the station), a
// conclusion; and it takes countersignatures (countersign.hpp). Formats: docs/protocol.md "Results",
// docs/storage.md (meta keys round_ballot:C:R, minutes:C:R, concluded:C).
//
// Threads: like the Ledger that owns it, the mutating functions run on the writer thread only,
// inside the Ledger's transaction (open_round, close_round, conclude) or in their own
// (countersign); reads take a shared lock and may come from any thread. load() re-reads the
// store after every command, so memory never runs ahead of a commit.
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "crypto/hash.hpp"
#include "crypto/keys.hpp"
#include "station/app/minutes.hpp"
#include "station/app/refusal.hpp"
#include "station/config/session.hpp"
#include "station/store/store.hpp"

namespace tallystation::station {

class ResultsBook {
 public:
  ResultsBook(const Session& session, Store& store, const crypto::SecretKey& station_key);

  // Reads the round ballots, minutes and conclusions of `rounds` (the store's round rows) and the
  // leaf hashes of closed rounds not read before. Writer thread (or before it starts).
  Status load(const std::vector<RoundRow>& rounds);

  // ---- Writer thread, inside the command's transaction ----
  // open_round: stores the ballot the congress rules decided for the round. Returns it as JSON
  // {"seats","alternates","alternates_only","candidates"}.
  Checked<boost::json::object> open_round(const std::string& contest, std::uint32_t round,
                                          const RoundBallot& ballot);
  // close_round, after the Ledger fixed the box (row.box_root set, phase closed) and the congress
  // rules counted it (`after`: the congress state with the round closed): writes the minutes,
  // signs them with the station key, stores them. `log_head`: the command log's head before this
  // command. Returns a summary {"outcome","elected","elected_alternates","tied",
  // "seats_unfilled","elected_so_far","next_step"}.
  Checked<boost::json::object> close_round(const RoundRow& row, const congress::State& after,
                                           const crypto::Digest& log_head);
  // conclude_contest: records the congress's decision to hold no further round.
  Status conclude(const std::string& contest);

  // ---- Writer thread, own transaction ----
  // POST /v1/results/C/R/signatures: checks and adds countersignatures, stores the envelope.
  // Returns {"contest","round","certification":{..}}.
  Checked<boost::json::object> countersign(const std::string& contest, std::uint32_t round,
                                           std::string_view body);

  // ---- Reads, any thread ----
  // The ballot a round was opened on (nullopt: not opened).
  std::optional<RoundBallot> ballot(std::string_view contest, std::uint32_t round) const;
  // GET /v1/results/C/R: the result envelope plus "certification". not_found / round_state.
  Checked<boost::json::object> results(const std::string& contest, std::uint32_t round) const;
  // GET /v1/proof.
  Checked<boost::json::object> proof(const std::string& contest, std::uint32_t round,
                                     std::string_view ballot_hash) const;
  // Adds to GET /v1/status: per round "seats", "candidates" (how many) and "minutes" {outcome,
  // certification}; per contest "state", "elected", "elected_alternates", "elect_from" (from the
  // congress state).
  void annotate_status(boost::json::object& status, const congress::State& congress) const;

 private:
  using RoundKey = std::pair<std::string, std::uint32_t>;
  struct Closed {
    std::string envelope;  // crypto::serialize of the result envelope
    std::string outcome;
  };
  struct State {
    std::map<RoundKey, RoundBallot> ballots;
    std::map<RoundKey, Closed> closed;
    std::map<std::string, bool, std::less<>> concluded;
  };

  const std::string& elect_from(const std::string& contest) const;
  Result<Closed> read_closed(const std::string& envelope) const;

  const Session& session_;
  Store& store_;
  crypto::SecretKey station_key_;
  mutable std::shared_mutex mutex_;
  State state_;
  std::map<RoundKey, std::vector<crypto::Digest>> boxes_;  // closed rounds, sorted leaf hashes
};

}  // namespace tallystation::station
