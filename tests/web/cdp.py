"""A small driver for headless Chromium over the Chrome DevTools Protocol, for the end-to-end
tests of the web pages (Python 3 standard library only).

Chromium is started with --remote-debugging-pipe: it reads NUL-terminated JSON messages on its
fd 3 and writes them on its fd 4. A pipe needs no port, so parallel ctest runs cannot collide and
nothing else on the machine can attach to the browser.

    with Browser.launch(screenshot_dir="out") as browser:
        page = browser.new_page()
        page.goto("http://127.0.0.1:8080/console")
        page.wait_for("document.querySelector('#status')", what="the status line")
        page.click("#open")
        page.type("#name", "Nguyen Van A")
        page.select("#round", "2")
        page.mark()
        ...                                     # something that must not reload the page
        assert page.still_marked()
        page.screenshot("console-open")         # out/console-open.png
        assert page.errors == []

Browser
    Browser.launch(screenshot_dir=None, timeout=30)
                                         start Chromium (binary: $CHROMIUM, else /usr/bin/chromium)
    browser.new_page() -> Page           a new tab, attached with its own session
    browser.close()                      also on leaving a `with` block and at interpreter exit
Page
    page.goto(url, timeout=10)           navigate and wait for that navigation's load event
    page.eval(js, timeout=10)            value of a JS expression (promises awaited); JSError if it throws
    page.wait_for(js, timeout=10, interval=0.05, what=...)
                                         poll until truthy and return the value; AssertionError
                                         naming `what`, the expression and the page's text if not
    page.text(selector)                  innerText of the first match, or None
    page.click(selector)                 real mouse events at the centre of the element
    page.type(selector, text)            focus, clear, then insert text as the keyboard would
    page.select(selector, value)         set a <select> and fire input and change
    page.screenshot(name)                PNG of the viewport to screenshot_dir/name.png (None if no dir)
    page.mark(), page.still_marked()     whether the page was reloaded or navigated away since mark()
    page.errors                          uncaught exceptions, console.error calls and error log entries
    page.close()

Every wait has a timeout. If Chromium dies, calls raise BrowserDied with the tail of its stderr.
"""

import atexit
import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time

__all__ = ["Browser", "Page", "CDPError", "CDPTimeout", "BrowserDied", "JSError"]

CHROMIUM_FLAGS = [
    "--headless=new",
    # The tests run as root in containers, where the sandbox cannot start.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    # Nothing but the page under test may use the network: a test must not depend on, or wait
    # for, Google's servers.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-features=Translate,MediaRouter",
    "--remote-debugging-pipe",
    "--window-size=1280,900",
]


class CDPError(Exception):
    """Chromium answered a command with an error."""


class CDPTimeout(TimeoutError):
    """Chromium did not answer, or an awaited event did not come, in time."""


class BrowserDied(RuntimeError):
    """The Chromium process exited (or closed its pipe) while we were talking to it."""


class JSError(Exception):
    """A JavaScript expression evaluated by Page.eval threw."""


