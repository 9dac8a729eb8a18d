#include "tally/audit/rollup/report_words.hpp"

#include <array>
#include <stdexcept>
#include <string>

namespace tallystation::audit::rollup {

namespace {

struct Entry {
  std::string_view key, en, vi;
};

// The offices' names follow the Party's usual titles (Ban Chấp hành, Ban Thường vụ, ...).
constexpr std::array kWords = {
    Entry{"title", "Season report of the congresses", "Báo cáo tổng hợp đại hội"},
    Entry{"generated", "Generated", "Lập lúc"},
    Entry{"congresses", "Congresses", "Đại hội"},
    Entry{"held_of_expected", "Congresses held, of those expected",
          "Số đại hội đã tổ chức trên số phải tổ chức"},
    Entry{"units_without_secretary", "Units whose congress elected no secretary",
          "Đơn vị mà đại hội không bầu bí thư"},
    Entry{"contests_not_complete", "Contests not complete", "Cuộc bầu chưa hoàn tất"},
    Entry{"none", "none", "không có"},
    Entry{"failed_check", "first failing check", "kiểm tra đầu tiên không đạt"},
    Entry{"bodies", "The elected by body, whole roster",
          "Kết quả bầu theo cơ quan, toàn bộ đơn vị"},
    Entry{"chart", "Composition, percent of those described", "Cơ cấu, phần trăm số có hồ sơ"},
    Entry{"units", "By unit, following the roster", "Theo từng đơn vị, theo danh sách đơn vị"},
    Entry{"body", "Body", "Cơ quan"},
    Entry{"status", "Status", "Tình trạng"},
    Entry{"held", "held", "đã tổ chức"},
    Entry{"missing", "missing (no bundle)", "chưa có hồ sơ"},
    Entry{"excluded", "excluded (failed verification)", "bị loại (kiểm tra không đạt)"},
    Entry{"conflict", "conflict (two bundles or more)", "trùng lặp (từ hai hồ sơ trở lên)"},
    Entry{"not_expected", "not expected this season", "không thuộc đợt đại hội này"},
    Entry{"committee", "Committee", "Ban Chấp hành"},
    Entry{"standing_committee", "Standing committee", "Ban Thường vụ"},
    Entry{"secretary", "Secretary", "Bí thư"},
    Entry{"deputy_secretary", "Deputy secretary", "Phó Bí thư"},
    Entry{"inspection_committee", "Inspection committee", "Ủy ban Kiểm tra"},
    Entry{"delegates", "Delegates to the higher congress", "Đại biểu dự đại hội cấp trên"},
    Entry{"other", "Other (no register)", "Khác (không có hồ sơ nhân sự)"},
    Entry{"contests", "Contests", "Số cuộc bầu"},
    Entry{"elected", "Elected", "Trúng cử"},
    Entry{"described", "Described", "Có hồ sơ"},
    Entry{"re_elected", "Re-elected", "Tái cử"},
    Entry{"first_time", "First time", "Lần đầu"},
    Entry{"women", "Women", "Nữ"},
    Entry{"under_40", "Under 40", "Dưới 40 tuổi"},
    Entry{"ethnic_minority", "Ethnic minority", "Dân tộc thiểu số"},
    Entry{"non_local", "Not local", "Không phải người địa phương"},
    Entry{"mean_age", "Mean age", "Tuổi bình quân"},
    Entry{"total", "Total", "Tổng cộng"},
};

}  // namespace

std::optional<Lang> parse_lang(std::string_view code) {
  if (code == "en") return Lang::en;
  if (code == "vi") return Lang::vi;
  return std::nullopt;
}

std::string_view to_string(Lang lang) {
  return lang == Lang::vi ? "vi" : "en";
}

std::string_view word(Lang lang, std::string_view key) {
  for (const Entry& e : kWords) {
    if (e.key == key) return lang == Lang::vi ? e.vi : e.en;
  }
  throw std::out_of_range("no report word \"" + std::string(key) + "\"");
}

}  // namespace tallystation::audit::rollup
