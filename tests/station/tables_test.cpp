// stationctl's tables and reports (station/ctl/tables.hpp) in English and Vietnamese, from the
// JSON the station serves. The English texts below are what stationctl printed before it spoke
// Vietnamese (scripts read them), so they must not change by a byte.
#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "station/ctl/tables.hpp"
#include "tables_fixtures.hpp"

namespace json = boost::json;
namespace ctl = tallystation::station::ctl;
namespace fx = tallystation::testing::tables;
using tallystation::tally::Language;

namespace {

json::object parsed(std::string_view text) {
  return json::parse(text).as_object();
}

bool has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// The English before this change: status, minutes with certification, countersign's summary,
// roll, eligibility, composition (every contest), composition of a contest with no one elected.
const std::vector<std::string> kEnglish = {
    // status
    R"txt(Đại hội Đảng bộ xã An Phú (dh-2026)
Đảng bộ xã An Phú, congress of delegates, convened 120, present 117
config_hash c0ffee

terminal  state
--------  --------
t1        enrolled
t2        revoked
t3        known

contest  round  state        seats  tokens  ballots  box root           minutes
-------  -----  -----------  -----  ------  -------  -----------------  ------------------------
ec       1      closed           3     117      117  0123456789abcdef…  tie, not certified (1/2)
ec       2      open             2     117       40  -                  -
sec      -      not started      1       0        0  -                  -

contest  title          seats  state   elected
-------  -------------  -----  ------  -------
ec       Ban Chấp hành      3  tie     a
sec      Bí thư             1  voting  (none)

command log: 9 entries, last seq 9, head beef
)txt",
    // minutes
    R"txt(Minutes of the count: Ban Chấp hành (contest ec), round 1
session dh-2026, rule set cpv-2024

                            count
--------------------------  -----
convened                      120
excluded                        2
present                       117
ballots issued                117
ballots collected             117
valid                         115
invalid                         2
basis (convened)              118
threshold (more than half)     60
seats                           3

#  candidate  name  votes  % of basis
-  ---------  ----  -----  ----------  -------
1  a          Anh     100       84.75  elected
2  b          Bảo      70       59.32
3  c          Chi      70       59.32
4  d          Dũng     10        8.47

outcome: tie - A tie at the last seat: a run-off among the 2 tied candidates for 2 seats
elected: a
tied: b, c
seats unfilled: 2
elected in the contest so far: a
next step: runoff (round 2, 2 seat(s), may stand: b, c)
ballot box: 117 ballots, root 0123456789abcdef0123
config_hash: c0ffee
command log head: beef

certification: CERTIFIED, 1 of 1 required signatures
member  name         signed
------  -----------  ------
m1      Lê Văn Minh  yes
m2                   no
)txt",
    // countersigned
    R"txt(Minutes of the count: Ban Chấp hành (contest ec), round 1
session dh-2026, rule set cpv-2024

                            count
--------------------------  -----
convened                      120
excluded                        2
present                       117
ballots issued                117
ballots collected             117
valid                         115
invalid                         2
basis (convened)              118
threshold (more than half)     60
seats                           3

#  candidate  name  votes  % of basis
-  ---------  ----  -----  ----------  -------
1  a          Anh     100       84.75  elected
2  b          Bảo      70       59.32
3  c          Chi      70       59.32
4  d          Dũng     10        8.47

outcome: tie - A tie at the last seat: a run-off among the 2 tied candidates for 2 seats
elected: a
tied: b, c
seats unfilled: 2
elected in the contest so far: a
next step: runoff (round 2, 2 seat(s), may stand: b, c)
ballot box: 117 ballots, root 0123456789abcdef0123
config_hash: c0ffee
command log head: beef

signed with key k1
the minutes are CERTIFIED: 1 of 1 required signatures)txt",
    // roll
    R"txt(congress of members, first day 2026-04-15
                                     count
