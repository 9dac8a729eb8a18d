"""The hall display and the officials' console (docs/hall.md), end to end, as people use them:
a real stationd, `stationctl display` and `stationctl console` serving the real pages, headless
Chromium (cdp.py) looking at them and clicking.

- The display: the session before voting; the progress of an open round (ballots of tokens) as
  terminals vote, without a reload and without any count; after close, the results table with the
  right numbers and the elected marked, and the certification after a member countersigns from
  their own console.
- The console: recording the attendance and opening a round reach the station as commands signed
  by the console's official (checked in the exported audit bundle by tally-audit); a round that
  cannot open shows the station's refusal in words and changes nothing; a station that went away
  shows a clear message on both pages.
- The console's own checks: a request under another Host name, a POST without the console key, a
  console without a key, a key file that cannot be read.

Screenshots of each state go to the folder given (for a person to look at).

Usage: hall_test.py STATIOND STATIONCTL TERMINAL TALLY_AUDIT EXAMPLES_DIR SCREENSHOT_DIR
"""

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

STATIOND, STATIONCTL, TERMINAL, TALLY_AUDIT, EXAMPLES, SHOTS = sys.argv[1:7]
KEYS = os.path.join(EXAMPLES, "keys")
work = tempfile.mkdtemp(prefix="hall-test.")
started = []  # processes this test started, stopped by pid at the end


def fail(what):
    raise AssertionError(what)


def start(args, **kw):
    p = subprocess.Popen(args, cwd=work, **kw)
    started.append(p)
    return p


def stop(p):
    if p.poll() is None:
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def wait_file(path, what, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path) as f:
                return f.read().strip()
        time.sleep(0.02)
    fail(f"{what}: {path} did not appear")


def ctl(*args, check=True, key="o1"):
    env = dict(os.environ, **LINK)
    if key:
        env.update(TALLY_KEY=os.path.join(KEYS, f"official-{key}.key"), TALLY_OFFICIAL=key)
    r = subprocess.run([STATIONCTL, *args], cwd=work, env=env, capture_output=True, text=True)
    if check and r.returncode != 0:
        fail(f"stationctl {' '.join(args)}: exit {r.returncode}: {r.stderr}")
    return r


def status():
    return json.loads(ctl("status", "--json", key=None).stdout)


def vote(token, *marks):
    env = dict(os.environ, **LINK, TALLY_TERMINAL_KEY=os.path.join(KEYS, "terminal-t1.key"))
    args = [TERMINAL, "vote", "--contest", "cc", "--token", token]
    for m in marks:
        args += ["--mark", m]
    r = subprocess.run(args, cwd=work, env=env, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"vote: {r.stderr}")


