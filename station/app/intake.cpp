#include "station/app/intake.hpp"

#include "crypto/dsse.hpp"
#include "crypto/merkle.hpp"

namespace tallystation::station {

namespace {

Checked<crypto::Envelope> envelope_of(std::string_view body, std::string_view type) {
  auto env = crypto::parse_envelope(body);
  if (!env) {
    return refuse(Refusal::malformed,
                  "not a DSSE envelope (" + std::string(crypto::to_string(env.error())) + ")");
  }
  if (env->payload_type != type) {
    return refuse(Refusal::malformed, "payloadType must be " + std::string(type));
  }
  if (env->signatures.empty()) return refuse(Refusal::bad_signature, "the envelope is not signed");
  return std::move(*env);
}

Checked<void> verify(const crypto::Envelope& env, const crypto::Signature& sig,
                     const crypto::PublicKey& key) {
  if (!key.verify(crypto::pae(env.payload_type, env.payload), sig.sig)) {
    return refuse(Refusal::bad_signature, "the signature does not verify");
  }
  return {};
}

// What the station stores (and exports, and chains into the command log): the payload bytes as
// received with the one signature it verified. Other signatures in the envelope were never
// checked; storing them would let unverified bytes pass for part of the signed record.
std::string stored_envelope(const crypto::Envelope& env, const crypto::Signature& verified) {
  return crypto::serialize(crypto::Envelope{env.payload, env.payload_type, {verified}});
}

Refused off_the_list(const std::string& mark, const std::string& contest) {
  return refuse(Refusal::unknown_candidate,
                "\"" + mark + "\" is not a candidate of contest " + contest);
}

}  // namespace

Checked<PendingBallot> check_ballot(std::string_view body, const Session& session,
                                    const Ledger& ledger) {
  auto env = envelope_of(body, crypto::payload_type::kBallot);
  if (!env) return env.error();
  // The first signature by an enrolled terminal's key is the one that counts.
  const crypto::Signature* sig = nullptr;
  std::optional<TerminalInfo> terminal;
  for (const crypto::Signature& s : env->signatures) {
    terminal = ledger.terminal_by_keyid(s.keyid);
    if (terminal) {
      sig = &s;
      break;
    }
  }
  if (!terminal) {
    for (const crypto::Signature& s : env->signatures) {
      for (const TerminalDef& t : session.terminals) {
        if (t.public_key.keyid() == s.keyid) {
          return refuse(Refusal::unknown_terminal, "terminal " + t.id + " is not enrolled");
        }
      }
    }
    return refuse(Refusal::unknown_terminal, "the ballot is not signed by an enrolled terminal");
  }
  if (auto v = verify(*env, *sig, terminal->key); !v) return v.error();

  auto payload = parse_ballot_payload(env->payload);
  if (!payload) return payload.error();
  if (payload->session != session.id) {
    return refuse(Refusal::unknown_session, "this station runs session " + session.id);
  }
  const ContestDef* contest = session.find_contest(payload->contest);
  if (contest == nullptr) {
    return refuse(Refusal::unknown_contest, "no contest \"" + payload->contest + "\"");
  }
  // The round's own list (a run-off or an elect-from contest votes on another list than the
  // session's); before the round exists, the session's.
  const auto round_ballot = ledger.book().ballot(payload->contest, payload->round);
  for (const std::string& mark : payload->marks) {
    const bool listed = round_ballot ? round_ballot->find_candidate(mark) != nullptr
                                     : contest->find_candidate(mark) != nullptr;
    if (!listed) return off_the_list(mark, contest->id);
  }
  PendingBallot b;
  b.marks_on_round_list = round_ballot.has_value();
  b.leaf = crypto::leaf_hash(env->payload);
  b.token = token_hash(payload->token);
  b.payload = std::move(*payload);
  b.payload_bytes = env->payload;
  b.sig_keyid = sig->keyid;
  b.signature = sig->sig;
  b.terminal_id = terminal->id;
  b.terminal_keyid = sig->keyid;
  return b;
}

Checked<void> recheck_marks(const PendingBallot& b, const Ledger& ledger) {
  // A round's list never changes once it is opened: a ballot checked against it stays checked.
  if (b.marks_on_round_list) return {};
  const auto round_ballot = ledger.book().ballot(b.payload.contest, b.payload.round);
  if (!round_ballot) return {};
  for (const std::string& mark : b.payload.marks) {
    if (round_ballot->find_candidate(mark) == nullptr) {
      return off_the_list(mark, b.payload.contest);
    }
  }
  return {};
}

Checked<PendingCommand> check_command(std::string_view body, const Session& session) {
  auto env = envelope_of(body, crypto::payload_type::kCommand);
  if (!env) return env.error();
  const crypto::Signature* sig = nullptr;
  const Person* official = nullptr;
  for (const crypto::Signature& s : env->signatures) {
    official = session.find_official_by_keyid(s.keyid);
    if (official) {
      sig = &s;
      break;
    }
  }
  if (!official) {
    return refuse(Refusal::unknown_official, "the command is not signed by an official's key");
  }
  if (auto v = verify(*env, *sig, official->public_key); !v) return v.error();
  // The congress rules read the payload (strict JSON, exactly its five members); the station
  // stores seq as a SQLite INTEGER.
  congress::ParsedCommand parsed = congress::parse_command(env->payload);
  if (!parsed.command) return refuse(Refusal::malformed, "command payload: " + parsed.refusal.message);
  if (parsed.command->seq > static_cast<std::uint64_t>(INT64_MAX)) {
    return refuse(Refusal::malformed, "command payload: seq must be a positive integer");
  }
  auto payload = &*parsed.command;
  if (payload->session != session.id) {
    return refuse(Refusal::unknown_session, "this station runs session " + session.id);
  }
  if (payload->official != official->id) {
    return refuse(Refusal::unknown_official, "signed by official " + official->id +
                                                 " but names \"" + payload->official + "\"");
  }
  PendingCommand c;
  c.payload = std::move(*parsed.command);
  c.envelope = stored_envelope(*env, *sig);
  c.official_id = official->id;
  return c;
}

}  // namespace tallystation::station