-----------------------------------  -----
convened                                 5
present                                  3
absent: absent                           0
absent: temporary_transfer               1
absent: exempted                         0
absent: suspended_or_prosecuted          0
absent: absent_with_accepted_reason      0
excluded from the basis                  1
quorum base                              4
quorum required                          3
quorum: held (3 present, 3 required)
not yet recorded: 1 on the roll

#  person  name           presence    category            alternate in place
-  ------  -------------  ----------  ------------------  ------------------
1  dv01    Hoàng Văn Pác  present     -                   -
2  dv02    Lò Thị Mai     present     -                   -
3  dv03    Vi Văn Sơn     present     -                   -
4  dv04    Nông Thị Hoa   absent      temporary_transfer  -
5  dv05    Đinh Văn Tú    unrecorded  -                   -
)txt",
    // eligibility
    R"txt(contest sec (secretary), first day 2026-04-15
candidate  name           rule                 age  limit  standing     eligible
---------  -------------  -------------------  ---  -----  -----------  -----------------
dv01       Hoàng Văn Pác  cell-secretary-2024   68     60  re-election  yes, by exception
dv02       Lò Thị Mai     cell-secretary-2024   41     55  first time   yes
dv03       Vi Văn Sơn     cell-secretary-2024   58     55  first time   NO
over the limit:
  dv01: aged 68 on 2026-04-15, over the re-election limit of 60 (cell-secretary-2024); exception approved by district standing committee, decision 342-QĐ/HU of 2026-03-20
  dv03: aged 58 on 2026-04-15, over the first-time limit of 55 (cell-secretary-2024)

contest dep (deputy_secretary): no eligibility rule
)txt",
    // composition
    R"txt(contest sec (secretary): 1 elected, complete
                   count  percent
-----------------  -----  -------
elected                1   100.0%
re-elected             1   100.0%
first time             0     0.0%
women                  0     0.0%
under 40               0     0.0%
ethnic minorities      1   100.0%
non-local              0     0.0%
mean age: 68.0
directly elected by the congress: yes
personnel plan: 1 planned
  planned, not elected: 1 (100.0% of the plan): dv02 Lò Thị Mai
  elected outside the plan: 1 (100.0% of the elected): dv01 Hoàng Văn Pác
)txt",
    // composition dep
    R"txt(contest dep: no one elected yet
)txt",
};

std::vector<std::string> english_now() {
  const json::object status = parsed(fx::kStatus);
  const json::object minutes = parsed(fx::kMinutes);
  const json::object cert = parsed(fx::kCertification);
  const json::object people = parsed(fx::kPeople);
  return {ctl::render_status(status, Language::en),
          ctl::render_minutes(minutes, cert, Language::en),
          ctl::render_countersigned(minutes, "k1", cert, Language::en),
          ctl::render_roll(people, false, Language::en),
          ctl::render_eligibility(people, "", Language::en),
          ctl::render_composition(people, "", Language::en),
          ctl::render_composition(people, "dep", Language::en)};
}

}  // namespace

TEST_CASE("stationctl's English tables and reports are as they were, byte for byte", "[tables]") {
  const std::vector<std::string> now = english_now();
  REQUIRE(now.size() == kEnglish.size());
  for (std::size_t i = 0; i < now.size(); ++i) {
    CAPTURE(i);
    CHECK(now[i] == kEnglish[i]);
  }
}

TEST_CASE("the status in Vietnamese words its headers and the station's states", "[tables]") {
  const std::string vi = ctl::render_status(parsed(fx::kStatus), Language::vi);
  CHECK(has(vi, "Đảng bộ xã An Phú, đại hội đại biểu, triệu tập 120, có mặt 117\n"));
  CHECK(has(vi, "máy bỏ phiếu  trạng thái\n"));
  CHECK(has(vi, "t1            đã đăng ký\n"));
  CHECK(has(vi, "t2            đã thu hồi\n"));
  CHECK(has(vi, "cuộc bầu cử  lần bầu  trạng thái"));
  CHECK(has(vi, "ec           1        đã đóng"));
  CHECK(has(vi, "bằng phiếu, chưa xác nhận (1/2)"));
  CHECK(has(vi, "sec          -        chưa bắt đầu"));
  CHECK(has(vi, "Bí thư                    1  đang bầu    (không có)"));
  CHECK(has(vi, "Nhật ký lệnh: 9 mục, số thứ tự cuối 9, đầu nhật ký beef\n"));
  CHECK_FALSE(has(vi, "not started"));
  CHECK_FALSE(has(vi, "command log"));
}

