#!/usr/bin/env python3
"""Writes the seed corpora of tests/fuzz/corpus/ (docs/reliability.md "Fuzzing").

Deterministic: the signed seeds use the example keys of docs/examples/keys/ (Ed25519 signatures are
deterministic), signed with the openssl command line. Run from anywhere:
    python3 tests/fuzz/make_seeds.py
It rewrites the generated files only; files added by hand (and regressions/) are left alone.
The audit bundle seeds (fuzz_bundle) come from a bundle written by tallystation-genbundle:
    python3 tests/fuzz/make_seeds.py --genbundle BUILD/tallystation-genbundle
(genbundle uses fresh keys, so these seeds differ from run to run; they are committed as written.)
"""
import base64, hashlib, json, os, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
KEYS = os.path.join(ROOT, "docs", "examples", "keys")
SESSION = "cpv-xx-congress-2026"
BALLOT = "application/vnd.tallystation.ballot+json"
COMMAND = "application/vnd.tallystation.command+json"
RESULT = "application/vnd.tallystation.result+json"
MINUTES = '{"session":"cpv-xx-congress-2026","contest":"cc","round":1}'  # fuzz_countersignature


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def keyid(name):
    der = subprocess.run(["openssl", "pkey", "-pubin", "-in", os.path.join(KEYS, name + ".pub"),
                          "-outform", "DER"], check=True, capture_output=True).stdout
    return hashlib.sha256(der).hexdigest()


def pae(ptype, payload):
    t, p = ptype.encode(), payload.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(p), p)


def sign(name, ptype, payload):
    with tempfile.NamedTemporaryFile() as f:
        f.write(pae(ptype, payload))
        f.flush()
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey",
                              os.path.join(KEYS, name + ".key"), "-in", f.name],
                             check=True, capture_output=True).stdout
    return {"keyid": keyid(name), "sig": base64.b64encode(sig).decode()}


def envelope(name, ptype, payload, extra_sigs=()):
    return compact({"payload": base64.b64encode(payload.encode()).decode(), "payloadType": ptype,
                    "signatures": [sign(name, ptype, payload)] + list(extra_sigs)})


def ballot(token="a" * 64, marks=("c01", "c04"), contest="cc", rnd=1):
    return compact({"session": SESSION, "contest": contest, "round": rnd, "token": token,
                    "marks": list(marks)})


def command(seq, name, args, official="o1"):
    return compact({"session": SESSION, "seq": seq, "official": official, "command": name,
                    "args": args})


