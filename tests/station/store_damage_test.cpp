// Damage to the ballot store, end to end with the real stationd (docs/storage.md "Mirror and
// head", "Inspecting the write-ahead log"; docs/protocol.md storage_error's cause).
//
// A. station.db-wal damaged after 300 receipted ballots and kill -9 (cut tail, cut in half, one
//    byte flipped in the middle; and no damage): with --mirror the station restores what was
//    lost, says so, and serves every receipted ballot with its identical receipt; without the
//    mirror it refuses to start naming the loss, or starts with a warning serving all 300, but
//    never starts silently with fewer.
// C. A full disk and a read-only file system under the data directory and under the mirror, on
//    small tmpfs mounts in a private mount namespace entered by main() before any thread exists
//    (unshare(CLONE_NEWNS) fails in a multithreaded process); stationd inherits it, and nothing
//    is visible to the host. Without the capability (EPERM) the C cases warn and assert nothing;
//    with TALLYSTATION_REQUIRE_MOUNTS=1 in the environment they fail instead.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

#include "daemon_fixture.hpp"

namespace ts = tallystation::station;
namespace fs = std::filesystem;
namespace json = boost::json;
using ts::test::DaemonStation;
using ts::test::TempDir;
using ts::testing::Keys;
using namespace std::chrono_literals;

namespace {

// ---- The private mount namespace (entered in main) ----

bool g_private_mounts = false;
std::string g_mount_problem;

bool enter_private_mount_namespace(std::string& problem) {
  if (::unshare(CLONE_NEWNS) != 0) {
    problem = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
    return false;
  }
  // Without this the mounts below could propagate to the host's namespace: mount nothing then.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    problem = std::string("mount(/, MS_REC | MS_PRIVATE): ") + std::strerror(errno);
    return false;
  }
  return true;
}

// True when the mount cases can run; otherwise warns (or fails, if the environment demands it).
bool mounts_available() {
  if (g_private_mounts) return true;
  const char* require = std::getenv("TALLYSTATION_REQUIRE_MOUNTS");
  if (require != nullptr && std::string(require) == "1") {
    FAIL("no private mount namespace (" << g_mount_problem << ")");
  }
  WARN("SKIPPED, nothing asserted: this test needs a private mount namespace and tmpfs mounts "
       "(root with CAP_SYS_ADMIN): "
       << g_mount_problem);
  return false;
}

// A small tmpfs mounted on dir (created if missing) for the scope of the object.
class Tmpfs {
 public:
  Tmpfs(fs::path dir, std::string size) : dir_(std::move(dir)), data_("size=" + size) {
    fs::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, data_.c_str()) != 0) {
      throw std::runtime_error("mount tmpfs on " + dir_.string() + ": " + std::strerror(errno));
    }
  }
  ~Tmpfs() { ::umount2(dir_.c_str(), MNT_DETACH); }
  Tmpfs(const Tmpfs&) = delete;
  Tmpfs& operator=(const Tmpfs&) = delete;

  void remount(bool read_only) {
    const unsigned long flags = MS_REMOUNT | MS_NOSUID | MS_NODEV | (read_only ? MS_RDONLY : 0);
    if (::mount(nullptr, dir_.c_str(), nullptr, flags, data_.c_str()) != 0) {
      throw std::runtime_error("remount " + dir_.string() + ": " + std::strerror(errno));
    }
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
  std::string data_;
};

// Fills the file system of dir with one file until it is full, then gives `leave` bytes back.
class Filler {
 public:
  Filler(const fs::path& dir, std::size_t leave) : file_(dir / "filler") {
    const int fd = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("open filler: " + std::string(std::strerror(errno)));
    const std::string chunk(64 * 1024, 'x');
    std::size_t written = 0;
    for (;;) {
      const ssize_t n = ::write(fd, chunk.data(), chunk.size());
      if (n <= 0) break;  // ENOSPC
      written += static_cast<std::size_t>(n);
    }
    const int rc = ::ftruncate(fd, static_cast<off_t>(written > leave ? written - leave : 0));
    ::close(fd);
    if (rc != 0) throw std::runtime_error("truncate filler");
    if (written < leave) throw std::runtime_error("the file system was already full");
  }
  ~Filler() { release(); }
  void release() {
    std::error_code ignored;
    fs::remove(file_, ignored);
  }

