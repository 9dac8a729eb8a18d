// A reader of SQLite's on-disk b-tree pages; see sqlite_pages.hpp and
// https://www.sqlite.org/fileformat2.html (section numbers below refer to it).
#include "sqlite_pages.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <stdexcept>
#include <unordered_set>
#include <utility>

namespace tallystation::station::test {

namespace {

[[noreturn]] void malformed(const std::string& what) {
  throw std::runtime_error("sqlite_pages: " + what);
}

[[noreturn]] void malformed_page(std::uint32_t page, const std::string& what) {
  malformed("page " + std::to_string(page) + ": " + what);
}

std::uint32_t be(std::string_view b, std::size_t at, std::size_t n) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}

// A varint (1.6): 1..9 bytes, big-endian, 7 bits per byte with the high bit meaning "more", the
// ninth byte contributing all 8 bits. Returns the value and its length; nullopt if truncated.
std::optional<std::pair<std::uint64_t, std::size_t>> varint(std::string_view b, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 9; ++i) {
    if (at + i >= b.size()) return std::nullopt;
    auto c = static_cast<unsigned char>(b[at + i]);
    if (i == 8) return std::pair{(v << 8) | c, std::size_t{9}};
    v = (v << 7) | (c & 0x7f);
    if ((c & 0x80) == 0) return std::pair{v, i + 1};
  }
  return std::nullopt;  // unreachable
}

constexpr std::uint8_t kIndexInterior = 0x02;
constexpr std::uint8_t kTableInterior = 0x05;
constexpr std::uint8_t kIndexLeaf = 0x0a;
constexpr std::uint8_t kTableLeaf = 0x0d;

class File {
 public:
  explicit File(const std::filesystem::path& path) {
    std::error_code ec;
    auto wal = path;
    wal += "-wal";
    if (std::filesystem::exists(wal, ec) && std::filesystem::file_size(wal, ec) > 0 && !ec) {
      malformed(wal.string() +
                " is not empty: checkpoint the database first (PRAGMA wal_checkpoint(TRUNCATE))");
    }
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) malformed("cannot open " + path.string());
    bytes_.resize(static_cast<std::size_t>(in.tellg()));
    in.seekg(0);
    if (!in.read(bytes_.data(), static_cast<std::streamsize>(bytes_.size()))) {
      malformed("cannot read " + path.string());
    }
    if (bytes_.size() < 100 || std::memcmp(bytes_.data(), "SQLite format 3\0", 16) != 0) {
      malformed(path.string() + " is not an SQLite 3 database (no \"SQLite format 3\" header)");
    }
    // The database header (1.3).
    std::uint32_t ps = be(bytes_, 16, 2);
    if (ps == 1) ps = 65536;
    if (ps < 512 || ps > 65536 || (ps & (ps - 1)) != 0) {
      malformed("invalid page size " + std::to_string(ps) + " in the database header");
    }
    page_size_ = ps;
    reserved_ = static_cast<unsigned char>(bytes_[20]);
    usable_ = page_size_ - reserved_;
    if (usable_ < 480) malformed("usable page size " + std::to_string(usable_) + " below 480");
    if (bytes_[21] != 64 || bytes_[22] != 32 || bytes_[23] != 32) {
      malformed("payload fractions in the database header are not 64/32/32");
    }
    if (bytes_.size() < page_size_) malformed("file shorter than one page");
    // The in-header size is valid only when the version-valid-for number matches the change
    // counter (1.3.7); otherwise the size comes from the file's length.
    std::uint32_t in_header = be(bytes_, 28, 4);
    page_count_ = (in_header != 0 && be(bytes_, 92, 4) == be(bytes_, 24, 4))
                      ? in_header
                      : static_cast<std::uint32_t>(bytes_.size() / page_size_);
    if (static_cast<std::uint64_t>(page_count_) * page_size_ > bytes_.size()) {
      malformed("the header says " + std::to_string(page_count_) + " pages but the file holds " +
                std::to_string(bytes_.size() / page_size_));
    }
  }

  std::uint32_t usable() const { return usable_; }
  std::uint32_t page_count() const { return page_count_; }

  // The usable part of page n (reserved bytes cut off).
  std::string_view page(std::uint32_t n, std::uint32_t referenced_from) const {
    if (n == 0 || n > page_count_) {
      malformed_page(referenced_from, "refers to page " + std::to_string(n) + " of " +
                                          std::to_string(page_count_));
    }
    return std::string_view(bytes_).substr(static_cast<std::size_t>(n - 1) * page_size_, usable_);
  }

 private:
  std::string bytes_;
  std::uint32_t page_size_ = 0;
  std::uint32_t reserved_ = 0;
  std::uint32_t usable_ = 0;
  std::uint32_t page_count_ = 0;
};

