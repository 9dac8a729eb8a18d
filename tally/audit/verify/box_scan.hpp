#pragma once
// One closed round's ballot box and token set, read as streams (docs/audit.md "Ballot boxes"):
// every envelope's signature (on a worker pool), the signer's enrolment while the round was
// open, each payload's shape and round, the box order, each token against the round's issued
// set, and the count with the tally/ engine. Memory: the token set (32 bytes per issued token)
// plus a bounded window of lines, never the whole box.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "crypto/hash.hpp"
#include "tally/audit/verify/bundle_model.hpp"
#include "tally/audit/verify/report.hpp"
#include "tally/contest.hpp"
#include "tally/result.hpp"

namespace tallystation::audit::verify {

struct TokenSet {
  std::vector<crypto::Digest> hashes;  // sorted, as in tokens.txt
  crypto::Digest root{};               // RFC 6962 root, leaves the 32 raw hash bytes
};

// Reads tokens.txt (one lowercase hex SHA-256 per line, strictly ascending) and adds the check
// "token set" (format, order, count equal to the log's issue_tokens sum).
TokenSet read_token_set(const std::filesystem::path& file, std::uint64_t issued_in_log,
                        const std::string& scope, Report& report);

struct BoxInput {
  std::string scope;  // "round cc/1"
  std::string session_id;
  const tally::Contest* contest = nullptr;  // the round's list and places; round set
  const LogFacts* log = nullptr;
  const RoundFacts* facts = nullptr;
  const TokenSet* tokens = nullptr;
  unsigned threads = 2;  // 0: on the calling thread
};

struct BoxScan {
  std::uint64_t size = 0;
  crypto::Digest root{};
  tally::Result result;
};

// Adds "ballot signatures", "terminal enrolment", "ballot payloads", "box order" and
// "ballot tokens". Throws UnreadableBundle if the file cannot be read.
BoxScan scan_box(const std::filesystem::path& ballots_file, const BoxInput& in, Report& report);

// The leaf hashes of a box file in file order (for inclusion proofs; no signature checks).
// nullopt with `error` if a line is not an envelope.
std::optional<std::vector<crypto::Digest>> box_leaves(const std::filesystem::path& ballots_file,
                                                      std::string& error);

}  // namespace tallystation::audit::verify
