#include "tally/candidate_index.hpp"

#include <cstring>

namespace tallystation::tally {

namespace {

// A key for the first min(8, size) bytes that, together with the size, tells ids of up to 8
// bytes apart exactly; fixed-size loads only (ids are looked up once per mark).
std::uint64_t prefix_of(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  if (n >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  if (n >= 4) {  // two overlapping 4-byte loads cover every byte
    std::uint32_t lo, hi;
    std::memcpy(&lo, p, 4);
    std::memcpy(&hi, p + n - 4, 4);
    return lo | (std::uint64_t{hi} << 32);
  }
  if (n == 0) return 0;
  return p[0] | (std::uint64_t{p[n / 2]} << 8) | (std::uint64_t{p[n - 1]} << 16);
}

// Ids are short: mix the first 8 bytes and the length; longer ids fold in the rest (FNV-1a).
// The table is at most half full, so a simple hash is enough.
std::uint64_t hash_id(std::string_view s, std::uint64_t prefix) {
  std::uint64_t h = prefix + s.size() * 0x9E3779B97F4A7C15ull;
  for (std::size_t i = 8; i < s.size(); ++i) {
    h ^= static_cast<unsigned char>(s[i]);
    h *= 1099511628211ull;
  }
  // MurmurHash3's 64-bit finaliser: every input bit reaches the low bits used as the slot.
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  h *= 0xC4CEB9FE1A85EC53ull;
  h ^= h >> 33;
  return h;
}

}  // namespace

CandidateIndex::CandidateIndex(std::span<const Candidate> candidates) {
  std::size_t cap = 16;
  while (cap < candidates.size() * 2 + 2) cap *= 2;
  slots_.assign(cap, Slot{});
  mask_ = cap - 1;
  ids_.reserve(candidates.size());
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const std::string_view id = candidates[i].id;
    ids_.emplace_back(id);
    if (find(id) != kUnknownCandidate) continue;
    const std::uint64_t prefix = prefix_of(id);
    std::uint64_t slot = hash_id(id, prefix) & mask_;
    while (slots_[slot].entry != 0) slot = (slot + 1) & mask_;
    slots_[slot] =
        Slot{prefix, static_cast<std::uint32_t>(id.size()), static_cast<std::uint32_t>(i + 1)};
  }
}

std::uint32_t CandidateIndex::find(std::string_view id) const {
  const std::uint64_t prefix = prefix_of(id);
  std::uint64_t slot = hash_id(id, prefix) & mask_;
  while (true) {
    const Slot& s = slots_[slot];
    if (s.entry == 0) return kUnknownCandidate;
    if (s.prefix == prefix && s.length == id.size() &&
        (id.size() <= 8 ||
         std::memcmp(ids_[s.entry - 1].data() + 8, id.data() + 8, id.size() - 8) == 0)) {
      return s.entry - 1;
    }
    slot = (slot + 1) & mask_;
  }
}

}  // namespace tallystation::tally
