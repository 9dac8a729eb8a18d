#pragma once
// The JSON stationctl's tables are rendered from, as the station serves it (docs/protocol.md
// "GET /v1/status", "GET /v1/people", "Results"), written by hand: a congress of delegates in
// the status and the minutes, a cell congress of members in the register.
#include <string_view>

namespace tallystation::testing::tables {

inline constexpr std::string_view kStatus = R"json({
 "session":{"id":"dh-2026","title":"Đại hội Đảng bộ xã An Phú","organisation":"Đảng bộ xã An Phú",
            "congress_kind":"delegates","convened":120,"config_hash":"c0ffee",
            "committee":[{"id":"m1","name":"Lê Văn Minh"}],"required_signatures":2},
 "attendance":{"present":117},
 "terminals":[{"id":"t1","state":"enrolled"},{"id":"t2","state":"revoked"},
              {"id":"t3","state":"known"}],
 "contests":[{"id":"ec","title":"Ban Chấp hành","seats":3,"alternates":0,"state":"tie",
              "elected":["a"],"elected_alternates":[],
              "rounds":[{"round":1,"state":"closed","tokens_issued":117,"ballots":117,
                         "ballots_by_terminal":{"t1":117},
                         "ballot_box":{"size":117,"root":"0123456789abcdef0123"},
                         "minutes":{"outcome":"tie","certification":{"certified":false,
                           "required":2,"signed_by":[{"id":"m1","name":"Lê Văn Minh"}],
                           "missing":["m2"]}}},
                        {"round":2,"state":"open","seats":2,"tokens_issued":117,
                         "ballots":40,"ballots_by_terminal":{"t1":40}}]},
             {"id":"sec","title":"Bí thư","seats":1,"alternates":0,"state":"voting",
              "elected":[],"elected_alternates":[],"rounds":[]}],
 "command_log":{"size":9,"head":"beef","last_seq":9},
 "station":{"keyid":"k1","tls_fingerprint":"f1"}})json";

inline constexpr std::string_view kMinutes = R"json({
 "session":"dh-2026","contest":"ec","title":"Ban Chấp hành","round":1,"rule_set":"cpv-2024",
 "config_hash":"c0ffee","audit_log_head":"beef","convened":120,"excluded":2,"present":117,
 "ballots_issued":117,"ballots_collected":117,"valid":115,"invalid":2,
 "majority_basis":"convened","basis":118,"threshold":60,"seats":3,
 "tally":[{"candidate":"a","name":"Anh","votes":100},{"candidate":"b","name":"Bảo","votes":70},
          {"candidate":"c","name":"Chi","votes":70},{"candidate":"d","name":"Dũng","votes":10}],
 "percent_of_basis":{"a":"84.75","b":"59.32","c":"59.32","d":"8.47"},
 "elected":["a"],"elected_alternates":[],"tied":["b","c"],"outcome":"tie",
 "seats_unfilled":2,"alternates_unfilled":0,"elected_so_far":["a"],
 "next_step":{"step":"runoff","round":2,"seats":2,"eligible":["b","c"]},
 "ballot_box":{"size":117,"root":"0123456789abcdef0123"}})json";

inline constexpr std::string_view kCertification = R"json({"certified":true,"required":1,
 "signed_by":[{"id":"m1","name":"Lê Văn Minh"}],"missing":["m2"]})json";

inline constexpr std::string_view kPeople = R"json({
 "register":true,"congress_kind":"members","congress_date":"2026-04-15",
 "attendance":{"convened":5,"present":3,
               "absent":{"absent":0,"temporary_transfer":1,"exempted":0,
                         "suspended_or_prosecuted":0,"absent_with_accepted_reason":0},
               "excluded":1,"quorum":{"base":4,"required":3,"held":true}},
 "roll":[{"person":"dv01","name":"Hoàng Văn Pác","presence":"present","category":null,
          "alternate":null},
         {"person":"dv02","name":"Lò Thị Mai","presence":"present","category":null,
          "alternate":null},
         {"person":"dv03","name":"Vi Văn Sơn","presence":"present","category":null,
          "alternate":null},
         {"person":"dv04","name":"Nông Thị Hoa","presence":"absent",
          "category":"temporary_transfer","alternate":null},
         {"person":"dv05","name":"Đinh Văn Tú","presence":"unrecorded","category":null,
          "alternate":null}],
 "contests":[{"contest":"sec","office":"secretary",
              "eligibility":[{"candidate":"dv01","name":"Hoàng Văn Pác",
                              "rule":"cell-secretary-2024","re_election":true,"age":68,
                              "limit":60,"within_limit":false,"eligible":true,
                              "reason":"aged 68 on 2026-04-15, over the re-election limit of 60 (cell-secretary-2024); exception approved by district standing committee, decision 342-QĐ/HU of 2026-03-20",
                              "exception":{"body":"district standing committee",
                                           "decision":"342-QĐ/HU","date":"2026-03-20"}},
                             {"candidate":"dv02","name":"Lò Thị Mai",
                              "rule":"cell-secretary-2024","re_election":false,"age":41,
                              "limit":55,"within_limit":true,"eligible":true,
                              "reason":"aged 41 on 2026-04-15, within the first-time limit of 55 (cell-secretary-2024)",
                              "exception":null},
                             {"candidate":"dv03","name":"Vi Văn Sơn",
                              "rule":"cell-secretary-2024","re_election":false,"age":58,
                              "limit":55,"within_limit":false,"eligible":false,
                              "reason":"aged 58 on 2026-04-15, over the first-time limit of 55 (cell-secretary-2024)",
                              "exception":null}],
              "composition":{"office":"secretary","elected":1,
                             "re_elected":{"count":1,"percent":"100.0"},
                             "first_time":{"count":0,"percent":"0.0"},
                             "women":{"count":0,"percent":"0.0"},
                             "under_40":{"count":0,"percent":"0.0"},
                             "ethnic_minority":{"count":1,"percent":"100.0"},
                             "non_local":{"count":0,"percent":"0.0"},
                             "mean_age":"68.0","directly_elected":true,
                             "plan":{"planned":1,
                                     "planned_not_elected":{"count":1,"percent":"100.0",
                                                            "ids":["dv02"]},
                                     "elected_outside_plan":{"count":1,"percent":"100.0",
                                                             "ids":["dv01"]}}},
              "complete":true},
             {"contest":"dep","office":"deputy_secretary","eligibility":[],
              "composition":null,"complete":false}]})json";

}  // namespace tallystation::testing::tables