class Browser:
    def __init__(self, proc, to_chromium, from_chromium, root, stderr_path, screenshot_dir):
        self._proc = proc
        self._to = to_chromium
        self._from = from_chromium
        self._root = root
        self._stderr_path = stderr_path
        self.screenshot_dir = screenshot_dir
        # One condition for everything the reader thread delivers (responses and events): waiters
        # are few, and a single lock cannot be taken in the wrong order.
        self._cond = threading.Condition()
        self._write_lock = threading.Lock()
        self._next_id = 1
        self._responses = {}
        self._sessions = {}
        self._dead = False
        self._closed = False
        self._reader = threading.Thread(target=self._read_loop, name="cdp-reader", daemon=True)
        self._reader.start()
        # A test that fails without leaving its `with` block must still not leave Chromium running.
        atexit.register(self.close)

    @classmethod
    def launch(cls, screenshot_dir=None, timeout=30):
        """Start Chromium with a fresh profile; `timeout` bounds the wait for its first answer."""
        executable = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
        root = tempfile.mkdtemp(prefix="cdp-")
        profile = os.path.join(root, "profile")
        stderr_path = os.path.join(root, "stderr.log")
        if screenshot_dir is not None:
            os.makedirs(screenshot_dir, exist_ok=True)

        # Chromium must find the pipes at fds 3 and 4. Popen creates its own error-reporting pipe
        # (close-on-exec) which the child keeps until exec; if that pipe landed on fd 3 or 4, the
        # dup2 below would close it in the child. Holding fds up to 4 open while Popen runs rules
        # that out, and also puts our pipes above 4, so dup2 never overwrites one of its sources.
        fillers = []
        try:
            while True:
                fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
                if fd > 4:
                    os.close(fd)
                    break
                fillers.append(fd)
            child_reads, we_write = os.pipe()
            we_read, child_writes = os.pipe()

            def map_pipes():
                # dup2 clears close-on-exec on the new descriptor, so 3 and 4 survive exec;
                # pass_fds keeps Popen from closing them.
                os.dup2(child_reads, 3)
                os.dup2(child_writes, 4)

            with open(stderr_path, "wb") as stderr, open(os.devnull, "rb") as devnull:
                try:
                    proc = subprocess.Popen(
                        [executable, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
                        stdin=devnull, stdout=stderr, stderr=stderr,
                        pass_fds=(3, 4), preexec_fn=map_pipes,
                        # Its own process group, so close() can kill Chromium's helper processes
                        # too, and nothing else.
                        start_new_session=True)
                except BaseException:
                    for fd in (child_reads, we_write, we_read, child_writes):
                        os.close(fd)
                    shutil.rmtree(root, ignore_errors=True)
                    raise
        finally:
            for fd in fillers:
                os.close(fd)
        os.close(child_reads)
        os.close(child_writes)

        browser = cls(proc, we_write, we_read, root, stderr_path, screenshot_dir)
        try:
            browser.version = browser.send("Browser.getVersion", timeout=timeout)
        except BaseException:
            browser.close()
            raise
        return browser

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- the protocol ------------------------------------------------------------------------

    def send(self, method, params=None, session_id=None, timeout=10):
        """Send one command and return its result; CDPError if Chromium answers with an error."""
        with self._cond:
            if self._dead:
                raise self._died()
            msg_id = self._next_id
            self._next_id += 1
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session_id is not None:
            msg["sessionId"] = session_id
        data = json.dumps(msg).encode() + b"\0"
        with self._write_lock:
            try:
                while data:
                    data = data[os.write(self._to, data):]
            except OSError:
                raise self._died() from None
        deadline = time.monotonic() + timeout
        with self._cond:
            while msg_id not in self._responses:
                if self._dead:
                    raise self._died()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPTimeout(f"{method}: no answer from Chromium in {timeout}s")
                self._cond.wait(left)
            response = self._responses.pop(msg_id)
        if "error" in response:
            error = response["error"]
            raise CDPError(f"{method}: {error.get('message')} ({error.get('code')})"
                           + (f": {error['data']}" if "data" in error else ""))
        return response.get("result", {})

    def _read_loop(self):
        buffer = b""
        try:
            while True:
                chunk = os.read(self._from, 1 << 16)
                if not chunk:
                    break
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for raw in messages:
                    self._dispatch(json.loads(raw))
        except (OSError, ValueError):
            pass
        finally:
            with self._cond:
                self._dead = True
                self._cond.notify_all()

    def _dispatch(self, msg):
        with self._cond:
            if "id" in msg:
                self._responses[msg["id"]] = msg
            else:
                page = self._sessions.get(msg.get("sessionId"))
                if page is not None:
                    page._on_event(msg["method"], msg.get("params", {}))
            self._cond.notify_all()

    def _wait(self, predicate, timeout, what):
        """Wait (holding nothing) until predicate() is true; predicate runs under the lock."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not predicate():
                if self._dead:
                    raise self._died()
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPTimeout(f"{what}: not within {timeout}s")
                self._cond.wait(left)

    def _died(self):
        if self._closed:
            return BrowserDied("the browser was closed")
        try:
            code = self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        state = "closed its pipe" if code is None else f"exited with status {code}"
        return BrowserDied(f"Chromium {state}; the end of its stderr:\n{self.stderr_tail()}")

    def stderr_tail(self, limit=4000):
        try:
            with open(self._stderr_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                start = max(0, f.tell() - limit)
                f.seek(start)
                tail = f.read()
        except OSError:
            return "(no stderr captured)"
        if start > 0 and b"\n" in tail:
            tail = tail[tail.index(b"\n") + 1:]  # Whole lines only.
        return tail.decode(errors="replace") or "(empty)"

    # --- pages and the end -------------------------------------------------------------------

    def new_page(self):
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        page = Page(self, target, session)
        with self._cond:
            self._sessions[session] = page
        page._enable()
        return page

    def close(self):
        """Close Chromium, kill whatever is left of its process group, remove its profile."""
        if self._closed:
            return
        if not self._dead:
            try:
                self.send("Browser.close", timeout=3)
            except (CDPError, CDPTimeout, BrowserDied):
                pass
        self._closed = True
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        # Helpers (zygote, renderers, crashpad) may outlive the browser process; they share its
        # process group, which start_new_session made ours alone.
        try:
            os.killpg(self._proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self._proc.wait()
        # The killed helpers were children of the browser process, so they are now init's, as
        # zombies until it reaps them (here about a second). Waiting for that means a test that
        # checks for leftover processes, or the next launch, does not see them; the bound is for
        # containers whose init never reaps, where they are dead all the same.
        deadline = time.monotonic() + 3
        while _group_members(self._proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        os.close(self._to)
        self._reader.join(timeout=5)
        os.close(self._from)
        shutil.rmtree(self._root, ignore_errors=True)
        atexit.unregister(self.close)


class Page:
    def __init__(self, browser, target_id, session_id):
        self.browser = browser
        self.target_id = target_id
        self.session_id = session_id
        self.errors = []
        # Every event of this page, in order; waits look for one past a recorded index, so an
        # event that arrives before the command's answer is not missed.
        self._events = []
        self._mark = None

    def send(self, method, params=None, timeout=10):
        return self.browser.send(method, params, session_id=self.session_id, timeout=timeout)

    def _enable(self):
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send("Page.setLifecycleEventsEnabled", {"enabled": True})

    def _on_event(self, method, params):
        # Called by the reader thread with the browser's lock held.
        self._events.append((method, params))
        if method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            self.errors.append(f"uncaught exception: {text}{_where(details)}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
            args = " ".join(_describe(a) for a in params.get("args", []))
            self.errors.append(f"console.error: {args}")
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            self.errors.append(f"log ({entry.get('source')}): {entry.get('text')}"
                               + (f" [{entry['url']}]" if entry.get("url") else ""))

    def goto(self, url, timeout=10):
        with self.browser._cond:
            start = len(self._events)
        result = self.send("Page.navigate", {"url": url}, timeout=timeout)
        if result.get("errorText"):
            raise CDPError(f"navigating to {url}: {result['errorText']}")
        loader = result.get("loaderId")
        if loader is None:
            return  # A same-document navigation (only the fragment changed): no load to wait for.

        def loaded():
            return any(method == "Page.lifecycleEvent" and params.get("name") == "load"
                       and params.get("loaderId") == loader
                       for method, params in self._events[start:])
        self.browser._wait(loaded, timeout, f"the load event of {url}")

    def eval(self, expression, timeout=10):
        result = self.send("Runtime.evaluate", {
            "expression": expression, "returnByValue": True, "awaitPromise": True,
            # Lets the page do what only user actions may (focus, clipboard, fullscreen).
            "userGesture": True,
        }, timeout=timeout)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text", "")
            raise JSError(f"{expression}\n  threw: {text}")
        return result["result"].get("value")

    def wait_for(self, expression, timeout=10, interval=0.05, what=None):
        deadline = time.monotonic() + timeout
        value, error = None, None
        while True:
            try:
                # At least a second even at the end: a busy machine may be slow to answer.
                value = self.eval(expression, timeout=max(1.0, deadline - time.monotonic()))
                error = None
                if value:
                    return value
            except (JSError, CDPError, CDPTimeout) as e:
                # The element may not exist yet, or the page may be between documents: keep
                # polling, and report the last failure if it never comes right.
                error = e
            if time.monotonic() >= deadline:
                break
            time.sleep(interval)
        try:
            body = self.eval("document.body ? document.body.innerText : '(no body)'")
        except (JSError, CDPError, CDPTimeout) as e:
            body = f"(could not read: {e})"
        last = f"last error: {error}" if error else f"last value: {value!r}"
        raise AssertionError(
            f"timed out after {timeout}s waiting for {what or 'a condition'}\n"
            f"  expression: {expression}\n  {last}\n"
            f"  page text (first 2000 characters):\n{str(body)[:2000]}")

    def text(self, selector):
        return self.eval(f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
                         f" return e ? e.innerText : null; }})()")

    def click(self, selector):
        box = self.eval(f"""(() => {{
            const e = document.querySelector({json.dumps(selector)});
            if (!e) return null;
            e.scrollIntoView({{block: 'center', inline: 'center'}});
            const r = e.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const hit = document.elementFromPoint(x, y);
            return {{x, y, width: r.width, height: r.height,
                     covered: hit && hit !== e && !e.contains(hit) ? hit.outerHTML.slice(0, 200) : null}};
        }})()""")
        if box is None:
            raise AssertionError(f"click: no element matches {selector}")
        if box["width"] == 0 or box["height"] == 0:
            raise AssertionError(f"click: {selector} has no size (hidden?)")
        if box["covered"]:
            # A real click would land on the other element; say so rather than click it.
            raise AssertionError(f"click: {selector} is covered at its centre by {box['covered']}")
        point = {"x": box["x"], "y": box["y"]}
        self.send("Input.dispatchMouseEvent", {"type": "mouseMoved", **point})
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent",
                      {"type": kind, **point, "button": "left", "clickCount": 1})

    def type(self, selector, text):
        found = self.eval(f"""(() => {{
            const e = document.querySelector({json.dumps(selector)});
            if (!e) return false;
            e.focus();
            e.value = '';
            e.dispatchEvent(new Event('input', {{bubbles: true}}));
            return true;
        }})()""")
        if not found:
            raise AssertionError(f"type: no element matches {selector}")
        self.send("Input.insertText", {"text": text})

    def select(self, selector, value):
        problem = self.eval(f"""(() => {{
            const e = document.querySelector({json.dumps(selector)});
            const value = {json.dumps(value)};
            if (!e) return 'no element matches';
            if (e.tagName !== 'SELECT') return 'is a ' + e.tagName.toLowerCase() + ', not a select';
            if (![...e.options].some(o => o.value === value))
                return 'has no option ' + JSON.stringify(value) + ' (options: '
                    + [...e.options].map(o => JSON.stringify(o.value)).join(', ') + ')';
            e.value = value;
            e.dispatchEvent(new Event('input', {{bubbles: true}}));
            e.dispatchEvent(new Event('change', {{bubbles: true}}));
            return null;
        }})()""")
        if problem:
            raise AssertionError(f"select: {selector} {problem}")

    def screenshot(self, name):
        if self.browser.screenshot_dir is None:
            return None
        # A tab in the background draws no frames, and a capture of it waits for one: the page
        # is brought to the front first (tests switch between the display and consoles).
        self.send("Page.bringToFront")
        data = self.send("Page.captureScreenshot", {"format": "png"}, timeout=30)["data"]
        path = os.path.join(self.browser.screenshot_dir, f"{name}.png")
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path

    def mark(self):
        """Tag the current document; still_marked() is false once it is reloaded or replaced."""
        self._mark = secrets.token_hex(8)
        self.eval(f"window.__cdp_mark = {json.dumps(self._mark)}")

    def still_marked(self):
        if self._mark is None:
            raise RuntimeError("still_marked() without mark()")
        try:
            return self.eval(f"window.__cdp_mark === {json.dumps(self._mark)}") is True
        except CDPError:
            # No execution context: the page is between documents, so it was navigated.
            return False

    def close(self):
        self.browser.send("Target.closeTarget", {"targetId": self.target_id})
        with self.browser._cond:
            self.browser._sessions.pop(self.session_id, None)


def _group_members(pgid):
    """Processes (zombies included) of process group pgid, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue  # It ended while we looked.
        # The command name, in parentheses, may itself contain spaces and parentheses.
        fields = stat[stat.rindex(b")") + 2:].split()
        if int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def _where(details):
    url = details.get("url")
    if not url:
        return ""
    return f" ({url}:{details.get('lineNumber', 0) + 1}:{details.get('columnNumber', 0) + 1})"


def _describe(remote_object):
    if "value" in remote_object:
        value = remote_object["value"]
        return value if isinstance(value, str) else json.dumps(value)
    return remote_object.get("description") or remote_object.get("type", "?")
