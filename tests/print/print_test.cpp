// The printed documents (station/print/print.hpp) read back the way a person or an auditor reads
// them: pdftotext for the words (Vietnamese diacritics must survive as text), pdftoppm at 150 dpi
// and zbarimg for the QR codes, pdfinfo for the page count. The minutes are a real signed
// payload, counted from ballots by the station's minutes builder; the tools come from
// scripts/deps (poppler-utils, zbar-tools) and a missing one fails the test.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "crypto/dsse.hpp"
#include "crypto/merkle.hpp"
#include "station/app/messages.hpp"
#include "station/app/minutes.hpp"
#include "station/print/print.hpp"

using namespace tallystation;
using namespace tallystation::station;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "print-test.XXXXXX").string();
    REQUIRE(::mkdtemp(t.data()) != nullptr);
    path = t;
  }
  ~TempDir() { fs::remove_all(path); }
};

// Runs a shell command; its stdout, and a failed test if it did not exit 0.
std::string run(const std::string& command) {
  std::FILE* p = ::popen(command.c_str(), "r");
  REQUIRE(p != nullptr);
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  INFO(command);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return out;
}

fs::path write(const fs::path& dir, const std::string& name, const std::string& bytes) {
  const fs::path p = dir / name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

std::string pdf_text(const fs::path& pdf) {
  return run("pdftotext -layout '" + pdf.string() + "' -");
}

unsigned pdf_pages(const fs::path& pdf) {
  const std::string info = run("pdfinfo '" + pdf.string() + "'");
  const auto at = info.find("Pages:");
  REQUIRE(at != std::string::npos);
  return static_cast<unsigned>(std::stoul(info.substr(at + 6)));
}

// Every QR code on every page, as zbarimg decodes it from a 150 dpi rendering.
std::vector<std::vector<std::string>> qr_codes_by_page(const fs::path& pdf) {
  const fs::path prefix = pdf.parent_path() / (pdf.stem().string() + "-page");
  run("pdftoppm -png -r 150 '" + pdf.string() + "' '" + prefix.string() + "'");
  std::vector<fs::path> pngs;
  for (const auto& e : fs::directory_iterator(pdf.parent_path())) {
    const std::string name = e.path().filename().string();
    if (name.rfind(prefix.filename().string(), 0) == 0 && e.path().extension() == ".png") {
      pngs.push_back(e.path());
    }
  }
  std::sort(pngs.begin(), pngs.end());
  std::vector<std::vector<std::string>> out;
  for (const fs::path& png : pngs) {
    // zbarimg exits 4 when a page has no code at all: that is an answer here, not a failure.
    const std::string text = run("zbarimg --raw -q --nodbus -Sdisable -Sqrcode.enable '" +
                                 png.string() + "' || [ $? -eq 4 ]");
    std::vector<std::string> codes;
    std::size_t start = 0;
    for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (nl > start) codes.push_back(text.substr(start, nl - start));
    }
    out.push_back(std::move(codes));
  }
  return out;
}

ContestDef vietnamese_contest() {
  ContestDef c;
  c.id = "bch";
  c.title = "Ban Chấp hành Đảng bộ";
  c.seats = 2;
  c.candidates = {{"c01", "Nguyễn Thị Hồng"},
                  {"c02", "Trần Văn Bình"},
                  {"c03", "Lê Thị Mai"},
                  {"c04", "Phạm Quốc Dũng"}};
  c.rule_set = "cpv-2024";
  c.majority_basis = "convened";
  return c;
}

// 10 ballots of 11 convened: c01 7 votes, c02 6, c03 3, c04 0; one ballot crossing out every
// name and one keeping three names for two places, both invalid.
struct SignedMinutes {
  json::object payload;
  std::string root;
};

