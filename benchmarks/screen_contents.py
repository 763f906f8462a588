"""What the recording benchmark shows on its Xvfb screen, one content at a time.

``animation``: a terminal-like page scrolling one line per step plus a window bouncing across
it (python-xlib); ``terminal``: a real full-screen xterm printing log lines; ``browser``:
Chromium showing an article with a ticker, a progress bar and a clock moving; ``calm``: a
static page whose clock changes once a second. Each content starts afresh for every
recording, so Baton and ffmpeg see the same sequence of pictures (compared afterwards).
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 1920, 1080
CONTENTS = ("animation", "terminal", "browser", "calm")
BUSY = ("animation", "terminal", "browser")
# Slower than capture, so each grab sees at most one step (at exactly 30 Hz the phase of two
# clocks decides whether a frame moved one line or two, and sizes swing 2-4x between runs).
STEP_HZ = 24
WORDS = ["build", "test", "ok", "error:", "GET", "/api/v1/orders", "200", "ms", "INFO",
         "deploy", "commit", "a3f9e1", "warning", "retry", "user=42", "queue", "done"]

PAGE = """<!doctype html><meta charset="utf-8"><title>Orders</title>
<style>
body{margin:0;font:16px/1.5 sans-serif;background:#fafafa;color:#222}
header{background:#24466b;color:#fff;padding:14px 24px;font-size:22px;display:flex}
#clock{margin-left:auto;font-variant-numeric:tabular-nums}
#ticker{white-space:nowrap;overflow:hidden;background:#ffe9a8;height:34px;line-height:34px}
#ticker span{display:inline-block;padding-left:100%;animation:run 20s linear infinite}
@keyframes run{to{transform:translateX(-100%)}}
main{display:flex;gap:24px;padding:24px}
article{flex:3;columns:2}
aside{flex:1}
.bar{height:14px;background:#ddd;border-radius:7px;overflow:hidden;margin:10px 0}
.bar div{height:100%;background:#3a8a4a;animation:fill 6s ease-in-out infinite}
@keyframes fill{from{width:5%}to{width:95%}}
.spin{width:60px;height:60px;border:8px solid #ccc;border-top-color:#c0392b;border-radius:50%;
animation:rot 1.2s linear infinite}
@keyframes rot{to{transform:rotate(360deg)}}
</style>
<header>Order desk<span id="clock"></span></header>
<div id="ticker"><span>NEW ORDER 1042 from Harbour Books — 3 items — ships Thursday ·
REFUND 1038 approved · NEW ORDER 1043 from Lina P. — 1 item · STOCK low: blue mugs (4 left)
· NEW ORDER 1044 from Café Nord — 12 items — invoice sent</span></div>
<main><article>PARAGRAPHS</article><aside><h3>Packing</h3><div class="bar"><div></div></div>
<div class="spin"></div><p>Printer: ready</p><p>Courier pick-up at 16:00</p></aside></main>
<script>
const c=document.getElementById('clock');
setInterval(()=>{c.textContent=new Date().toTimeString().slice(0,8)},250);
</script>
"""


def _line(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(40))[:250]


def draw(mode: str, hz: int = STEP_HZ) -> None:
    """Draw ``animation`` or ``calm`` with python-xlib until killed."""
    from Xlib import X, display

    screen_display: Any = display.Display()
    screen = screen_display.screen()
    window = screen.root.create_window(0, 0, WIDTH, HEIGHT, 0, screen.root_depth,
                                       X.InputOutput, X.CopyFromParent,
                                       background_pixel=screen.black_pixel,
                                       override_redirect=True)
    window.map()
    text = window.create_gc(foreground=0x33DD55, background=0x101010)
    box = window.create_gc(foreground=0x3366CC)
    blank = window.create_gc(foreground=0x101010)
    rng = random.Random(7)
    line_height = 14
    window.fill_rectangle(blank, 0, 0, WIDTH, HEIGHT)
    for row in range(HEIGHT // line_height):
        window.image_text(text, 4, (row + 1) * line_height - 3, _line(rng))
    screen_display.sync()
    frame = 0
    started = time.monotonic()
    x, y, dx, dy = 200, 150, 9, 6
    while True:
        if mode == "animation":
            window.copy_area(text, window, 0, line_height, WIDTH, HEIGHT - line_height, 0, 0)
            window.fill_rectangle(blank, 0, HEIGHT - line_height, WIDTH, line_height)
            window.image_text(text, 4, HEIGHT - 3, _line(rng))
            x, y = x + dx, y + dy
            if not 0 < x < WIDTH - 520:
                dx = -dx
            if not 0 < y < HEIGHT - 360:
                dy = -dy
            window.fill_rectangle(box, x, y, 500, 340)
            window.image_text(text, x + 20, y + 40, f"frame {frame}")
        elif frame % hz == 0:
            window.fill_rectangle(blank, WIDTH - 300, 10, 280, 20)
            window.image_text(text, WIDTH - 290, 25, f"{frame // hz:08d}")
        screen_display.sync()
        frame += 1
        delay = started + frame / hz - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        else:  # fell behind (a recorder starting up): never catch up in a burst
            started -= delay


def print_log(hz: int = STEP_HZ) -> None:
    """What the terminal shows: a log line ``hz`` times a second, until killed."""
    rng = random.Random(11)
    started, count = time.monotonic(), 0
    while True:
        sys.stdout.write(f"{count:06d} {_line(rng)[:300]}\n")
        sys.stdout.flush()
        count += 1
        delay = started + count / hz - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def _commands(content: str, work: Path) -> tuple[list[str], float]:
    """The command that shows ``content`` and the seconds it needs to be up."""
    me = [sys.executable, str(Path(__file__).resolve())]
    if content in ("animation", "calm"):
        return [*me, "--draw", content], 1.5
    if content == "terminal":
        # 6x13: 320 columns x 83 rows fill 1920x1080; jump scroll off, so every line is drawn.
        return ["xterm", "-fn", "6x13", "-geometry", "320x83+0+0", "+j", "-bg", "#101010",
                "-fg", "#33dd55", "-e", *me, "--print-log"], 2.0
    if content == "browser":
        paragraphs = "".join(f"<p>{' '.join(random.Random(n).choice(WORDS) for _ in range(60))}"
                             "</p>" for n in range(14))
        page = work / "page.html"
        page.write_text(PAGE.replace("PARAGRAPHS", paragraphs), encoding="utf-8")
        return ["chromium", "--no-sandbox", "--kiosk", "--no-first-run", "--disable-gpu",
                "--noerrdialogs", "--disable-infobars", "--disable-extensions",
                "--disable-component-update", "--disable-background-networking",
                "--password-store=basic", f"--user-data-dir={work / 'profile'}",
                "--window-position=0,0", f"--window-size={WIDTH},{HEIGHT}",
                page.as_uri()], 6.0
    raise ValueError(content)


@contextmanager
def showing(content: str, env: dict[str, str]) -> Iterator[None]:
    """Show ``content`` on the display in ``env`` for the duration of the block."""
    with tempfile.TemporaryDirectory(prefix="baton-screen-") as work:
        command, settle = _commands(content, Path(work))
        helper = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            time.sleep(settle)
            if helper.poll() is not None:
                raise SystemExit(f"the {content} screen did not start")
            yield
        finally:
            import os
            import signal

            try:
                os.killpg(helper.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                helper.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(helper.pid, signal.SIGKILL)
                helper.wait(10)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--draw"]:
        draw(sys.argv[2])
    elif sys.argv[1:2] == ["--print-log"]:
        print_log()
