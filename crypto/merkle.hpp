#pragma once
// RFC 6962 / RFC 9162 section 2.1 Merkle trees, as the ballot box and the station's internal log
// use them (CONTRACT.md section 3, docs/crypto.md).
//
// Leaves are given as leaf hashes (SHA-256(0x00 || data)); interior nodes are
// SHA-256(0x01 || left || right); the empty tree hashes to SHA-256(""). Pure functions, thread safe.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/hash.hpp"
#include "crypto/result.hpp"

namespace tallystation::crypto {

Digest leaf_hash(std::string_view data);
Digest node_hash(const Digest& left, const Digest& right);
Digest empty_root();

// Merkle Tree Hash of the list of leaves (given by their leaf hashes).
Digest merkle_root(std::span<const Digest> leaf_hashes);

// Inclusion proof (RFC 9162 2.1.3.1) for leaf `index` of the tree over leaf_hashes.
// Precondition: index < leaf_hashes.size() (else empty proof is returned and will not verify).
std::vector<Digest> inclusion_proof(std::span<const Digest> leaf_hashes, std::uint64_t index);
// RFC 9162 2.1.3.2. False on any inconsistency, including index >= size.
bool verify_inclusion(const Digest& leaf, std::uint64_t index, std::uint64_t size,
                      std::span<const Digest> path, const Digest& root);

// Consistency proof (RFC 9162 2.1.4.1) between the first old_size leaves and all of leaf_hashes.
std::vector<Digest> consistency_proof(std::span<const Digest> leaf_hashes, std::uint64_t old_size);
// RFC 9162 2.1.4.2.
bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Digest& old_root,
                        const Digest& new_root, std::span<const Digest> proof);

// An append-only tree that keeps only its frontier (the roots of its perfect subtrees, at most
// log2(n)+1 hashes): append is O(log n) amortised O(1), root() is O(log n), and the state is a few
// hundred bytes to persist. Not thread safe.
class AppendOnlyTree {
 public:
  void append(const Digest& leaf_hash);
  std::uint64_t size() const noexcept { return size_; }
  Digest root() const;

  // Compact state: size and frontier. restore(serialize()) yields an equal tree.
  std::string serialize() const;
  static Result<AppendOnlyTree> restore(std::string_view state);

  bool operator==(const AppendOnlyTree&) const = default;

 private:
  std::uint64_t size_ = 0;
  std::vector<Digest> frontier_;  // one per set bit of size_, largest subtree first
};

}  // namespace tallystation::crypto