TEST_CASE("the minutes in Vietnamese use the printed minutes' terms and keep every number",
          "[tables]") {
  const std::string vi =
      ctl::render_minutes(parsed(fx::kMinutes), parsed(fx::kCertification), Language::vi);
  INFO(vi);
  CHECK(has(vi, "Biên bản kiểm phiếu: Ban Chấp hành (cuộc bầu cử ec), lần bầu 1\n"));
  CHECK(has(vi, "Đại hội dh-2026, quy chế áp dụng cpv-2024\n"));
  // Padded by code points: the numbers stay right-aligned under "số lượng".
  CHECK(has(vi, "\nTổng số đại biểu được triệu tập                                         120\n"));
  CHECK(has(vi, "\nSố đại biểu có mặt                                                      117\n"));
  CHECK(has(vi, "\nSố phiếu hợp lệ                                                         115\n"));
  CHECK(has(vi, "\nSố làm cơ sở (tổng số đại biểu được triệu tập, trừ số không tính)       118\n"));
  CHECK(has(vi, "Số phiếu cần đạt (quá một nửa số làm cơ sở)"));
  CHECK(has(vi, "TT  mã  họ và tên  số phiếu  tỷ lệ % so với cơ sở"));
  CHECK(has(vi, "\n 1  a   Anh             100                 84.75  trúng cử\n"));
  CHECK(has(vi, "Kết quả bầu cử: Có số phiếu bằng nhau ở vị trí cuối"));
  CHECK(has(vi, "Trúng cử ở lần bầu này: a\n"));
  CHECK(has(vi, "Bằng phiếu: b, c\n"));
  CHECK(has(vi, "Số lượng còn thiếu: 2\n"));
  CHECK(has(vi,
            "Bước tiếp theo: bầu lại trong số những người bằng phiếu (lần bầu 2, chọn 2 "
            "người, danh sách bầu: b, c)\n"));
  CHECK(has(vi, "Hòm phiếu điện tử: 117 phiếu, mã gốc 0123456789abcdef0123\n"));
  CHECK(has(vi, "Xác nhận: ĐÃ XÁC NHẬN, 1 trên 1 chữ ký cần có\n"));
  CHECK(has(vi, "thành viên Ban kiểm phiếu  họ và tên    đã ký\n"));
  CHECK(has(vi, "\nm2                                      không\n"));
  for (std::string_view english : {"outcome", "elected", "ballot box", "certification", "seats"}) {
    CAPTURE(english);
    CHECK_FALSE(has(vi, english));
  }
}

TEST_CASE("an outcome code this build does not know is shown as it is, in either language",
          "[tables]") {
  json::object m = parsed(fx::kMinutes);
  m["outcome"] = "postponed";
  CHECK(has(ctl::render_minutes(m, {}, Language::en), "\noutcome: postponed\n"));
  CHECK(has(ctl::render_minutes(m, {}, Language::vi), "\nKết quả bầu cử: postponed\n"));
  json::object status = parsed(fx::kStatus);
  status["terminals"].as_array().at(0).as_object()["state"] = "sleeping";
  CHECK(has(ctl::render_status(status, Language::vi), "t1            sleeping\n"));
}

TEST_CASE("countersign's summary in Vietnamese", "[tables]") {
  const std::string vi = ctl::render_countersigned(parsed(fx::kMinutes), "k1",
                                                   parsed(fx::kCertification), Language::vi);
  CHECK(has(vi, "Biên bản kiểm phiếu: Ban Chấp hành"));
  CHECK(has(vi, "\nĐã ký bằng khóa k1\nBiên bản ĐÃ ĐƯỢC XÁC NHẬN: 1 trên 1 chữ ký cần có"));
  // Without the station's certification in the answer: the key line ends it.
  const std::string none = ctl::render_countersigned(parsed(fx::kMinutes), "k1", {}, Language::vi);
  CHECK(none.ends_with("\nĐã ký bằng khóa k1"));
}

