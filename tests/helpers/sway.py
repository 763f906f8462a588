"""A real Wayland desktop for tests and benchmarks: headless sway with the ScreenCast portal.

Everything comes from Debian packages and runs on a private session bus and runtime folder:
dbus-daemon, sway (``WLR_BACKENDS=headless``, pixman renderer, one output ``HEADLESS-1``),
swaybg painting a known solid colour, PipeWire + WirePlumber, xdg-permission-store,
xdg-desktop-portal and xdg-desktop-portal-wlr. Its "which screen?" chooser is a script that
answers with the one output, as a user who said yes would, and counts how often it was asked
(``questions_asked``): a restore token must spare the question. ``XDPW_PERSIST_MODE=permanent``
is the wlr backend's switch for remembering answers at all.

sway refuses to run as root, so as root sway alone runs as ``nobody`` (it owns the runtime
folder, which root can use too); the bus, PipeWire, the portals and clients stay root like
Baton and the tests: the portal looks into its callers' ``/proc/PID/root``, which only works
for processes of its own user (or root), as on a real desktop.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

DEBIAN_PACKAGES = (
    "sway", "swaybg", "pipewire", "wireplumber", "xdg-desktop-portal", "xdg-desktop-portal-wlr",
    "gstreamer1.0-pipewire", "gstreamer1.0-tools", "dbus-daemon", "foot", "gcc",
)
COMMANDS = {
    "gcc": "gcc",
    "sway": "sway", "swaybg": "swaybg", "swaymsg": "swaymsg", "pipewire": "pipewire",
    "wireplumber": "wireplumber", "dbus-daemon": "dbus-daemon", "foot": "foot",
    "/usr/libexec/xdg-desktop-portal": "xdg-desktop-portal",
    "/usr/libexec/xdg-desktop-portal-wlr": "xdg-desktop-portal-wlr",
    "/usr/libexec/xdg-permission-store": "xdg-desktop-portal",
    "gst-launch-1.0": "gstreamer1.0-tools",
}
OUTPUT = "HEADLESS-1"
BACKGROUND = (0x20, 0x60, 0xA0)
"""The desktop's colour (RGB), painted by swaybg behind every window."""
UNPRIVILEGED = "nobody"

BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={runtime}/bus</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""
# No service folders: every service the desktop needs is started (and stopped) here, and the
# document portal (a FUSE mount) is never activated.

SWAY_CONFIG = """output {output} resolution {width}x{height} position 0 0
default_border none
default_floating_border none
focus_follows_mouse no
for_window [app_id=".*"] floating enable
exec_always true
"""

PORTAL_CONFIG = """[screencast]
chooser_type=simple
chooser_cmd={chooser}
max_fps=60
"""
CHOOSER = """#!/bin/sh
# The user's answer to "share which screen?": counted, then the only output (or, while the
# file "decline" exists, nothing: the user closed the question).
echo asked >> "{log}"
[ -e "{decline}" ] || echo {output}
"""


def missing_commands() -> list[str]:
    """Debian packages whose commands are absent (a CI run must fail on any of them)."""
    return sorted({package for command, package in COMMANDS.items()
                   if shutil.which(command) is None})