def request(port, method, path, host=None, headers=None, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    c.putrequest(method, path, skip_host=True)
    c.putheader("Host", host or f"127.0.0.1:{port}")
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    data = body.encode() if body is not None else None
    if data is not None:
        c.putheader("Content-Length", str(len(data)))
    c.endheaders(data)
    r = c.getresponse()
    out = (r.status, r.read())
    c.close()
    return out


def serve_page(kind, port_file, key=None, official=None, extra=()):
    env = dict(os.environ, **LINK)
    env.pop("TALLY_KEY", None)
    env.pop("TALLY_OFFICIAL", None)
    args = [STATIONCTL, kind, "--port", "0", "--port-file", port_file, *extra]
    if key:
        args += ["--key", key]
    if official:
        args += ["--official", official]
    out = open(os.path.join(work, port_file + ".out"), "w+")
    p = start(args, env=env, stdout=out, stderr=subprocess.STDOUT)
    port = int(wait_file(os.path.join(work, port_file), f"stationctl {kind}"))
    deadline = time.time() + 10
    while time.time() < deadline:
        out.seek(0)
        line = out.read()
        if "http://" in line:
            return p, port, line[line.index("http://"):].split()[0]
        time.sleep(0.02)
    fail(f"stationctl {kind} printed no address")


def page_errors(page):
    # The refusals this test provokes on purpose (409 for a round that cannot open, 403 without
    # the console key, 502 with the station gone) are logged by Chromium as failed loads of
    # /api/; anything else (a script error, a missing file) is the pages' bug.
    return [e for e in page.errors
            if not (e.startswith("log (network)") and
                    ("/api/command]" in e or "/api/countersign]" in e))]


def click_action(page, form_selector, fields, confirm=True):
    """Fills a console form, submits it, confirms in the page's dialog, waits for the outcome."""
    for name, value in fields.items():
        sel = f"{form_selector} [name='{name}']"
        tag = page.eval(f"document.querySelector({json.dumps(sel)})?.tagName")
        if tag is None:
            fail(f"no field {sel}")
        if tag == "SELECT":
            page.select(sel, value)
        else:
            page.type(sel, value)
    # The answer area is emptied first, so that the wait below sees this action's answer even
    # when it reads as the last one did.
    page.eval("(() => { const o = document.querySelector('#outcome');"
              " if (o) { o.className = ''; o.textContent = ''; } return true })()")
    page.click(f"{form_selector} button[type='submit']")
    page.wait_for("document.querySelector('#confirm-yes') && "
                  "document.querySelector('#confirm-yes').offsetParent !== null",
                  what="the confirmation dialog")
    if not confirm:
        page.click("#confirm-no")
        return None
    page.click("#confirm-yes")
    page.wait_for("/\\b(ok|error)\\b/.test(document.querySelector('#outcome')?.className || '')",
                  timeout=15, what="the outcome of the action")
    return page.eval("({cls: document.querySelector('#outcome').className, "
                     "text: document.querySelector('#outcome').innerText})")


# ---- The station: the example session, 5 convened, the central committee for 3 seats ----
with open(os.path.join(EXAMPLES, "session.json")) as f:
    session = json.load(f)
session["title"] = "Đại hội đại biểu Đảng bộ huyện lần thứ XXI"
session["language"] = "vi"
session["convened"] = 5
names = ["Nguyễn Thị Hồng", "Trần Văn Bình", "Lê Thị Mai", "Phạm Quốc Dũng", "Hoàng Văn Em",
         "Đỗ Thị Phương", "Vũ Minh Giang", "Bùi Thị Hạnh"]
for c in session["contests"]:
    if c["id"] == "cc":
        c["title"] = "Ban Chấp hành Đảng bộ"
        c["seats"], c["alternates"] = 3, 0
        for cand, name in zip(c["candidates"], names):
            cand["name"] = name
with open(os.path.join(work, "session.json"), "w") as f:
    json.dump(session, f, ensure_ascii=False, indent=1)

try:
    init = json.loads(subprocess.run(
        [STATIONCTL, "init", "--data", "data", "--session", "session.json", "--json"],
        cwd=work, check=True, capture_output=True, text=True).stdout)
    stationd = start([STATIOND, "--data", "data", "--port", "0", "--port-file", "port"],
                     stdout=subprocess.DEVNULL, stderr=open(os.path.join(work, "stationd.err"), "w"))
    station_port = wait_file(os.path.join(work, "port"), "stationd")
    LINK = {"TALLY_STATION": f"https://127.0.0.1:{station_port}",
            "TALLY_FINGERPRINT": init["tls_fingerprint"], "TALLY_STATION_KEYID": init["keyid"]}

    # ---- Start-up refusals of the console: nothing is served ----
    env = dict(os.environ, **LINK)
    env.pop("TALLY_KEY", None)
    r = subprocess.run([STATIONCTL, "console", "--port", "0"], cwd=work, env=env,
                       capture_output=True, text=True, timeout=20)
    if r.returncode != 2 or "usage" not in r.stderr or "--key" not in r.stderr:
        fail(f"console without a key: exit {r.returncode}, {r.stderr!r}")
    r = subprocess.run([STATIONCTL, "console", "--port", "0", "--key", "no-such.key"], cwd=work,
                       env=env, capture_output=True, text=True, timeout=20)
    if r.returncode != 1 or "no-such.key" not in r.stderr:
        fail(f"console with a missing key file: exit {r.returncode}, {r.stderr!r}")

    display, display_port, display_url = serve_page("display", "display.port")
    console, console_port, console_url = serve_page(
        "console", "console.port", key=os.path.join(KEYS, "official-o1.key"), official="o1",
        extra=["--out", work])
    if "#k=" not in console_url or display_url != f"http://127.0.0.1:{display_port}/":
        fail(f"addresses: {display_url} {console_url}")

    # ---- The console's own checks ----
    st, body = request(console_port, "GET", "/api/state", host="attacker.example:80")
    if st != 421:
        fail(f"another Host name: {st} {body!r}")
    st, body = request(console_port, "POST", "/api/command",
                       headers={"Content-Type": "application/json"},
                       body='{"name":"record_attendance","args":{"present":5}}')
    if st != 403 or json.loads(body)["error"] != "console_key":
        fail(f"POST without the console key: {st} {body!r}")
    st, body = request(display_port, "POST", "/api/command",
                       headers={"Content-Type": "application/json"}, body="{}")
    if st != 404:
        fail(f"POST to the display: {st} {body!r}")
    if status()["attendance"]["present"] is not None:
        fail("a refused POST recorded something")

    os.makedirs(SHOTS, exist_ok=True)
    with Browser.launch(screenshot_dir=SHOTS) as browser:
        # ---- The display before voting ----
        d = browser.new_page()
        d.goto(display_url)
        d.wait_for("document.querySelector('#phase')?.dataset.phase === 'before'",
                   what="the display before voting")
        d.wait_for("document.body.innerText.includes('Đại hội đại biểu Đảng bộ huyện lần thứ XXI')",
                   what="the session's title")
        if d.eval("document.documentElement.lang") != "vi":
            fail("the display is not in the session's language (vi)")
        d.screenshot("display-1-before-voting")
        d.mark()

        # ---- A round opens; terminals vote: the progress, never a count ----
        ctl("enrol", "--terminal", "t1")
        ctl("issue-tokens", "--contest", "cc", "--round", "1", "--count", "6", "--out", "tokens")
        ctl("open-round", "--contest", "cc", "--round", "1")
        d.wait_for("document.querySelector('#phase')?.dataset.phase === 'open'",
                   what="the display of an open round")
        d.wait_for("document.querySelector('#progress')?.innerText.replace(/\\s/g,'') === '0/6'",
                   what="0 of 6 ballots")
        tokens = open(os.path.join(work, "tokens")).read().split()
        vote(tokens[0], "c01", "c02", "c03")
        vote(tokens[1], "c01", "c02", "c03")
        vote(tokens[2], "c01", "c02", "c04")
        vote(tokens[3], "c01", "c03", "c04")
        d.wait_for("document.querySelector('#progress')?.innerText.replace(/\\s/g,'') === '4/6'",
                   what="4 of 6 ballots, within a second or so of the last")
        if d.eval("!!document.querySelector('#minutes-table')?.offsetParent"):
            fail("a results table is shown while the round is open")
        d.screenshot("display-2-round-open")

        # ---- Close: the results, without a reload ----
        ctl("close-round", "--contest", "cc", "--round", "1")
        d.wait_for("document.querySelector('#phase')?.dataset.phase === 'closed'",
                   what="the display of the closed round")
        rows = d.wait_for(
            "(() => { const rows = [...document.querySelectorAll('#minutes-table [data-candidate]')];"
            " return rows.length ? rows.map(r => ({id: r.dataset.candidate,"
            " votes: r.querySelector('.votes').innerText.trim(),"
            " mark: r.dataset.mark,"
            " text: r.innerText})) : null })()", what="the results table")
        by_id = {r["id"]: r for r in rows}
        expected = {"c01": "4", "c02": "3", "c03": "3", "c04": "2", "c05": "0"}
        for cid, votes in expected.items():
            if by_id.get(cid, {}).get("votes") != votes:
                fail(f"{cid}: votes {by_id.get(cid)} (expected {votes}); table {rows}")
        for cid in ("c01", "c02", "c03"):
            if by_id[cid]["mark"] != "elected":
                fail(f"{cid} is elected and not marked: {by_id[cid]}")
        for cid in ("c04", "c05"):
            if by_id[cid]["mark"] != "none":
                fail(f"{cid} is not elected and is marked: {by_id[cid]}")
        if "Nguyễn Thị Hồng" not in by_id["c01"]["text"]:
            fail(f"c01's name is not in its row: {by_id['c01']}")
        if not d.eval("!!document.querySelector('#chart #threshold-line')"):
            fail("the chart has no threshold line")
        if not d.still_marked():
            fail("the display reloaded")
        d.screenshot("display-3-results")

        # ---- A member countersigns from their own console: the display shows it ----
        member, member_port, member_url = serve_page(
            "console", "member.port", key=os.path.join(KEYS, "member-m1.key"), extra=["--out", work])
        m = browser.new_page()
        m.goto(member_url)
        m.wait_for("document.querySelector('form[data-action=\"countersign\"]')",
                   what="the countersign form")
        out = click_action(m, "form[data-action='countersign']", {"contest": "cc", "round": "1"})
        if "ok" not in out["cls"].split():
            fail(f"countersign from the console: {out}")
        m.screenshot("console-countersigned")
        cert = ctl("results", "--contest", "cc", "--round", "1", "--json", key=None)
        signed = json.loads(cert.stdout)["certification"]["signed_by"]
        if len(signed) != 1:
            fail(f"the station does not have the member's countersignature: {signed}")
        d.wait_for("document.querySelector('#certification')?.dataset.signed === '1'",
                   what="the certification on the display")
        d.screenshot("display-4-certification")
        m.close()
        stop(member)

        # ---- The official's console: attendance and a round, signed by o1 ----
        c = browser.new_page()
        c.goto(console_url)
        c.wait_for("document.querySelector('#console')?.dataset.ready === 'true' && "
                   "document.querySelector('form[data-command=\"record_attendance\"]')",
                   what="the console's attendance form")
        if "#k=" in c.eval("location.href"):
            fail("the console key stays in the address bar")
        c.screenshot("console-1-start")
        size = status()["command_log"]["size"]
        if click_action(c, "form[data-command='record_attendance']", {"present": "5"},
                        confirm=False) is not None:
            fail("a cancelled action answered")
        time.sleep(0.5)
        if status()["command_log"]["size"] != size:
            fail("a cancelled action reached the station")
        out = click_action(c, "form[data-command='record_attendance']", {"present": "5"})
        if "ok" not in out["cls"].split():
            fail(f"record_attendance from the console: {out}")
        if status()["attendance"]["present"] != 5:
            fail("the attendance did not reach the station")
        out = click_action(c, "form[data-command='open_round'][data-contest='crc']", {"round": "1"})
        if "ok" not in out["cls"].split():
            fail(f"open_round from the console: {out}")
        s = status()
        crc = next(x for x in s["contests"] if x["id"] == "crc")
        if crc["rounds"][0]["state"] != "open":
            fail(f"crc round 1 is not open at the station: {crc}")
        c.screenshot("console-2-round-opened")

        # ---- Tokens from the console: to a file and slips in --out, never into the page ----
        out = click_action(c, "form[data-command='issue_tokens']",
                           {"contest": "crc", "round": "1", "count": "3"})
        if "ok" not in out["cls"].split():
            fail(f"issue_tokens from the console: {out}")
        slips = c.eval("document.querySelector('#slips-link')?.dataset.file")
        issued = [f for f in os.listdir(work) if f.startswith("tokens-crc-r1-")]
        if not slips or len(issued) != 1:
            fail(f"the console wrote no slips or no token file: {slips} {issued}")
        tokens_path = os.path.join(work, issued[0])
        crc_tokens = open(tokens_path).read().split()
        if len(crc_tokens) != 3 or oct(os.stat(tokens_path).st_mode & 0o777) != "0o600":
            fail(f"the token file: {crc_tokens} {oct(os.stat(tokens_path).st_mode)}")
        if any(t in c.eval("document.body.innerText") for t in crc_tokens):
            fail("a token is shown in the page")
        key = console_url.split("#k=")[1]
        st, body = request(console_port, "GET", f"/api/files/{slips}")
        if st != 403:
            fail(f"the slips without the console key: {st}")
        st, body = request(console_port, "GET", f"/api/files/{slips}", headers={"X-Console-Key": key})
        if st != 200 or not body.startswith(b"%PDF"):
            fail(f"the slips with the console key: {st} {body[:20]!r}")
        st, body = request(console_port, "GET", "/api/files/..%2Fsession.json",
                           headers={"X-Console-Key": key})
        if st != 404:
            fail(f"a file the console did not write: {st}")
        st, body = request(console_port, "GET", "/api/minutes.pdf?contest=cc&round=1&lang=vi")
        if st != 200 or not body.startswith(b"%PDF"):
            fail(f"the printed minutes from the console: {st} {body[:40]!r}")
        st, body = request(console_port, "GET", "/api/minutes.pdf?contest=..%2F&round=1")
        if st != 400:
            fail(f"the printed minutes of a contest that is no identifier: {st} {body!r}")

        # ---- A round that cannot open: the refusal in words, nothing changed ----
        size = status()["command_log"]["size"]
        out = click_action(c, "form[data-command='open_round'][data-contest='crc']", {"round": "3"})
        if "error" not in out["cls"].split() or "round_state" not in out["text"]:
            fail(f"a round that cannot open: {out}")
        if "round_open" not in out["text"]:
            fail(f"the refusal does not name the rule: {out}")
        c.screenshot("console-3-refused")
        if status()["command_log"]["size"] != size:
            fail("a refused action changed the command log")

        # ---- The console opened without its key: it says so, and an action is refused ----
        k = browser.new_page()
        k.goto(console_url.split("#")[0])
        k.wait_for("document.querySelector('#no-key') && document.querySelector('#no-key').offsetParent !== null",
                   what="the note that the console key is missing")
        out = click_action(k, "form[data-command='open_round'][data-contest='crc']", {"round": "2"})
        if "error" not in out["cls"].split() or "console_key" not in out["text"]:
            fail(f"an action without the console key: {out}")
        if status()["command_log"]["size"] != size:
            fail("an action without the console key changed the command log")
        k.screenshot("console-3b-no-key")
        k.close()

        # ---- The station goes away: both pages say so; an action gets a clear error ----
        stop(stationd)
        d.wait_for("document.querySelector('#phase')?.dataset.phase === 'unreachable' || "
                   "(document.querySelector('#banner') && document.querySelector('#banner').offsetParent !== null)",
                   what="the display's banner for an unreachable station")
        d.screenshot("display-5-station-gone")
        out = click_action(c, "form[data-command='close_round'][data-contest='crc']", {"round": "1"})
        if "error" not in out["cls"].split() or "transport" not in out["text"]:
            fail(f"an action with the station gone: {out}")
        c.screenshot("console-4-station-gone")
        errors = page_errors(d) + page_errors(c)
        if errors:
            fail(f"errors in the pages: {errors}")

    # ---- The console's commands are the official's signed commands ----
    stop(display)
    stop(console)
    subprocess.run([STATIONCTL, "export", "--data", "data", "--out", "bundle"], cwd=work,
                   check=True, capture_output=True)
    v = subprocess.run([TALLY_AUDIT, "verify", "bundle"], cwd=work, capture_output=True, text=True)
    if v.returncode != 0:
        fail(f"tally-audit verify: {v.stdout}{v.stderr}")
    commands = []
    with open(os.path.join(work, "bundle", "commands.jsonl")) as f:
        import base64
        for line in f:
            env_ = json.loads(line)
            commands.append(json.loads(base64.b64decode(env_["payload"])))
    last = [(x["command"], x["official"]) for x in commands[-3:]]
    if last != [("record_attendance", "o1"), ("open_round", "o1"), ("issue_tokens", "o1")]:
        fail(f"the console's commands in the log: {last}")
    print(f"hall test: display and console checked; screenshots in {SHOTS}")
finally:
    for p in started:
        stop(p)
    shutil.rmtree(work, ignore_errors=True)
