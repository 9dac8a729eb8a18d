#include <catch2/catch.hpp>

#include "crypto/merkle.hpp"
#include "test_util.hpp"

using namespace tallystation::crypto;
using tallystation::crypto::test::digest;
using tallystation::crypto::test::unhex;

namespace {

// The Certificate Transparency reference vectors, as published by transparency-dev/merkle
// (proof/verify_test.go, from Trillian and the CT C++ log): eight leaf inputs and the Merkle Tree
// Hash of the first n of them, n = 0..8.
const char* const kLeafInputs[] = {"",
                                   "00",
                                   "10",
                                   "2021",
                                   "3031",
                                   "40414243",
                                   "5051525354555657",
                                   "606162636465666768696a6b6c6d6e6f"};
const char* const kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct ProofVector {
  std::uint64_t a;  // leaf index (inclusion) or old size (consistency)
  std::uint64_t size;
  std::vector<const char*> proof;
};

// Same source. Inclusion: (leaf index, tree size, audit path); the published table counts leaves
// from 1, here from 0.
const std::vector<ProofVector> kInclusion = {
    {0,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

// Consistency: (old size, new size, proof).
const std::vector<ProofVector> kConsistency = {
    {1,
     8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<Digest> reference_leaves() {
  std::vector<Digest> out;
  for (const char* in : kLeafInputs) out.push_back(leaf_hash(unhex(in)));
  return out;
}

std::vector<Digest> digests(const std::vector<const char*>& hex) {
  std::vector<Digest> out;
  for (const char* h : hex) out.push_back(digest(h));
  return out;
}

// Leaves for the property tests: distinct, deterministic.
std::vector<Digest> numbered_leaves(std::size_t n) {
  std::vector<Digest> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back(leaf_hash("ballot " + std::to_string(i)));
  return out;
}

Digest flipped(Digest d, std::size_t byte) {
  d[byte] ^= 0x01;
  return d;
}

}  // namespace

TEST_CASE("leaf and node hashes use the RFC 6962 domain prefixes", "[crypto][merkle]") {
  CHECK(to_hex(leaf_hash("")) == kRoots[1]);
  CHECK(leaf_hash("abc") == sha256(std::string("\x00", 1) + "abc"));
  const Digest a = leaf_hash("a");
  const Digest b = leaf_hash("b");
  std::string cat("\x01", 1);
  cat.append(reinterpret_cast<const char*>(a.data()), 32);
  cat.append(reinterpret_cast<const char*>(b.data()), 32);
  CHECK(node_hash(a, b) == sha256(cat));
  CHECK(to_hex(empty_root()) == kRoots[0]);
}

TEST_CASE("Merkle Tree Hashes match the published roots for sizes 0 to 8", "[crypto][merkle]") {
  const auto leaves = reference_leaves();
  for (std::size_t n = 0; n <= leaves.size(); ++n) {
    INFO("size " << n);
    CHECK(to_hex(merkle_root(std::span(leaves).first(n))) == kRoots[n]);
  }
}

TEST_CASE("inclusion proofs match and verify against the published vectors", "[crypto][merkle]") {
  const auto leaves = reference_leaves();
  for (const auto& v : kInclusion) {
    INFO("leaf " << v.a << " of " << v.size);
    const auto want = digests(v.proof);
    const auto tree = std::span(leaves).first(v.size);
    CHECK(inclusion_proof(tree, v.a) == want);
    CHECK(verify_inclusion(leaves[v.a], v.a, v.size, want, digest(kRoots[v.size])));
    // The corruptions of the reference test suite.
    const Digest root = digest(kRoots[v.size]);
    CHECK_FALSE(verify_inclusion(leaves[v.a], v.a - 1, v.size, want, root));
    CHECK_FALSE(verify_inclusion(leaves[v.a], v.a + 1, v.size, want, root));
    CHECK_FALSE(verify_inclusion(leaves[v.a], v.a ^ 2, v.size, want, root));
    CHECK_FALSE(verify_inclusion(leaves[v.a], v.a, v.size * 2, want, root));
    CHECK_FALSE(verify_inclusion(leaves[v.a], v.a, v.size / 2, want, root));
    CHECK_FALSE(verify_inclusion(leaf_hash("WrongLeaf"), v.a, v.size, want, root));
    CHECK_FALSE(verify_inclusion(leaves[v.a], v.a, v.size, want, empty_root()));
    auto longer = want;
    longer.push_back(root);
    CHECK_FALSE(verify_inclusion(leaves[v.a], v.a, v.size, longer, root));
    longer = want;
    longer.insert(longer.begin(), root);
    CHECK_FALSE(verify_inclusion(leaves[v.a], v.a, v.size, longer, root));
    auto shorter = want;
    shorter.pop_back();
    CHECK_FALSE(verify_inclusion(leaves[v.a], v.a, v.size, shorter, root));
  }
}

TEST_CASE("degenerate inclusion queries are refused", "[crypto][merkle]") {
  const Digest some = leaf_hash("x");
  CHECK_FALSE(verify_inclusion(some, 0, 0, {}, empty_root()));
  CHECK_FALSE(verify_inclusion(some, 1, 0, {}, some));
  CHECK_FALSE(verify_inclusion(some, 2, 1, {}, some));
  CHECK(verify_inclusion(some, 0, 1, {}, some));
  CHECK_FALSE(verify_inclusion(some, 0, 1, {}, empty_root()));
  CHECK(inclusion_proof(std::vector<Digest>{some}, 1).empty());
  CHECK(inclusion_proof({}, 0).empty());
}

TEST_CASE("consistency proofs match and verify against the published vectors", "[crypto][merkle]") {
  const auto leaves = reference_leaves();
  for (const auto& v : kConsistency) {
    INFO(v.a << " -> " << v.size);
    const auto want = digests(v.proof);
    const Digest r1 = digest(kRoots[v.a]);
    const Digest r2 = digest(kRoots[v.size]);
    CHECK(consistency_proof(std::span(leaves).first(v.size), v.a) == want);
    CHECK(verify_consistency(v.a, v.size, r1, r2, want));
    // The corruptions of the reference test suite.
    CHECK_FALSE(verify_consistency(v.a - 1, v.size, r1, r2, want));
    CHECK_FALSE(verify_consistency(v.a + 1, v.size, r1, r2, want));
    CHECK_FALSE(verify_consistency(v.a ^ 2, v.size, r1, r2, want));
    CHECK_FALSE(verify_consistency(v.a, v.size * 2, r1, r2, want));
    CHECK_FALSE(verify_consistency(v.a, v.size / 2, r1, r2, want));
    CHECK_FALSE(verify_consistency(v.a, v.size, r2, r1, want));
    CHECK_FALSE(verify_consistency(v.a, v.size, r1, r2, {}));
    for (const Digest& extra : {r1, r2, want[0]}) {
      auto p = want;
      p.push_back(extra);
      CHECK_FALSE(verify_consistency(v.a, v.size, r1, r2, p));
      p = want;
      p.insert(p.begin(), extra);
      CHECK_FALSE(verify_consistency(v.a, v.size, r1, r2, p));
    }
    auto shorter = want;
    shorter.pop_back();
    CHECK_FALSE(verify_consistency(v.a, v.size, r1, r2, shorter));
  }
}

TEST_CASE("trivial consistency: equal sizes need equal roots, the empty tree needs its root",
          "[crypto][merkle]") {
  const Digest r = leaf_hash("r");
  const Digest s = leaf_hash("s");
  CHECK(verify_consistency(0, 0, empty_root(), empty_root(), {}));
  CHECK(verify_consistency(0, 5, empty_root(), s, {}));
  CHECK_FALSE(verify_consistency(0, 5, r, s, {}));
  CHECK_FALSE(verify_consistency(0, 5, empty_root(), s, std::vector<Digest>{s}));
  CHECK(verify_consistency(3, 3, r, r, {}));
  CHECK_FALSE(verify_consistency(3, 3, r, s, {}));
  CHECK_FALSE(verify_consistency(3, 3, r, r, std::vector<Digest>{r}));
  CHECK_FALSE(verify_consistency(4, 3, r, s, {}));
  CHECK(consistency_proof(numbered_leaves(5), 0).empty());
  CHECK(consistency_proof(numbered_leaves(5), 5).empty());
  CHECK(consistency_proof(numbered_leaves(5), 6).empty());
}

TEST_CASE("every inclusion proof of every tree of size 1 to 300 verifies",
          "[crypto][merkle][slow]") {
  const auto all = numbered_leaves(300);
  for (std::size_t n = 1; n <= all.size(); ++n) {
    const auto tree = std::span(all).first(n);
    const Digest root = merkle_root(tree);
    for (std::size_t i = 0; i < n; ++i) {
      const auto proof = inclusion_proof(tree, i);
      if (!verify_inclusion(tree[i], i, n, proof, root)) {
        FAIL("leaf " << i << " of " << n);
      }
      // A proof for one leaf does not prove another.
      if (n > 1 && verify_inclusion(tree[(i + 1) % n], i, n, proof, root)) {
        FAIL("other leaf accepted at " << i << " of " << n);
      }
    }
  }
  SUCCEED();
}

TEST_CASE("flipping any byte of an inclusion proof, its root or its leaf makes it fail",
          "[crypto][merkle]") {
  const auto all = numbered_leaves(67);
  for (std::size_t n : {1u, 2u, 3u, 7u, 8u, 13u, 32u, 67u}) {
    const auto tree = std::span(all).first(n);
    const Digest root = merkle_root(tree);
    for (std::size_t i = 0; i < n; i += (n > 16 ? 5 : 1)) {
      const auto proof = inclusion_proof(tree, i);
      REQUIRE(verify_inclusion(tree[i], i, n, proof, root));
      for (std::size_t b = 0; b < 32; ++b) {
        REQUIRE_FALSE(verify_inclusion(flipped(tree[i], b), i, n, proof, root));
        REQUIRE_FALSE(verify_inclusion(tree[i], i, n, proof, flipped(root, b)));
        for (std::size_t k = 0; k < proof.size(); ++k) {
          auto bad = proof;
          bad[k] = flipped(bad[k], b);
          REQUIRE_FALSE(verify_inclusion(tree[i], i, n, bad, root));
        }
      }
    }
  }
}

TEST_CASE("consistency proofs verify for every pair of sizes up to 64, and tampering fails",
          "[crypto][merkle]") {
  const auto all = numbered_leaves(64);
  std::vector<Digest> roots;
  for (std::size_t n = 0; n <= 64; ++n) roots.push_back(merkle_root(std::span(all).first(n)));
  for (std::uint64_t m = 0; m <= 64; ++m) {
    for (std::uint64_t n = m; n <= 64; ++n) {
      const auto proof = consistency_proof(std::span(all).first(n), m);
      if (!verify_consistency(m, n, roots[m], roots[n], proof)) FAIL(m << " -> " << n);
      if (m == 0 || m == n) continue;
      for (std::size_t k = 0; k < proof.size(); ++k) {
        for (std::size_t b = 0; b < 32; ++b) {
          auto bad = proof;
          bad[k] = flipped(bad[k], b);
          if (verify_consistency(m, n, roots[m], roots[n], bad)) {
            FAIL("tampered proof[" << k << "] accepted " << m << " -> " << n);
          }
        }
      }
      for (std::size_t b = 0; b < 32; b += 7) {
        if (verify_consistency(m, n, flipped(roots[m], b), roots[n], proof) ||
            verify_consistency(m, n, roots[m], flipped(roots[n], b), proof)) {
          FAIL("tampered root accepted " << m << " -> " << n);
        }
      }
      // A proof between m and n does not prove m and n+1 or m+1 and n.
      if (n < 64 && verify_consistency(m, n + 1, roots[m], roots[n + 1], proof)) {
        FAIL("wrong new size accepted " << m << " -> " << n);
      }
    }
  }
  SUCCEED();
}

TEST_CASE("the append-only tree agrees with the Merkle Tree Hash at every size",
          "[crypto][merkle]") {
  const auto ref = reference_leaves();
  AppendOnlyTree t;
  CHECK(t.size() == 0);
  CHECK(to_hex(t.root()) == kRoots[0]);
  for (std::size_t n = 0; n < ref.size(); ++n) {
    t.append(ref[n]);
    CHECK(t.size() == n + 1);
    CHECK(to_hex(t.root()) == kRoots[n + 1]);
  }
  const auto all = numbered_leaves(1100);
  AppendOnlyTree big;
  for (std::size_t n = 0; n < all.size(); ++n) {
    big.append(all[n]);
    if (n < 70 || n % 97 == 0 || n + 1 == all.size()) {
      REQUIRE(big.root() == merkle_root(std::span(all).first(n + 1)));
    }
  }
}

TEST_CASE("the append-only tree persists in a few hundred bytes and restores exactly",
          "[crypto][merkle]") {
  const auto all = numbered_leaves(1000);
  AppendOnlyTree t;
  for (std::size_t n = 0; n < all.size(); ++n) {
    const std::string state = t.serialize();
    CHECK(state.size() == 9 + 32 * static_cast<std::size_t>(std::popcount(t.size())));
    auto back = AppendOnlyTree::restore(state);
    REQUIRE(back);
    REQUIRE(*back == t);
    REQUIRE(back->root() == t.root());
    back->append(all[n]);
    t.append(all[n]);
    REQUIRE(back->root() == t.root());
  }
  CHECK(t.serialize().size() <= 9 + 32 * 64);
}

TEST_CASE("a corrupt tree state is bad_proof", "[crypto][merkle]") {
  AppendOnlyTree t;
  for (int i = 0; i < 5; ++i) t.append(leaf_hash(std::to_string(i)));
  const std::string state = t.serialize();
  CHECK(AppendOnlyTree::restore("").error() == Errc::bad_proof);
  CHECK(AppendOnlyTree::restore(state.substr(0, state.size() - 1)).error() == Errc::bad_proof);
  CHECK(AppendOnlyTree::restore(state + "x").error() == Errc::bad_proof);
  std::string wrong_version = state;
  wrong_version[0] = 2;
  CHECK(AppendOnlyTree::restore(wrong_version).error() == Errc::bad_proof);
  std::string wrong_size = state;
  wrong_size[8] = 6;  // size 6 has two subtrees, as 5 does: the state cannot tell them apart
  auto other = AppendOnlyTree::restore(wrong_size);
  REQUIRE(other);
  CHECK(other->size() == 6);
  wrong_size[8] = 7;  // three subtrees: the length no longer fits
  CHECK(AppendOnlyTree::restore(wrong_size).error() == Errc::bad_proof);
  for (std::size_t n = 0; n < state.size(); ++n) {
    auto r = AppendOnlyTree::restore(state.substr(0, n));
    CHECK_FALSE(r);
  }
}
