"""The platform that knows nothing: recording still works, without a drawn pointer."""

from __future__ import annotations

from baton.capture.platform.base import PointerSample, WindowInfo
from baton.capture.platform.screens import Region


class NullPlatform:
    """No pointer, no windows, scale 1."""

    def pointer(self) -> PointerSample | None:
        return None

    def scale_of(self, region: Region) -> float:
        return 1.0

    def windows(self) -> list[WindowInfo]:
        return []

    def window_at(self, x: int, y: int) -> WindowInfo | None:
        return None

    def focused_window(self) -> WindowInfo | None:
        return None

    def close(self) -> None:
        return None
