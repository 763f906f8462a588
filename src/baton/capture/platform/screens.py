"""Monitors and regions, always in physical pixels.

Qt and the desktop hand out logical coordinates on scaled (hi-DPI) monitors; the recorder
works in physical pixels so the video is exactly the area the user picked, pixel for pixel.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from baton.errors import UserError

MIN_SIZE = 16


@dataclass(frozen=True)
class Region:
    """A rectangle of the virtual screen in physical pixels."""

    left: int
    top: int
    width: int
    height: int

    @property
    def right(self) -> int:
        return self.left + self.width

    @property
    def bottom(self) -> int:
        return self.top + self.height

    def as_mss(self) -> dict[str, int]:
        """The dict ``mss`` takes for a grab."""
        return {"left": self.left, "top": self.top, "width": self.width, "height": self.height}

    def contains(self, other: Region) -> bool:
        return (
            other.left >= self.left
            and other.top >= self.top
            and other.right <= self.right
            and other.bottom <= self.bottom
        )

    def even(self) -> Region:
        """The same area shrunk by at most one pixel per side so both sides are even."""
        width, height = self.width - self.width % 2, self.height - self.height % 2
        return Region(self.left, self.top, width, height)

    def text(self) -> str:
        """``X,Y,W,H``, as ``--region`` takes it."""
        return f"{self.left},{self.top},{self.width},{self.height}"

    @classmethod
    def parse(cls, text: str) -> Region:
        """Parse ``X,Y,W,H`` as typed on the command line.

        Raises:
            UserError: not four whole numbers, or a size that is not positive.
        """
        parts = [part.strip() for part in text.split(",")]
        try:
            left, top, width, height = (int(part) for part in parts)
        except ValueError:
            raise UserError(
                f"The region {text!r} must be four whole numbers: X,Y,WIDTH,HEIGHT."
            ) from None
        if width <= 0 or height <= 0:
            raise UserError(f"The region {text!r} must have a positive width and height.")
        return cls(left, top, width, height)


@dataclass(frozen=True)
class Monitor:
    """One monitor: its area of the virtual screen and how much the desktop scales it.

    ``index`` numbers the monitors from 1, left to right (then top to bottom); ``name``
    is the RandR monitor's (what Qt calls the screen, and ``QT_SCREEN_SCALE_FACTORS`` uses).
    """

    index: int
    region: Region
    scale: float = 1.0
    primary: bool = False
    name: str = ""

    def to_json(self) -> dict[str, Any]:
        region = self.region
        return {"index": self.index, "name": self.name, "primary": self.primary,
                "left": region.left, "top": region.top, "width": region.width,
                "height": region.height, "scale": self.scale}


def describe_monitor(monitor: Monitor) -> str:
    """``DP-1 1920x1080 at 0,0, primary, scale 1``: one line for people."""
    region = monitor.region
    name = f"{monitor.name} " if monitor.name else ""
    primary = ", primary" if monitor.primary else ""
    return (f"{name}{region.width}x{region.height} at {region.left},{region.top}{primary}, "
            f"scale {monitor.scale:g}")


def display_name(display: str | None = None) -> str:
    """The X display the user means, for messages."""
    return display or os.environ.get("DISPLAY", "")


def no_display_error(display: str | None = None) -> UserError:
    """The plain message for a screen that cannot be reached."""
    name = display_name(display)
    if not name:
        return UserError(
            "No display is set (DISPLAY is empty): start Baton inside a desktop session."
        )
    return UserError(f"Cannot connect to the display {name}: is an X server running?")


def open_mss(display: str | None = None) -> Any:
    """Open one ``mss.MSS`` instance (reuse it: opening one per grab is 7x slower).

    Raises:
        UserError: the display cannot be reached.
    """
    import mss

    try:
        if display:
            return mss.MSS(display=display)
        return mss.MSS()
    except mss.ScreenShotError as error:
        raise no_display_error(display) from error


def list_monitors(
    display: str | None = None,
    scale_of: Callable[[Region], float] | None = None,
    env: Mapping[str, str] | None = None,
) -> list[Monitor]:
    """The monitors of the display, numbered from 1 left to right, with their scale.

    Args:
        display: X display name; the ``DISPLAY`` variable when None.
        scale_of: returns the desktop scale factor for a monitor's area (the platform
            module knows it); 1.0 when None.
        env: where ``QT_SCREEN_SCALE_FACTORS`` and ``QT_SCALE_FACTOR`` are read (the
            process environment when None): they set the scale Qt apps, Baton's own
            window included, use on each monitor.

    Raises:
        UserError: the display cannot be reached.
    """
    sct = open_mss(display)
    try:
        raw = list(sct.monitors[1:]) or list(sct.monitors[:1])
    finally:
        sct.close()
    named = _randr_monitors(display)
    listed: list[Monitor] = []  # in RandR's order, which Qt's screen order follows
    for item in raw:
        region = Region(item["left"], item["top"], item["width"], item["height"])
        match = next((m for m in named if m.region == region), None)
        if match is not None:
            named.remove(match)
            name, primary = match.name, match.primary
        else:
            name, primary = str(item.get("output", "")), bool(item.get("is_primary"))
        scale = scale_of(region) if scale_of else 1.0
        listed.append(Monitor(0, region, scale, primary, name))
    if listed and not any(monitor.primary for monitor in listed):
        listed[0] = replace(listed[0], primary=True)  # what Qt makes its primary screen
    qt_order = sorted(listed, key=lambda monitor: not monitor.primary)
    scales = qt_scale_factors(os.environ if env is None else env, qt_order)
    ordered = sorted(listed, key=lambda monitor: (monitor.region.left, monitor.region.top))
    return [
        replace(monitor, index=number, scale=scales.get(id(monitor), monitor.scale))
        for number, monitor in enumerate(ordered, start=1)
    ]


def _randr_monitors(display: str | None) -> list[Any]:
    if not sys.platform.startswith("linux"):
        return []
    from baton.capture.platform.randr import randr_monitors

    return list(randr_monitors(display))


def qt_scale_factors(env: Mapping[str, str], qt_order: list[Monitor]) -> dict[int, float]:
    """The scale Qt gives each monitor from ``QT_SCREEN_SCALE_FACTORS`` / ``QT_SCALE_FACTOR``.

    Entries are ``name=factor`` or bare factors in Qt's screen order (the primary first),
    separated by ``;`` (or ``,``). Returns factors keyed by ``id(monitor)``; a monitor the
    variables do not mention keeps its own scale, times ``QT_SCALE_FACTOR``.
    """
    factors: dict[int, float] = {}
    spec = env.get("QT_SCREEN_SCALE_FACTORS", "").strip()
    entries = [part.strip() for part in spec.replace(",", ";").split(";") if part.strip()]
    by_name = {monitor.name: monitor for monitor in qt_order}
    for position, entry in enumerate(entries):
        name, equals, value = entry.rpartition("=")
        try:
            factor = float(value)
        except ValueError:
            continue
        if factor <= 0:
            continue
        if equals:
            if name in by_name:
                factors[id(by_name[name])] = factor
        elif position < len(qt_order):
            factors[id(qt_order[position])] = factor
    try:
        overall = float(env.get("QT_SCALE_FACTOR", "") or 1.0)
    except ValueError:
        overall = 1.0
    overall = overall if overall > 0 else 1.0
    return {
        id(monitor): round(factors.get(id(monitor), monitor.scale) * overall, 4)
        for monitor in qt_order
    }


def monitor_region(monitors: list[Monitor], index: int) -> Region:
    """The area of monitor ``index`` (numbered from 1), with even sides.

    Raises:
        UserError: there is no such monitor.
    """
    for monitor in monitors:
        if monitor.index == index:
            return monitor.region.even()
    raise UserError(f"There is no monitor {index}: this display has {len(monitors)}.")


def desktop_region(monitors: list[Monitor]) -> Region:
    """The bounding box of all monitors (the virtual screen)."""
    if not monitors:
        raise UserError("The display reports no monitors.")
    left = min(m.region.left for m in monitors)
    top = min(m.region.top for m in monitors)
    right = max(m.region.right for m in monitors)
    bottom = max(m.region.bottom for m in monitors)
    return Region(left, top, right - left, bottom - top)


def validate_region(region: Region, monitors: list[Monitor]) -> Region:
    """Check that a region lies on the screen and make its sides even (H.264 needs that).

    Raises:
        UserError: the region is too small or reaches off the screen.
    """
    desktop = desktop_region(monitors)
    if not desktop.contains(region):
        raise UserError(
            f"The region {region.left},{region.top},{region.width},{region.height} reaches "
            f"off the screen ({desktop.width}x{desktop.height})."
        )
    if region.width < MIN_SIZE or region.height < MIN_SIZE:
        raise UserError(f"The region must be at least {MIN_SIZE}x{MIN_SIZE} pixels.")
    return region.even()