 private:
  fs::path file_;
};

// ---- Ballots ----

struct Ballot {
  std::string payload;
  std::string envelope;
  std::string receipt;  // the body of the 200 answer
};

std::vector<Ballot> make_ballots(const std::vector<std::string>& tokens) {
  std::vector<Ballot> out(tokens.size());
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    std::vector<std::string> marks;
    for (int c = 1; c <= 6; ++c) {
      if ((i >> c) & 1) marks.push_back("c" + std::to_string(c));
    }
    out[i].payload = ts::make_ballot_payload("cc2026", "cc", 1, tokens[i], marks);
    out[i].envelope =
        ts::sign_ballot(i % 5 == 0 ? Keys::get().t3 : Keys::get().t1, out[i].payload);
  }
  return out;
}

// Posts every ballot from 4 terminals at once; returns the answers, in ballot order (status 0:
// transport error).
std::vector<ts::client::Response> post_all(DaemonStation& s, const std::vector<Ballot>& ballots) {
  std::vector<ts::client::Response> answers(ballots.size());
  std::atomic<std::size_t> next{0};
  auto stream = [&] {
    auto client = s.new_client();
    for (std::size_t i; (i = next++) < ballots.size();) {
      auto r = client->post("/v1/ballots", ballots[i].envelope);
      if (r) answers[i] = *r;
    }
  };
  std::vector<std::thread> terminals;
  for (int t = 0; t < 4; ++t) terminals.emplace_back(stream);
  for (auto& t : terminals) t.join();
  return answers;
}

// Posts every ballot again: each must get its identical receipt. Returns how many did.
std::size_t identical_receipts(DaemonStation& s, const std::vector<Ballot>& ballots) {
  std::size_t same = 0;
  auto answers = post_all(s, ballots);
  for (std::size_t i = 0; i < ballots.size(); ++i) {
    if (answers[i].status == 200 && answers[i].body == ballots[i].receipt) ++same;
  }
  return same;
}

std::string json_field(const std::string& body, const char* field) {
  auto v = json::parse(body);
  if (!v.is_object() || !v.as_object().contains(field)) return "(none)";
  const auto& f = v.at(field);
  return f.is_string() ? std::string(f.as_string()) : json::serialize(f);
}

bool contains(const std::string& text, std::string_view what) {
  return text.find(what) != std::string::npos;
}

// Starts the station; false (and *error filled) if it exited instead.
bool try_start(DaemonStation& s, std::string* error) {
  try {
    s.start();
    return true;
  } catch (const std::exception& e) {
    *error = e.what();
    return false;
  }
}

// ---- A. Damage to the write-ahead log ----

enum class Damage { none, cut_tail, cut_half, flip_middle };

const char* to_string(Damage d) {
  switch (d) {
    case Damage::none:
      return "no damage";
    case Damage::cut_tail:
      return "last 1000 bytes cut";
    case Damage::cut_half:
      return "cut in half";
    case Damage::flip_middle:
      return "one byte flipped in the middle";
  }
  return "?";
}

void damage_wal(const fs::path& wal, Damage d) {
  const auto size = fs::file_size(wal);
  switch (d) {
    case Damage::none:
      return;
    case Damage::cut_tail:
      fs::resize_file(wal, size - 1000);
      return;
    case Damage::cut_half:
      fs::resize_file(wal, size / 2);
      return;
    case Damage::flip_middle: {
      const int fd = ::open(wal.c_str(), O_RDWR | O_CLOEXEC);
      REQUIRE(fd >= 0);
      unsigned char byte = 0;
      const off_t at = static_cast<off_t>(size / 2);
      REQUIRE(::pread(fd, &byte, 1, at) == 1);
      byte ^= 0xff;
      REQUIRE(::pwrite(fd, &byte, 1, at) == 1);
      ::close(fd);
      return;
    }
  }
}

