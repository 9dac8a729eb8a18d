#include "tally/audit/verify/bundle_model.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "crypto/json_keys.hpp"

namespace tallystation::audit::verify {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

json::value parse_json(std::string_view text, const std::string& label) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) throw UnreadableBundle(label + ": not JSON (" + ec.message() + ")");
  // Parsers differ on which of two same-named members they keep: refuse the ambiguity.
  if (!crypto::json_keys_unique(text)) throw UnreadableBundle(label + ": repeated member");
  return v;
}

const json::value& member(const json::object& o, std::string_view key, const std::string& label) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) throw UnreadableBundle(label + ": missing member \"" + std::string(key) + "\"");
  return *v;
}

std::string str(const json::object& o, std::string_view key, const std::string& label) {
  const json::value& v = member(o, key, label);
  if (!v.is_string()) throw UnreadableBundle(label + "." + std::string(key) + ": not a string");
  return std::string(v.get_string());
}

std::uint64_t uint(const json::value& v, const std::string& label) {
  if (v.is_uint64()) return v.get_uint64();
  if (v.is_int64() && v.get_int64() >= 0) return static_cast<std::uint64_t>(v.get_int64());
  throw UnreadableBundle(label + ": not a non-negative integer");
}

const json::object& obj(const json::value& v, const std::string& label) {
  if (!v.is_object()) throw UnreadableBundle(label + ": not an object");
  return v.get_object();
}

std::uint32_t uint32(const json::value& v, const std::string& label) {
  const std::uint64_t n = uint(v, label);
  if (n > UINT32_MAX) throw UnreadableBundle(label + ": too large");
  return static_cast<std::uint32_t>(n);
}

const json::array& arr(const json::value& v, const std::string& label) {
  if (!v.is_array()) throw UnreadableBundle(label + ": not an array");
  return v.get_array();
}

crypto::PublicKey key_of(const std::string& pem, const std::string& label) {
  auto k = crypto::PublicKey::from_pem(pem);
  if (!k) throw UnreadableBundle(label + ": not a usable public key");
  return *k;
}

std::string hex(const crypto::Digest& d) {
  return crypto::to_hex(d);
}

}  // namespace