COMMANDS = [
    command(1, "enrol_terminal", {"terminal": "t1"}),
    command(2, "record_attendance", {"present": 296}),
    command(3, "issue_tokens", {"contest": "cc", "round": 1, "count": 5}),
    command(4, "open_round", {"contest": "cc", "round": 1}, "o2"),
    command(5, "close_round", {"contest": "cc", "round": 1}),
    command(5, "revoke_terminal", {"terminal": "t1"}),
    command(6, "conclude_contest", {"contest": "cc"}),
    command(7, "open_round", {"contest": "cc", "round": 2, "candidates": ["c01", "c02"], "seats": 1,
                              "alternates": 0}),
    command(8, "open_round", {"contest": "crc", "round": 1,
                              "new_nominations": [{"id": "n1", "name": "Nominee"}]}),
    command(9, "enrol_terminal", {"terminal": "t9", "public_key": open(
        os.path.join(KEYS, "terminal-t3.pub")).read()}),
]


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    b = ballot()
    # fuzz_dsse: envelopes as the station receives and writes them, and near misses.
    write("fuzz_dsse", "ballot_envelope.json", envelope("terminal-t1", BALLOT, b))
    write("fuzz_dsse", "command_envelope.json", envelope("official-o1", COMMAND, COMMANDS[0]))
    write("fuzz_dsse", "two_signatures.json",
          envelope("member-m1", RESULT, MINUTES, [sign("member-m2", RESULT, MINUTES)]))
    write("fuzz_dsse", "ecdsa_signature.json", envelope("terminal-t3", BALLOT, b))
    write("fuzz_dsse", "no_signatures.json", compact(
        {"payload": base64.b64encode(b"{}").decode(), "payloadType": BALLOT, "signatures": []}))
    write("fuzz_dsse", "extra_member.json", compact(
        {"payload": "e30=", "payloadType": "x", "signatures": [{"keyid": "00", "sig": "AA=="}],
         "comment": "DSSE allows it"}))
    write("fuzz_dsse", "bad_base64.json",
          '{"payload":"e30","payloadType":"x","signatures":[{"keyid":"00","sig":"A*=="}]}')
    write("fuzz_dsse", "missing_type.json", '{"payload":"e30=","signatures":[]}')
    write("fuzz_dsse", "escaped_strings.json",
          '{"payload":"e30=","payloadType":"a\\u00e9\\ud83d\\ude00\\n","signatures":[{"keyid":"\\u0041","sig":""}]}')

    # fuzz_ballot_payload
    for name, text in [
        ("valid.json", b),
        ("no_marks.json", ballot(marks=())),
        ("many_marks.json", ballot(marks=["c0%d" % i for i in range(1, 9)])),
        ("duplicate_mark.json", ballot(marks=("c01", "c01"))),
        ("round_zero.json", ballot(rnd=0)),
        ("round_big.json", b.replace('"round":1', '"round":4294967296')),
        ("round_string.json", b.replace('"round":1', '"round":"1"')),
        ("extra_member.json", b[:-1] + ',"x":1}'),
        ("repeated_member.json", b[:-1] + ',"round":2}'),
        ("escapes.json", ballot(token="\\u0074ok\u00e9n", marks=("c\u00f601", "\U0001F600"))),
        ("whitespace.json", json.dumps(json.loads(b), indent=2)),
    ]:
        write("fuzz_ballot_payload", name, text)

    # fuzz_command_payload
    for i, c in enumerate(COMMANDS):
        write("fuzz_command_payload", "%02d_%s.json" % (i, json.loads(c)["command"]), c)
    c0 = COMMANDS[0]
    for name, text in [
        ("seq_zero.json", c0.replace('"seq":1', '"seq":0')),
        ("seq_huge.json", c0.replace('"seq":1', '"seq":18446744073709551616')),
        ("args_array.json", c0.replace('{"terminal":"t1"}', '[]')),
        ("repeated_arg.json", c0.replace('{"terminal":"t1"}', '{"terminal":"t1","terminal":"t2"}')),
        ("unknown_command.json", c0.replace("enrol_terminal", "dissolve_congress")),
        ("other_session.json", c0.replace(SESSION, "other")),
    ]:
        write("fuzz_command_payload", name, text)

    # fuzz_countersignature: bodies against the minutes envelope the target makes at start-up.
    m1 = sign("member-m1", RESULT, MINUTES)
    write("fuzz_countersignature", "keyid_sig_m1.json", compact(m1))
    write("fuzz_countersignature", "envelope_m1_m2.json",
          envelope("member-m1", RESULT, MINUTES, [sign("member-m2", RESULT, MINUTES)]))
    write("fuzz_countersignature", "envelope_other_payload.json", envelope("member-m1", RESULT, "{}"))
    write("fuzz_countersignature", "not_a_member.json", compact(sign("official-o1", RESULT, MINUTES)))
    write("fuzz_countersignature", "bad_signature.json",
          compact({"keyid": m1["keyid"], "sig": base64.b64encode(b"\0" * 64).decode()}))
    write("fuzz_countersignature", "repeated_member.json", compact(
        {"payload": base64.b64encode(MINUTES.encode()).decode(), "payloadType": RESULT,
         "signatures": [m1, m1]}))
    write("fuzz_countersignature", "extra_member.json", compact(dict(m1, x=1)))

    # fuzz_session
    session_text = open(os.path.join(ROOT, "docs", "examples", "session.json")).read()
    write("fuzz_session", "example.json", session_text)
    s = json.loads(session_text)
    small = dict(s, contests=[s["contests"][0]], terminals=s["terminals"][:1])
    write("fuzz_session", "one_contest.json", compact(small))
    ef = dict(s, contests=s["contests"] + [{"id": "sec", "title": "Secretary", "seats": 1,
                                             "elect_from": "cc"}])
    write("fuzz_session", "elect_from.json", compact(ef))
    dup = json.loads(compact(s))
    dup["contests"][0]["candidates"].append(dup["contests"][0]["candidates"][0])
    write("fuzz_session", "duplicate_candidate.json", compact(dup))
    write("fuzz_session", "bad_key.json", compact(dict(s, officials=[
        dict(s["officials"][0], public_key="-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")])))
    write("fuzz_session", "unknown_member.json", compact(dict(s, colour="red")))

    # fuzz_http_request: "METHOD TARGET\nCONTENT-TYPE\nBODY"
    def http(method, target, body="", ctype=""):
        return "%s %s\n%s\n%s" % (method, target, ctype, body)
    J = "application/json"
    reqs = [
        ("get_station", http("GET", "/v1/station")),
        ("get_ballot", http("GET", "/v1/ballot?contest=cc")),
        ("get_ballot_unknown", http("GET", "/v1/ballot?contest=zz&round=2")),
        ("get_status", http("GET", "/v1/status")),
        ("get_checkpoint", http("GET", "/v1/checkpoint?contest=cc&round=1")),
        ("get_results", http("GET", "/v1/results/cc/1")),
        ("get_proof", http("GET", "/v1/proof?contest=cc&round=1&ballot_hash=" + "0" * 64)),
        ("head_status", http("HEAD", "/v1/status")),
        ("delete_ballots", http("DELETE", "/v1/ballots")),
        ("not_found", http("GET", "/v1/nothing/%41%zz?x")),
        ("wrong_content_type", http("POST", "/v1/ballots", "{}", "text/plain")),
    ]
    for i, c in enumerate(COMMANDS[:4]):
        reqs.append(("post_command_%d" % (i + 1),
                     http("POST", "/v1/commands", envelope("official-o1", COMMAND, c), J)))
    reqs += [
        ("post_ballot", http("POST", "/v1/ballots", envelope("terminal-t1", BALLOT, b), J)),
        ("post_ballot_unsigned", http("POST", "/v1/ballots", b, J + "; charset=utf-8")),
        ("post_signatures", http("POST", "/v1/results/cc/1/signatures", compact(m1), J)),
    ]
    for name, text in reqs:
        write("fuzz_http_request", name + ".txt", text)

    # fuzz_contest and fuzz_ballot_file: the tally test data.
    data = os.path.join(ROOT, "tests", "tally", "data")
    for f in sorted(os.listdir(data)):
        text = open(os.path.join(data, f), "rb").read()
        if f.endswith(".contest.json"):
            write("fuzz_contest", f, text)
        elif f.endswith(".ballots.jsonl"):
            contest = {"basic": 0, "delegates": 1, "delegates_full": 1, "secretary": 2}.get(
                f.split(".")[0], 0)
            write("fuzz_ballot_file", f, bytes([contest, 7]) + text)
    basic = json.loads(open(os.path.join(data, "basic.contest.json")).read())
    for name, change in [("alternates.json", {"alternates": 1}),
                         ("basis_present.json", {"majority_basis": "present"}),
                         ("no_present.json", {"majority_basis": "present", "present": None}),
                         ("zero_seats.json", {"seats": 0}),
                         ("round_session.json", {"round": 2, "session": "s-2026"})]:
        c = dict(basic, **change)
        write("fuzz_contest", name, compact({k: v for k, v in c.items() if v is not None}))


