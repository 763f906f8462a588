"""Qt's logical screen coordinates and the recorder's physical pixels, screen by screen.

Qt keeps each screen's top-left corner at its physical position and shrinks only its size
by the screen's scale: a 2880x1800 monitor at 200% to the right of a 1920x1080 one at 100%
is ``(1920, 0, 1440, 900)`` to Qt. So a point maps to physical pixels through the screen it
belongs to: ``physical = origin + (logical - origin) * scale``, never ``logical * scale``.

A window receives positions relative to itself, in its own screen's scale, even while the
pointer is over another screen during a drag (the window that saw the press keeps the
mouse): mapping them through that window's screen gives the exact physical pixel.
"""

from __future__ import annotations

from dataclasses import dataclass

from baton.capture.platform.screens import Region


@dataclass(frozen=True)
class ScreenArea:
    """One screen: where Qt puts it (logical) and where the pixels are (physical).

    ``logical`` is ``QScreen.geometry()``; ``physical`` the monitor's area in pixels.
    """

    logical: Region
    physical: Region

    @property
    def scale_x(self) -> float:
        return self.physical.width / self.logical.width

    @property
    def scale_y(self) -> float:
        return self.physical.height / self.logical.height

    def point_to_physical(self, x: float, y: float) -> tuple[int, int]:
        """A position relative to this screen's top-left corner (logical, possibly outside
        the screen) as an absolute physical pixel."""
        return (self.physical.left + round(x * self.scale_x),
                self.physical.top + round(y * self.scale_y))

    def local_rect(self, region: Region) -> tuple[int, int, int, int] | None:
        """The part of ``region`` on this screen, in this screen's *physical* pixels
        relative to its top-left corner (None: not on this screen)."""
        screen = self.physical
        left, top = max(region.left, screen.left), max(region.top, screen.top)
        right, bottom = min(region.right, screen.right), min(region.bottom, screen.bottom)
        if right <= left or bottom <= top:
            return None
        return left - screen.left, top - screen.top, right - left, bottom - top


def selection(first: tuple[int, int], second: tuple[int, int], desktop: Region) -> Region:
    """The area between two physical pixels (the press and where the mouse is now).

    The pixel under the release point is the first one outside, so dragging from x=100 to
    x=300 takes 200 pixels. Clamped to the desktop.
    """
    left, right = sorted((first[0], second[0]))
    top, bottom = sorted((first[1], second[1]))
    left, top = max(left, desktop.left), max(top, desktop.top)
    right, bottom = min(right, desktop.right), min(bottom, desktop.bottom)
    return Region(left, top, max(0, right - left), max(0, bottom - top))


def match_physical(
    logical: Region, scale: float, name: str, monitors: list[tuple[str, Region]]
) -> Region:
    """The physical area of a Qt screen: the monitor with its name, else the one at its
    origin (Qt keeps origins physical) of its size, else its logical size times its scale."""
    scaled = Region(logical.left, logical.top, round(logical.width * scale),
                    round(logical.height * scale))
    for monitor_name, region in monitors:
        if name and monitor_name == name:
            return region
    for _name, region in monitors:
        if ((region.left, region.top) == (scaled.left, scaled.top)
                and abs(region.width - scaled.width) <= 2
                and abs(region.height - scaled.height) <= 2):
            return region
    return scaled