SignedMinutes signed_minutes(bool with_people) {
  static const ContestDef contest = vietnamese_contest();
  const std::vector<std::vector<std::string>> marks = {
      {"c01", "c02"},        {"c01", "c02"}, {"c01", "c02"},
      {"c01", "c02"},        {"c01", "c03"}, {"c01", "c03"},
      {"c01", "c02"},        {"c02", "c03"}, {},
      {"c01", "c02", "c03"},
  };
  std::vector<std::string> box;
  for (std::size_t i = 0; i < marks.size(); ++i) {
    box.push_back(make_ballot_payload("dh-2025", "bch", 1, "token" + std::to_string(i), marks[i]));
  }
  std::sort(box.begin(), box.end(), [](const std::string& a, const std::string& b) {
    return crypto::leaf_hash(a) < crypto::leaf_hash(b);
  });
  std::vector<crypto::Digest> leaves;
  for (const std::string& b : box) leaves.push_back(crypto::leaf_hash(b));
  MinutesFacts f;
  f.session_id = "dh-2025";
  f.config_hash = std::string(64, 'c');
  f.convened = 11;
  f.contest = &contest;
  f.round = 1;
  f.ballot = first_round_ballot(contest);
  f.present = 10;
  f.ballots_issued = 10;
  f.box_root = crypto::to_hex(crypto::merkle_root(leaves));
  f.audit_log_head = std::string(64, 'a');
  for (const Candidate& c : contest.candidates) f.before.known.push_back(c);
  if (with_people) {
    f.people.attendance =
        R"({"convened":11,"present":10,"absent":{"absent":1,"absent_throughout":0},"excluded":0,)"
        R"("quorum":{"base":11,"required":8,"held":true}})";
    f.people.composition =
        R"({"office":"committee","elected":2,"re_elected":{"count":1,"percent":"50.0"},)"
        R"("first_time":{"count":1,"percent":"50.0"},"women":{"count":1,"percent":"50.0"},)"
        R"("under_40":{"count":0,"percent":"0.0"},"ethnic_minority":{"count":0,"percent":"0.0"},)"
        R"("non_local":{"count":0,"percent":"0.0"},"mean_age":"47.5","directly_elected":false})";
  }
  const Minutes m = make_minutes(f, box);
  // Signed as the station signs it, and read back from the envelope as stationctl does.
  const crypto::SecretKey station = crypto::SecretKey::generate(crypto::KeyType::ed25519);
  const crypto::Envelope env =
      crypto::make_envelope(station, crypto::payload_type::kResult, m.payload);
  const auto parsed = crypto::parse_envelope(crypto::serialize(env));
  REQUIRE(parsed);
  return {json::parse(parsed->payload).as_object(), f.box_root};
}

print::MinutesInput minutes_input(bool with_people) {
  SignedMinutes s = signed_minutes(with_people);
  print::MinutesInput in;
  in.minutes = std::move(s.payload);
  in.certification =
      json::parse(
          R"({"certified":false,"required":2,"station_signed":true,)"
          R"("signed_by":[{"id":"m1","name":"Nguyễn Văn An","keyid":"00"}],"missing":["m2"]})")
          .as_object();
  in.session_title = "Đại hội Đảng bộ xã lần thứ XV";
  in.organisation = "Đảng Cộng sản Việt Nam";
  in.committee = {{"m1", "Nguyễn Văn An"}, {"m2", "Đỗ Thị Thu Hà"}};
  return in;
}

}  // namespace

