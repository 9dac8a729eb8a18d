#pragma once
// Maps candidate ids to their index in a contest's ballot-order list, for counting ballots whose
// marks are ids. An open-addressing table sized at construction; lookups never allocate.
// Immutable after construction: safe to share between threads. Holds copies of the ids.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tally/contest.hpp"

namespace tallystation::tally {

// A mark naming no candidate of the list.
inline constexpr std::uint32_t kUnknownCandidate = 0xFFFFFFFFu;

class CandidateIndex {
 public:
  // Precondition: ids are unique (check_contest). With duplicates the first one wins.
  explicit CandidateIndex(std::span<const Candidate> candidates);

  // The index of `id`, or kUnknownCandidate.
  std::uint32_t find(std::string_view id) const;
  std::size_t size() const { return ids_.size(); }

 private:
  // One slot per table entry: an id's length and first 8 bytes decide most lookups without
  // touching the id itself.
  struct Slot {
    std::uint64_t prefix = 0;
    std::uint32_t length = 0;
    std::uint32_t entry = 0;  // index + 1, 0 = empty
  };
  std::vector<std::string> ids_;
  std::vector<Slot> slots_;
  std::uint64_t mask_ = 0;
};

}  // namespace tallystation::tally
