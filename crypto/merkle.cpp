#include "crypto/merkle.hpp"

#include <openssl/evp.h>

#include <bit>
#include <stdexcept>

#include "crypto/detail/openssl_ptr.hpp"

namespace tallystation::crypto {

namespace {

// Domain separation prefixes, RFC 9162 section 2.1.1: a leaf can never be read as a node.
constexpr unsigned char kLeafPrefix = 0x00;
constexpr unsigned char kNodePrefix = 0x01;

using Leaves = std::span<const Digest>;

// The largest power of two strictly less than n (n >= 2): the RFC's split point.
std::uint64_t split_point(std::uint64_t n) {
  return std::bit_floor(n - 1);
}

std::string_view as_view(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

void path(Leaves d, std::uint64_t m, std::vector<Digest>& out) {
  const std::uint64_t n = d.size();
  if (n <= 1) return;
  const std::uint64_t k = split_point(n);
  if (m < k) {
    path(d.first(k), m, out);
    out.push_back(merkle_root(d.subspan(k)));
  } else {
    path(d.subspan(k), m - k, out);
    out.push_back(merkle_root(d.first(k)));
  }
}

// SUBPROOF(m, D[n], b) of RFC 9162 section 2.1.4.1.
void subproof(Leaves d, std::uint64_t m, bool complete, std::vector<Digest>& out) {
  const std::uint64_t n = d.size();
  if (m == n) {
    if (!complete) out.push_back(merkle_root(d));
    return;
  }
  const std::uint64_t k = split_point(n);
  if (m <= k) {
    subproof(d.first(k), m, complete, out);
    out.push_back(merkle_root(d.subspan(k)));
  } else {
    subproof(d.subspan(k), m - k, false, out);
    out.push_back(merkle_root(d.first(k)));
  }
}

}  // namespace

Digest leaf_hash(std::string_view data) {
  detail::MdCtxPtr ctx{EVP_MD_CTX_new()};
  Digest out{};
  if (!ctx || EVP_DigestInit_ex2(ctx.get(), detail::sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), &kLeafPrefix, 1) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), nullptr) != 1) {
    throw std::runtime_error("crypto: SHA-256 failed");
  }
  return out;
}

Digest node_hash(const Digest& left, const Digest& right) {
  unsigned char buf[1 + 2 * 32];
  buf[0] = kNodePrefix;
  std::copy(left.begin(), left.end(), buf + 1);
  std::copy(right.begin(), right.end(), buf + 33);
  return sha256(std::string_view(reinterpret_cast<const char*>(buf), sizeof buf));
}

Digest empty_root() {
  return sha256(std::string_view{});
}

Digest merkle_root(std::span<const Digest> leaves) {
  const std::uint64_t n = leaves.size();
  if (n == 0) return empty_root();
  if (n == 1) return leaves[0];
  const std::uint64_t k = split_point(n);
  return node_hash(merkle_root(leaves.first(k)), merkle_root(leaves.subspan(k)));
}

std::vector<Digest> inclusion_proof(std::span<const Digest> leaves, std::uint64_t index) {
  std::vector<Digest> out;
  if (index >= leaves.size()) return out;
  path(leaves, index, out);
  return out;
}

// RFC 9162 section 2.1.3.2, step by step.
bool verify_inclusion(const Digest& leaf, std::uint64_t index, std::uint64_t size,
                      std::span<const Digest> proof, const Digest& root) {
  if (index >= size) return false;
  std::uint64_t fn = index;
  std::uint64_t sn = size - 1;
  Digest r = leaf;
  for (const Digest& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = node_hash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && constant_time_equal(as_view(r), as_view(root));
}

std::vector<Digest> consistency_proof(std::span<const Digest> leaves, std::uint64_t old_size) {
  std::vector<Digest> out;
  if (old_size == 0 || old_size >= leaves.size()) return out;
  subproof(leaves, old_size, true, out);
  return out;
}

// RFC 9162 section 2.1.4.2, step by step. The RFC leaves the trivial cases to the caller; here an
// equal size needs an empty proof and equal roots, and the empty tree is consistent with every
// tree (with an empty proof) provided old_root really is the empty root.
bool verify_consistency(std::uint64_t old_size, std::uint64_t new_size, const Digest& old_root,
                        const Digest& new_root, std::span<const Digest> proof) {
  if (old_size > new_size) return false;
  if (old_size == 0) return proof.empty() && old_root == empty_root();
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (proof.empty()) return false;

  std::vector<Digest> c;
  c.reserve(proof.size() + 1);
  if (std::has_single_bit(old_size)) c.push_back(old_root);
  c.insert(c.end(), proof.begin(), proof.end());

  std::uint64_t fn = old_size - 1;
  std::uint64_t sn = new_size - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Digest fr = c[0];
  Digest sr = c[0];
  for (std::size_t i = 1; i < c.size(); ++i) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = node_hash(c[i], fr);
      sr = node_hash(c[i], sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = node_hash(sr, c[i]);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && fr == old_root && sr == new_root;
}

}  // namespace tallystation::crypto
