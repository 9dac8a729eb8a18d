#include <bit>
#include <stdexcept>

#include "crypto/merkle.hpp"

namespace tallystation::crypto {

namespace {

constexpr char kStateVersion = 1;
constexpr std::size_t kHeader = 1 + 8;  // version, size (big-endian)

}  // namespace

// frontier_ holds the roots of the perfect subtrees that make up the tree, one per set bit of
// size_, largest first. Appending a leaf is binary increment: the new leaf merges with the
// trailing subtrees of equal size (one per trailing one bit of size_).
void AppendOnlyTree::append(const Digest& leaf) {
  if (size_ == UINT64_MAX) throw std::length_error("crypto: Merkle tree is full");
  Digest carry = leaf;
  for (std::uint64_t s = size_; (s & 1) != 0; s >>= 1) {
    carry = node_hash(frontier_.back(), carry);
    frontier_.pop_back();
  }
  frontier_.push_back(carry);
  ++size_;
}

// RFC 9162's split puts the largest power of two on the left, so the Merkle Tree Hash folds the
// frontier from the right.
Digest AppendOnlyTree::root() const {
  if (frontier_.empty()) return empty_root();
  Digest r = frontier_.back();
  for (std::size_t i = frontier_.size() - 1; i-- > 0;) r = node_hash(frontier_[i], r);
  return r;
}

std::string AppendOnlyTree::serialize() const {
  std::string out;
  out.reserve(kHeader + frontier_.size() * 32);
  out.push_back(kStateVersion);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((size_ >> shift) & 0xff));
  }
  for (const Digest& d : frontier_) out.append(reinterpret_cast<const char*>(d.data()), d.size());
  return out;
}

Result<AppendOnlyTree> AppendOnlyTree::restore(std::string_view state) {
  if (state.size() < kHeader || state[0] != kStateVersion) return Errc::bad_proof;
  std::uint64_t size = 0;
  for (std::size_t i = 1; i < kHeader; ++i) {
    size = (size << 8) | static_cast<unsigned char>(state[i]);
  }
  const auto hashes = static_cast<std::size_t>(std::popcount(size));
  if (state.size() != kHeader + hashes * 32) return Errc::bad_proof;
  AppendOnlyTree tree;
  tree.size_ = size;
  tree.frontier_.resize(hashes);
  for (std::size_t i = 0; i < hashes; ++i) {
    const char* p = state.data() + kHeader + i * 32;
    std::copy(p, p + 32, reinterpret_cast<char*>(tree.frontier_[i].data()));
  }
  return tree;
}

}  // namespace tallystation::crypto
