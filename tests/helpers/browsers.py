"""Three browser engines on one footing, for tests that read back what a package's video shows.

Chromium (Debian ``chromium``, driven by playwright), Firefox (Debian ``firefox-esr``, driven
by ``marionette_driver``) and WebKitGTK, Safari's engine (Debian ``webkit2gtk-driver``'s
MiniBrowser, driven by ``selenium``; it needs an X display and ``gstreamer1.0-libav`` for
H.264). Pages are served over HTTP from 127.0.0.1: a canvas may only be read back when the
video is same-origin, and ``file://`` pages are not. The server answers byte ranges, as a
browser seeking in a long video asks for them.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

CHROMIUM = Path("/usr/bin/chromium")
FIREFOX = Path("/usr/bin/firefox-esr")
WEBKIT_DRIVER = Path("/usr/bin/WebKitWebDriver")
MINIBROWSER = Path("/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser")
ENGINES = ("chromium", "firefox", "webkit")

PROBE = """
var seconds = arguments[0], fast = arguments[1], points = arguments[2];
var done = arguments[arguments.length - 1];
var video = document.querySelector("video");
video.muted = true;
function grab(milliseconds) {
  var canvas = document.createElement("canvas");
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  var context = canvas.getContext("2d");
  context.drawImage(video, 0, 0);
  done({time: video.currentTime, ms: milliseconds, pixels: points.map(function (p) {
    var d = context.getImageData(p[0], p[1], 1, 1).data;
    return [d[0], d[1], d[2]];
  })});
}
function seek() {
  var started = performance.now();
  video.addEventListener("seeked", function () {
    var took = performance.now() - started;
    (function ready() {
      if (video.readyState >= 2) grab(took); else setTimeout(ready, 10);
    })();
  }, {once: true});
  if (fast && video.fastSeek) video.fastSeek(seconds); else video.currentTime = seconds;
}
if (video.readyState >= 1) seek();
else video.addEventListener("loadedmetadata", seek, {once: true});
"""
"""Seek the page's video (``fastSeek``, keyframes only, where the browser has it) and read
back pixels: ``{time, ms (from asking to the seek done), pixels: [[r, g, b], ...]}``."""


class Browser(Protocol):
    name: str

    def open(self, url: str) -> None: ...

    def probe(self, seconds: float, fast: bool, points: list[tuple[int, int]]) -> Any: ...


class _RangeHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with ``Range: bytes=a-b`` answered as 206 Partial Content."""

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def send_head(self) -> Any:
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if match is None or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first = int(match[1]) if match[1] else max(size - int(match[2] or 0), 0)
        last = min(int(match[2]), size - 1) if match[1] and match[2] else size - 1
        handle = path.open("rb")
        handle.seek(first)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(last - first + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return _Limited(handle, last - first + 1)

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()


class _Limited:
    """A file read no further than a length (what ``copyfile`` sends for a range)."""

    def __init__(self, handle: Any, length: int) -> None:
        self._handle, self._left = handle, length

    def read(self, size: int = -1) -> bytes:
        size = self._left if size < 0 else min(size, self._left)
        data = self._handle.read(size)
        self._left -= len(data)
        return bytes(data)

    def close(self) -> None:
        self._handle.close()


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A browser drops the rest of a video download as soon as it has what it needs.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on 127.0.0.1 (a free port); yields the base URL."""
    handler = functools.partial(_RangeHandler, directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _Chromium:
    name = "chromium"

    def __init__(self, playwright: Any) -> None:
        # scripts/test installs Debian's chromium; without it these tests fail, never skip.
        assert CHROMIUM.exists(), "Debian's chromium is missing: run scripts/test as root once"
        self._browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        self._page = self._browser.new_page()

    def open(self, url: str) -> None:
        self._page.goto(url)
        self._page.wait_for_load_state("load")

    def wait_loaded(self, timeout_ms: int = 120_000) -> None:
        """Wait until the page's video has a source and knows its length."""
        self._page.wait_for_function(
            "() => { const v = document.querySelector('video'); return v.readyState >= 1; }",
            timeout=timeout_ms)

    def probe(self, seconds: float, fast: bool, points: list[tuple[int, int]]) -> Any:
        script = ("(args) => new Promise((resolve) => { const arguments_ = [...args, resolve];"
                  " (function () {" + PROBE + "}).apply(null, arguments_); })")
        return self._page.evaluate(script, [seconds, fast, [list(p) for p in points]])

    def close(self) -> None:
        self._browser.close()


class _Firefox:
    """Firefox started here with Marionette on a free port, then connected to.

    (Letting ``marionette_driver`` start it makes it poll the port with sockets it never
    closes, which the test run reports.)
    """

    name = "firefox"
    PREFS = {
        "marionette.port": 0,  # set per run
        "browser.shell.checkDefaultBrowser": False,
        "browser.aboutwelcome.enabled": False,
        "datareporting.policy.dataSubmissionEnabled": False,
        "toolkit.telemetry.reportingpolicy.firstRun": False,
        "app.update.disabledForTesting": True,
        "media.autoplay.default": 0,
    }

    def __init__(self) -> None:
        with warnings.catch_warnings():
            # Its helpers (mozinfo, mozrunner) use deprecated modules as they are imported
            # (distro.linux_distribution, telnetlib): their warnings, not ours.
            warnings.simplefilter("ignore", DeprecationWarning)
            from marionette_driver.marionette import Marionette

        assert FIREFOX.exists(), "Debian's firefox-esr is missing: run scripts/test as root once"
        self._profile = tempfile.TemporaryDirectory(prefix="baton-firefox-")
        port = _free_port()
        prefs = dict(self.PREFS, **{"marionette.port": port})
        lines = [f"user_pref({json.dumps(k)}, {json.dumps(v)});" for k, v in prefs.items()]
        (Path(self._profile.name) / "user.js").write_text("\n".join(lines) + "\n")
        self._log = (Path(self._profile.name) / "firefox.log").open("wb")
        self._process = subprocess.Popen(
            [str(FIREFOX), "--marionette", "--headless", "--no-remote", "--profile",
             self._profile.name], stdout=self._log, stderr=subprocess.STDOUT)
        _wait_for_port(port, self._process)
        self._client = Marionette(host="127.0.0.1", port=port)
        self._client.start_session()

    def open(self, url: str) -> None:
        self._client.navigate(url)

    def probe(self, seconds: float, fast: bool, points: list[tuple[int, int]]) -> Any:
        return self._client.execute_async_script(
            PROBE, script_args=[seconds, fast, [list(p) for p in points]], sandbox=None,
            script_timeout=30_000)

    def close(self) -> None:
        try:
            self._client.delete_session()
            self._client.client.close()
        finally:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._log.close()
            self._profile.cleanup()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"Firefox exited at start ({process.returncode})")
        with socket.socket() as attempt:
            if attempt.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    process.terminate()
    raise AssertionError(f"Firefox did not open Marionette on port {port} in {timeout} s")


