#pragma once
// A test-side reader of SQLite's on-disk b-tree pages (https://www.sqlite.org/fileformat2.html),
// and two measures of whether the physical layout of a table reveals the order in which its rows
// were inserted.
//
// It reads the raw database file with the C++ standard library only, never the sqlite3 API: the
// point is to see what an adversary holding a copy of `station.db` sees, cell offsets included.
//
// The database must be checkpointed: in WAL mode the newest pages may live only in the `-wal`
// file, which this reader does not read. Run `PRAGMA wal_checkpoint(TRUNCATE)` (or close the last
// connection) first; row_cells refuses a database whose `-wal` file is not empty. A hot rollback
// journal (`-journal`) is not looked at either.
//
// What it handles: page 1's 100-byte file header, page sizes 512..65536, reserved bytes at the end
// of each page (header byte 20), table and index b-trees (interior 0x05 / 0x02, leaf 0x0d / 0x0a),
// payloads that spill to overflow pages (the chain is followed only when a decoded column is not
// in the local part), and a sqlite_schema that itself spans several pages. Freelist and pointer-map
// pages are never visited (they are not reachable from a b-tree root).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tallystation::station::test {

struct Cell {
  std::uint32_t page = 0;    // page number (1-based)
  std::uint16_t index = 0;   // position in the page's cell pointer array (logical order)
  std::uint16_t offset = 0;  // byte offset of the cell in the page (physical position)
  bool leaf = true;          // false for an entry held by an index b-tree's interior page
  // The record's columns, each as raw bytes: text and blob as stored (no encoding conversion),
  // integers as decimal text, reals as "%.17g", NULL as the empty string. For a WITHOUT ROWID
  // table the primary key columns come first, then the other columns in declaration order; a
  // rowid table's INTEGER PRIMARY KEY column is NULL here (its value is the rowid).
  // At most `max_columns` of row_cells are decoded.
  std::vector<std::string> columns;
  std::int64_t rowid = 0;  // table (rowid) b-trees only; 0 for index b-trees
};

// Every cell holding a row (an entry) of the table or index named `name` (looked up by name,
// ASCII case-insensitively, in sqlite_schema; for a WITHOUT ROWID table this is its primary-key
// index b-tree), in b-tree (logical) order:
//   - a table b-tree (rowid table) keeps its rows in leaf cells only (0x0d); its interior cells
//     (0x05) are rowid dividers and are not returned;
//   - an index b-tree (index, WITHOUT ROWID table) is a B-tree, not a B+tree: each entry is stored
//     once, and an interior cell (0x02) holds an entry that is in no leaf. Those are returned
//     too (leaf == false), between the subtrees they divide. Leaf cells alone would miss rows
//     (3,372 of the test's 20,000 ballots, whose ~600-byte rows fill interior pages too).
// Decodes the first `max_columns` columns of each record (following overflow pages only if one
// of them is not local). Throws std::runtime_error with a clear message (naming the page where
// there is one) on a malformed file, an unknown name, a view or trigger (no b-tree), or a non-empty `-wal` file.
std::vector<Cell> row_cells(const std::filesystem::path& db_file, std::string_view name,
                            std::size_t max_columns = static_cast<std::size_t>(-1));

struct OrderLeak {
  std::uint64_t pairs = 0;    // pairs of cells compared
  std::uint64_t correct = 0;  // pairs where the predictor named the later-arrived one
  double accuracy() const;    // correct / pairs; NaN when no pair was compared
};

// The caller's knowledge of the true arrival order: a rank per cell (higher arrived later), or
// nullopt for a cell to leave out. Pairs with equal ranks are left out too.
using ArrivalRank = std::function<std::optional<std::uint64_t>(const Cell&)>;

// For every pair of cells in the same page (index interior pages included), predicts "the cell with the lower offset arrived
// later" (SQLite allocates new cells downward from the start of the content area).
OrderLeak in_page_position_leak(const std::vector<Cell>& cells, const ArrivalRank& arrival_rank);

// For every two logically adjacent cells (consecutive among the ranked cells of `cells`, across
// page boundaries too; pass row_cells' order), predicts "the later one in logical order arrived later".
OrderLeak row_order_leak(const std::vector<Cell>& cells, const ArrivalRank& arrival_rank);

}  // namespace tallystation::station::test