void wal_damage_case(Damage damage, bool mirrored) {
  INFO(to_string(damage) << (mirrored ? ", with --mirror" : ", without a mirror"));
  constexpr std::size_t kBallots = 300;
  TempDir scratch;
  std::vector<std::string> args;
  if (mirrored) args = {"--mirror", (scratch.path() / "mirror").string()};
  DaemonStation s(args);
  auto ballots = make_ballots(s.open_cc(kBallots));
  auto answers = post_all(s, ballots);
  std::size_t receipted = 0;
  for (std::size_t i = 0; i < kBallots; ++i) {
    if (answers[i].status == 200 && s.receipt_matches(answers[i].body, ballots[i].payload)) {
      ballots[i].receipt = answers[i].body;
      ++receipted;
    }
  }
  REQUIRE(receipted == kBallots);
  REQUIRE(s.ballots() == static_cast<std::int64_t>(kBallots));

  s.daemon().kill9();  // no checkpoint: the 300 ballots are in the write-ahead log
  const fs::path wal = s.daemon().data_dir() / "station.db-wal";
  REQUIRE(fs::exists(wal));
  const auto wal_size = fs::file_size(wal);
  INFO("station.db-wal: " << wal_size << " bytes before the damage");
  REQUIRE(wal_size > 100000);  // 300 ballots' frames, far more than the 1000 bytes cut below
  damage_wal(wal, damage);

  std::string failure;
  const bool started = try_start(s, &failure);
  const std::string err = s.daemon().error_output();
  INFO("stderr of the restart: " << err);
  CHECK_FALSE(contains(err, "disagree"));
  if (mirrored) {
    REQUIRE(started);
    if (damage == Damage::none) {
      CHECK_FALSE(contains(err, "from the mirror"));
    } else {
      // Every damage here loses at least the last commit: the mirror restored it.
      CHECK(contains(err, "stationd: store: the database"));
      CHECK(contains(err, "from the mirror"));
    }
    CHECK(s.ballots() == static_cast<std::int64_t>(kBallots));
    CHECK(identical_receipts(s, ballots) == kBallots);
    CHECK(s.ballots() == static_cast<std::int64_t>(kBallots));
    // The restored database and the mirror agree at the next start, with nothing to restore.
    REQUIRE(s.daemon().terminate() == 0);
    REQUIRE(try_start(s, &failure));
    const std::string err2 = s.daemon().error_output();
    INFO("stderr of the second restart: " << err2);
    CHECK_FALSE(contains(err2, "from the mirror"));
    CHECK_FALSE(contains(err2, "disagree"));
    CHECK(s.ballots() == static_cast<std::int64_t>(kBallots));
  } else if (!started) {
    // Refused: fine, if it names the loss (station.head records the last commit).
    CHECK(damage != Damage::none);
    CHECK(s.daemon().start_exit_status() == 2);
    CHECK(contains(err, "had committed up to"));
    CHECK(contains(err, "missing"));
    // ... and says what the inspector found in the log (the refusal is the only line printed).
    CHECK(contains(err, "station.db-wal: Write-ahead log of"));
    CHECK(contains(err, "SUSPICIOUS"));
  } else {
    // Started: then it must serve every receipted ballot, and warn if the log was damaged.
    CHECK(s.ballots() == static_cast<std::int64_t>(kBallots));
    if (damage != Damage::none) CHECK(contains(err, "station.db-wal"));
    CHECK(identical_receipts(s, ballots) == kBallots);
  }
  if (s.daemon().running()) CHECK(s.daemon().terminate() == 0);
}

}  // namespace

TEST_CASE("WAL damage after 300 receipted ballots, with --mirror: all restored",
          "[damage][mirror]") {
  const auto damage =
      GENERATE(Damage::none, Damage::cut_tail, Damage::cut_half, Damage::flip_middle);
  wal_damage_case(damage, true);
}

TEST_CASE("WAL damage after 300 receipted ballots, without a mirror: never fewer, silently",
          "[damage]") {
  const auto damage =
      GENERATE(Damage::none, Damage::cut_tail, Damage::cut_half, Damage::flip_middle);
  wal_damage_case(damage, false);
}