std::string read_whole_file(const fs::path& p) {
  // POSIX reads into a string of the file's size: a bundle has thousands of small files, and a
  // stream's set-up and byte-wise copy cost more than reading them.
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UnreadableBundle(p.string() + ": cannot be read");
  struct stat st {};
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    ::close(fd);
    throw UnreadableBundle(p.string() + ": cannot be read");
  }
  // The size is a hint (a file may change, a FIFO has none): read until the end either way.
  std::string s(S_ISREG(st.st_mode) && st.st_size > 0 ? static_cast<std::size_t>(st.st_size) + 1
                                                       : std::size_t{4096},
                '\0');
  std::size_t used = 0;
  for (;;) {
    if (used == s.size()) s.resize(2 * s.size());
    const ssize_t n = ::read(fd, s.data() + used, s.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      throw UnreadableBundle(p.string() + ": read error");
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  s.resize(used);
  return s;
}

const ContestDef* SessionDef::find_contest(std::string_view contest_id) const {
  for (const ContestDef& c : contests) {
    if (c.id == contest_id) return &c;
  }
  return nullptr;
}

SessionDef load_session(const fs::path& file) {
  const std::string bytes = read_whole_file(file);
  const std::string label = "session.json";
  const json::value v = parse_json(bytes, label);
  const json::object& o = obj(v, label);
  SessionDef s;
  s.config_hash = hex(crypto::sha256(bytes));
  s.id = str(o, "id", label);
  s.convened = uint(member(o, "convened", label), label + ".convened");
  for (const json::value& p : arr(member(o, "officials", label), label + ".officials")) {
    const json::object& po = obj(p, label + ".officials[]");
    const crypto::PublicKey k = key_of(str(po, "public_key", label), label + ".officials[]");
    s.officials.add(k);
    s.official_by_keyid[k.keyid()] = str(po, "id", label);
    s.rules.officials.push_back(str(po, "id", label));
    s.rules.people_keyids.push_back(k.keyid());
  }
  const json::object& cc = obj(member(o, "counting_committee", label), label);
  for (const json::value& p : arr(member(cc, "members", label), label + ".members")) {
    const json::object& po = obj(p, label + ".members[]");
    const crypto::PublicKey k = key_of(str(po, "public_key", label), label + ".members[]");
    s.committee.add(k);
    s.member_by_keyid[k.keyid()] = str(po, "id", label);
    s.rules.people_keyids.push_back(k.keyid());
  }
  s.required_signatures = uint(member(cc, "required_signatures", label), label);
  for (const json::value& t : arr(member(o, "terminals", label), label + ".terminals")) {
    const json::object& to = obj(t, label + ".terminals[]");
    s.terminals.emplace_back(str(to, "id", label), str(to, "public_key", label));
    const crypto::PublicKey k = key_of(s.terminals.back().second, label + ".terminals[]");
    s.rules.terminals.push_back({s.terminals.back().first, k.keyid()});
  }
  for (const json::value& cv : arr(member(o, "contests", label), label + ".contests")) {
    const json::object& co = obj(cv, label + ".contests[]");
    ContestDef c;
    c.id = str(co, "id", label);
    const std::string cl = label + ".contests." + c.id;
    c.title = str(co, "title", cl);
    c.seats = uint32(member(co, "seats", cl), cl + ".seats");
    if (const json::value* a = co.if_contains("alternates"); a && !a->is_null())
      c.alternates = uint32(*a, cl + ".alternates");
    if (const json::value* cands = co.if_contains("candidates"); cands && !cands->is_null()) {
      for (const json::value& cand : arr(*cands, cl + ".candidates")) {
        const json::object& x = obj(cand, cl + ".candidates[]");
        c.candidates.push_back({str(x, "id", cl), str(x, "name", cl)});
      }
    }
    // Present but not a string is an error, never the default (another reader would differ).
    if (const json::value* r = co.if_contains("rule_set"); r && !r->is_null())
      c.rule_set = str(co, "rule_set", cl);
    if (const json::value* b = co.if_contains("majority_basis"); b && !b->is_null())
      c.majority_basis = str(co, "majority_basis", cl);
    if (const json::value* e = co.if_contains("excluded"); e && !e->is_null())
      c.excluded = uint(*e, cl + ".excluded");
    if (const json::value* f = co.if_contains("elect_from"); f && !f->is_null())
      c.elect_from = str(co, "elect_from", cl);
    s.rules.contests.push_back({c.id, c.title, c.seats, c.alternates, c.candidates, c.rule_set,
                                c.majority_basis, c.excluded, c.elect_from});
    s.contests.push_back(std::move(c));
  }
  s.rules.id = s.id;
  s.rules.convened = s.convened;
  // The register and the contests' people fields (docs/session.md "People"), read by the one
  // reader the congress rules have, on the exact bytes: the roll and the register then decide
  // attendance, exclusions and eligibility in the replay as they did at the station.
  congress::PeopleParse people = congress::parse_people(bytes);
  if (!people.error.empty()) throw UnreadableBundle(label + ": " + people.error);
  s.rules.people = std::move(people.people);
  return s;
}

namespace {

// The facts one command records (log positions of enrolments, revocations, openings and closes;
// token counts), whether or not it was legal: legality is the replay's question.
void record(const Command& c, LogFacts& f, const SessionDef& session) {
  auto round_key = [&](bool& ok) -> RoundKey {
    const json::value* contest = c.args.if_contains("contest");
    const json::value* round = c.args.if_contains("round");
    ok = contest && contest->is_string() && round && round->is_int64() && round->get_int64() > 0 &&
         round->get_int64() <= INT32_MAX;
    if (!ok) return {};
    return {std::string(contest->get_string()), static_cast<std::uint32_t>(round->get_int64())};
  };
  bool ok = true;
  if (c.name == "enrol_terminal" || c.name == "revoke_terminal") {
    const json::value* t = c.args.if_contains("terminal");
    if (t == nullptr || !t->is_string()) return;
    const std::string id(t->get_string());
    TerminalFacts& tf = f.terminals[id];
    tf.id = id;
    if (c.name == "enrol_terminal") {
      if (tf.enrolled_at) return;
      if (const json::value* k = c.args.if_contains("public_key"); k && k->is_string()) {
        // The same key may be written differently (line breaks): compare keyids.
        auto given = crypto::PublicKey::from_pem(std::string(k->get_string()));
        if (!given) return;
        if (!tf.pem.empty()) {
          auto listed = crypto::PublicKey::from_pem(tf.pem);
          if (!listed || listed->keyid() != given->keyid()) return;
        } else {
          tf.pem = std::string(k->get_string());
        }
      }
      if (tf.pem.empty()) return;
      tf.enrolled_at = c.index;
    } else {
      if (!tf.enrolled_at || tf.revoked_at) {
        return;
      }
      tf.revoked_at = c.index;
    }
  } else if (c.name == "issue_tokens") {
    const RoundKey k = round_key(ok);
    const json::value* n = c.args.if_contains("count");
    if (!ok || n == nullptr || !n->is_int64() || n->get_int64() <= 0) {
      return;
    }
    RoundFacts& r = f.rounds[k];
    if (r.closed_at) return;
    if (__builtin_add_overflow(r.tokens_issued, static_cast<std::uint64_t>(n->get_int64()),
                               &r.tokens_issued)) {
      return;
    }
  } else if (c.name == "open_round") {
    const RoundKey k = round_key(ok);
    if (!ok || session.find_contest(k.first) == nullptr)
      return;
    RoundFacts& r = f.rounds[k];
    if (r.opened_at) return;
    for (const auto& [key, other] : f.rounds) {
      if (key.first == k.first && other.opened_at && !other.closed_at) {
        return;
      }
    }
    r.opened_at = c.index;
    r.open_args = c.args;
  } else if (c.name == "close_round") {
    const RoundKey k = round_key(ok);
    if (!ok) return;
    RoundFacts& r = f.rounds[k];
    if (!r.opened_at || r.closed_at) return;
    r.closed_at = c.index;
    r.log_head_before_close =
        c.index == 0 ? session.config_hash : hex(f.commands[c.index - 1].entry_hash);
  } else if (c.name == "conclude_contest") {
    const json::value* contest = c.args.if_contains("contest");
    if (contest == nullptr || !contest->is_string()) return;
    f.concluded_at[std::string(contest->get_string())] = c.index;
  } else {
    return;
  }
}

}  // namespace

LogFacts read_command_log(const fs::path& bundle, const SessionDef& session, Report& report) {
  LogFacts f;
  for (const auto& [id, pem] : session.terminals) f.terminals[id] = TerminalFacts{id, pem, {}, {}};
  const std::string text = read_whole_file(bundle / "commands.jsonl");
  CheckBuilder sigs("command signatures", "command log");
  CheckBuilder seqs("command sequence", "command log");
  CheckBuilder chain("command log chain", "command log");
  auto prev = crypto::digest_from_hex(session.config_hash);
  crypto::Digest head = *prev;
  std::uint64_t last_seq = 0;
  std::size_t pos = 0;
  std::uint64_t line_no = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + pos, end - pos);
    pos = end + 1;
    ++line_no;
    const std::string at = "commands.jsonl:" + std::to_string(line_no);
    // docs/storage.md: entry_hash = SHA-256(prev_hash || SHA-256(envelope bytes)).
    const crypto::Digest inner = crypto::sha256(line);
    std::string buf(reinterpret_cast<const char*>(head.data()), head.size());
    buf.append(reinterpret_cast<const char*>(inner.data()), inner.size());
    head = crypto::sha256(buf);
    Command c;
    c.index = f.commands.size();
    c.entry_hash = head;
    auto env = crypto::parse_envelope(line);
    if (!env) {
      sigs.fail(at + ": not a DSSE envelope");
      f.commands.push_back(std::move(c));
      continue;
    }
    auto keyids = crypto::verify_envelope(*env, crypto::payload_type::kCommand, session.officials);
    std::string signer;
    if (!keyids) {
      sigs.fail(at + ": no valid signature by an official (" +
                std::string(crypto::to_string(keyids.error())) + ")");
    } else if (env->signatures.size() != 1) {  // the station stores the one it verified
      sigs.fail(at + ": carries " + std::to_string(env->signatures.size()) +
                " signatures, not one");
      keyids = crypto::Errc::bad_signature;
    } else {
      signer = session.official_by_keyid.find(keyids->front())->second;
    }
    boost::system::error_code ec;
    json::value pv = json::parse(env->payload, ec);
    const json::object* po =
        ec || !crypto::json_keys_unique(env->payload) ? nullptr : pv.if_object();
    const json::value* seq = po ? po->if_contains("seq") : nullptr;
    const json::value* official = po ? po->if_contains("official") : nullptr;
    const json::value* name = po ? po->if_contains("command") : nullptr;
    const json::value* args = po ? po->if_contains("args") : nullptr;
    const json::value* sess = po ? po->if_contains("session") : nullptr;
    if (po == nullptr || po->size() != 5 || !seq || !seq->is_int64() || seq->get_int64() <= 0 ||
        !official || !official->is_string() || !name || !name->is_string() || !args ||
        !args->is_object() || !sess || !sess->is_string()) {
      seqs.fail(at + ": payload is not a command");
      f.commands.push_back(std::move(c));
      continue;
    }
    c.seq = static_cast<std::uint64_t>(seq->get_int64());
    c.official = std::string(official->get_string());
    c.name = std::string(name->get_string());
    c.args = args->get_object();
    c.parsed = congress::parse_command(env->payload).command;
    if (keyids && env->signatures.size() == 1) c.signer = signer;
    if (keyids) {
      if (c.official != signer) {
        sigs.fail(at + ": names official " + c.official + " but is signed by " + signer);
      } else {
        sigs.pass();
      }
    }
    if (sess->get_string() != session.id) {
      seqs.fail(at + ": session \"" + std::string(sess->get_string()) + "\" is not this one");
    } else if (c.seq <= last_seq) {
      seqs.fail(at + ": seq " + std::to_string(c.seq) + " is not above the previous " +
                std::to_string(last_seq));
    } else {
      seqs.pass();
    }
    last_seq = std::max(last_seq, c.seq);
    f.commands.push_back(c);
    record(f.commands.back(), f, session);
  }
  f.head = hex(head);

  // command_log.json: the expected head and size.
  const std::string cl_text = read_whole_file(bundle / "command_log.json");
  const json::value clv = parse_json(cl_text, "command_log.json");
  const json::object& clo = obj(clv, "command_log.json");
  const std::uint64_t size = uint(member(clo, "size", "command_log.json"), "command_log.json.size");
  const std::string want = str(clo, "head", "command_log.json");
  if (size != f.commands.size()) {
    chain.problem_only("command_log.json says " + std::to_string(size) + " commands, the log has " +
                       std::to_string(f.commands.size()));
  }
  if (want != f.head) {
    chain.problem_only("the recomputed head " + f.head + " is not command_log.json's " + want);
  }
  chain.pass(f.commands.size());
  chain.set_note("head " + f.head.substr(0, 16) + "..., anchored at config_hash");
  report.add(sigs.done());
  report.add(seqs.done());
  report.add(chain.done());

  for (auto& [id, t] : f.terminals) {
    if (t.pem.empty()) continue;
    auto k = crypto::PublicKey::from_pem(t.pem);
    if (!k) continue;  // reported by "keys file"
    f.terminal_keys.add(*k);
    f.terminal_by_keyid[k->keyid()] = id;
  }
  return f;
}

