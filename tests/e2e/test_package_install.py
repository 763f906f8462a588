"""The installers as users get them.

Linux: build the bundle and the .deb (scripts/package, which reuses an up-to-date bundle),
install it with apt-get, run the installed ``baton selftest`` and a record → export → verify
round trip, open the installed app under Xvfb and look at its window, quit it with Ctrl+Q,
purge the package and check that nothing is left. Installing needs root, as CI has: as a
normal user that test fails and says why (it never skips: a skipped test proves nothing).
Windows: the NSIS script compiles with makensis around a placeholder bundle.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from baton import __version__
from helpers.xvfb import wait_for_window

ROOT = Path(__file__).resolve().parents[2]
DEB = ROOT / "dist" / f"baton_{__version__}_amd64.deb"
INSTALLED = ("/opt/baton", "/usr/bin/baton", "/usr/share/applications/baton.desktop",
             "/usr/share/icons/hicolor/scalable/apps/baton.svg",
             "/usr/share/icons/hicolor/48x48/apps/baton.png",
             "/usr/share/icons/hicolor/128x128/apps/baton.png",
             "/usr/share/icons/hicolor/256x256/apps/baton.png",
             "/usr/share/metainfo/org.baton.Baton.metainfo.xml")
SIDEBAR = (0x24, 0x30, 0x3F)  # QListWidget#sidebar in style.qss
APT = ["apt-get", "-y", "-q", "-o", "DPkg::Lock::Timeout=300"]


def run(argv: list[str], timeout: float = 120, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False,
                          **kwargs)


def require(tool: str, package: str) -> None:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install {package} (scripts/test does as root)")


def load_build_deb() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_deb", ROOT / "packaging" / "linux" / "build_deb.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def purge() -> None:
    if run(["dpkg-query", "-W", "baton"]).returncode == 0:
        result = run([*APT, "purge", "baton"], timeout=300)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def deb() -> Iterator[Path]:
    """The .deb of this tree, built once; the machine-wide lock keeps parallel runs apart."""
    with open("/tmp/baton-package-test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = run([str(ROOT / "scripts" / "package")], timeout=1200, cwd=ROOT)
        assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
        assert DEB.is_file(), result.stdout
        yield DEB


@pytest.mark.slow
@pytest.mark.timeout(1500)  # builds the bundle and the .deb first (scripts/package, up to 1200 s)
def test_the_deb_is_small_and_declares_what_it_needs(deb: Path) -> None:
    assert deb.stat().st_size < 200e6
    fields = {name: run(["dpkg-deb", "-f", str(deb), name]).stdout.strip()
              for name in ("Package", "Version", "Architecture", "Depends", "Recommends",
                           "Installed-Size")}
    assert (fields["Package"], fields["Version"], fields["Architecture"]) == (
        "baton", __version__, "amd64")
    depends = set(fields["Depends"].split(", "))
    assert {"libgl1", "libegl1", "libxkbcommon-x11-0", "libxcb-cursor0", "libfontconfig1",
            "libdbus-1-3", "libpulse0"} <= depends
    # Wayland recording: the portal, PipeWire and the GStreamer pipeline reading it.
    assert {"pipewire", "xdg-desktop-portal", "gstreamer1.0-pipewire", "gstreamer1.0-tools",
            "gstreamer1.0-plugins-base"} <= depends
    assert "xdg-desktop-portal-gnome | xdg-desktop-portal-kde | xdg-desktop-portal-wlr" in \
        fields["Recommends"].split(", ")
    listing = run(["dpkg-deb", "-c", str(deb)]).stdout
    files = [line.split()[5] for line in listing.splitlines()]
    total_kib = sum(-(-int(line.split()[2]) // 1024) for line in listing.splitlines())
    assert abs(int(fields["Installed-Size"]) - total_kib) < total_kib * 0.02
    for path in INSTALLED:
        assert f".{path}" in files or f".{path}/" in files, path
    # Alembic reads the migrations as files; PyInstaller must not have hidden them in its archive.
    assert any(name.endswith("baton/core/migrations/versions/0001_first_schema.py")
               for name in files)
    assert any(name.endswith("baton/handoff/viewer/index.html") for name in files)
    # resources/ goes where importlib.resources looks for the package baton.resources.
    for name in ("__init__.py", "style.qss", "icons/baton.svg"):
        assert any(path.endswith(f"baton/resources/{name}") for path in files), name
    # libGL, libEGL and libxcb come from Debian's packages, never from the bundle.
    assert not [name for name in files if "/libGL.so" in name or "/libEGL.so" in name
                or "/libxcb.so" in name]


@pytest.mark.slow
@pytest.mark.display
@pytest.mark.timeout(2400)  # the .deb build when run alone, apt-get install and purge (600 + 300 s)
def test_installed_app_runs_and_removes_cleanly(
    request: pytest.FixtureRequest, xdisplay: Any, tmp_path: Path
) -> None:
    assert os.geteuid() == 0, (
        "cannot run as a normal user: it installs the .deb with apt-get and purges it again, "
        "which changes the whole system and needs root. CI runs scripts/test as root; run it "
        "there, or as root on a machine you can spare."
    )
    require("apt-get", "apt")
    deb: Path = request.getfixturevalue("deb")  # built only once we know it can be installed
    purge()
    result = run([*APT, "install", str(deb)], timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    try:
        for path in INSTALLED:
            assert os.path.lexists(path), path
        assert os.path.realpath("/usr/bin/baton") == "/opt/baton/baton"
        env = xdisplay.env()
        library = tmp_path / "library"

        def baton(*args: str) -> subprocess.CompletedProcess[str]:
            return run(["/usr/bin/baton", "--data-dir", str(library), *args], env=env)

        selftest = baton("selftest", "--json")
        assert selftest.returncode == 0, selftest.stdout + selftest.stderr
        checks = {check["name"]: check for check in json.loads(selftest.stdout)["checks"]}
        assert all(check["ok"] for check in checks.values()), checks
        assert "platform xcb" in checks["qt"]["detail"]
        assert "MP4 playback" in checks["qt"]["detail"]
        assert checks["screen grab"]["detail"] == "1 monitor(s), each grabbed below"
        assert checks["monitor 1"]["detail"].endswith("grabbed 1920x1080"), checks

        # The frozen app records, builds a handoff package (viewer, PDF) and verifies it.
        assert baton("process", "add", "Pay invoices").returncode == 0
        record = baton("record", str(tmp_path / "take.mp4"), "--seconds", "2",
                       "--process", "Pay invoices", "--json")
        assert record.returncode == 0, record.stdout + record.stderr
        package = tmp_path / "pay-invoices.zip"
        export = baton("package", "export", "Pay invoices", "--out", str(package))
        assert export.returncode == 0, export.stdout + export.stderr
        verify = baton("package", "verify", str(package))
        assert verify.returncode == 0, verify.stdout + verify.stderr
        assert verify.stdout.startswith("OK"), verify.stdout

        check_window(xdisplay, library, tmp_path)
    finally:
        purge()
    left = [path for path in INSTALLED if os.path.lexists(path)]
    assert not left, f"left behind after purge: {left}"
    assert run(["dpkg-query", "-W", "baton"]).returncode != 0


def check_window(xdisplay: Any, library: Path, folder: Path) -> None:
    import mss
    import mss.tools

    screenshot = folder / "installed-baton.png"
    log = folder / "installed-baton.log"
    with log.open("w") as output:
        app = subprocess.Popen(["/usr/bin/baton", "--data-dir", str(library)],
                               env=xdisplay.env(), stdout=output, stderr=output)
    try:
        window = wait_for_window(xdisplay, "Baton", timeout=60)
        pid = run(["xdotool", "getwindowpid", window], env=xdisplay.env()).stdout.strip()
        assert pid == str(app.pid)
        geometry = dict(line.split("=") for line in run(
            ["xdotool", "getwindowgeometry", "--shell", window], env=xdisplay.env()
        ).stdout.split())
        box = {"left": int(geometry["X"]), "top": int(geometry["Y"]),
               "width": int(geometry["WIDTH"]), "height": int(geometry["HEIGHT"])}
        with mss.MSS() as grabber:
            shot = grabber.grab(box)
        mss.tools.to_png(shot.rgb, shot.size, output=str(screenshot))
        sidebar = sum(1 for y in range(0, shot.height, 4) for x in range(0, shot.width, 4)
                      if shot.pixel(x, y) == SIDEBAR)
        samples = len(range(0, shot.height, 4)) * len(range(0, shot.width, 4))
        assert sidebar > samples * 0.05, f"no Baton sidebar in {screenshot}"
        keys = run(["xdotool", "windowfocus", "--sync", window, "key", "ctrl+q"],
                   env=xdisplay.env())
        assert keys.returncode == 0, keys.stderr
        assert app.wait(timeout=30) == 0, log.read_text()
    finally:
        if app.poll() is None:
            app.kill()
            app.wait(timeout=10)


def test_windows_installer_script_compiles(tmp_path: Path) -> None:
    require("makensis", "nsis")
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    for name in ("baton.exe", "baton-cli.exe", "_internal/base_library.zip"):
        (bundle / name).write_bytes(b"placeholder")
    icons = run([sys.executable, str(ROOT / "packaging" / "icons.py"), str(tmp_path / "icons")],
                env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert icons.returncode == 0, icons.stderr
    installer = tmp_path / f"baton-{__version__}-setup.exe"
    result = run(["makensis", "-V2", "-WX", f"-DVERSION={__version__}", f"-DBUNDLE={bundle}",
                  f"-DICON={tmp_path / 'icons' / 'baton.ico'}", f"-DOUTFILE={installer}",
                  str(ROOT / "packaging" / "windows" / "baton.nsi")])
    assert result.returncode == 0, result.stdout + result.stderr
    assert installer.read_bytes()[:2] == b"MZ"


def test_linux_menu_entry_and_appstream_metadata_validate(tmp_path: Path) -> None:
    require("desktop-file-validate", "desktop-file-utils")
    require("appstreamcli", "appstream")
    build_deb = load_build_deb()
    desktop = run(["desktop-file-validate", str(ROOT / "resources" / "linux" / "baton.desktop")])
    assert desktop.returncode == 0, desktop.stdout
    assert not desktop.stdout.strip(), desktop.stdout
    metainfo = tmp_path / f"{build_deb.APP_ID}.metainfo.xml"
    metainfo.write_text(build_deb.fill(
        ROOT / "resources" / "linux" / "baton.metainfo.xml.in",
        {"APP_ID": build_deb.APP_ID, "VERSION": __version__, "DATE": "2026-01-01"}))
    result = run(["appstreamcli", "validate", "--no-net", "--no-color", str(metainfo)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_icons_render_at_every_size(tmp_path: Path) -> None:
    result = run([sys.executable, str(ROOT / "packaging" / "icons.py"), str(tmp_path)],
                 env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    for size in (16, 48, 128, 256, 512):
        png = (tmp_path / "hicolor" / f"{size}x{size}" / "apps" / "baton.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(png[16:20], "big") == size
    ico = (tmp_path / "baton.ico").read_bytes()
    assert ico[:4] == b"\0\0\1\0"
    assert int.from_bytes(ico[4:6], "little") == 7