TEST_CASE("the Vietnamese minutes read back with their names, numbers and box root as text",
          "[print]") {
  TempDir dir;
  const print::MinutesInput in = minutes_input(true);
  const std::string root(in.minutes.at("ballot_box").at("root").as_string());
  const print::Pdf pdf = print::minutes_pdf(in, tally::Language::vi, 1);
  const fs::path file = write(dir.path, "minutes.pdf", pdf.bytes);
  CHECK(pdf_pages(file) == pdf.pages);
  const std::string text = pdf_text(file);
  INFO(text);
  for (const char* s :
       {"BIÊN BẢN KIỂM PHIẾU", "Đại hội Đảng bộ xã lần thứ XV", "Ban Chấp hành Đảng bộ",
        "Nguyễn Thị Hồng", "Trần Văn Bình", "Lê Thị Mai", "Phạm Quốc Dũng", "Nguyễn Văn An",
        "Đỗ Thị Thu Hà", "trúng cử", "Số phiếu không hợp lệ", "Ban kiểm phiếu",
        "Đã bầu đủ số lượng", "Chưa xác nhận: 1 trên 2"}) {
    CHECK(text.find(s) != std::string::npos);
  }
  // The counts: basis 11 (convened), threshold 6, votes 7 and 6 (see signed_minutes).
  CHECK(in.minutes.at("basis").as_int64() == 11);
  CHECK(in.minutes.at("threshold").as_int64() == 6);
  const json::array& tally = in.minutes.at("tally").as_array();
  CHECK(tally.at(0).at("votes").as_int64() == 7);
  CHECK(tally.at(1).at("votes").as_int64() == 6);
  // The rows as pdftotext -layout lays them out: label and value; rank, id, name, votes and
  // percentage of the basis.
  const char* rows[] = {
      R"(Số làm cơ sở\s+11 *\n)",
      R"(Số phiếu cần đạt[^\n]*\s6 *\n)",
      R"(Số phiếu thu vào\s+10 *\n)",
      R"(Số phiếu không hợp lệ\s+2 *\n)",
      R"(1\s+c01\s+Nguyễn Thị Hồng\s+7\s+63\.64\s+trúng cử)",
      R"(2\s+c02\s+Trần Văn Bình\s+6\s+54\.55\s+trúng cử)",
      R"(3\s+c03\s+Lê Thị Mai\s+3\s+27\.27 *\n)",
  };
  for (const char* row : rows) {
    INFO(row);
    CHECK(std::regex_search(text, std::regex(row)));
  }
  CHECK(text.find(root) != std::string::npos);
  // The roll and the composition, present in these minutes.
  CHECK(text.find("Danh sách đại biểu") != std::string::npos);
  CHECK(text.find("Tuổi bình quân") != std::string::npos);
  CHECK(text.find("47.5") != std::string::npos);

  std::vector<std::string> codes;
  for (const auto& page : qr_codes_by_page(file))
    codes.insert(codes.end(), page.begin(), page.end());
  CHECK(codes == std::vector<std::string>{root});
}

TEST_CASE("the English minutes word the same payload and without a register print no roll",
          "[print]") {
  TempDir dir;
  const print::MinutesInput in = minutes_input(false);
  const fs::path file =
      write(dir.path, "en.pdf", print::minutes_pdf(in, tally::Language::en, 1).bytes);
  const std::string text = pdf_text(file);
  INFO(text);
  for (const char* s : {"MINUTES OF THE COUNT", "Threshold", "elected", "Every place is filled",
                        "Nguyễn Thị Hồng", "Đỗ Thị Thu Hà", "The counting committee"}) {
    CHECK(text.find(s) != std::string::npos);
  }
  CHECK(text.find("The roll") == std::string::npos);
  CHECK(text.find("Composition") == std::string::npos);
}

TEST_CASE("two copies give twice the pages, each copy numbered", "[print]") {
  TempDir dir;
  const print::MinutesInput in = minutes_input(true);
  const print::Pdf one = print::minutes_pdf(in, tally::Language::vi, 1);
  const print::Pdf two = print::minutes_pdf(in, tally::Language::vi, 2);
  CHECK(two.pages == 2 * one.pages);
  const fs::path file = write(dir.path, "two.pdf", two.bytes);
  CHECK(pdf_pages(file) == 2 * one.pages);
  const std::string text = pdf_text(file);
  CHECK(text.find("bản 1/2") != std::string::npos);
  CHECK(text.find("bản 2/2") != std::string::npos);
  const auto pages = qr_codes_by_page(file);
  std::size_t qr = 0;
  for (const auto& p : pages) qr += p.size();
  CHECK(qr == 2);
}

TEST_CASE("minutes that lack a member, or a copy count out of range, are refused", "[print]") {
  print::MinutesInput in = minutes_input(false);
  CHECK_THROWS_AS(print::minutes_pdf(in, tally::Language::vi, 0), print::PrintError);
  CHECK_THROWS_AS(print::minutes_pdf(in, tally::Language::vi, print::kMaxCopies + 1),
                  print::PrintError);
  const auto member = GENERATE(as<std::string>{}, "tally", "ballot_box", "next_step",
                               "invalid_by_reason", "threshold");
  in.minutes.erase(member);
  INFO(member);
  CHECK_THROWS_AS(print::minutes_pdf(in, tally::Language::en, 1), print::PrintError);
}

