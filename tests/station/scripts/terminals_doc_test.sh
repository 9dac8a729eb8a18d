#!/usr/bin/env bash
# Runs the curl + openssl terminal of docs/terminals.md exactly as written against a real stationd,
# so that the documentation and the station cannot drift apart.
#
# Usage: terminals_doc_test.sh STATIOND DOCS/terminals.md
#
# The doc's fenced ```sh blocks are extracted in order: block 1 makes the terminal's key, the rest
# submit one ballot and verify its receipt. Between them this script plays the officials: it puts
# the terminal's public key into docs/examples/session.json (as terminal t1), starts stationd on an
# ephemeral loopback port, and with official o1's example key enrols t1, issues one token and opens
# round 1 of contest cc. Needs openssl, curl and jq.
set -euo pipefail

stationd=$(realpath "$1")
doc=$(realpath "$2")
examples="$(dirname "$doc")/examples"
work=$(mktemp -d)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

awk '/^```sh$/ { n++; inside = 1; next } /^```$/ { inside = 0; next }
     inside { print > ("block-" n ".sh") }' "$doc"
blocks=$(ls block-*.sh | wc -l)
[ "$blocks" -ge 2 ] || { echo "expected at least 2 sh blocks in $doc, found $blocks" >&2; exit 1; }

echo "== block 1: the terminal's key"
bash -euo pipefail block-1.sh

echo "== officials: session with this terminal as t1, start stationd"
jq --rawfile pem terminal.pub '.terminals[0].public_key = $pem' "$examples/session.json" > session.json
"$stationd" --data data --session session.json --port 0 --port-file port --log requests.log \
  > stationd.out 2> stationd.err &
pid=$!
for _ in $(seq 1 3000); do
  [ -s port ] && break
  kill -0 "$pid" 2>/dev/null || { cat stationd.err >&2; exit 1; }
  sleep 0.01
done
[ -s port ] || { echo "stationd did not listen" >&2; exit 1; }
banner=$(grep '^{' stationd.out)
export STATION="127.0.0.1:$(cat port)"
export STATION_TLS_FINGERPRINT=$(jq -r .tls_fingerprint <<< "$banner")
export STATION_KEYID=$(jq -r .keyid <<< "$banner")

# A command envelope signed by official o1 (the same DSSE recipe as the doc's ballot); the answer
# goes to cmd.out (not through a subshell, which would lose the sequence number).
seq=0
command() {
  seq=$((seq + 1))
  local type=application/vnd.tallystation.command+json
  jq -cn --arg s "$SESSION" --argjson n "$seq" --arg c "$1" --argjson a "$2" \
    '{session: $s, seq: $n, official: "o1", command: $c, args: $a}' | tr -d '\n' > cmd.json
  printf 'DSSEv1 %d %s %d ' "${#type}" "$type" "$(wc -c < cmd.json)" > cmd.pae
  cat cmd.json >> cmd.pae
  openssl pkeyutl -sign -rawin -inkey "$examples/keys/official-o1.key" -in cmd.pae -out cmd.sig
  local keyid
  keyid=$(openssl pkey -in "$examples/keys/official-o1.key" -pubout -outform DER |
    openssl dgst -sha256 -r | cut -d' ' -f1)
  printf '{"payload":"%s","payloadType":"%s","signatures":[{"keyid":"%s","sig":"%s"}]}' \
    "$(openssl base64 -A -in cmd.json)" "$type" "$keyid" "$(openssl base64 -A -in cmd.sig)" |
    curl -sS --fail-with-body --cacert data/tls.crt -H 'Content-Type: application/json' \
      --data-binary @- "https://$STATION/v1/commands" > cmd.out
}
SESSION=$(jq -r .id session.json)
command enrol_terminal '{"terminal":"t1"}'
command issue_tokens '{"contest":"cc","round":1,"count":1}'
TOKEN=$(jq -r '.result.tokens[0]' cmd.out)
command open_round '{"contest":"cc","round":1}'
ballot=$(curl -sS --fail --cacert data/tls.crt "https://$STATION/v1/ballot?contest=cc")
export SESSION TOKEN
export CONTEST=$(jq -r .contest <<< "$ballot")
export ROUND=$(jq -r .round <<< "$ballot")

for n in $(seq 2 "$blocks"); do
  echo "== block $n: the terminal"
  bash -euo pipefail "block-$n.sh" | tee "block-$n.out"
done
grep -q "receipt verified" "block-$blocks.out"

echo "== the same envelope again returns the same receipt; the station stops cleanly"
again=$(curl -sS --fail-with-body --cacert station.crt -H 'Content-Type: application/json' \
  --data-binary @envelope.json "https://$STATION/v1/ballots")
[ "$again" = "$(cat receipt.json)" ] || { echo "retry gave another receipt" >&2; exit 1; }
kill -TERM "$pid"
wait "$pid"
pid=""
if grep -q "$TOKEN" requests.log; then echo "a token leaked into the request log" >&2; exit 1; fi
grep -q '"path":"/v1/ballots","status":200' requests.log
echo "ok"
