"""``baton selftest``: check that this installation has what Baton needs."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from baton.core.media import MediaStore
from baton.paths import resource
from baton.services import Services


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def has_display() -> bool:
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def baton_command() -> list[str]:
    """How to start this Baton again (frozen bundle or Python module)."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    return [sys.executable, "-m", "baton"]


def check_qt() -> str:
    # A missing Qt platform plugin aborts the whole process, so probe in a child process.
    env = dict(os.environ)
    if not has_display():
        env["QT_QPA_PLATFORM"] = "offscreen"
    result = subprocess.run(
        [*baton_command(), "qt-probe"], capture_output=True, text=True, timeout=60, env=env
    )
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise RuntimeError(lines[-1] if lines else f"exit code {result.returncode}")
    return result.stdout.strip()


def qt_probe() -> str:
    """Run inside the child process of ``check_qt``: start Qt and render a little.

    Also checks the Qt pieces a packaged Baton could lose: the SVG plugin (the app icon)
    and the media backend (the recording player). Exits with a one-line reason if not.
    """
    from PySide6 import __version__ as pyside_version
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter
    from PySide6.QtMultimedia import QMediaFormat

    app = QGuiApplication.instance() or QGuiApplication(["baton"])
    image = QImage(16, 16, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.fillRect(image.rect(), QColor("orange"))
    painter.end()
    platform = QGuiApplication.platformName()
    icon = resource("icons", "baton.svg")
    if QImage(str(icon)).isNull():
        raise SystemExit(f"The app icon cannot be read (Qt's SVG support is missing?): {icon}")
    decodes = QMediaFormat().supportedFileFormats(QMediaFormat.ConversionMode.Decode)
    if QMediaFormat.FileFormat.MPEG4 not in decodes:
        raise SystemExit("Qt's media backend is missing: recordings cannot be played back")
    del app
    return f"PySide6 {pyside_version}, platform {platform}, SVG icons, MP4 playback"


def check_database(services: Services) -> str:
    from baton.core.db import head_revision

    return f"{services.database.ping()}, schema {head_revision()}"


def check_media(services: Services) -> str:
    root = services.paths.media_dir
    root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".selftest-", dir=root))
    try:
        store = MediaStore(scratch)
        key = store.put_bytes(b"baton selftest", "txt")
        store.verify(key)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return str(root)


def check_encoder() -> str:
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        for index in range(5):
            frame = av.VideoFrame.from_ndarray(
                np.full((64, 64, 3), index * 40, np.uint8), format="rgb24"
            )
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return f"PyAV {av.__version__}, libx264, {len(buffer.getvalue())} bytes"


def check_session() -> list[Check]:
    """The desktop session; on Wayland, each piece recording through the portal needs."""
    from baton.capture.platform.session import detect_session

    session = detect_session()
    if not session.wayland:
        return [Check("session", True, session.describe()), *check_screens()]
    from baton.capture.platform.wayland.readiness import wayland_findings

    findings = wayland_findings()
    missing = [finding.name for finding in findings if not finding.ok]
    summary = (f"{session.describe()} — recording through the ScreenCast portal" if not missing
               else f"{session.describe()} — recording needs: {', '.join(missing)}")
    from baton.capture.steps.wayland import step_capture_readiness

    return [Check("session", not missing, summary),
            *(Check(finding.name, finding.ok, finding.detail) for finding in findings),
            Check("step capture", True, step_capture_readiness())]


def check_screens() -> list[Check]:
    """A summary, then one check per monitor (left to right): each is grabbed whole."""
    if not has_display():
        return [Check("screen grab", True, "skipped: no display")]
    from baton.capture.platform.screens import describe_monitor, open_mss
    from baton.capture.recording.live import ScreenTargets

    monitors = ScreenTargets().monitors()
    checks = [Check("screen grab", True, f"{len(monitors)} monitor(s), each grabbed below")]
    grabber = open_mss()
    try:
        for monitor in monitors:
            name = f"monitor {monitor.index}"
            try:
                shot = grabber.grab(monitor.region.as_mss())
                checks.append(Check(name, True, f"{describe_monitor(monitor)}; "
                                                f"grabbed {shot.width}x{shot.height}"))
            except Exception as error:  # noqa: BLE001 - one monitor failing is a finding
                checks.append(Check(name, False, f"{describe_monitor(monitor)}; {error}"))
    finally:
        grabber.close()
    return checks


def run_selftest(services: Services) -> list[Check]:
    checks: list[tuple[str, Callable[[], str]]] = [
        ("qt", check_qt),
        ("database", lambda: check_database(services)),
        ("media store", lambda: check_media(services)),
        ("encoder", check_encoder),
    ]
    results = []
    for name, check in checks:
        try:
            results.append(Check(name, True, check()))
        except Exception as error:  # noqa: BLE001 - every failure is a finding here
            results.append(_failed(name, error))
    try:
        results.extend(check_session())
    except Exception as error:  # noqa: BLE001
        results.append(_failed("screen grab", error))
    return results


def _failed(name: str, error: Exception) -> Check:
    message = str(error).strip().splitlines()
    return Check(name, False, message[0] if message else type(error).__name__)