TEST_CASE("each slip carries its token as text and as a QR code, five to a page", "[print]") {
  TempDir dir;
  print::SlipsInput in;
  in.session_title = "Đại hội Đảng bộ xã lần thứ XV";
  in.contest_title = "Ban Chấp hành Đảng bộ";
  in.round = 2;
  for (int i = 0; i < 8; ++i) in.tokens.push_back(make_token());
  const print::Pdf pdf = print::slips_pdf(in, tally::Language::vi);
  CHECK(pdf.pages == 2);
  const fs::path file = write(dir.path, "slips.pdf", pdf.bytes);
  CHECK(pdf_pages(file) == 2);
  const std::string text = pdf_text(file);
  INFO(text);
  for (const std::string& t : in.tokens) CHECK(text.find(t) != std::string::npos);
  CHECK(text.find("MÃ PHIẾU BẦU") != std::string::npos);
  CHECK(text.find("Ban Chấp hành Đảng bộ · lần bầu 2") != std::string::npos);
  const auto pages = qr_codes_by_page(file);
  REQUIRE(pages.size() == 2);
  CHECK(pages[0].size() == print::kSlipsPerPage);
  CHECK(pages[1].size() == in.tokens.size() - print::kSlipsPerPage);
  std::set<std::string> decoded;
  for (const auto& p : pages) decoded.insert(p.begin(), p.end());
  CHECK(decoded == std::set<std::string>(in.tokens.begin(), in.tokens.end()));

  const std::string en =
      pdf_text(write(dir.path, "en.pdf", print::slips_pdf(in, tally::Language::en).bytes));
  CHECK(en.find("BALLOT TOKEN") != std::string::npos);
}

TEST_CASE("slips refuse no tokens and a token that is not one printable word", "[print]") {
  print::SlipsInput in;
  in.contest_title = "x";
  in.round = 1;
  CHECK_THROWS_AS(print::slips_pdf(in, tally::Language::vi), print::PrintError);
  const auto bad =
      GENERATE(as<std::string>{}, "", "two words", "tab\there", "nl\n", std::string(257, 'a'));
  in.tokens = {make_token(), bad};
  CHECK_THROWS_AS(print::slips_pdf(in, tally::Language::vi), print::PrintError);
}

TEST_CASE("a tally longer than a page runs on with its header row repeated", "[print]") {
  TempDir dir;
  ContestDef contest = vietnamese_contest();
  contest.candidates.clear();
  for (int i = 1; i <= 70; ++i) {
    const std::string n = (i < 10 ? "0" : "") + std::to_string(i);
    contest.candidates.push_back({"k" + n, "Nguyễn Văn Ứng Viên " + n});
  }
  MinutesFacts f;
  f.session_id = "dh-2025";
  f.config_hash = std::string(64, 'c');
  f.convened = 11;
  f.contest = &contest;
  f.ballot = first_round_ballot(contest);
  f.present = 11;
  f.ballots_issued = 1;
  f.box_root = std::string(64, 'b');
  f.audit_log_head = std::string(64, 'a');
  for (const Candidate& c : contest.candidates) f.before.known.push_back(c);
  const std::vector<std::string> box = {make_ballot_payload("dh-2025", "bch", 1, "t", {"k70"})};
  const Minutes m = make_minutes(f, box);
  print::MinutesInput in;
  in.minutes = json::parse(m.payload).as_object();
  in.committee = {{"m1", "Nguyễn Văn An"}};
  const print::Pdf pdf = print::minutes_pdf(in, tally::Language::vi, 1);
  CHECK(pdf.pages >= 3);
  const std::string text = pdf_text(write(dir.path, "long.pdf", pdf.bytes));
  for (const auto& c : contest.candidates) CHECK(text.find(c.name) != std::string::npos);
  // pdftotext separates pages with a form feed: the page where the table runs on starts with its
  // header row.
  const auto next_page = text.find('\f');
  REQUIRE(next_page != std::string::npos);
  CHECK(std::regex_search(text.substr(next_page, 200), std::regex(R"(^\f\s*TT\s+Mã\s+Họ và tên)")));
}
