"""Monitor names and the primary monitor from X RandR 1.5, as Qt sees them.

mss lists the monitors' areas but names them by output (a monitor made with ``xrandr
--setmonitor`` may have none) and knows "primary" only from the monitor's own flag. Qt
names a screen after its RandR monitor and calls it primary when it drives the primary
output; Baton follows Qt so its numbers, names and scales match the app's screens.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from baton.capture.platform.screens import Region

log = logging.getLogger("baton.capture")


@dataclass(frozen=True)
class RandrMonitor:
    """A monitor as RandR lists it, in RandR's order."""

    name: str
    region: Region
    primary: bool


def randr_monitors(display: str | None = None) -> list[RandrMonitor]:
    """The display's RandR monitors (empty when RandR 1.5 or python-xlib is missing)."""
    try:
        from Xlib import display as xdisplay  # type: ignore[import-untyped]
    except ImportError:
        return []
    try:
        connection: Any = xdisplay.Display(display)
    except Exception:  # noqa: BLE001 - mss already said what is wrong with the display
        return []
    try:
        if not connection.has_extension("RANDR"):
            return []
        root = connection.screen().root
        version = connection.xrandr_query_version()
        if (int(version.major_version), int(version.minor_version)) < (1, 5):
            return []
        primary_output = int(root.xrandr_get_output_primary().output)
        found = []
        for item in root.xrandr_get_monitors(is_active=True).monitors:
            outputs = [int(output) for output in item.crtcs]  # (python-xlib's name for them)
            region = Region(int(item.x), int(item.y), int(item.width_in_pixels),
                            int(item.height_in_pixels))
            primary = bool(item.primary) or (primary_output != 0 and primary_output in outputs)
            found.append(RandrMonitor(str(connection.get_atom_name(item.name)), region, primary))
        return found
    except Exception as error:  # noqa: BLE001 - names are a nicety; areas come from mss
        log.debug("RandR monitors unavailable: %s", error)
        return []
    finally:
        connection.close()
