// Every word of the hall display and the officials' console, in English and Vietnamese. The
// station sends codes and numbers only (docs/protocol.md "Results"); they are worded here, at the
// edge. The Vietnamese follows the printed minutes (station/print/labels.cpp) and the outcome
// sentences are those of tally/wording.cpp, word for word, so that the projector, the console,
// `stationctl results` and the paper say the same thing.
"use strict";

const I18n = (() => {
  const words = {
    en: {
      display_title: "Hall display",
      console_title: "Officials' console",
      language: "Language",
      unreachable: "The station cannot be reached. Showing the last state seen.",
      connecting: "Connecting to the station…",
      console_lost: "The page has lost its connection to stationctl; trying again…",
      station_error: "Station: {code}: {message}",
      no_state: "No state from the station yet.",
      // Display phases.
      attendance: "Attendance",
      present_of_convened: "{present} present of {convened} convened",
      attendance_not_recorded: "Attendance not recorded yet",
      quorum_base: "Quorum: base",
      quorum_required: "Quorum: required present",
      quorum_held: "Quorum held",
      quorum_not_held: "Quorum not held",
      voting_open: "Voting is open",
      round_n: "Round {round}",
      ballots_received: "Ballots received",
      of_tokens_issued: "of {issued} ballots issued",
      no_partial_count: "No count is shown while the round is open.",
      results_of: "Results: {title}, round {round}",
      // The minutes (station/print/labels.cpp).
      minutes: "Minutes",
      col_rank: "#",
      col_candidate: "Candidate",
      col_name: "Name",
      col_votes: "Votes",
      col_percent: "% of basis",
      col_result: "Result",
      mark_elected: "elected",
      mark_alternate: "elected alternate",
      mark_tied: "tied",
      threshold: "Threshold (more than half of the basis)",
      threshold_short: "threshold {threshold}",
      basis: "Basis",
      ballots_issued: "Ballots issued",
      ballots_collected: "Ballots collected",
      valid: "Valid ballots",
      invalid: "Invalid ballots",
      chart_title: "Votes per candidate, with the threshold",
      outcome: "Outcome",
      next_step: "Next step",
      step_none: "Nothing follows: every place is filled",
      step_runoff: "A run-off, round {round}, for {seats} place(s) among the tied",
      step_further_round:
        "The congress decides whether to hold round {round} for {seats} place(s) among those not yet elected",
      new_nominations: "new nominations may be added",
      step_appointment: "Appointment by the directly higher Party committee",
      step_closed: "No further round",
      among: "May stand",
      elected_so_far: "Elected in the contest so far",
      nobody: "nobody",
      certification: "Certification",
      certified: "Certified: {signed} of {required} required signatures",
      not_certified: "Not yet certified: {signed} of {required} required signatures",
      signed_by: "Signed electronically by",
      not_signed_yet: "Not signed yet",
      station_not_signed: "NOT signed by the station's key",
      minutes_pdf: "Printed minutes (PDF)",
      // Console sections.
      signer: "Signing as",
      no_key: "This page was opened without its console key: open the address `stationctl console` printed.",
      all_unrecorded: "Fill in everyone not yet recorded",
      categories: "Categories",
      over_limit: "Over an age limit",
      age: "Age",
      limit: "Limit",
      eligible: "Eligible",
      exception: "Exception",
      none_over_limit: "No candidate is over a limit.",
      use_row: "Fill in the form",
      http_status: "HTTP {status}",
      no_official:
        "This console was started without --official: it sends no commands. A counting-committee member can still countersign.",
      sec_terminals: "Terminals",
      sec_roll: "Roll and attendance",
      sec_exceptions: "Exceptions to an age limit",
      sec_tokens: "Ballot tokens",
      sec_rounds: "Rounds",
      sec_results: "Results",
      sec_countersign: "Countersignatures",
      sec_export: "Audit bundle",
      terminal: "Terminal",
      state: "State",
      public_key: "Public key (PEM, only for a terminal the session does not list)",
      enrol: "Enrol",
      revoke: "Revoke",
      roll: "The roll",
      person: "Id",
      name: "Name",
      presence: "Presence",
      category: "Absence category",
      alternate_col: "Alternate in the place",
      present_ids: "Present (ids, separated by commas or spaces)",
      absences: "Absent (one per line: id category)",
      replacements: "Replacements (one per line: delegate alternate)",
      record_roll: "Record the roll",
      present_count: "Present (count)",
      excluded: "Excluded from the basis",
      record_attendance: "Record attendance",
      contest: "Contest",
      candidate: "Candidate",
      rule: "Rule",
      body: "Approving body",
      decision: "Decision",
      date: "Date",
      record_exception: "Record the exception",
      round: "Round",
      count: "Count",
      issue_tokens: "Issue tokens",
      tokens_issued: "Tokens issued",
      ballots: "Ballots",
      seats: "Places to fill",
      alternates: "Alternate places to fill",
      candidates_field: "Candidates (ids, in ballot order; empty: the default list)",
      new_nominations_field: "New nominations (one per line: id name)",
      open_round: "Open the round",
      close_round: "Close the round",
      conclude_contest: "Conclude the contest (no further round)",
      elected: "Elected",
      no_rounds: "No round opened yet",
      prefilled: "Prefilled from the last minutes' next step.",
      countersign: "Countersign",
      countersign_note: "Signs the minutes with this console's key (a counting-committee member's).",
      export: "Export the audit bundle",
      no_closed_rounds: "No round is closed yet.",
      // The confirmation dialog and the answers.
      confirm_title: "Confirm",
      confirm_yes: "Confirm and send",
      confirm_no: "Cancel",
      command_name: "Command",
      arguments: "Arguments",
      sending: "Sending…",
      refused: "Refused",
      log_entry: "command log entry {index}",
      slips_link: "Slips to print (PDF)",
      tokens_file: "Tokens written to {file}",
      bundle_written: "Audit bundle written to {bundle}: {commands} commands, {rounds} rounds, {ballots} ballots",
      bad_input: "Not sent: {what}",
      need_number: "{field} must be a whole number",
      need_line: "each line needs two words: {line}",
      // Confirmation sentences, one per action.
      do_enrol_terminal: "Enrol terminal {terminal}",
      do_revoke_terminal: "Revoke terminal {terminal}: final, it can never be enrolled again",
      do_record_roll: "Record the roll: {present} present, {absent} absent, {replacements} replacement(s)",
      do_record_attendance: "Record attendance: {present} present",
      do_record_exception: "Record the exception for {candidate} in {contest} under rule {rule}",
      do_issue_tokens: "Issue {count} tokens for {contest}, round {round}",
      do_open_round: "Open round {round} of {contest}",
      do_close_round: "Close round {round} of {contest}: the box is fixed, counted and the minutes signed",
      do_conclude_contest: "Conclude {contest}: the congress holds no further round",
      do_countersign: "Countersign the minutes of {contest}, round {round}",
      do_export: "Export the audit bundle",
      // Answers in words.
      ok_enrol_terminal: "Terminal {terminal} is enrolled",
      ok_revoke_terminal: "Terminal {terminal} is revoked",
      ok_record_roll: "The roll is recorded: {present} present of {convened}; quorum {held}",
      ok_record_attendance: "Attendance is recorded: {present} present of {convened}",
      ok_record_exception: "The exception for {candidate} in {contest} is recorded",
      ok_issue_tokens: "{count} tokens issued for {contest}, round {round} ({tokens_issued} in all)",
      ok_open_round: "Round {round} of {contest} is open",
      ok_close_round: "Round {round} of {contest} is closed",
      ok_conclude_contest: "{contest} is concluded",
      ok_countersign: "Countersigned: {contest}, round {round}",
      ok_export: "Exported",
      held: "held",
      not_held: "not held",
      yes: "yes",
      no: "no",
    },
    vi: {
      display_title: "Màn hình hội trường",
      console_title: "Bàn điều hành bầu cử",
      language: "Ngôn ngữ",
      unreachable: "Không kết nối được với trạm kiểm phiếu. Đang hiển thị trạng thái cuối cùng nhận được.",
      connecting: "Đang kết nối với trạm kiểm phiếu…",
      console_lost: "Trang mất kết nối với stationctl; đang thử lại…",
      station_error: "Trạm kiểm phiếu: {code}: {message}",
      no_state: "Chưa nhận được trạng thái từ trạm kiểm phiếu.",
      attendance: "Đại biểu có mặt",
      present_of_convened: "{present} có mặt trên tổng số {convened} được triệu tập",
      attendance_not_recorded: "Chưa ghi nhận số đại biểu có mặt",
      quorum_base: "Số làm cơ sở tính số có mặt",
      quorum_required: "Số đại biểu cần có mặt",
      quorum_held: "Đủ số đại biểu cần có mặt",
      quorum_not_held: "Chưa đủ số đại biểu cần có mặt",
      voting_open: "Đang bỏ phiếu",
      round_n: "Lần bầu {round}",
      ballots_received: "Số phiếu đã nhận",
      of_tokens_issued: "trên {issued} phiếu phát ra",
      no_partial_count: "Không công bố kết quả khi đang bỏ phiếu.",
      results_of: "Kết quả: {title}, lần bầu {round}",
      minutes: "Biên bản kiểm phiếu",
      col_rank: "TT",
      col_candidate: "Mã",
      col_name: "Họ và tên",
      col_votes: "Số phiếu",
      col_percent: "Tỷ lệ % so với cơ sở",
      col_result: "Kết quả",
      mark_elected: "trúng cử",
      mark_alternate: "trúng cử dự khuyết",
      mark_tied: "bằng phiếu",
      threshold: "Số phiếu cần đạt (quá một nửa số làm cơ sở)",
      threshold_short: "cần đạt {threshold}",
      basis: "Số làm cơ sở",
      ballots_issued: "Số phiếu phát ra",
      ballots_collected: "Số phiếu thu vào",
      valid: "Số phiếu hợp lệ",
      invalid: "Số phiếu không hợp lệ",
      chart_title: "Số phiếu của từng người, với số phiếu cần đạt",
      outcome: "Kết quả bầu cử",
      next_step: "Bước tiếp theo",
      step_none: "Không bầu tiếp: đã bầu đủ số lượng",
      step_runoff: "Bầu lại (lần {round}) để chọn {seats} người trong số những người bằng phiếu",
      step_further_round:
        "Đại hội quyết định có bầu lần {round} để chọn {seats} người trong số những người chưa trúng cử hay không",
      new_nominations: "có thể giới thiệu thêm người",
      step_appointment: "Cấp ủy cấp trên trực tiếp chỉ định",
      step_closed: "Không bầu tiếp",
      among: "Danh sách bầu",
      elected_so_far: "Đã trúng cử trong cuộc bầu cử",
      nobody: "không có",
      certification: "Xác nhận",
      certified: "Đã xác nhận: {signed} trên {required} chữ ký cần có",
      not_certified: "Chưa xác nhận: {signed} trên {required} chữ ký cần có",
      signed_by: "Đã ký điện tử",
      not_signed_yet: "Chưa ký",
      station_not_signed: "KHÔNG có chữ ký của trạm kiểm phiếu",
      minutes_pdf: "Biên bản in (PDF)",
      signer: "Ký với tư cách",
      no_key: "Trang này được mở không có khóa bàn điều hành: mở đúng địa chỉ mà `stationctl console` đã in ra.",
      all_unrecorded: "Điền tất cả những người chưa được ghi nhận",
      categories: "Các lý do",
      over_limit: "Quá tuổi quy định",
      age: "Tuổi",
      limit: "Giới hạn",
      eligible: "Đủ điều kiện",
      exception: "Trường hợp đặc biệt",
      none_over_limit: "Không có người ứng cử nào quá tuổi quy định.",
      use_row: "Điền vào mẫu",
      http_status: "HTTP {status}",
      no_official:
        "Bàn điều hành này được khởi động không có --official: không gửi lệnh. Thành viên Ban kiểm phiếu vẫn có thể ký xác nhận.",
      sec_terminals: "Máy bỏ phiếu",
      sec_roll: "Danh sách và số đại biểu có mặt",
      sec_exceptions: "Trường hợp đặc biệt về tuổi",
      sec_tokens: "Mã phiếu bầu",
      sec_rounds: "Các lần bầu",
      sec_results: "Kết quả",
      sec_countersign: "Ký xác nhận biên bản",
      sec_export: "Hồ sơ kiểm tra",
      terminal: "Máy bỏ phiếu",
      state: "Trạng thái",
      public_key: "Khóa công khai (PEM, chỉ cho máy không có trong tệp định nghĩa đại hội)",
      enrol: "Đăng ký",
      revoke: "Thu hồi",
      roll: "Danh sách đại biểu",
      person: "Mã",
      name: "Họ và tên",
      presence: "Có mặt",
      category: "Lý do vắng mặt",
      alternate_col: "Đại biểu dự khuyết thay thế",
      present_ids: "Có mặt (mã, cách nhau bằng dấu phẩy hoặc khoảng trắng)",
      absences: "Vắng mặt (mỗi dòng: mã lý do)",
      replacements: "Thay thế (mỗi dòng: đại biểu dự khuyết thay)",
      record_roll: "Ghi nhận danh sách",
      present_count: "Số đại biểu có mặt",
      excluded: "Số không tính vào cơ sở",
      record_attendance: "Ghi nhận số có mặt",
      contest: "Cuộc bầu cử",
      candidate: "Người ứng cử",
      rule: "Quy định",
      body: "Cơ quan phê duyệt",
      decision: "Số quyết định",
      date: "Ngày",
      record_exception: "Ghi nhận trường hợp đặc biệt",
      round: "Lần bầu",
      count: "Số lượng",
      issue_tokens: "Phát mã phiếu bầu",
      tokens_issued: "Số mã đã phát",
      ballots: "Số phiếu",
      seats: "Số lượng cần bầu",
      alternates: "Số lượng dự khuyết cần bầu",
      candidates_field: "Danh sách bầu (mã, theo thứ tự trên phiếu; để trống: danh sách mặc định)",
      new_nominations_field: "Giới thiệu thêm (mỗi dòng: mã họ và tên)",
      open_round: "Mở lần bầu",
      close_round: "Kết thúc lần bầu",
      conclude_contest: "Kết thúc cuộc bầu cử (không bầu tiếp)",
      elected: "Trúng cử",
      no_rounds: "Chưa mở lần bầu nào",
      prefilled: "Đã điền sẵn theo bước tiếp theo của biên bản gần nhất.",
      countersign: "Ký xác nhận",
      countersign_note: "Ký biên bản bằng khóa của bàn điều hành này (khóa của thành viên Ban kiểm phiếu).",
      export: "Xuất hồ sơ kiểm tra",
      no_closed_rounds: "Chưa có lần bầu nào kết thúc.",
      confirm_title: "Xác nhận",
      confirm_yes: "Xác nhận và gửi",
      confirm_no: "Hủy",
      command_name: "Lệnh",
      arguments: "Tham số",
      sending: "Đang gửi…",
      refused: "Bị từ chối",
      log_entry: "mục {index} của nhật ký lệnh",
      slips_link: "Phiếu mã để in (PDF)",
      tokens_file: "Đã ghi mã phiếu vào {file}",
      bundle_written: "Đã ghi hồ sơ kiểm tra vào {bundle}: {commands} lệnh, {rounds} lần bầu, {ballots} phiếu",
      bad_input: "Chưa gửi: {what}",
      need_number: "{field} phải là số nguyên",
      need_line: "mỗi dòng cần hai từ: {line}",
      do_enrol_terminal: "Đăng ký máy bỏ phiếu {terminal}",
      do_revoke_terminal: "Thu hồi máy bỏ phiếu {terminal}: không thể đăng ký lại",
      do_record_roll: "Ghi nhận danh sách: {present} có mặt, {absent} vắng mặt, {replacements} thay thế",
      do_record_attendance: "Ghi nhận số có mặt: {present}",
      do_record_exception: "Ghi nhận trường hợp đặc biệt cho {candidate} trong {contest} theo quy định {rule}",
      do_issue_tokens: "Phát {count} mã phiếu bầu cho {contest}, lần bầu {round}",
      do_open_round: "Mở lần bầu {round} của {contest}",
      do_close_round: "Kết thúc lần bầu {round} của {contest}: khóa hòm phiếu, kiểm phiếu và ký biên bản",
      do_conclude_contest: "Kết thúc {contest}: Đại hội quyết định không bầu tiếp",
      do_countersign: "Ký xác nhận biên bản của {contest}, lần bầu {round}",
      do_export: "Xuất hồ sơ kiểm tra",
      ok_enrol_terminal: "Đã đăng ký máy bỏ phiếu {terminal}",
      ok_revoke_terminal: "Đã thu hồi máy bỏ phiếu {terminal}",
      ok_record_roll: "Đã ghi nhận danh sách: {present} có mặt trên {convened}; {held}",
      ok_record_attendance: "Đã ghi nhận: {present} có mặt trên {convened}",
      ok_record_exception: "Đã ghi nhận trường hợp đặc biệt cho {candidate} trong {contest}",
      ok_issue_tokens: "Đã phát {count} mã phiếu bầu cho {contest}, lần bầu {round} (tổng cộng {tokens_issued})",
      ok_open_round: "Đã mở lần bầu {round} của {contest}",
      ok_close_round: "Đã kết thúc lần bầu {round} của {contest}",
      ok_conclude_contest: "Đã kết thúc {contest}",
      ok_countersign: "Đã ký xác nhận: {contest}, lần bầu {round}",
      ok_export: "Đã xuất",
      held: "đủ số đại biểu cần có mặt",
      not_held: "chưa đủ số đại biểu cần có mặt",
      yes: "có",
      no: "không",
    },
  };

  // The station's error codes (docs/protocol.md "Errors") and the console's own (docs/hall.md).
  const errors = {
    malformed: ["The request is not in the form the station requires", "Yêu cầu không đúng định dạng trạm kiểm phiếu yêu cầu"],
    duplicate_mark: ["A ballot marks the same candidate twice", "Phiếu đánh dấu một người hai lần"],
    unknown_candidate: ["A name that is not on the round's list", "Có tên người ngoài danh sách của lần bầu"],
    bad_query: ["A missing or invalid parameter", "Thiếu tham số hoặc tham số không hợp lệ"],
    bad_command: ["The command or one of its arguments is not allowed", "Lệnh hoặc một tham số của lệnh không hợp lệ"],
    bad_signature: ["The signature does not verify", "Chữ ký không hợp lệ"],
    unknown_terminal: ["The terminal is not enrolled", "Máy bỏ phiếu chưa được đăng ký"],
    revoked_terminal: ["The terminal has been revoked", "Máy bỏ phiếu đã bị thu hồi"],
    token_unknown: ["The token was not issued for this round", "Mã phiếu không được phát cho lần bầu này"],
    unknown_official: ["The key is not an official's of the session", "Khóa không phải của người điều hành trong đại hội"],
    unknown_session: ["Another session", "Không phải đại hội này"],
    unknown_contest: ["No such contest", "Không có cuộc bầu cử này"],
    round_not_open: ["The round is not open", "Lần bầu chưa mở hoặc đã kết thúc"],
    not_found: ["Not found (for minutes: the round is not closed)", "Không tìm thấy (với biên bản: lần bầu chưa kết thúc)"],
    method_not_allowed: ["Method not allowed", "Phương thức không được phép"],
    token_spent: ["The token has already been used", "Mã phiếu đã được sử dụng"],
    replayed_command: ["The command's sequence number was already used; send it again", "Số thứ tự của lệnh đã được dùng; gửi lại lệnh"],
    round_state: ["The round or contest is not in the state this needs", "Lần bầu hoặc cuộc bầu cử không ở trạng thái cần thiết"],
    terminal_state: ["The terminal is already enrolled or revoked", "Máy bỏ phiếu đã được đăng ký hoặc đã bị thu hồi"],
    not_committee_member: ["This key is not a counting-committee member's", "Khóa này không phải của thành viên Ban kiểm phiếu"],
    already_signed: ["This member has already countersigned these minutes", "Thành viên này đã ký xác nhận biên bản"],
    not_eligible: ["A candidate who may not stand in this round", "Có người không đủ điều kiện ứng cử ở lần bầu này"],
    too_large: ["The request is too large", "Yêu cầu quá lớn"],
    wrong_content_type: ["The request is not sent as JSON", "Yêu cầu không được gửi dưới dạng JSON"],
    internal: ["An error inside the station; the request may or may not have taken effect", "Lỗi bên trong trạm kiểm phiếu; yêu cầu có thể đã hoặc chưa có hiệu lực"],
    storage_error: ["Nothing was stored; send the same request again", "Chưa lưu được gì; gửi lại yêu cầu"],
    shutting_down: ["The station is stopping", "Trạm kiểm phiếu đang dừng"],
    bad_request: ["The console could not read the request", "Bàn điều hành không đọc được yêu cầu"],
    transport: ["The station could not be reached: nothing was sent", "Không kết nối được với trạm kiểm phiếu: chưa gửi được"],
    pin: ["The station did not present the pinned certificate or key", "Trạm kiểm phiếu không có chứng chỉ hoặc khóa đã xác định"],
    console_key: ["The console key is missing or wrong: open the console's address as printed", "Thiếu hoặc sai khóa bàn điều hành: mở đúng địa chỉ đã in ra"],
    misdirected: ["The address is not the console's", "Địa chỉ không phải của bàn điều hành"],
    export: ["The audit bundle could not be exported", "Không xuất được hồ sơ kiểm tra"],
    network: ["The console did not answer", "Bàn điều hành không trả lời"],
  };

  // docs/congress.md "Codes": the rule that refused a command.
  const rules = {
    malformed_command: ["the command is not in the required form", "lệnh không đúng định dạng"],
    wrong_session: ["the command names another session", "lệnh ghi đại hội khác"],
    seq_not_above: ["the sequence number is not above the last accepted one", "số thứ tự không lớn hơn số cuối đã nhận"],
    official_not_signer: ["the official is not the one whose key signed", "người điều hành không phải người ký lệnh"],
    unknown_command: ["no command of that name", "không có lệnh này"],
    bad_argument: ["an unknown, missing or invalid argument", "tham số không biết, thiếu hoặc không hợp lệ"],
    unknown_contest: ["no contest of that id", "không có cuộc bầu cử này"],
    terminal_enrolled: ["the terminal is already enrolled", "máy bỏ phiếu đã được đăng ký"],
    terminal_revoked: ["the terminal is revoked", "máy bỏ phiếu đã bị thu hồi"],
    terminal_not_enrolled: ["the terminal was never enrolled", "máy bỏ phiếu chưa từng được đăng ký"],
    key_required: ["a terminal the session does not list needs its public key", "máy không có trong tệp định nghĩa đại hội cần khóa công khai"],
    key_invalid: ["the public key is not a usable Ed25519 or ECDSA P-256 key", "khóa công khai không phải khóa Ed25519 hoặc ECDSA P-256 dùng được"],
    key_mismatch: ["the public key is not the one the session lists for the terminal", "khóa công khai khác khóa của máy trong tệp định nghĩa đại hội"],
    key_in_use: ["the key is already someone else's", "khóa đã thuộc về máy hoặc người khác"],
    round_open: ["another round of the contest is open", "đang có một lần bầu khác của cuộc bầu cử được mở"],
    round_not_next: ["not the round after the last one opened", "không phải lần bầu tiếp theo"],
    round_closed: ["the round is closed", "lần bầu đã kết thúc"],
    round_not_open: ["the round is not open", "lần bầu chưa mở"],
    source_incomplete: ["the contest it elects from is not complete", "cuộc bầu cử làm nguồn chưa hoàn thành"],
    no_further_round: ["the last minutes call for no further round", "biên bản gần nhất không cho bầu tiếp"],
    contest_concluded: ["the congress concluded the contest", "Đại hội đã kết thúc cuộc bầu cử này"],
    places_mismatch: ["other places than those allowed", "số lượng cần bầu khác số được phép"],
    list_not_allowed: ["this round takes no list, places or nominations", "lần bầu này không nhận danh sách, số lượng hay giới thiệu thêm"],
    not_eligible: ["a candidate who may not stand in this round", "có người không được ứng cử ở lần bầu này"],
    runoff_incomplete: ["the run-off leaves out one of the tied", "bầu lại thiếu một người bằng phiếu"],
    nomination_stood: ["a new nomination of someone who already stood", "giới thiệu thêm người đã từng ứng cử"],
    duplicate_candidate: ["a candidate listed twice", "một người có tên hai lần"],
    no_candidates: ["the round would have no one on its list", "lần bầu không có ai trong danh sách"],
    attendance_required: ["attendance must be recorded first", "cần ghi nhận số đại biểu có mặt trước"],
    conclude_not_allowed: ["the last minutes leave no place unfilled", "biên bản gần nhất không còn thiếu người"],
    round_cannot_be_counted: ["the round could not be counted as defined", "lần bầu không thể kiểm phiếu theo định nghĩa"],
    no_register: ["the session has no register of people", "đại hội không có danh sách nhân sự"],
    roll_kept: ["the session keeps a roll: record the roll instead", "đại hội lập danh sách đại biểu: ghi nhận danh sách thay cho số có mặt"],
    unknown_person: ["a person not on the roll or not in the register", "có người không có trong danh sách"],
    already_replaced: ["the place or the alternate is already taken", "vị trí hoặc đại biểu dự khuyết đã được thay thế"],
    roll_incomplete: ["someone on the roll has no recorded presence", "còn đại biểu chưa được ghi nhận có mặt hay vắng mặt"],
    no_quorum: ["fewer than two thirds are present", "chưa đủ hai phần ba số đại biểu có mặt"],
    candidate_ineligible: ["a candidate over an age limit with no exception recorded", "có người ứng cử quá tuổi mà chưa có trường hợp đặc biệt được ghi nhận"],
    exception_not_needed: ["the candidate is within the limit", "người ứng cử trong độ tuổi quy định"],
    exception_recorded: ["the same exception is already recorded", "trường hợp đặc biệt này đã được ghi nhận"],
    unknown_rule: ["the contest applies no such rule", "cuộc bầu cử không áp dụng quy định này"],
  };

  // docs/congress.md "The roll's figures" (station/print/labels.cpp).
  const absences = {
    absent: ["absent", "vắng mặt"],
    absent_throughout: ["absent throughout the congress", "vắng mặt suốt thời gian đại hội"],
    temporary_transfer: ["temporarily transferred", "chuyển sinh hoạt tạm thời"],
    exempted: ["exempted from Party work", "được miễn công tác và sinh hoạt đảng"],
    suspended_or_prosecuted: ["suspended or prosecuted", "bị đình chỉ sinh hoạt hoặc bị truy tố"],
    absent_with_accepted_reason: ["absent with an accepted reason", "vắng mặt có lý do được chấp nhận"],
  };
  const absencesByKind = {
    delegates: ["absent", "absent_throughout"],
    members: ["absent", "temporary_transfer", "exempted", "suspended_or_prosecuted", "absent_with_accepted_reason"],
  };

  // States of terminals, rounds, contests, roll places, and majority bases.
  const states = {
    known: ["known, not enrolled", "đã khai báo, chưa đăng ký"],
    enrolled: ["enrolled", "đã đăng ký"],
    revoked: ["revoked", "đã thu hồi"],
    pending: ["pending", "chưa mở"],
    open: ["open", "đang bỏ phiếu"],
    closed: ["closed", "đã kết thúc"],
    voting: ["voting", "đang bầu"],
    tie: ["tie", "bằng phiếu"],
    unfilled: ["places unfilled", "chưa bầu đủ"],
    complete: ["complete", "đã bầu đủ"],
    concluded: ["concluded by the congress", "Đại hội quyết định không bầu tiếp"],
    exhausted: ["round limit reached", "đã hết số vòng bầu"],
    present: ["present", "có mặt"],
    absent: ["absent", "vắng mặt"],
    unrecorded: ["not recorded", "chưa ghi nhận"],
    convened: ["those convened, less those excluded", "tổng số đại biểu được triệu tập, trừ số không tính"],
    ballots_collected: ["ballots collected", "số phiếu thu vào"],
    valid_ballots: ["valid ballots", "số phiếu hợp lệ"],
  };

  function index(lang) {
    return lang === "vi" ? 1 : 0;
  }

  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole);
  }

  function t(lang, key, values) {
    const table = words[lang] || words.en;
    const text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : words.en[key];
    return fill(text === undefined ? key : text, values);
  }

  // A code the table does not know is shown as itself, so nothing the station says is hidden.
  function coded(table, code, lang) {
    return Object.prototype.hasOwnProperty.call(table, code) ? table[code][index(lang)] : String(code);
  }

  // "1 seat", "2 seats" (tally/wording.cpp `count`).
  function count(n, one, many) {
    return n + " " + (n === 1 ? one : many);
  }

  // tally/wording.cpp `render_outcome`, from the members the minutes carry; "" when the codes are
  // not the ones this page knows, as stationctl does.
  function outcomeSentence(m, lang) {
    if (!m || typeof m.outcome !== "string" || !m.next_step || typeof m.next_step.step !== "string" ||
        !Array.isArray(m.tied) || !Number.isInteger(m.round) || !Number.isInteger(m.seats_unfilled)) {
      return "";
    }
    const f = {
      outcome: m.outcome,
      step: m.next_step.step,
      round: m.round,
      seats: m.seats_unfilled,
      alternates: Number.isInteger(m.alternates_unfilled) ? m.alternates_unfilled : 0,
      tied: m.tied.length,
    };
    if (!["complete", "tie", "unfilled", "exhausted"].includes(f.outcome)) return "";
    if (!["none", "runoff", "further_round", "appointment", "closed"].includes(f.step)) return "";
    return lang === "vi" ? vietnamese(f) : english(f);
  }

  function english(f) {
    switch (f.outcome) {
      case "complete":
        if (f.alternates > 0) {
          return "Every seat is filled; " + count(f.alternates, "alternate place", "alternate places") +
            " left unfilled: the congress decides whether to vote again";
        }
        return "Every place is filled";
      case "tie":
        if (f.seats > 0) {
          return "A tie at the last seat: a run-off among the " + f.tied + " tied candidates for " +
            count(f.seats, "seat", "seats");
        }
        return "A tie at the last alternate place: a run-off among the " + f.tied +
          " tied candidates for " + count(f.alternates, "alternate place", "alternate places");
      case "unfilled":
        return count(f.seats, "seat", "seats") +
          " unfilled: the congress decides whether to hold another round among the candidates not yet elected";
      default:
        if (f.step === "appointment") {
          return "The round limit of " + f.round +
            " is reached with the position unfilled: it goes to appointment by the directly higher Party committee";
        }
        return "The round limit of " + f.round + " is reached with " + count(f.seats, "seat", "seats") + " unfilled";
    }
  }

  function vietnamese(f) {
    switch (f.outcome) {
      case "complete":
        if (f.alternates > 0) {
          return "Đã bầu đủ số chính thức; còn thiếu " + f.alternates +
            " người dự khuyết: Đại hội quyết định có bầu tiếp hay không";
        }
        return "Đã bầu đủ số lượng";
      case "tie":
        if (f.seats > 0) {
          return "Có số phiếu bằng nhau ở vị trí cuối: bầu lại giữa " + f.tied +
            " người bằng phiếu để chọn " + f.seats + " người";
        }
        return "Có số phiếu bằng nhau ở vị trí dự khuyết cuối: bầu lại giữa " + f.tied +
          " người bằng phiếu để chọn " + f.alternates + " người dự khuyết";
      case "unfilled":
        return "Chưa bầu đủ, còn thiếu " + f.seats +
          " người: Đại hội quyết định có bầu tiếp hay không trong số những người chưa trúng cử";
      default:
        if (f.step === "appointment") {
          return "Đã hết số vòng bầu (" + f.round + " vòng) mà chưa bầu được: cấp ủy cấp trên trực tiếp chỉ định";
        }
        return "Đã hết số vòng bầu (" + f.round + " vòng), còn thiếu " + f.seats + " người";
    }
  }

  // The printed minutes' "Next step" line (station/print/minutes_document.cpp `next_step_words`);
  // nameOf turns a candidate id into "id name".
  function nextStepSentence(m, lang, nameOf) {
    const n = m && m.next_step;
    if (!n || typeof n.step !== "string") return "";
    if (n.step === "none") return t(lang, "step_none");
    if (n.step === "appointment") return t(lang, "step_appointment");
    if (n.step === "closed") return t(lang, "step_closed");
    if (n.step !== "runoff" && n.step !== "further_round") return n.step;
    const places = n.alternates_only === true ? n.alternates : n.seats;
    let out = t(lang, n.step === "runoff" ? "step_runoff" : "step_further_round", { round: n.round, seats: places });
    if (n.new_nominations_allowed === true) out += "; " + t(lang, "new_nominations");
    const eligible = Array.isArray(n.eligible) ? n.eligible.map(nameOf).join(", ") : "";
    if (eligible) out += ". " + t(lang, "among") + ": " + eligible;
    return out;
  }

  return {
    languages: ["en", "vi"],
    t,
    outcomeSentence,
    nextStepSentence,
    error: (code, lang) => coded(errors, code, lang),
    rule: (code, lang) => coded(rules, code, lang),
    absence: (code, lang) => coded(absences, code, lang),
    absenceCategories: (kind) => absencesByKind[kind] || absencesByKind.delegates.concat(absencesByKind.members.slice(1)),
    state: (code, lang) => coded(states, code, lang),
  };
})();