// ---- C. Full and read-only file systems ----

TEST_CASE("data directory disk full during ingest: 503 disk_full, nothing refused stored",
          "[damage][disk]") {
  if (!mounts_available()) return;
  DaemonStation s({}, false);
  Tmpfs data(s.daemon().data_dir(), "4m");
  s.start(true);
  auto ballots = make_ballots(s.open_cc(400));

  Filler filler(data.dir(), 48 * 1024);
  auto client = s.new_client();
  std::vector<std::size_t> accepted, refused;
  std::optional<ts::client::Response> first_refusal;
  std::size_t next = 0;
  for (; next < 300 && refused.size() < 3; ++next) {
    auto r = client->post("/v1/ballots", ballots[next].envelope);
    REQUIRE(r);
    if (r->status == 200) {
      ballots[next].receipt = r->body;
      accepted.push_back(next);
    } else {
      INFO(r->status << " " << r->body);
      REQUIRE(r->status == 503);
      if (!first_refusal) first_refusal = *r;
      refused.push_back(next);
    }
  }
  INFO(accepted.size() << " accepted before the disk was full, " << refused.size() << " refused");
  REQUIRE(first_refusal);
  CHECK(json_field(first_refusal->body, "error") == "storage_error");
  CHECK(json_field(first_refusal->body, "cause") == "disk_full");
  CHECK(ts::test::wait_until(
      [&] { return contains(s.daemon().error_output(), "stationd: storage error: disk full"); },
      5s));
  CHECK(ts::test::wait_until(
      [&] {
        for (const auto& line : ts::test::read_lines(s.daemon().log_file())) {
          if (contains(line, R"("cause":"disk_full")")) return true;
        }
        return false;
      },
      5s));

  filler.release();
  // Nothing refused was stored: the count is the accepted ballots.
  CHECK(s.ballots() == static_cast<std::int64_t>(accepted.size()));
  // The refused ballots (their tokens unspent) and new ones are accepted now.
  for (std::size_t i : refused) {
    auto r = client->post("/v1/ballots", ballots[i].envelope);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(s.receipt_matches(r->body, ballots[i].payload));
  }
  for (std::size_t i = next; i < next + 5; ++i) {
    auto r = client->post("/v1/ballots", ballots[i].envelope);
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  CHECK(s.ballots() == static_cast<std::int64_t>(accepted.size() + refused.size() + 5));
  std::size_t same = 0;
  for (std::size_t i : accepted) {
    auto r = client->post("/v1/ballots", ballots[i].envelope);
    if (r && r->status == 200 && r->body == ballots[i].receipt) ++same;
  }
  CHECK(same == accepted.size());
  CHECK(s.daemon().terminate() == 0);
}

TEST_CASE("mirror disk full during ingest: 503 disk_full naming the mirror, writes refused until "
          "restart, nothing acknowledged lost",
          "[damage][disk][mirror]") {
  if (!mounts_available()) return;
  TempDir scratch;
  const fs::path mirror = scratch.path() / "mirror";
  Tmpfs mirror_fs(mirror, "4m");
  DaemonStation s({"--mirror", mirror.string()});
  auto ballots = make_ballots(s.open_cc(400));

  Filler filler(mirror, 16 * 1024);
  auto client = s.new_client();
  std::vector<std::size_t> accepted;
  std::optional<std::size_t> refused;
  std::optional<ts::client::Response> refusal;
  std::size_t next = 0;
  for (; next < 300 && !refused; ++next) {
    auto r = client->post("/v1/ballots", ballots[next].envelope);
    REQUIRE(r);
    if (r->status == 200) {
      ballots[next].receipt = r->body;
      accepted.push_back(next);
    } else {
      refused = next;
      refusal = *r;
    }
  }
  INFO(accepted.size() << " accepted before the mirror was full");
  REQUIRE(refusal);
  INFO("the refusal: " << refusal->status << " " << refusal->body);
  CHECK(refusal->status == 503);
  CHECK(json_field(refusal->body, "error") == "storage_error");
  CHECK(json_field(refusal->body, "cause") == "disk_full");
  CHECK(contains(json_field(refusal->body, "message"), "mirror"));
  CHECK(ts::test::wait_until(
      [&] { return contains(s.daemon().error_output(), "stationd: storage error: disk full"); },
      5s));

  // Space again, but the copies differ: every write is refused until the restart.
  filler.release();
  const std::size_t later = next++;
  {
    auto r = client->post("/v1/ballots", ballots[later].envelope);
    REQUIRE(r);
    INFO(r->status << " " << r->body);
    CHECK(r->status == 503);
    CHECK(json_field(r->body, "error") == "storage_error");
  }

  REQUIRE(s.daemon().terminate() == 0);
  std::string failure;
  REQUIRE(try_start(s, &failure));
  client = s.new_client();  // the restarted station listens on another port
  {
    const std::string err = s.daemon().error_output();
    INFO("stderr of the restart: " << err);
    CHECK(contains(err, "stationd: store: the mirror"));
    CHECK(contains(err, "rebuilt from the database"));
  }
  // Every acknowledged ballot is there, and the one the mirror refused (in the database).
  CHECK(s.ballots() == static_cast<std::int64_t>(accepted.size() + 1));
  std::size_t same = 0;
  for (std::size_t i : accepted) {
    auto r = client->post("/v1/ballots", ballots[i].envelope);
    if (r && r->status == 200 && r->body == ballots[i].receipt) ++same;
  }
  CHECK(same == accepted.size());
  for (std::size_t i : {*refused, later}) {
    auto r = client->post("/v1/ballots", ballots[i].envelope);
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(s.receipt_matches(r->body, ballots[i].payload));
  }
  CHECK(s.ballots() == static_cast<std::int64_t>(accepted.size() + 2));
  // The rebuilt mirror agrees with the database at the next start.
  REQUIRE(s.daemon().terminate() == 0);
  REQUIRE(try_start(s, &failure));
  const std::string err = s.daemon().error_output();
  INFO("stderr of the second restart: " << err);
  CHECK_FALSE(contains(err, "disagree"));
  CHECK_FALSE(contains(err, "rebuilt"));
  CHECK_FALSE(contains(err, "from the mirror"));
  CHECK(s.ballots() == static_cast<std::int64_t>(accepted.size() + 2));
  CHECK(s.daemon().terminate() == 0);
}

TEST_CASE("read-only data directory or mirror at start: stationd exits naming read-only",
          "[damage][disk]") {
  if (!mounts_available()) return;
  const bool on_mirror = GENERATE(false, true);
  INFO((on_mirror ? "the mirror directory read-only" : "the data directory read-only"));
  TempDir scratch;
  const fs::path mirror = scratch.path() / "mirror";
  DaemonStation s({"--mirror", mirror.string()}, false);
  Tmpfs fs_(on_mirror ? mirror : s.daemon().data_dir(), "8m");
  s.start(true);
  auto ballots = make_ballots(s.open_cc(20));
  auto answers = post_all(s, ballots);
  for (const auto& a : answers) REQUIRE(a.status == 200);
  REQUIRE(s.daemon().terminate() == 0);

  fs_.remount(true);
  std::string failure;
  CHECK_FALSE(try_start(s, &failure));
  const std::string err = s.daemon().error_output();
  INFO("stderr: " << err);
  CHECK(s.daemon().start_exit_status().value_or(0) != 0);
  CHECK(contains(err, "read-only"));
  CHECK(contains(err, on_mirror ? "mirror directory" : "data directory"));
  if (s.daemon().running()) s.daemon().kill9();

  // Writable again: it starts with everything (the refusal changed nothing).
  fs_.remount(false);
  REQUIRE(try_start(s, &failure));
  CHECK(s.ballots() == 20);
  CHECK(s.daemon().terminate() == 0);
}

int main(int argc, char** argv) {
  // First, before any thread exists: unshare(CLONE_NEWNS) fails in a multithreaded process.
  g_private_mounts = enter_private_mount_namespace(g_mount_problem);
  return Catch::Session().run(argc, argv);
}
