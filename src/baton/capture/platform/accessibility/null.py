"""The accessibility layer of a desktop where Baton cannot ask (or has not been taught to).

Windows (UI Automation) and macOS (AX) use it until their modules exist: steps there are
named by OCR of the screenshot, and typed text is withheld unless the owner keeps it for
the application.
"""

from __future__ import annotations

from baton.capture.platform.accessibility.base import Element
from baton.capture.platform.base import WindowInfo


class NullAccessibility:
    """Knows no element."""

    def element_at(
        self, x: int, y: int, window: WindowInfo | None, timeout: float
    ) -> Element | None:
        return None

    def focused_since(
        self, window: WindowInfo | None, since: float, until: float, timeout: float
    ) -> list[Element] | None:
        return None

    def close(self) -> None:
        return None
