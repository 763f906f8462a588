"""What recording on this Wayland desktop needs, checked one piece at a time (selftest).

Nothing here asks the user anything: the portal is only asked for its properties.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from jeepney import DBusAddress, MessageType, Properties, new_method_call
from jeepney.io.blocking import open_dbus_connection

from baton.capture.platform.wayland.pipewire_source import GST_LAUNCH, child_env
from baton.capture.platform.wayland.portal import MISSING, PORTAL

BUS = DBusAddress("/org/freedesktop/DBus", bus_name="org.freedesktop.DBus",
                  interface="org.freedesktop.DBus")
NO_BACKEND = ("xdg-desktop-portal runs but offers no screen sharing: install the backend for "
              "your desktop (xdg-desktop-portal-gnome, -kde or -wlr).")
NO_PLUGIN = ("GStreamer's PipeWire plugin is missing: install gstreamer1.0-pipewire and "
             "gstreamer1.0-tools.")
NO_PIPEWIRE = "PipeWire is not running for this user: install pipewire (and wireplumber)."


@dataclass(frozen=True)
class Finding:
    """One piece: its name, whether it is there, and what to do if not."""

    name: str
    ok: bool
    detail: str


def check_portal(bus_address: str | None = None, timeout: float = 5) -> list[Finding]:
    """The portal service, then its ScreenCast interface (which needs a backend)."""
    try:
        connection = open_dbus_connection(bus_address or "SESSION")
    except (OSError, KeyError, ValueError):
        return [Finding("portal", False, MISSING)]
    try:
        names = connection.send_and_get_reply(
            new_method_call(BUS, "ListActivatableNames"), timeout=timeout).body[0]
        owned = connection.send_and_get_reply(
            new_method_call(BUS, "NameHasOwner", "s", (PORTAL.bus_name,)),
            timeout=timeout).body[0]
        if PORTAL.bus_name not in names and not owned:
            return [Finding("portal", False, MISSING)]
        reply = connection.send_and_get_reply(Properties(PORTAL).get("version"), timeout=timeout)
        if reply.header.message_type == MessageType.error:
            return [Finding("portal", True, "xdg-desktop-portal"),
                    Finding("portal backend", False, NO_BACKEND)]
        version = reply.body[0][1]
        return [Finding("portal", True, f"xdg-desktop-portal, ScreenCast version {version}")]
    except (OSError, TimeoutError, ValueError) as error:
        return [Finding("portal", False, f"{MISSING} ({error})")]
    finally:
        connection.close()


def check_gstreamer() -> Finding:
    inspect = shutil.which("gst-inspect-1.0")
    if shutil.which(GST_LAUNCH) is None or inspect is None:
        return Finding("GStreamer PipeWire plugin", False, NO_PLUGIN)
    probe = subprocess.run([inspect, "pipewiresrc"], env=child_env(),
                           capture_output=True, timeout=60, check=False)
    if probe.returncode != 0:
        return Finding("GStreamer PipeWire plugin", False, NO_PLUGIN)
    return Finding("GStreamer PipeWire plugin", True, "pipewiresrc")


def check_pipewire(env: dict[str, str] | None = None) -> Finding:
    env = dict(os.environ) if env is None else env
    remote = env.get("PIPEWIRE_REMOTE", "pipewire-0")
    socket = Path(remote) if remote.startswith("/") else Path(
        env.get("PIPEWIRE_RUNTIME_DIR") or env.get("XDG_RUNTIME_DIR") or "/nonexistent") / remote
    if not socket.exists():
        return Finding("PipeWire", False, NO_PIPEWIRE)
    return Finding("PipeWire", True, str(socket))


def wayland_findings(bus_address: str | None = None) -> list[Finding]:
    """Every piece, in the order a user would install them."""
    return [*check_portal(bus_address), check_gstreamer(), check_pipewire()]
