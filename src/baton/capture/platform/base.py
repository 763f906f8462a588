"""The interface every platform module implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from baton.capture.platform.screens import Region

if TYPE_CHECKING:  # numpy loads with the recorder, not at startup
    import numpy as np
    import numpy.typing as npt


@dataclass(frozen=True, eq=False)
class CursorImage:
    """The pointer's current shape: premultiplied BGRA pixels and the hot spot."""

    pixels: npt.NDArray[np.uint8]
    hot_x: int
    hot_y: int
    serial: int = 0


@dataclass(frozen=True)
class PointerSample:
    """Where the pointer is (screen pixels) and what it looks like (None: draw an arrow)."""

    x: int
    y: int
    image: CursorImage | None = None


@dataclass(frozen=True)
class WindowInfo:
    """A top-level window the user can choose to record."""

    window_id: int
    title: str
    region: Region
    app: str = ""
    """The application's class name (X11 ``WM_CLASS``), when known."""
    pid: int | None = None
    """The process that owns the window (X11 ``_NET_WM_PID``), when known."""


class Platform(Protocol):
    """Desktop access the recorder needs beyond the pixels."""

    def pointer(self) -> PointerSample | None:
        """The pointer now, or None when the platform cannot tell."""

    def scale_of(self, region: Region) -> float:
        """The desktop's scale factor (1.0, 1.5, 2.0 ...) for a monitor's area."""

    def windows(self) -> list[WindowInfo]:
        """Top-level windows, front-most last."""

    def window_at(self, x: int, y: int) -> WindowInfo | None:
        """The application window at screen point ``x, y`` (None: none, or unknown)."""

    def focused_window(self) -> WindowInfo | None:
        """The window that receives typing now (None: unknown)."""

    def close(self) -> None:
        """Release the connection."""