// A cell's payload: the local part in the page, the rest on the overflow chain (1.5), read only
// when a byte beyond the local part is asked for.
class Payload {
 public:
  Payload(const File& f, std::uint32_t page, std::string_view local, std::uint64_t total,
          std::uint32_t first_overflow)
      : f_(f), page_(page), local_(local), total_(total), first_overflow_(first_overflow) {}

  std::uint64_t size() const { return total_; }

  std::string_view bytes(std::uint64_t at, std::uint64_t n) {
    if (at + n > total_) malformed_page(page_, "record runs past the end of its payload");
    if (at + n <= local_.size()) return local_.substr(at, n);
    if (!full_) assemble();
    return std::string_view(*full_).substr(at, n);
  }

 private:
  void assemble() {
    std::string all(local_);
    std::uint32_t next = first_overflow_, from = page_;
    std::uint32_t hops = 0;
    while (all.size() < total_) {
      if (next == 0) malformed_page(from, "overflow chain ends before the payload does");
      if (++hops > f_.page_count()) malformed_page(from, "overflow chain loops");
      std::string_view p = f_.page(next, from);
      std::size_t take = std::min<std::uint64_t>(p.size() - 4, total_ - all.size());
      all.append(p.substr(4, take));
      from = next;
      next = be(p, 0, 4);
    }
    full_ = std::move(all);
  }

  const File& f_;
  std::uint32_t page_;
  std::string_view local_;
  std::uint64_t total_;
  std::uint32_t first_overflow_;
  std::optional<std::string> full_;
};

// How much of a payload of `p` bytes stays in the page (1.5): everything up to X, otherwise K if
// that fits under X, else M.
std::uint64_t local_size(std::uint64_t p, std::uint32_t u, bool table_leaf) {
  std::uint64_t x = table_leaf ? u - 35 : ((u - 12) * 64 / 255) - 23;
  if (p <= x) return p;
  std::uint64_t m = ((u - 12) * 32 / 255) - 23;
  std::uint64_t k = m + ((p - m) % (u - 4));
  return k <= x ? k : m;
}

// The record format (2.1): a header of serial types, then the values.
std::vector<std::string> decode_record(Payload& pl, std::uint32_t page, std::size_t max_columns) {
  std::vector<std::string> out;
  if (max_columns == 0) return out;
  std::string_view head = pl.bytes(0, std::min<std::uint64_t>(9, pl.size()));
  auto hs = varint(head, 0);
  if (!hs || hs->first < hs->second || hs->first > pl.size()) {
    malformed_page(page, "bad record header size");
  }
  head = pl.bytes(0, hs->first);
  std::size_t at = hs->second;
  std::uint64_t body = hs->first;
  while (at < head.size() && out.size() < max_columns) {
    auto st = varint(head, at);
    if (!st) malformed_page(page, "record header truncated");
    at += st->second;
    std::uint64_t t = st->first;
    static constexpr std::uint64_t kIntSize[] = {0, 1, 2, 3, 4, 6, 8};
    if (t == 0) {
      out.emplace_back();
    } else if (t <= 6) {
      std::string_view b = pl.bytes(body, kIntSize[t]);
      std::uint64_t v = (static_cast<unsigned char>(b[0]) & 0x80) ? ~std::uint64_t{0} : 0;
      for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
      out.push_back(std::to_string(static_cast<std::int64_t>(v)));
      body += kIntSize[t];
    } else if (t == 7) {
      std::string_view b = pl.bytes(body, 8);
      std::uint64_t v = 0;
      for (char c : b) v = (v << 8) | static_cast<unsigned char>(c);
      double d;
      std::memcpy(&d, &v, sizeof d);
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.17g", d);
      out.emplace_back(buf);
      body += 8;
    } else if (t == 8 || t == 9) {
      out.emplace_back(t == 8 ? "0" : "1");
    } else if (t == 10 || t == 11) {
      malformed_page(page, "reserved serial type " + std::to_string(t));
    } else {
      std::uint64_t n = (t - 12) / 2;  // blob (even) or text (odd): (N-12)/2 or (N-13)/2 bytes
      out.emplace_back(pl.bytes(body, n));
      body += n;
    }
  }
  return out;
}

