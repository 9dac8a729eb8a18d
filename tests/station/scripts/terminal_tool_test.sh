#!/usr/bin/env bash
# tallystation-terminal against a real stationd (the example session of docs/examples): keygen,
# ballot, one vote with its receipt file, a batch with a refused line, pinning refusals and their
# exit codes, and check-receipt after the close.
# Usage: terminal_tool_test.sh STATIOND STATIONCTL TERMINAL EXAMPLES_DIR
set -euo pipefail
stationd=$1 stationctl=$2 terminal=$3 examples=$4
work="$(mktemp -d "${TMPDIR:-/tmp}/terminal-tool-test.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
fail() { echo "FAILED: $*" >&2; exit 1; }
expect_rc() { # <expected> <command...>
  local want=$1 rc=0
  shift
  "$@" >out.txt 2>err.txt || rc=$?
  [ "$rc" -eq "$want" ] || { cat out.txt err.txt >&2; fail "exit $rc, expected $want: $*"; }
}

"$terminal" keygen --out t9.key --public-out t9.pub | grep -q '^keyid: [0-9a-f]\{64\}$'
[ "$(stat -c %a t9.key)" = 600 ] || fail "the terminal key is not 0600"

"$stationctl" init --data data --session "$examples/session.json" --json >init.json
"$stationd" --data data --port 0 --port-file port --log requests.log >stationd.out 2>&1 &
pid=$!
for _ in $(seq 1000); do [ -s port ] && break; sleep 0.01; done
[ -s port ] || fail "stationd did not listen"
export TALLY_STATION="https://127.0.0.1:$(cat port)"
export TALLY_FINGERPRINT="$(jq -r .tls_fingerprint init.json)"
export TALLY_STATION_KEYID="$(jq -r .keyid init.json)"
export TALLY_KEY="$examples/keys/official-o1.key" TALLY_OFFICIAL=o1
"$stationctl" enrol --terminal t1 --json >/dev/null
"$stationctl" enrol --terminal t9 --public-key t9.pub --json >/dev/null
"$stationctl" issue-tokens --contest cc --round 1 --count 6 --out tokens --json >/dev/null
"$stationctl" open-round --contest cc --round 1 --json >/dev/null
export TALLY_TERMINAL_KEY="$examples/keys/terminal-t1.key"

"$terminal" ballot --contest cc --json | jq -e '.round == 1 and (.candidates | length) == 8' >/dev/null
# The fingerprint as some screens show it (upper case) pins the same certificate; a malformed one
# is a usage error.
"$terminal" ballot --contest cc --json --fingerprint "${TALLY_FINGERPRINT^^}" | jq -e '.round == 1' >/dev/null
expect_rc 2 "$terminal" ballot --contest cc --fingerprint "not-hex"
tok() { sed -n "${1}p" tokens; }

# One ballot; the same token with other marks is refused (exit 1), a mark off the list is usage.
expect_rc 0 "$terminal" vote --contest cc --token "$(tok 1)" --mark c01 --mark c03 --receipt-out r1.json
grep -q 'receipt verified' out.txt || fail "no receipt message"
expect_rc 1 "$terminal" vote --contest cc --token "$(tok 1)" --mark c02
grep -q token_spent err.txt || fail "token_spent not reported"
expect_rc 2 "$terminal" vote --contest cc --token "$(tok 2)" --mark zz

# Pinning: another TLS fingerprint, another station keyid: refused, nothing stored.
expect_rc 1 "$terminal" vote --contest cc --token "$(tok 2)" --mark c01 \
  --fingerprint "$(printf '0%.0s' $(seq 64))"
grep -q 'pin:' err.txt || fail "TLS pin mismatch not reported"
expect_rc 1 "$terminal" vote --contest cc --token "$(tok 2)" --mark c01 \
  --station-keyid "$(printf 'e%.0s' $(seq 64))"
grep -q 'pin:' err.txt || fail "keyid pin mismatch not reported"

# A batch from a terminal enrolled on the day: a spent token on line 3 is reported and skipped.
{
  echo "# token marks"
  echo "$(tok 2) c01 c02"
  echo "$(tok 1) c05"
  echo "$(tok 3)"
  echo "$(tok 4) c01 c02 c03 c04 c05 c06 c07 c08"
} >batch.txt
expect_rc 1 "$terminal" vote --contest cc --key t9.key --batch batch.txt --receipts-out r.jsonl --json
jq -e '.accepted == 3 and .refused == 1' out.txt >/dev/null || fail "batch summary: $(cat out.txt)"
grep -q 'batch.txt:3: token_spent' err.txt || fail "the refused line is not named"
[ "$(wc -l <r.jsonl)" -eq 3 ] || fail "expected 3 receipts"

# Before the close there is no box; after it every receipt is in the signed box.
expect_rc 1 "$terminal" check-receipt --receipt r1.json
"$stationctl" close-round --contest cc --round 1 --json >/dev/null
expect_rc 0 "$terminal" check-receipt --receipt r1.json --receipt r.jsonl --quiet
grep -q '^4 receipts checked' out.txt || fail "check-receipt: $(cat out.txt)"
echo ok