class _WebKit:
    name = "webkit"

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        missing = "Debian's webkit2gtk-driver is missing: run scripts/test as root once"
        assert WEBKIT_DRIVER.exists(), missing
        assert MINIBROWSER.exists(), missing
        options = Options()
        options.binary_location = str(MINIBROWSER)
        options.add_argument("--automation")
        with warnings.catch_warnings():
            # selenium's own WebKitGTK class still passes remote_server_addr the old way.
            warnings.filterwarnings("ignore", "setting remote_server_addr", DeprecationWarning)
            self._driver = webdriver.WebKitGTK(
                options=options, service=Service(executable_path=str(WEBKIT_DRIVER)))
        self._driver.set_script_timeout(30)

    def open(self, url: str) -> None:
        self._driver.get(url)

    def probe(self, seconds: float, fast: bool, points: list[tuple[int, int]]) -> Any:
        return self._driver.execute_async_script(
            PROBE, seconds, fast, [list(p) for p in points])

    def close(self) -> None:
        self._driver.quit()


@contextlib.contextmanager
def launch(name: str) -> Iterator[Browser]:
    """One of ``ENGINES``, closed afterwards (WebKit needs ``DISPLAY``: the xdisplay fixture)."""
    if name == "chromium":
        from playwright import sync_api

        with sync_api.sync_playwright() as playwright:
            chromium = _Chromium(playwright)
            try:
                yield chromium
            finally:
                chromium.close()
        return
    browser: _Firefox | _WebKit = _Firefox() if name == "firefox" else _WebKit()
    try:
        yield browser
    finally:
        browser.close()