TEST_CASE("the roll, eligibility and composition in Vietnamese", "[tables]") {
  const json::object people = parsed(fx::kPeople);
  const std::string roll = ctl::render_roll(people, false, Language::vi);
  INFO(roll);
  CHECK(has(roll, "Đại hội đảng viên, ngày khai mạc 2026-04-15\n"));
  CHECK(has(roll, "Tổng số đại biểu được triệu tập"));
  CHECK(has(roll, "Vắng mặt: chuyển sinh hoạt tạm thời"));
  CHECK(has(roll, "Số làm cơ sở tính số có mặt"));
  CHECK(has(roll, "Đủ số đại biểu cần có mặt (3 có mặt, cần 3)\n"));
  CHECK(has(roll, "Chưa ghi nhận: 1 người trong danh sách\n"));
  CHECK(has(roll, "Nông Thị Hoa   vắng mặt         chuyển sinh hoạt tạm thời"));
  CHECK(has(roll, "Đinh Văn Tú    chưa ghi nhận"));
  CHECK_FALSE(has(ctl::render_roll(people, true, Language::vi), "dv01"));

  const std::string elig = ctl::render_eligibility(people, "", Language::vi);
  INFO(elig);
  CHECK(has(elig, "Cuộc bầu cử sec (bí thư), ngày khai mạc 2026-04-15\n"));
  CHECK(has(elig, "tái cử   có, theo ngoại lệ được chấp thuận\n"));
  CHECK(has(elig, "lần đầu  KHÔNG\n"));
  CHECK(has(elig,
            "Quá tuổi:\n  dv01: 68 tuổi vào ngày 2026-04-15, quá tuổi tối đa khi tái cử là "
            "60 (cell-secretary-2024); ngoại lệ được district standing committee chấp "
            "thuận, quyết định số 342-QĐ/HU ngày 2026-03-20\n"));
  CHECK(has(elig, "Cuộc bầu cử dep (phó bí thư): không áp dụng quy định về tuổi\n"));

  const std::string comp = ctl::render_composition(people, "", Language::vi);
  INFO(comp);
  CHECK(has(comp, "Cuộc bầu cử sec (bí thư): 1 người trúng cử, đã bầu xong\n"));
  CHECK(has(comp, "\nSố người trúng cử                   1  100.0%\n"));
  CHECK(has(comp, "\nDân tộc thiểu số                    1  100.0%\n"));
  CHECK(has(comp, "\nNữ                                  0    0.0%\n"));
  CHECK(has(comp, "Tuổi bình quân: 68.0\n"));
  CHECK(has(comp, "Bí thư do đại hội bầu trực tiếp: có\n"));
  CHECK(has(comp, "Trúng cử ngoài đề án: 1 (100.0% so với số người trúng cử): dv01 Hoàng Văn Pác"));
  CHECK(ctl::render_composition(people, "dep", Language::vi) ==
        "Cuộc bầu cử dep: chưa có người trúng cử\n");
}

TEST_CASE("the session's language comes from the status, English when it says none", "[tables]") {
  json::object status = parsed(fx::kStatus);
  CHECK(ctl::session_language(status) == Language::en);
  status["session"].as_object()["language"] = "vi";
  CHECK(ctl::session_language(status) == Language::vi);
  status["session"].as_object()["language"] = "en";
  CHECK(ctl::session_language(status) == Language::en);
  status["session"].as_object()["language"] = "fr";
  CHECK(ctl::session_language(status) == Language::en);
  status["session"].as_object()["language"] = 1;
  CHECK(ctl::session_language(status) == Language::en);
  CHECK(ctl::session_language(json::object{}) == Language::en);
}