class WaylandDesktop:
    """A running headless sway desktop with PipeWire and the ScreenCast portal."""

    def __init__(self, width: int = 1280, height: int = 720,
                 background: tuple[int, int, int] = BACKGROUND) -> None:
        self.width = width
        self.height = height
        self.background = background
        self.root = Path(tempfile.mkdtemp(prefix="baton-sway-"))
        self.runtime = self.root / "run"
        self.home = self.root / "home"
        self._processes: list[tuple[str, subprocess.Popen[bytes]]] = []  # the desktop
        self._clients: list[tuple[str, subprocess.Popen[bytes]]] = []  # tests may end them
        self._user = _desktop_user()
        self.bus_address = ""
        self.wayland_display = ""
        self.swaysock = ""

    # -- what children get -------------------------------------------------------------
    def env(self) -> dict[str, str]:
        """The environment for a process that should live on this desktop (Baton, clients)."""
        env = dict(os.environ)
        for name in ("DISPLAY", "QT_QPA_PLATFORM"):
            env.pop(name, None)
        env.update(self.session_env())
        return env

    def session_env(self) -> dict[str, str]:
        """Only the variables that point at this desktop."""
        return {
            "WAYLAND_DISPLAY": self.wayland_display,
            "XDG_RUNTIME_DIR": str(self.runtime),
            "DBUS_SESSION_BUS_ADDRESS": self.bus_address,
            "SWAYSOCK": self.swaysock,
            "XDG_SESSION_TYPE": "wayland",
            "XDG_CURRENT_DESKTOP": "sway",
        }

    # -- starting ---------------------------------------------------------------------------
    def start(self) -> WaylandDesktop:
        missing = missing_commands()
        if missing:
            raise RuntimeError("the Wayland test desktop needs Debian packages: "
                               + " ".join(missing) + " (scripts/test installs them as root)")
        try:
            self._prepare_folders()
            self._start_bus()
            self._start_sway()
            self._start("swaybg", ["swaybg", "-o", "*", "-m", "solid_color",
                                   "-c", "#{:02x}{:02x}{:02x}".format(*self.background)])
            self._start("pipewire", ["pipewire"])
            self._wait_for(lambda: (self.runtime / "pipewire-0").exists(), "pipewire's socket")
            self._start("wireplumber", ["wireplumber"])
            self._start("xdg-permission-store", ["/usr/libexec/xdg-permission-store"])
            self._start("xdg-desktop-portal-wlr",
                        ["/usr/libexec/xdg-desktop-portal-wlr", "-l", "INFO",
                         "-c", str(self.home / "portal-wlr.ini")],
                        extra_env={"LD_PRELOAD": str(self._shm_only_shim()),
                                   "XDPW_PERSIST_MODE": "permanent"})
            self._start("xdg-desktop-portal", ["/usr/libexec/xdg-desktop-portal"])
            self._wait_for(self.portal_ready, "the ScreenCast portal on the session bus")
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare_folders(self) -> None:
        for folder in (self.runtime, self.home, self.home / "config", self.home / "state",
                       self.home / "data", self.home / "cache"):
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o700)
            if self._user is not None:
                os.chown(folder, self._user.pw_uid, self._user.pw_gid)
        self.root.chmod(0o755)
        (self.home / "sway.conf").write_text(SWAY_CONFIG.format(
            output=OUTPUT, width=self.width, height=self.height))
        chooser = self.home / "chooser.sh"
        chooser.write_text(CHOOSER.format(log=self.home / "chooser.log", output=OUTPUT,
                                          decline=self.home / "decline"))
        chooser.chmod(0o755)
        (self.home / "portal-wlr.ini").write_text(PORTAL_CONFIG.format(chooser=chooser))
        (self.home / "bus.conf").write_text(BUS_CONFIG.format(runtime=self.runtime))

    def _desktop_env(self) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "XDG_CONFIG_HOME": str(self.home / "config"),
            "XDG_STATE_HOME": str(self.home / "state"),
            "XDG_DATA_HOME": str(self.home / "data"),
            "XDG_CACHE_HOME": str(self.home / "cache"),
            "XDG_CURRENT_DESKTOP": "sway",
            "XDG_SESSION_TYPE": "wayland",
            "WLR_BACKENDS": "headless",
            "WLR_LIBINPUT_NO_DEVICES": "1",
            "WLR_RENDERER": "pixman",
            "WLR_HEADLESS_OUTPUTS": "1",
            "LANG": "C.UTF-8",
        }
        if self.bus_address:
            env["DBUS_SESSION_BUS_ADDRESS"] = self.bus_address
        if self.wayland_display:
            env["WAYLAND_DISPLAY"] = self.wayland_display
            env["SWAYSOCK"] = self.swaysock
        return env

    def _shm_only_shim(self) -> Path:
        """The shim that lets xdg-desktop-portal-wlr 0.7 cast without a GPU (see the C file)."""
        library = self.home / "xdpw_shm.so"
        subprocess.run(["gcc", "-shared", "-fPIC", "-O2", "-o", str(library),
                        str(Path(__file__).with_name("xdpw_shm.c")), "-ldl"],
                       check=True, capture_output=True, timeout=60)
        return library

    def _start(self, name: str, argv: list[str], as_desktop_user: bool = False,
               extra_env: dict[str, str] | None = None, client: bool = False,
               **popen: Any) -> subprocess.Popen[bytes]:
        user: dict[str, Any] = {}
        if as_desktop_user and self._user is not None:
            user = {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        with open(self.root / f"{name}.log", "ab") as output:  # the child keeps its copy
            process = subprocess.Popen(
                argv, env={**self._desktop_env(), **(extra_env or {})}, cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=popen.pop("stdout", output), stderr=output, start_new_session=True,
                **user, **popen)
        (self._clients if client else self._processes).append((name, process))
        return process

    def _start_bus(self) -> None:
        bus = self._start("dbus-daemon", ["dbus-daemon", "--nofork", "--print-address=1",
                                          f"--config-file={self.home / 'bus.conf'}"],
                          stdout=subprocess.PIPE)
        assert bus.stdout is not None
        self.bus_address = bus.stdout.readline().decode().strip()
        bus.stdout.close()
        if not self.bus_address:
            raise RuntimeError("dbus-daemon did not start: " + self.log("dbus-daemon"))

    def _start_sway(self) -> None:
        self._start("sway", ["sway", "--unsupported-gpu", "-c", str(self.home / "sway.conf")],
                    as_desktop_user=True)

        def found() -> bool:
            sockets = [Path(p).name for p in glob.glob(str(self.runtime / "wayland-*"))
                       if not p.endswith(".lock")]
            ipc = glob.glob(str(self.runtime / "sway-ipc.*.sock"))
            if sockets and ipc:
                self.wayland_display, self.swaysock = sorted(sockets)[0], ipc[0]
                return True
            return False

        self._wait_for(found, "sway's Wayland and IPC sockets")
        self._wait_for(lambda: self.swaymsg("-t", "get_outputs", check=False).returncode == 0,
                       "sway answering on its IPC socket")

    def portal_ready(self) -> bool:
        """Whether the ScreenCast portal and its wlr backend both answer on the desktop's bus."""
        return all(self._answers(*where) for where in (
            ("org.freedesktop.portal.Desktop", "org.freedesktop.portal.ScreenCast"),
            ("org.freedesktop.impl.portal.desktop.wlr", "org.freedesktop.impl.portal.ScreenCast"),
        ))

    def _answers(self, name: str, interface: str) -> bool:
        probe = subprocess.run(
            ["dbus-send", "--session", "--print-reply", f"--dest={name}",
             "/org/freedesktop/portal/desktop", "org.freedesktop.DBus.Properties.Get",
             f"string:{interface}", "string:version"],
            env={**os.environ, "DBUS_SESSION_BUS_ADDRESS": self.bus_address},
            capture_output=True, text=True, check=False, timeout=30)
        return probe.returncode == 0

    def _wait_for(self, ready: Any, what: str, timeout: float = 30,
                  also: tuple[str, subprocess.Popen[bytes]] | None = None) -> None:
        deadline = time.monotonic() + timeout
        watched = [*self._processes, *([also] if also else [])]
        while not ready():
            dead = [name for name, process in watched if process.poll() is not None]
            if dead or time.monotonic() > deadline:
                reason = f"{', '.join(dead)} exited" if dead else f"not within {timeout:.0f} s"
                logs = "\n".join(f"--- {name}\n{self.log(name)[-1500:]}" for name in dead)
                raise RuntimeError(f"waiting for {what}: {reason}\n{logs}")
            time.sleep(0.1)

    # -- using ------------------------------------------------------------------------------
    def swaymsg(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``swaymsg`` against this sway (e.g. ``swaymsg("move", "position", "10", "20")``)."""
        result = subprocess.run(["swaymsg", "-s", self.swaysock, *args], capture_output=True,
                                text=True, check=False, timeout=30)
        if check and result.returncode != 0:
            raise RuntimeError(f"swaymsg {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return result

    def damage(self) -> None:
        """Make sway repaint the whole output (a screencast sends pictures only on change)."""
        self.swaymsg("workspace", "baton-elsewhere")
        self.swaymsg("workspace", "1")

    def tree(self) -> dict[str, Any]:
        """sway's window tree (``swaymsg -t get_tree``)."""
        import json

        return dict(json.loads(self.swaymsg("-t", "get_tree", "-r").stdout))

    def windows(self) -> list[dict[str, Any]]:
        """Every window (a tree node with a pid) on the desktop."""
        found: list[dict[str, Any]] = []

        def walk(node: dict[str, Any]) -> None:
            if node.get("pid"):
                found.append(node)
            for child in node.get("nodes", []) + node.get("floating_nodes", []):
                walk(child)

        walk(self.tree())
        return found

    def start_client(self, argv: list[str], app_id: str,
                     timeout: float = 30) -> subprocess.Popen[bytes]:
        """Start a Wayland client (e.g. ``foot --app-id x``) and wait for its window.

        Clients run as the tests' user; ``app_id`` is what sway reports for the window
        (foot's ``--app-id``, a GTK application's id).
        """
        name = f"client-{app_id}"
        process = self._start(name, argv, client=True)
        self._wait_for(lambda: any(w.get("app_id") == app_id for w in self.windows()),
                       f"a window with app_id {app_id!r}", timeout, also=(name, process))
        return process

    def questions_asked(self) -> int:
        """How often the portal asked which screen to share (its chooser ran)."""
        log = self.home / "chooser.log"
        return len(log.read_text().splitlines()) if log.exists() else 0

    @contextlib.contextmanager
    def declining(self) -> Iterator[None]:
        """While the block runs, the user answers the sharing question with "no"."""
        flag = self.home / "decline"
        flag.touch()
        try:
            yield
        finally:
            flag.unlink()

    def assert_running(self) -> None:
        """Fail with the logs of any part of the desktop that has exited."""
        dead = [name for name, process in self._processes if process.poll() is not None]
        if dead:
            logs = "\n".join(f"--- {name}\n{self.log(name)[-3000:]}" for name in dead)
            raise AssertionError(f"the Wayland desktop lost {', '.join(dead)}:\n{logs}")

    def processes(self) -> list[tuple[str, subprocess.Popen[bytes]]]:
        """What runs the desktop and its clients, by name, in start order."""
        return [*self._processes, *self._clients]

    def log(self, name: str) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # -- stopping ---------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop every process started here (clients first, the bus last) and delete the folder."""
        everything = [*self._processes, *self._clients]
        for _name, process in reversed(everything):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, 15)
        for _name, process in reversed(everything):
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, 9)
                process.wait(10)
        self._processes.clear()
        self._clients.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def _desktop_user() -> pwd.struct_passwd | None:
    """Who runs the desktop: ``nobody`` when we are root (sway refuses root), else us."""
    if os.geteuid() != 0:
        return None
    return pwd.getpwnam(UNPRIVILEGED)


@contextlib.contextmanager
def wayland_desktop(width: int = 1280, height: int = 720) -> Iterator[WaylandDesktop]:
    """A started desktop, stopped when the block ends."""
    desktop = WaylandDesktop(width, height).start()
    try:
        yield desktop
    finally:
        desktop.stop()
