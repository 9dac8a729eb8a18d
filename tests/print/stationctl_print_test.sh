#!/usr/bin/env bash
# stationctl print-slips and print-minutes against a real stationd, on the example session of
# docs/examples with Vietnamese names: the slips hold every token as text and as a QR code and are
# 0600; the minutes hold the names with their diacritics, the counts and the box root, and a QR
# code of the root; --copies 2 doubles the pages; every refusal exits non-zero and writes nothing.
# Usage: stationctl_print_test.sh STATIOND STATIONCTL TERMINAL EXAMPLES_DIR
set -euo pipefail
stationd=$1 stationctl=$2 terminal=$3 examples=$4
work="$(mktemp -d "${TMPDIR:-/tmp}/stationctl-print-test.XXXXXX")"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
fail() { echo "FAILED: $*" >&2; exit 1; }
expect_fail() { # <expected stderr text> <command...>: non-zero exit, the text on stderr
  local want=$1 rc=0
  shift
  "$@" >out.txt 2>err.txt || rc=$?
  [ "$rc" -ne 0 ] || { cat out.txt err.txt >&2; fail "exit 0, expected a failure: $*"; }
  grep -q -- "$want" err.txt || { cat err.txt >&2; fail "'$want' not on stderr: $*"; }
}
pages() { pdfinfo "$1" | sed -n 's/^Pages: *//p'; }
# Every QR code of a PDF, one per line, sorted (pdftoppm at 150 dpi, then zbarimg; exit 4 from
# zbarimg is a page without a code). Output goes to files, not into `grep -q`, which would close
# the pipe early and fail the writer under pipefail.
qr_codes() {
  rm -f qr-*.png
  pdftoppm -png -r 150 "$1" qr
  for png in qr-*.png; do zbarimg --raw -q --nodbus -Sdisable -Sqrcode.enable "$png" || [ $? -eq 4 ]; done | sort
}

jq '.title = "Đại hội đại biểu Đảng bộ tỉnh lần thứ XV" | .language = "vi"
  | .counting_committee.members[0].name = "Nguyễn Văn An"
  | .counting_committee.members[1].name = "Đỗ Thị Thu Hà"
  | .counting_committee.members[2].name = "Hoàng Minh Tuấn"
  | .contests |= map(if .id == "cc" then
      .title = "Ban Chấp hành Đảng bộ"
      | .candidates[0].name = "Nguyễn Thị Hồng" | .candidates[1].name = "Trần Văn Bình"
      | .candidates[2].name = "Lê Thị Mai" | .candidates[3].name = "Phạm Quốc Dũng"
    else . end)' "$examples/session.json" >session.json

"$stationctl" init --data data --session session.json --json >init.json
"$stationd" --data data --port 0 --port-file port --log requests.log >stationd.out 2>&1 &
pid=$!
for _ in $(seq 1000); do [ -s port ] && break; sleep 0.01; done
[ -s port ] || fail "stationd did not listen"
export TALLY_STATION="https://127.0.0.1:$(cat port)"
export TALLY_FINGERPRINT="$(jq -r .tls_fingerprint init.json)"
export TALLY_STATION_KEYID="$(jq -r .keyid init.json)"
export TALLY_KEY="$examples/keys/official-o1.key" TALLY_OFFICIAL=o1
export TALLY_TERMINAL_KEY="$examples/keys/terminal-t1.key"
"$stationctl" enrol --terminal t1 --json >/dev/null
"$stationctl" issue-tokens --contest cc --round 1 --count 8 --out tokens --json >/dev/null
"$stationctl" open-round --contest cc --round 1 --json >/dev/null

# ---- Slips ----
"$stationctl" print-slips --tokens tokens --contest cc --round 1 --out slips.pdf >said.txt
grep -q '8 slips for cc round 1 written to slips.pdf' said.txt || fail "print-slips did not report"
[ "$(stat -c %a slips.pdf)" = 600 ] || fail "the slips PDF is not 0600"
[ "$(pages slips.pdf)" = 2 ] || fail "8 slips are not 2 pages"
pdftotext -layout slips.pdf slips.txt
while read -r t; do grep -q "$t" slips.txt || fail "token $t is not on a slip as text"; done <tokens
grep -q 'MÃ PHIẾU BẦU' slips.txt || fail "no Vietnamese slip heading"
grep -q 'Ban Chấp hành Đảng bộ · lần bầu 1' slips.txt || fail "no contest and round on the slips"
diff <(qr_codes slips.pdf) <(sort tokens) || fail "the slips' QR codes are not the tokens"
rm -f qr-*.png
"$stationctl" print-slips --tokens tokens --contest cc --round 1 --lang en --out slips-en.pdf >/dev/null
pdftotext slips-en.pdf slips-en.txt
grep -q 'BALLOT TOKEN' slips-en.txt || fail "no English slip heading"