class Walker {
 public:
  Walker(const File& f, std::size_t max_columns) : f_(f), max_columns_(max_columns) {}

  std::vector<Cell> tree(std::uint32_t root) {
    std::vector<Cell> cells;
    std::string_view p = f_.page(root, root);
    std::uint8_t type = static_cast<std::uint8_t>(p[root == 1 ? 100 : 0]);
    if (type != kIndexInterior && type != kTableInterior && type != kIndexLeaf &&
        type != kTableLeaf) {
      malformed_page(root, "is not a b-tree page (type " + std::to_string(type) + ")");
    }
    table_ = type == kTableInterior || type == kTableLeaf;
    visit(root, root, 0, cells);
    return cells;
  }

 private:
  void visit(std::uint32_t n, std::uint32_t parent, int depth, std::vector<Cell>& out) {
    if (depth > 40) malformed_page(n, "b-tree deeper than 40 levels");
    if (!seen_.insert(n).second) malformed_page(parent, "refers again to page " + std::to_string(n));
    std::string_view p = f_.page(n, parent);
    // The b-tree page header (1.6): after the 100-byte file header on page 1.
    std::size_t h = n == 1 ? 100 : 0;
    auto type = static_cast<std::uint8_t>(p[h]);
    bool leaf = type == kIndexLeaf || type == kTableLeaf;
    bool table = type == kTableInterior || type == kTableLeaf;
    if ((type != kIndexInterior && type != kTableInterior && !leaf) || table != table_) {
      malformed_page(n, "has type " + std::to_string(type) + ", not a page of this " +
                            (table_ ? "table" : "index") + " b-tree");
    }
    std::size_t header = leaf ? 8 : 12;
    std::uint32_t ncells = be(p, h + 3, 2);
    std::size_t pointers = h + header;
    if (pointers + 2 * std::size_t{ncells} > p.size()) {
      malformed_page(n, std::to_string(ncells) + " cells do not fit in the page");
    }
    const std::uint32_t u = f_.usable();
    for (std::uint32_t i = 0; i < ncells; ++i) {
      std::uint32_t off = be(p, pointers + 2 * i, 2);
      if (off < pointers + 2 * ncells || off + 4 > p.size()) {
        malformed_page(n, "cell " + std::to_string(i) + " at offset " + std::to_string(off) +
                              " lies outside the cell content area");
      }
      std::string_view c = p.substr(off);
      std::size_t at = 0;
      if (!leaf) {
        visit(be(c, 0, 4), n, depth + 1, out);  // left child: keys before this cell's
        if (table) continue;  // a table interior cell is a rowid divider, not a row
        at = 4;  // an index interior cell holds an entry that is in no leaf
      }
      Cell cell;
      cell.page = n;
      cell.index = static_cast<std::uint16_t>(i);
      cell.offset = static_cast<std::uint16_t>(off);
      cell.leaf = leaf;
      auto size = varint(c, at);
      if (!size) malformed_page(n, "cell " + std::to_string(i) + " truncated");
      at += size->second;
      if (table) {
        auto rowid = varint(c, at);
        if (!rowid) malformed_page(n, "cell " + std::to_string(i) + " truncated");
        cell.rowid = static_cast<std::int64_t>(rowid->first);
        at += rowid->second;
      }
      std::uint64_t local = local_size(size->first, u, table);
      std::uint32_t overflow = 0;
      if (at + local + (local < size->first ? 4 : 0) > c.size()) {
        malformed_page(n, "cell " + std::to_string(i) + " runs past the end of the page");
      }
      if (local < size->first) overflow = be(c, at + local, 4);
      Payload pl(f_, n, c.substr(at, local), size->first, overflow);
      cell.columns = decode_record(pl, n, max_columns_);
      out.push_back(std::move(cell));
    }
    if (!leaf) visit(be(p, h + 8, 4), n, depth + 1, out);  // right-most child
  }