std::string check_keys_file(const fs::path& bundle, const SessionDef& session, const LogFacts& log,
                            Report& report) {
  const std::string label = "keys.json";
  const json::value v = parse_json(read_whole_file(bundle / label), label);
  const json::object& o = obj(v, label);
  CheckBuilder b("keys file", "bundle");
  const json::object& station = obj(member(o, "station", label), label + ".station");
  const std::string station_pem = str(station, "public_key", label + ".station");
  auto sk = crypto::PublicKey::from_pem(station_pem);
  if (!sk) throw UnreadableBundle("keys.json: the station key is not a usable public key");
  // Every key record carries the keyid of its key: the lowercase hex SHA-256 of the key's DER
  // SubjectPublicKeyInfo (CONTRACT.md section 1), so that a reader who goes by keyid finds the
  // key it names. Missing, not a string, or another key's: the record fails.
  auto keyid_matches = [&](const json::object& record, const crypto::PublicKey& key,
                           const std::string& who) {
    const json::value* keyid = record.if_contains("keyid");
    if (keyid == nullptr || !keyid->is_string()) {
      b.fail(who + ": no keyid");
      return false;
    }
    if (keyid->get_string() != key.keyid()) {
      b.fail(who + ": keyid " + std::string(keyid->get_string()) + " does not match its key");
      return false;
    }
    return true;
  };
  (void)keyid_matches(station, *sk, "station");
  // The station must not also hold a role: it could countersign its own minutes, sign commands
  // or cast ballots.
  if (session.member_by_keyid.count(sk->keyid()) != 0 ||
      session.official_by_keyid.count(sk->keyid()) != 0 ||
      log.terminal_by_keyid.count(sk->keyid()) != 0) {
    b.fail("station: its key is also an official's, a committee member's or a terminal's");
  }
  // Nor may a terminal's key be an official's or a member's (it would sign ballots for them).
  for (const auto& [keyid, id] : log.terminal_by_keyid) {
    if (session.member_by_keyid.count(keyid) != 0 || session.official_by_keyid.count(keyid) != 0) {
      b.fail("terminals: " + id + "'s key is also an official's or a committee member's");
    }
  }
  auto people = [&](const char* role, const std::map<std::string, std::string, std::less<>>& by) {
    std::set<std::string> seen;
    for (const json::value& p : arr(member(o, role, label), label + "." + role)) {
      const json::object& po = obj(p, label);
      auto k = crypto::PublicKey::from_pem(str(po, "public_key", label));
      const std::string id = str(po, "id", label);
      auto it = k ? by.find(k->keyid()) : by.end();
      if (it == by.end() || it->second != id) {
        b.fail(std::string(role) + ": " + id + " is not the session's key for " + id);
      } else {
        seen.insert(id);  // the session's key: listed, whatever its keyid says
        if (keyid_matches(po, *k, std::string(role) + ": " + id)) b.pass();
      }
    }
    if (seen.size() != by.size()) {
      b.problem_only(std::string(role) + ": lists " + std::to_string(seen.size()) + " of the " +
                     std::to_string(by.size()) + " in the session");
    }
  };
  people("officials", session.official_by_keyid);
  people("counting_committee", session.member_by_keyid);
  std::size_t enrolled = 0;
  for (const auto& [id, t] : log.terminals) enrolled += t.enrolled_at ? 1 : 0;
  std::size_t listed = 0;
  std::set<std::string> listed_ids;
  for (const json::value& tv : arr(member(o, "terminals", label), label + ".terminals")) {
    const json::object& to = obj(tv, label);
    const std::string id = str(to, "id", label);
    if (!listed_ids.insert(id).second) {
      b.fail("terminals: " + id + " is listed twice");
      continue;
    }
    auto it = log.terminals.find(id);
    auto k = crypto::PublicKey::from_pem(str(to, "public_key", label));
    const std::string state = str(to, "state", label);
    if (it == log.terminals.end() || !it->second.enrolled_at) {
      b.fail("terminals: " + id + " was never enrolled by a command");
      continue;
    }
    auto lk = crypto::PublicKey::from_pem(it->second.pem);
    if (!k || !lk || k->keyid() != lk->keyid()) {
      b.fail("terminals: " + id + " has another key than the session or its enrol command");
    } else if (!keyid_matches(to, *k, "terminals: " + id)) {
      // named by keyid_matches
    } else if ((state != "revoked" && state != "enrolled") ||
               (state == "revoked") != it->second.revoked_at.has_value()) {
      b.fail("terminals: " + id + " is \"" + state + "\" but the log says otherwise");
    } else {
      b.pass();
    }
    ++listed;
  }
  if (listed != enrolled) {
    b.problem_only("terminals: lists " + std::to_string(listed) + ", the log enrolled " +
                   std::to_string(enrolled));
  }
  b.set_note("station keyid " + sk->keyid().substr(0, 16) +
             "... (compare with the one the station printed)");
  report.add(b.done());
  return station_pem;
}

bool enrolled_while_open(const TerminalFacts& t, const RoundFacts& r) {
  if (!t.enrolled_at || !r.opened_at || !r.closed_at) return false;
  const std::uint64_t from = std::max(*t.enrolled_at, *r.opened_at);
  const std::uint64_t to = std::min(t.revoked_at.value_or(UINT64_MAX), *r.closed_at);
  return from < to;
}

}  // namespace tallystation::audit::verify
