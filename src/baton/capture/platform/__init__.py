"""Platform-specific desktop access (pointer, cursor image, windows, scale) behind one interface.

``open_platform`` picks the implementation for the running desktop; ``NullPlatform`` is
the fallback that knows nothing (no pointer, no windows, scale 1), so recording still works.
"""

from __future__ import annotations

import os
import sys

from baton.capture.platform.base import CursorImage, Platform, PointerSample, WindowInfo
from baton.capture.platform.null import NullPlatform

__all__ = [
    "CursorImage",
    "NullPlatform",
    "Platform",
    "PointerSample",
    "WindowInfo",
    "open_platform",
]


def open_platform(display: str | None = None) -> Platform:
    """The desktop integration for this machine; ``NullPlatform`` when none applies.

    Raises:
        UserError: an X display is configured but cannot be reached.
    """
    if sys.platform.startswith("linux") and (display or os.environ.get("DISPLAY")):
        from baton.capture.platform.x11 import X11Platform

        return X11Platform(display)
    return NullPlatform()