  const File& f_;
  std::size_t max_columns_;
  bool table_ = false;
  std::unordered_set<std::uint32_t> seen_;
};

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char ch) { return ch >= 'A' && ch <= 'Z' ? char(ch - 'A' + 'a') : ch; };
           return lower(x) == lower(y);
         });
}

}  // namespace

std::vector<Cell> row_cells(const std::filesystem::path& db_file, std::string_view name,
                             std::size_t max_columns) {
  File f(db_file);
  // sqlite_schema (2.6) is the table b-tree rooted at page 1: (type, name, tbl_name, rootpage, sql).
  for (const Cell& row : Walker(f, 4).tree(1)) {
    if (row.columns.size() < 4) malformed_page(row.page, "sqlite_schema row with too few columns");
    if (!same_name(row.columns[1], name)) continue;
    std::int64_t root = 0;
    try {
      root = std::stoll(row.columns[3]);
    } catch (const std::exception&) {
      root = 0;
    }
    if (root <= 0 || root > f.page_count()) {
      malformed(std::string(name) + " (" + row.columns[0] + ") has no b-tree (rootpage " +
                row.columns[3] + ")");
    }
    return Walker(f, max_columns).tree(static_cast<std::uint32_t>(root));
  }
  malformed("no table or index named " + std::string(name) + " in sqlite_schema of " +
            db_file.string());
}

double OrderLeak::accuracy() const {
  return pairs == 0 ? std::numeric_limits<double>::quiet_NaN()
                    : static_cast<double>(correct) / static_cast<double>(pairs);
}

OrderLeak in_page_position_leak(const std::vector<Cell>& cells, const ArrivalRank& arrival_rank) {
  std::map<std::uint32_t, std::vector<std::pair<std::uint16_t, std::uint64_t>>> pages;
  for (const Cell& c : cells) {
    if (auto r = arrival_rank(c)) pages[c.page].emplace_back(c.offset, *r);
  }
  OrderLeak leak;
  for (const auto& [page, in_page] : pages) {
    for (std::size_t i = 0; i < in_page.size(); ++i) {
      for (std::size_t j = i + 1; j < in_page.size(); ++j) {
        auto [off_a, rank_a] = in_page[i];
        auto [off_b, rank_b] = in_page[j];
        if (rank_a == rank_b || off_a == off_b) continue;
        ++leak.pairs;
        if ((off_a < off_b) == (rank_a > rank_b)) ++leak.correct;
      }
    }
  }
  return leak;
}

OrderLeak row_order_leak(const std::vector<Cell>& cells, const ArrivalRank& arrival_rank) {
  OrderLeak leak;
  std::optional<std::uint64_t> previous;
  for (const Cell& c : cells) {
    auto r = arrival_rank(c);
    if (!r) continue;
    if (previous && *previous != *r) {
      ++leak.pairs;
      if (*r > *previous) ++leak.correct;
    }
    previous = r;
  }
  return leak;
}

}  // namespace tallystation::station::test
