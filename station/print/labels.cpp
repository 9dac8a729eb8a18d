#include "station/print/labels.hpp"

#include <array>
#include <cstddef>

namespace tallystation::station::print {

namespace {

struct Entry {
  Label label;
  std::string_view en;
  std::string_view vi;
};

// The terms of the Party's election regulations where they have one (biên bản kiểm phiếu, phiếu
// hợp lệ, trúng cử, dự khuyết, ban kiểm phiếu).
constexpr Entry kLabels[] = {
    {Label::minutes_title, "MINUTES OF THE COUNT", "BIÊN BẢN KIỂM PHIẾU"},
    {Label::session, "Session", "Đại hội"},
    {Label::contest, "Contest", "Cuộc bầu cử"},
    {Label::round, "Round", "Lần bầu"},
    {Label::title, "Title", "Tên cuộc bầu cử"},
    {Label::rule_set, "Rule set", "Quy chế áp dụng"},
    {Label::majority_basis, "Majority basis", "Cơ sở tính quá một nửa"},
    {Label::basis, "Basis", "Số làm cơ sở"},
    {Label::threshold, "Threshold (more than half of the basis)",
     "Số phiếu cần đạt (quá một nửa số làm cơ sở)"},
    {Label::seats, "Places to fill", "Số lượng cần bầu"},
    {Label::alternates, "Alternate places to fill", "Số lượng dự khuyết cần bầu"},
    {Label::counts, "Attendance and ballots", "Đại biểu và phiếu bầu"},
    {Label::convened, "Convened", "Tổng số đại biểu được triệu tập"},
    {Label::excluded, "Excluded from the basis", "Số không tính vào cơ sở"},
    {Label::present, "Present", "Số đại biểu có mặt"},
    {Label::not_recorded, "not recorded", "chưa ghi nhận"},
    {Label::ballots_issued, "Ballots issued", "Số phiếu phát ra"},
    {Label::ballots_collected, "Ballots collected", "Số phiếu thu vào"},
    {Label::valid, "Valid ballots", "Số phiếu hợp lệ"},
    {Label::invalid, "Invalid ballots", "Số phiếu không hợp lệ"},
    {Label::invalid_too_many_marks, "of which: more names kept than places",
     "trong đó: để lại quá số lượng cần bầu"},
    {Label::invalid_unknown_candidate, "of which: a name not on the list",
     "trong đó: ghi tên người ngoài danh sách"},
    {Label::invalid_all_crossed_out, "of which: every name crossed out", "trong đó: gạch hết tên"},
    {Label::tally, "Votes", "Kết quả kiểm phiếu"},
    {Label::col_rank, "#", "TT"},
    {Label::col_candidate, "Candidate", "Mã"},
    {Label::col_name, "Name", "Họ và tên"},
    {Label::col_votes, "Votes", "Số phiếu"},
    {Label::col_percent, "% of basis", "Tỷ lệ % so với cơ sở"},
    {Label::col_result, "Result", "Kết quả"},
    {Label::mark_elected, "elected", "trúng cử"},
    {Label::mark_alternate, "elected alternate", "trúng cử dự khuyết"},
    {Label::mark_tied, "tied", "bằng phiếu"},
    {Label::outcome, "Outcome", "Kết quả bầu cử"},
    {Label::next_step, "Next step", "Bước tiếp theo"},
    {Label::elected, "Elected in this round", "Trúng cử ở lần bầu này"},
    {Label::elected_alternates, "Elected alternates in this round",
     "Trúng cử dự khuyết ở lần bầu này"},
    {Label::elected_so_far, "Elected in the contest so far", "Đã trúng cử trong cuộc bầu cử"},
    {Label::elected_alternates_so_far, "Alternates elected in the contest so far",
     "Đã trúng cử dự khuyết trong cuộc bầu cử"},
    {Label::nobody, "nobody", "không có"},
    {Label::step_none, "Nothing follows: every place is filled",
     "Không bầu tiếp: đã bầu đủ số lượng"},
    {Label::step_runoff, "A run-off, round {round}, for {seats} place(s) among the tied",
     "Bầu lại (lần {round}) để chọn {seats} người trong số những người bằng phiếu"},
    {Label::step_further_round,
     "The congress decides whether to hold round {round} for {seats} place(s) among those not "
     "yet elected",
     "Đại hội quyết định có bầu lần {round} để chọn {seats} người trong số những người chưa "
     "trúng cử hay không"},
    {Label::new_nominations, "new nominations may be added", "có thể giới thiệu thêm người"},
    {Label::step_appointment, "Appointment by the directly higher Party committee",
     "Cấp ủy cấp trên trực tiếp chỉ định"},
    {Label::step_closed, "No further round", "Không bầu tiếp"},
    {Label::among, "May stand", "Danh sách bầu"},
    {Label::ballot_box, "Ballot box", "Hòm phiếu điện tử"},
    {Label::box_size, "Ballots in the box", "Số phiếu trong hòm"},
    {Label::box_root, "Root of the ballot box (RFC 6962)", "Mã gốc của hòm phiếu (RFC 6962)"},
    {Label::box_qr, "QR code: the root of the ballot box", "Mã QR: mã gốc của hòm phiếu"},
    {Label::config_hash, "Session definition (SHA-256)", "Tệp định nghĩa đại hội (SHA-256)"},
    {Label::log_head, "Command log head before the close", "Đầu nhật ký lệnh trước khi kết thúc"},
    {Label::tokens_root, "Issued tokens (root)", "Mã phiếu đã phát (mã gốc)"},
    {Label::certification, "Certification", "Xác nhận"},
    {Label::certified, "Certified: {signed} of {required} required signatures",
     "Đã xác nhận: {signed} trên {required} chữ ký cần có"},
    {Label::not_certified, "Not yet certified: {signed} of {required} required signatures",
     "Chưa xác nhận: {signed} trên {required} chữ ký cần có"},
    {Label::station_signed, "Signed by the station's key", "Đã ký bằng khóa của trạm kiểm phiếu"},
    {Label::station_not_signed, "NOT signed by the station's key",
     "KHÔNG có chữ ký của trạm kiểm phiếu"},
    {Label::signed_by, "Signed electronically by", "Đã ký điện tử"},
    {Label::committee, "The counting committee", "Ban kiểm phiếu"},
    {Label::signature_hint, "signature", "ký, ghi rõ họ tên"},
    {Label::roll, "The roll", "Danh sách đại biểu"},
    {Label::absent_prefix, "Absent", "Vắng mặt"},
    {Label::quorum_base, "Quorum: base", "Số làm cơ sở tính số có mặt"},
    {Label::quorum_required, "Quorum: required present", "Số đại biểu cần có mặt"},
    {Label::quorum_held, "Quorum held", "Đủ số đại biểu cần có mặt"},
    {Label::yes, "yes", "có"},
    {Label::no, "no", "không"},
    {Label::composition, "Composition of the elected body", "Cơ cấu, thành phần người trúng cử"},
    {Label::office, "Office", "Chức danh"},
    {Label::col_count, "Count", "Số lượng"},
    {Label::elected_count, "Elected", "Số người trúng cử"},
    {Label::mean_age, "Mean age", "Tuổi bình quân"},
    {Label::directly_elected, "Secretary elected directly by the congress",
     "Bí thư do đại hội bầu trực tiếp"},
    {Label::plan_planned, "In the personnel plan", "Số lượng theo đề án nhân sự"},
    {Label::plan_not_elected, "In the plan, not elected", "Trong đề án nhưng không trúng cử"},
    {Label::plan_outside, "Elected outside the plan", "Trúng cử ngoài đề án"},
    {Label::copy_page,
     "{session} · {contest}, round {round} · copy {copy} of {copies} · page "
     "{page} of {pages}",
     "{session} · {contest}, lần bầu {round} · bản {copy}/{copies} · trang {page}/{pages}"},
    {Label::slip_heading, "BALLOT TOKEN", "MÃ PHIẾU BẦU"},
    {Label::slip_round, "round {round}", "lần bầu {round}"},
    {Label::slip_hint,
     "Scan the QR code or type the token at a voting terminal. The slip bears no name; keep the "
     "token to yourself.",
     "Quét mã QR hoặc nhập mã tại máy bỏ phiếu. Phiếu không ghi tên; không cho người khác "
     "biết mã."},
    {Label::slips_title, "Ballot-token slips", "Phiếu mã bầu cử"},
};

// Each entry sits at its label's index, so that a lookup is an index and a missing or misplaced
// translation fails the build.
constexpr bool in_order() {
  for (std::size_t i = 0; i < std::size(kLabels); ++i) {
    if (static_cast<std::size_t>(kLabels[i].label) != i) return false;
  }
  return std::size(kLabels) == static_cast<std::size_t>(Label::count_);
}
static_assert(in_order(), "kLabels must list every Label once, in the enum's order");

struct CodeWords {
  std::string_view code;
  std::string_view en;
  std::string_view vi;
};

constexpr CodeWords kBases[] = {
    {"convened", "those convened, less those excluded",
     "tổng số đại biểu được triệu tập, trừ số không tính"},
    {"present", "those present", "số đại biểu có mặt"},
    {"ballots_collected", "ballots collected", "số phiếu thu vào"},
    {"valid_ballots", "valid ballots", "số phiếu hợp lệ"},
};

// docs/congress.md "The roll's figures".
constexpr CodeWords kAbsences[] = {
    {"absent", "absent", "vắng mặt"},
    {"absent_throughout", "absent throughout the congress", "vắng mặt suốt thời gian đại hội"},
    {"temporary_transfer", "temporarily transferred", "chuyển sinh hoạt tạm thời"},
    {"exempted", "exempted from Party work", "được miễn công tác và sinh hoạt đảng"},
    {"suspended_or_prosecuted", "suspended or prosecuted", "bị đình chỉ sinh hoạt hoặc bị truy tố"},
    {"absent_with_accepted_reason", "absent with an accepted reason",
     "vắng mặt có lý do được chấp nhận"},
};

// docs/rules.md "Composition".
constexpr CodeWords kComposition[] = {
    {"re_elected", "Re-elected", "Tái cử"},
    {"first_time", "Elected for the first time", "Tham gia lần đầu"},
    {"women", "Women", "Nữ"},
    {"under_40", "Under 40", "Dưới 40 tuổi"},
    {"ethnic_minority", "Ethnic minorities", "Dân tộc thiểu số"},
    {"non_local", "Not from the locality", "Không phải người địa phương"},
};

template <std::size_t N>
std::string words(const CodeWords (&table)[N], std::string_view code, tally::Language language) {
  for (const CodeWords& w : table) {
    if (w.code == code) return std::string(language == tally::Language::vi ? w.vi : w.en);
  }
  return std::string(code);
}

}  // namespace

std::string_view label(Label l, tally::Language language) {
  const Entry& e = kLabels[static_cast<std::size_t>(l)];
  return language == tally::Language::vi ? e.vi : e.en;
}

std::string fill(std::string_view text,
                 const std::vector<std::pair<std::string_view, std::string>>& values) {
  std::string out(text);
  for (const auto& [name, value] : values) {
    const std::string key = "{" + std::string(name) + "}";
    for (std::size_t at = out.find(key); at != std::string::npos;
         at = out.find(key, at + value.size())) {
      out.replace(at, key.size(), value);
    }
  }
  return out;
}

std::string basis_words(std::string_view code, tally::Language language) {
  return words(kBases, code, language);
}

std::string absence_words(std::string_view category, tally::Language language) {
  return words(kAbsences, category, language);
}

std::string composition_words(std::string_view member, tally::Language language) {
  return words(kComposition, member, language);
}

}  // namespace tallystation::station::print
