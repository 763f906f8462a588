"""Monitors and regions, always in physical pixels.

Qt and the desktop hand out logical coordinates on scaled (hi-DPI) monitors; the recorder
works in physical pixels so the video is exactly the area the user picked, pixel for pixel.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
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
    """One monitor: its area of the virtual screen and how much the desktop scales it."""

    index: int
    region: Region
    scale: float = 1.0
    primary: bool = False
    name: str = ""

    def to_physical(self, logical: Region) -> Region:
        """Map a rectangle drawn in this monitor's logical coordinates to physical pixels.

        ``logical`` is relative to the monitor's top-left corner, as a full-screen overlay
        window on that monitor reports it.
        """
        scale = self.scale
        left = self.region.left + round(logical.left * scale)
        top = self.region.top + round(logical.top * scale)
        return Region(left, top, round(logical.width * scale), round(logical.height * scale))


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
    display: str | None = None, scale_of: Callable[[Region], float] | None = None
) -> list[Monitor]:
    """The monitors of the display, numbered from 1, with their scale.

    Args:
        display: X display name; the ``DISPLAY`` variable when None.
        scale_of: returns the desktop scale factor for a monitor's area (the platform
            module knows it); 1.0 when None.

    Raises:
        UserError: the display cannot be reached.
    """
    sct = open_mss(display)
    try:
        raw = list(sct.monitors[1:]) or list(sct.monitors[:1])
    finally:
        sct.close()
    monitors = []
    for number, item in enumerate(raw, start=1):
        region = Region(item["left"], item["top"], item["width"], item["height"])
        scale = scale_of(region) if scale_of else 1.0
        primary, name = bool(item.get("is_primary")), str(item.get("output", ""))
        monitors.append(Monitor(number, region, scale, primary, name))
    if monitors and not any(monitor.primary for monitor in monitors):
        first = monitors[0]
        monitors[0] = Monitor(first.index, first.region, first.scale, True, first.name)
    return monitors


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