def with_register(session_bytes):
    """The session with a register (docs/session.md "People"): its candidates and further
    delegates on the roll (as many as convened), an alternate, an age rule and a contest's
    incumbents, personnel plan and eligibility, so that verify's parse_people reads them all."""
    s = json.loads(session_bytes)
    s["congress_date"] = "2025-06-10"
    contest = s["contests"][0]
    people = [{"id": c["id"], "name": c["name"], "birth_date": "%d-%02d-%02d" % (1950 + 7 * i % 40, 1 + i % 9, 10 + i % 10),
               "sex": "female" if i % 2 else "male", "ethnic_group": "Tày" if i % 3 == 1 else "Kinh",
               "local": i % 4 != 3} for i, c in enumerate(contest["candidates"])]
    while len(people) < s["convened"] + 1:
        n = len(people)
        people.append({"id": "d%02d" % n, "name": "Delegate %d" % n, "birth_date": "1980-01-01",
                       "sex": "male", "ethnic_group": "Kinh", "local": True})
    s["register"] = {"people": people, "roll": [p["id"] for p in people[:-1]],
                     "alternates": [people[-1]["id"]]}
    s["eligibility_rules"] = [{"id": "committee-2025", "title": "Committee age limits",
                               "max_age": {"first_time": {"male": 60, "female": 55},
                                           "re_election": {"male": 65, "female": 60}},
                               "approving_body": "the higher committee's standing committee"}]
    ids = [c["id"] for c in contest["candidates"]]
    contest.update({"office": "committee", "incumbents": ids[:1], "personnel_plan": ids[:2],
                    "eligibility": ["committee-2025"]})
    return compact(s)


def bundle_seeds(genbundle):
    """fuzz_bundle: session.json, commands.jsonl, command_log.json, keys.json, tokens.txt,
    ballots.jsonl joined by the line %%, from a 4-ballot bundle and near misses of it."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bundle")
        subprocess.run([genbundle, "--out", out, "--ballots", "4", "--candidates", "3", "--seats",
                        "1", "--threads", "1"], check=True, capture_output=True)
        rounds = os.path.join(out, "rounds")
        contest = sorted(os.listdir(rounds))[0]
        rnd = os.path.join(rounds, contest, sorted(os.listdir(os.path.join(rounds, contest)))[0])
        files = [open(os.path.join(out, f), "rb").read()
                 for f in ("session.json", "commands.jsonl", "command_log.json", "keys.json")]
        files += [open(os.path.join(rnd, f), "rb").read() for f in ("tokens.txt", "ballots.jsonl")]
    join = lambda parts: b"\n%%\n".join(parts)
    write("fuzz_bundle", "bundle.txt", join(files))
    write("fuzz_bundle", "session_only.txt", files[0])
    write("fuzz_bundle", "session_register.txt", with_register(files[0]))
    lines = files[1].splitlines(keepends=True)
    write("fuzz_bundle", "log_first_command_only.txt", join([files[0], lines[0]] + files[2:]))
    write("fuzz_bundle", "log_reordered.txt", join([files[0], b"".join(reversed(lines))] + files[2:]))
    write("fuzz_bundle", "tokens_unsorted.txt",
          join(files[:4] + [b"".join(reversed(files[4].splitlines(keepends=True))), files[5]]))
    write("fuzz_bundle", "no_keys.txt", join(files[:3] + [b"{}"] + files[4:]))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--genbundle":
        bundle_seeds(sys.argv[2])
    else:
        main()
