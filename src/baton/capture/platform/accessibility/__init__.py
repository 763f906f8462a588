"""The accessibility tree of the desktop (what the clicked or focused element is).

``open_accessibility`` picks the platform's module: AT-SPI2 on Linux, else
``NullAccessibility`` (also where AT-SPI cannot be reached: then steps are named by OCR).
It connects, which can take a few seconds on a desktop whose accessibility bus must be
started first: call it off the GUI thread.
"""

from __future__ import annotations

import logging
import sys

from baton.capture.platform.accessibility.base import Accessibility, Element
from baton.capture.platform.accessibility.null import NullAccessibility

__all__ = ["Accessibility", "Element", "NullAccessibility", "open_accessibility"]

log = logging.getLogger("baton.capture")


def open_accessibility(display: str | None = None) -> Accessibility:
    """The desktop's accessibility tree; ``NullAccessibility`` when it cannot be asked."""
    if not sys.platform.startswith("linux"):
        return NullAccessibility()  # UI Automation and AX are not built yet
    try:
        from baton.capture.platform.accessibility.atspi import AtspiAccessibility
        from baton.capture.platform.accessibility.atspi_bus import AtspiError
    except ImportError as error:  # jeepney missing from a hand-made install
        log.info("accessibility: unavailable (%s)", error)
        return NullAccessibility()
    try:
        return AtspiAccessibility.open(display)
    except AtspiError as error:
        log.info("accessibility: unavailable (%s); steps are named by OCR", error)
        return NullAccessibility()
