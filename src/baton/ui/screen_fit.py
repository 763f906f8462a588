"""Windows sized to the screen they open on.

A size in logical pixels that suits a 1920x1080 monitor at 100% is twice too big on a
1920x1080 laptop at 200% (960x540 logical): the window would open past the screen's edges
with its lower buttons out of reach. Windows ask for their usual size and get at most
what fits; a size remembered from another monitor or scale is brought back on screen.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QCursor, QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

SHARE = 0.9
"""At most this share of the screen's free area (room for panels and the frame)."""


def fitted(preferred: QSize, available: QSize, minimum: QSize | None = None) -> QSize:
    """``preferred``, shrunk to ``SHARE`` of ``available`` where it is larger.

    ``minimum`` (the window's own minimum size) is respected only as far as the whole
    available area: a window never gets larger than the screen.
    """
    width = min(preferred.width(), int(available.width() * SHARE))
    height = min(preferred.height(), int(available.height() * SHARE))
    if minimum is not None:
        width = min(max(width, minimum.width()), available.width())
        height = min(max(height, minimum.height()), available.height())
    return QSize(width, height)


def opening_screen(window: QWidget) -> QScreen:
    """The screen a window opens on: its parent's, else the one under the pointer."""
    parent = window.parentWidget()
    if parent is not None and parent.isVisible():
        return parent.screen()
    return QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()


def fit_to_screen(window: QWidget, preferred: QSize, screen: QScreen | None = None) -> None:
    """Give ``window`` its preferred size or what fits, centred on the screen it opens on."""
    screen = screen or opening_screen(window)
    available = screen.availableGeometry()
    size = fitted(preferred, available.size(), window.minimumSizeHint())
    window.resize(size)
    frame = QRect(QPoint(0, 0), size)
    frame.moveCenter(available.center())
    window.move(frame.topLeft())


def keep_on_screen(window: QWidget) -> None:
    """Bring a restored window back within the screen it is mostly on, shrunk if need be."""
    geometry = window.geometry()
    screen = QGuiApplication.screenAt(geometry.center()) or opening_screen(window)
    available = screen.availableGeometry()
    if available.contains(geometry):
        return
    size = geometry.size()
    if size.width() > available.width() or size.height() > available.height():
        size = fitted(size, available.size(), window.minimumSizeHint())
        window.resize(size)
    left = min(max(geometry.left(), available.left()), available.right() + 1 - size.width())
    top = min(max(geometry.top(), available.top()), available.bottom() + 1 - size.height())
    window.move(left, top)
