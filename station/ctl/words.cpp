#include "station/ctl/words.hpp"

#include <array>
#include <boost/json.hpp>
#include <cstddef>

namespace tallystation::station::ctl {

namespace json = boost::json;

namespace {

struct Entry {
  Word word;
  std::string_view en;
  std::string_view vi;
};

// The English words are stationctl's as they have always been (scripts read them); the
// Vietnamese are the printed minutes' where the minutes have the term (biên bản kiểm phiếu, lần
// bầu, số phiếu cần đạt, trúng cử, dự khuyết, ...), so that the tables and the paper agree.
constexpr Entry kWords[] = {
    {Word::yes, "yes", "có"},
    {Word::no, "no", "không"},
    {Word::none, "none", "không có"},
    {Word::none_in_brackets, "(none)", "(không có)"},
    // status
    {Word::status_session,
     "{organisation}, congress of {kind}, convened {convened}, present {present}",
     "{organisation}, đại hội {kind}, triệu tập {convened}, có mặt {present}"},
    {Word::status_config_hash, "config_hash {hash}", "Tệp định nghĩa đại hội (SHA-256): {hash}"},
    {Word::status_command_log, "command log: {size} entries, last seq {seq}, head {head}",
     "Nhật ký lệnh: {size} mục, số thứ tự cuối {seq}, đầu nhật ký {head}"},
    {Word::col_terminal, "terminal", "máy bỏ phiếu"},
    {Word::col_state, "state", "trạng thái"},
    {Word::col_contest, "contest", "cuộc bầu cử"},
    {Word::col_round, "round", "lần bầu"},
    {Word::col_seats, "seats", "số cần bầu"},
    {Word::col_tokens, "tokens", "mã phiếu đã phát"},
    {Word::col_ballots, "ballots", "phiếu đã bỏ"},
    {Word::col_box_root, "box root", "mã gốc hòm phiếu"},
    {Word::col_minutes, "minutes", "biên bản"},
    {Word::col_title, "title", "tên cuộc bầu cử"},
    {Word::col_elected, "elected", "trúng cử"},
    {Word::not_started, "not started", "chưa bắt đầu"},
    {Word::certified, "certified", "đã xác nhận"},
    {Word::not_certified, "not certified", "chưa xác nhận"},
    // minutes
    {Word::minutes_title, "Minutes of the count: {title} (contest {contest}), round {round}",
     "Biên bản kiểm phiếu: {title} (cuộc bầu cử {contest}), lần bầu {round}"},
    {Word::minutes_session, "session {session}, rule set {rule_set}",
     "Đại hội {session}, quy chế áp dụng {rule_set}"},
    {Word::col_count, "count", "số lượng"},
    {Word::convened, "convened", "Tổng số đại biểu được triệu tập"},
    {Word::excluded, "excluded", "Số không tính vào cơ sở"},
    {Word::present, "present", "Số đại biểu có mặt"},
    {Word::ballots_issued, "ballots issued", "Số phiếu phát ra"},
    {Word::ballots_collected, "ballots collected", "Số phiếu thu vào"},
    {Word::valid, "valid", "Số phiếu hợp lệ"},
    {Word::invalid, "invalid", "Số phiếu không hợp lệ"},
    {Word::basis, "basis ({basis})", "Số làm cơ sở ({basis})"},
    {Word::threshold, "threshold (more than half)", "Số phiếu cần đạt (quá một nửa số làm cơ sở)"},
    {Word::seats, "seats", "Số lượng cần bầu"},
    {Word::col_rank, "#", "TT"},
    {Word::col_candidate, "candidate", "mã"},
    {Word::col_name, "name", "họ và tên"},
    {Word::col_votes, "votes", "số phiếu"},
    {Word::col_percent, "% of basis", "tỷ lệ % so với cơ sở"},
    {Word::mark_elected, "elected", "trúng cử"},
    {Word::mark_alternate, "alternate", "trúng cử dự khuyết"},
    {Word::outcome_said, "outcome: {code} - {sentence}", "Kết quả bầu cử: {sentence}"},
    {Word::outcome_code, "outcome: {code}", "Kết quả bầu cử: {code}"},
    {Word::elected, "elected: {ids}", "Trúng cử ở lần bầu này: {ids}"},
    {Word::elected_alternates, "elected alternates: {ids}",
     "Trúng cử dự khuyết ở lần bầu này: {ids}"},
    {Word::tied, "tied: {ids}", "Bằng phiếu: {ids}"},
    {Word::seats_unfilled, "seats unfilled: {n}", "Số lượng còn thiếu: {n}"},
    {Word::elected_so_far, "elected in the contest so far: {ids}",
     "Đã trúng cử trong cuộc bầu cử: {ids}"},
    {Word::next_step, "next step: {step}", "Bước tiếp theo: {step}"},
    {Word::next_round, " (round {round}, {seats} seat(s), may stand: {eligible})",
     " (lần bầu {round}, chọn {seats} người, danh sách bầu: {eligible})"},
    {Word::ballot_box, "ballot box: {size} ballots, root {root}",
     "Hòm phiếu điện tử: {size} phiếu, mã gốc {root}"},
    {Word::config_hash, "config_hash: {hash}", "Tệp định nghĩa đại hội (SHA-256): {hash}"},
    {Word::log_head, "command log head: {head}", "Đầu nhật ký lệnh trước khi kết thúc: {head}"},
    {Word::certification, "certification: {state}, {signed} of {required} required signatures",
     "Xác nhận: {state}, {signed} trên {required} chữ ký cần có"},
    {Word::certified_caps, "CERTIFIED", "ĐÃ XÁC NHẬN"},
    {Word::col_member, "member", "thành viên Ban kiểm phiếu"},
    {Word::col_signed, "signed", "đã ký"},
    {Word::signed_with_key, "signed with key {keyid}", "Đã ký bằng khóa {keyid}"},
    {Word::minutes_certified,
     "the minutes are CERTIFIED: {signed} of {required} required signatures",
     "Biên bản ĐÃ ĐƯỢC XÁC NHẬN: {signed} trên {required} chữ ký cần có"},
    {Word::minutes_not_certified, "not yet certified: {signed} of {required} required signatures",
     "Biên bản chưa được xác nhận: {signed} trên {required} chữ ký cần có"},
    // roll
    {Word::congress_of, "congress of {kind}, first day {date}",
     "Đại hội {kind}, ngày khai mạc {date}"},
    {Word::absent_as, "absent: {category}", "Vắng mặt: {category}"},
    {Word::excluded_from_basis, "excluded from the basis", "Số không tính vào cơ sở"},
    {Word::quorum_base, "quorum base", "Số làm cơ sở tính số có mặt"},
    {Word::quorum_required, "quorum required", "Số đại biểu cần có mặt"},
    {Word::quorum_held, "quorum: held ({present} present, {required} required)",
     "Đủ số đại biểu cần có mặt ({present} có mặt, cần {required})"},
    {Word::quorum_not_held, "quorum: NOT held ({present} present, {required} required)",
     "KHÔNG đủ số đại biểu cần có mặt ({present} có mặt, cần {required})"},
    {Word::not_yet_recorded, "not yet recorded: {n} on the roll",
     "Chưa ghi nhận: {n} người trong danh sách"},
    {Word::col_person, "person", "mã"},
    {Word::col_presence, "presence", "có mặt/vắng mặt"},
    {Word::col_category, "category", "lý do vắng mặt"},
    {Word::col_alternate_in_place, "alternate in place", "đại biểu dự khuyết thay thế"},
    // eligibility
    {Word::contest_office, "contest {contest} ({office})", "Cuộc bầu cử {contest} ({office})"},
    {Word::no_eligibility_rule, ": no eligibility rule", ": không áp dụng quy định về tuổi"},
    {Word::first_day, ", first day {date}", ", ngày khai mạc {date}"},
    {Word::col_rule, "rule", "quy định"},
    {Word::col_age, "age", "tuổi"},
    {Word::col_limit, "limit", "tuổi tối đa"},
    {Word::col_standing, "standing", "ứng cử"},
    {Word::col_eligible, "eligible", "đủ điều kiện"},
    {Word::re_election, "re-election", "tái cử"},
    {Word::first_time, "first time", "lần đầu"},
    {Word::not_eligible, "NO", "KHÔNG"},
    {Word::eligible, "yes", "có"},
    {Word::eligible_by_exception, "yes, by exception", "có, theo ngoại lệ được chấp thuận"},
    {Word::over_the_limit, "over the limit:", "Quá tuổi:"},
    // The station's `reason` (tally/congress/people.cpp, Eligibility::reason) for one over the
    // limit, member by member.
    {Word::over_re_election_limit,
     "aged {age} on {date}, over the re-election limit of {limit} ({rule})",
     "{age} tuổi vào ngày {date}, quá tuổi tối đa khi tái cử là {limit} ({rule})"},
    {Word::over_first_time_limit,
     "aged {age} on {date}, over the first-time limit of {limit} ({rule})",
     "{age} tuổi vào ngày {date}, quá tuổi tối đa khi tham gia lần đầu là {limit} ({rule})"},
    {Word::exception_approved, "; exception approved by {body}, decision {decision} of {date}",
     "; ngoại lệ được {body} chấp thuận, quyết định số {decision} ngày {date}"},
    // composition
    {Word::no_one_elected_in, "contest {contest}: no one elected yet",
     "Cuộc bầu cử {contest}: chưa có người trúng cử"},
    {Word::no_one_elected, "no one elected yet in any contest",
     "Chưa có người trúng cử trong cuộc bầu cử nào"},
    {Word::composition_complete, "contest {contest} ({office}): {elected} elected, complete",
     "Cuộc bầu cử {contest} ({office}): {elected} người trúng cử, đã bầu xong"},
    {Word::composition_so_far,
     "contest {contest} ({office}): {elected} elected, so far (not complete)",
     "Cuộc bầu cử {contest} ({office}): {elected} người trúng cử đến nay (chưa bầu xong)"},
    {Word::col_percent_share, "percent", "tỷ lệ"},
    {Word::elected_count, "elected", "Số người trúng cử"},
    {Word::share_re_elected, "re-elected", "Tái cử"},
    {Word::share_first_time, "first time", "Tham gia lần đầu"},
    {Word::share_women, "women", "Nữ"},
    {Word::share_under_40, "under 40", "Dưới 40 tuổi"},
    {Word::share_ethnic_minority, "ethnic minorities", "Dân tộc thiểu số"},
    {Word::share_non_local, "non-local", "Không phải người địa phương"},
    {Word::mean_age, "mean age: {age}", "Tuổi bình quân: {age}"},
    {Word::directly_elected, "directly elected by the congress: {yes_no}",
     "Bí thư do đại hội bầu trực tiếp: {yes_no}"},
    {Word::plan_planned, "personnel plan: {n} planned", "Đề án nhân sự: {n} người"},
    {Word::plan_not_elected, "  planned, not elected: {n} ({percent}% of the plan): {ids}",
     "  Trong đề án nhưng không trúng cử: {n} ({percent}% so với đề án): {ids}"},
    {Word::plan_outside, "  elected outside the plan: {n} ({percent}% of the elected): {ids}",
     "  Trúng cử ngoài đề án: {n} ({percent}% so với số người trúng cử): {ids}"},
    {Word::plan_none, "personnel plan: none in the session", "Đề án nhân sự: không có"},
};

// Each entry sits at its word's index, so that a lookup is an index and a missing or misplaced
// translation fails the build.
constexpr bool in_order() {
  for (std::size_t i = 0; i < std::size(kWords); ++i) {
    if (static_cast<std::size_t>(kWords[i].word) != i) return false;
  }
  return std::size(kWords) == static_cast<std::size_t>(Word::count_);
}
static_assert(in_order(), "kWords must list every Word once, in the enum's order");

struct CodeWords {
  Code kind;
  std::string_view code;
  std::string_view vi;
};

constexpr CodeWords kCodes[] = {
    {Code::congress_kind, "delegates", "đại biểu"},
    {Code::congress_kind, "members", "đảng viên"},
    {Code::terminal_state, "known", "đã khai báo"},
    {Code::terminal_state, "enrolled", "đã đăng ký"},
    {Code::terminal_state, "revoked", "đã thu hồi"},
    {Code::round_state, "pending", "chưa mở"},
    {Code::round_state, "open", "đang bỏ phiếu"},
    {Code::round_state, "closed", "đã đóng"},
    // tally/congress/congress.cpp, ContestState::state.
    {Code::contest_state, "voting", "đang bầu"},
    {Code::contest_state, "complete", "đã bầu đủ"},
    {Code::contest_state, "tie", "bằng phiếu"},
    {Code::contest_state, "unfilled", "chưa bầu đủ"},
    {Code::contest_state, "exhausted", "hết số lần bầu"},
    {Code::contest_state, "concluded", "đại hội quyết định không bầu tiếp"},
    {Code::outcome, "complete", "đã bầu đủ"},
    {Code::outcome, "tie", "bằng phiếu"},
    {Code::outcome, "unfilled", "chưa bầu đủ"},
    {Code::outcome, "exhausted", "hết số lần bầu"},
    // As the printed minutes word the next step (station/print/labels.cpp).
    {Code::next_step, "none", "không bầu tiếp: đã bầu đủ số lượng"},
    {Code::next_step, "runoff", "bầu lại trong số những người bằng phiếu"},
    {Code::next_step, "further_round",
     "đại hội quyết định có bầu tiếp trong số những người chưa trúng cử hay không"},
    {Code::next_step, "appointment", "cấp ủy cấp trên trực tiếp chỉ định"},
    {Code::next_step, "closed", "không bầu tiếp"},
    {Code::presence, "present", "có mặt"},
    {Code::presence, "absent", "vắng mặt"},
    {Code::presence, "unrecorded", "chưa ghi nhận"},
    // docs/congress.md "The roll's figures"; as the printed minutes word them.
    {Code::absence, "absent", "vắng mặt"},
    {Code::absence, "absent_throughout", "vắng mặt suốt thời gian đại hội"},
    {Code::absence, "temporary_transfer", "chuyển sinh hoạt tạm thời"},
    {Code::absence, "exempted", "được miễn công tác và sinh hoạt đảng"},
    {Code::absence, "suspended_or_prosecuted", "bị đình chỉ sinh hoạt hoặc bị truy tố"},
    {Code::absence, "absent_with_accepted_reason", "vắng mặt có lý do được chấp nhận"},
    {Code::basis, "convened", "tổng số đại biểu được triệu tập, trừ số không tính"},
    {Code::basis, "present", "số đại biểu có mặt"},
    {Code::basis, "ballots_collected", "số phiếu thu vào"},
    {Code::basis, "valid_ballots", "số phiếu hợp lệ"},
    // docs/session.md "Members", a contest's `office`.
    {Code::office, "committee", "ban chấp hành"},
    {Code::office, "standing_committee", "ban thường vụ"},
    {Code::office, "secretary", "bí thư"},
    {Code::office, "deputy_secretary", "phó bí thư"},
    {Code::office, "inspection_committee", "ủy ban kiểm tra"},
    {Code::office, "delegates", "đại biểu dự đại hội cấp trên"},
    {Code::office, "other", "khác"},
};

}  // namespace

std::string_view word(Word w, tally::Language language) {
  const Entry& e = kWords[static_cast<std::size_t>(w)];
  return language == tally::Language::vi ? e.vi : e.en;
}

std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string_view, std::string>>& values) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t open = text.find('{', at);
    const std::size_t close = open == std::string_view::npos ? open : text.find('}', open);
    if (close == std::string_view::npos) break;
    out.append(text.substr(at, open - at));
    const std::string_view name = text.substr(open + 1, close - open - 1);
    const std::string* value = nullptr;
    for (const auto& [n, v] : values) {
      if (n == name) value = &v;
    }
    if (value != nullptr) {
      out += *value;
    } else {
      out.append(text.substr(open, close - open + 1));
    }
    at = close + 1;
  }
  if (at < text.size()) out.append(text.substr(at));
  return out;
}

std::string code_words(Code kind, std::string_view code, tally::Language language) {
  if (language == tally::Language::vi) {
    for (const CodeWords& c : kCodes) {
      if (c.kind == kind && c.code == code) return std::string(c.vi);
    }
  }
  return std::string(code);
}

std::string text(const json::value* v, tally::Language language) {
  if (v == nullptr || v->is_null()) return "-";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_bool()) return std::string(word(v->get_bool() ? Word::yes : Word::no, language));
  if (v->is_array()) {
    std::string out;
    for (const json::value& e : v->get_array()) {
      out += (out.empty() ? "" : ", ") + text(&e, language);
    }
    return out.empty() ? std::string(word(Word::none_in_brackets, language)) : out;
  }
  return json::serialize(*v);
}

std::string text(const json::object& o, std::string_view key, tally::Language language) {
  return text(o.if_contains(key), language);
}

}  // namespace tallystation::station::ctl