# Refusals: an existing --out (left as it was), an unreadable or empty token file, an unknown
# contest, more tokens than the round has: non-zero, nothing written.
cp slips.pdf before.pdf
expect_fail 'already exists' "$stationctl" print-slips --tokens tokens --contest cc --round 1 --out slips.pdf
cmp -s slips.pdf before.pdf || fail "an existing slips PDF was changed"
expect_fail 'no-such-file: cannot be read' "$stationctl" print-slips --tokens no-such-file --contest cc --round 1 --out x1.pdf
mkdir a-directory
expect_fail 'a-directory: not a file' "$stationctl" print-slips --tokens a-directory --contest cc --round 1 --out x2.pdf
: >empty
expect_fail 'holds no tokens' "$stationctl" print-slips --tokens empty --contest cc --round 1 --out x3.pdf
expect_fail 'unknown_contest' "$stationctl" print-slips --tokens tokens --contest nope --round 1 --out x4.pdf
expect_fail 'more than were issued' "$stationctl" print-slips --tokens tokens --contest cc --round 2 --out x5.pdf
for f in x1.pdf x2.pdf x3.pdf x4.pdf x5.pdf; do [ ! -e "$f" ] || fail "$f was written on error"; done

# ---- A round: three ballots, then the minutes ----
tok() { sed -n "${1}p" tokens; }
"$terminal" vote --contest cc --token "$(tok 1)" --mark c01 --mark c02 >/dev/null
"$terminal" vote --contest cc --token "$(tok 2)" --mark c01 >/dev/null
"$terminal" vote --contest cc --token "$(tok 3)" --mark c01 --mark c03 >/dev/null
"$stationctl" close-round --contest cc --round 1 --json >/dev/null
expect_fail 'is closed' "$stationctl" print-slips --tokens tokens --contest cc --round 1 --out x6.pdf
[ ! -e x6.pdf ] || fail "slips were printed for a closed round"

root="$("$stationctl" results --contest cc --round 1 --json | jq -r .payload.ballot_box.root)"
[ ${#root} = 64 ] || fail "no box root"
"$stationctl" countersign --key "$examples/keys/member-m1.key" --contest cc --round 1 >/dev/null
"$stationctl" print-minutes --contest cc --round 1 --out minutes.pdf >said.txt
grep -q 'minutes of cc round 1 written to minutes.pdf: 1 copy' said.txt || fail "print-minutes did not report"
[ "$(stat -c %a minutes.pdf)" = 644 ] || fail "the minutes PDF is not 0644"
pdftotext -layout minutes.pdf minutes.txt
for s in 'BIÊN BẢN KIỂM PHIẾU' 'Đại hội đại biểu Đảng bộ tỉnh lần thứ XV' 'Ban Chấp hành Đảng bộ' \
  'Nguyễn Thị Hồng' 'Trần Văn Bình' 'Lê Thị Mai' 'Phạm Quốc Dũng' \
  'Nguyễn Văn An' 'Đỗ Thị Thu Hà' 'Hoàng Minh Tuấn' 'Ban kiểm phiếu' 'Chưa xác nhận: 1 trên 2' \
  "$root"; do
  grep -qF -- "$s" minutes.txt || { cat minutes.txt >&2; fail "'$s' is not in the minutes"; }
done
# The counts: 300 convened = the basis, threshold 151, 3 ballots; Nguyễn Thị Hồng (c01) 3 votes,
# 1.00% of the basis.
grep -qE 'Số làm cơ sở +300' minutes.txt || fail "basis 300 not printed"
grep -qE 'Số phiếu cần đạt.* +151' minutes.txt || fail "threshold 151 not printed"
grep -qE 'Số phiếu thu vào +3' minutes.txt || fail "3 ballots collected not printed"
grep -qE '1 +c01 +Nguyễn Thị Hồng +3 +1\.00' minutes.txt || fail "c01's row not printed"
[ "$(qr_codes minutes.pdf)" = "$root" ] || fail "the minutes' QR code is not the box root"

one="$(pages minutes.pdf)"
"$stationctl" print-minutes --contest cc --round 1 --copies 2 --lang en --out two.pdf >/dev/null
[ "$(pages two.pdf)" = $((2 * one)) ] || fail "--copies 2 is not twice the pages"
pdftotext two.pdf two.txt
grep -q 'copy 2 of 2' two.txt || fail "the second copy is not numbered"
[ "$(qr_codes two.pdf | wc -l)" = 2 ] || fail "not one root QR code per copy"

# Refusals: a round without minutes, an unknown contest, an existing --out, copies or language
# out of range, a station that is not the pinned one.
expect_fail 'not_found' "$stationctl" print-minutes --contest cc --round 2 --out y1.pdf
expect_fail 'unknown_contest' "$stationctl" print-minutes --contest nope --round 1 --out y2.pdf
cp minutes.pdf before.pdf
expect_fail 'already exists' "$stationctl" print-minutes --contest cc --round 1 --out minutes.pdf
cmp -s minutes.pdf before.pdf || fail "an existing minutes PDF was changed"
expect_fail 'copies' "$stationctl" print-minutes --contest cc --round 1 --copies 0 --out y3.pdf
expect_fail 'lang' "$stationctl" print-minutes --contest cc --round 1 --lang fr --out y4.pdf
expect_fail 'certificate verify failed' env TALLY_FINGERPRINT="$(printf '0%.0s' $(seq 64))" \
  "$stationctl" print-minutes --contest cc --round 1 --out y5.pdf
for f in y1.pdf y2.pdf y3.pdf y4.pdf y5.pdf; do [ ! -e "$f" ] || fail "$f was written on error"; done
echo "stationctl print: ok"
