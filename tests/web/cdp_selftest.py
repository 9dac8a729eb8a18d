"""Self-test of cdp.py: drives headless Chromium against a static page served from memory.

The web tests trust cdp.py to see what a user would; this checks each of its verbs against a page
whose behaviour is known, so that a failure in a web test points at the page, not the driver.
Exit status 0 on success, 1 with a message on failure.
"""

import http.server
import os
import sys
import tempfile
import threading
import time

# ctest runs this from the source tree, which a test must leave as it found it.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser, JSError  # noqa: E402

PAGE = b"""<!doctype html>
<html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>cdp self-test</title></head>
<body>
<h1 id="title">Self-test</h1>
<button id="button">Press</button>
<p id="pressed">not pressed</p>
<input id="name">
<p id="echo"></p>
<select id="round"><option value="1">First</option><option value="2">Second</option></select>
<p id="chosen">1</p>
<p id="counter">0</p>
<script>
  document.getElementById('button').addEventListener('click', e => {
    // Only a trusted event proves that the click came from the input pipeline.
    document.getElementById('pressed').textContent = e.isTrusted ? 'pressed' : 'synthetic';
  });
  const name = document.getElementById('name');
  name.addEventListener('input', () => { document.getElementById('echo').textContent = name.value; });
  document.getElementById('round').addEventListener('change', e => {
    document.getElementById('chosen').textContent = e.target.value;
  });
  setTimeout(() => { document.getElementById('counter').textContent = '1'; }, 300);
</script>
</body></html>
"""

BROKEN = b"""<!doctype html>
<html><body><p>broken</p>
<script>throw new Error('deliberate failure');</script>
</body></html>
"""


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = {"/": PAGE, "/broken": BROKEN}.get(self.path)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def refusal(kind, action, what):
    """The exception `action` raises; AssertionError naming `what` if it raises none."""
    try:
        action()
    except kind as e:
        return e
    raise AssertionError(f"{what}: no {kind.__name__} raised")


def run(base, shots):
    with Browser.launch(screenshot_dir=shots) as browser:
        page = browser.new_page()

        page.goto(base + "/")
        check(page.text("#title") == "Self-test", f"goto: title is {page.text('#title')!r}")
        check(page.text("#nothing") is None, "text: a missing element is not None")
        page.mark()

        # The counter changes 300 ms after load, without a reload.
        page.wait_for("document.getElementById('counter').textContent === '1'",
                      what="the counter to reach 1")
        check(page.still_marked(), "mark: lost across a dynamic update")

        page.click("#button")
        page.wait_for("document.getElementById('pressed').textContent !== 'not pressed'",
                      what="the button's handler")
        check(page.text("#pressed") == "pressed", f"click: the page saw {page.text('#pressed')!r}")

        page.type("#name", "Trần Thị B")
        page.type("#name", "Nguyễn Văn A")  # typing again replaces, not appends
        value = page.eval("document.getElementById('name').value")
        check(value == "Nguyễn Văn A", f"type: the value is {value!r}")
        check(page.text("#echo") == "Nguyễn Văn A", f"type: input events gave {page.text('#echo')!r}")

        page.select("#round", "2")
        check(page.text("#chosen") == "2", f"select: change events gave {page.text('#chosen')!r}")
        e = refusal(AssertionError, lambda: page.select("#round", "3"), "select of a missing option")
        check("has no option" in str(e), f"select: unexpected refusal {e}")

        e = refusal(JSError, lambda: page.eval("null.property"), "eval of a throwing expression")
        check("TypeError" in str(e), f"eval: the exception text is missing from {e}")
        check(page.eval("Promise.resolve(6 * 7)") == 42, "eval: promise not awaited")

        e = refusal(AssertionError,
                    lambda: page.wait_for("false", timeout=0.3, what="something that never happens"),
                    "wait_for of a false expression")
        check("something that never happens" in str(e) and "Self-test" in str(e),
              f"wait_for: the timeout message lacks the condition or the page text: {e}")

        path = page.screenshot("selftest")
        with open(path, "rb") as f:
            check(f.read(8) == b"\x89PNG\r\n\x1a\n", f"screenshot: {path} is not a PNG")

        check(page.errors == [], f"errors on a clean page: {page.errors}")
        check(page.still_marked(), "mark: lost without a reload")
        page.goto(base + "/")
        check(not page.still_marked(), "mark: survived a reload")

        page.goto(base + "/broken")
        page.wait_for("document.body && document.body.innerText.includes('broken')",
                      what="the broken page")
        deadline = time.monotonic() + 5
        while not page.errors and time.monotonic() < deadline:
            time.sleep(0.05)
        check(any("deliberate failure" in e for e in page.errors),
              f"errors: the thrown Error is missing from {page.errors}")
        page.close()


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="cdp-selftest-") as shots:
            run(base, shots)
    except Exception as e:
        print(f"cdp self-test FAILED: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    finally:
        server.shutdown()
    print(f"cdp self-test passed in {time.monotonic() - started:.1f}s: goto, text, eval, wait_for,"
          " click, type, select, screenshot, mark/still_marked, page errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
