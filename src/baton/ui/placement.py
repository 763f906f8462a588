"""Open a window wholly on screen: no bigger than the screen it opens on, centred there."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QWidget

MARGIN = 0.92  # of the screen's free area: room for the title bar and the panel


def fit_size(wanted: QSize, area: QRect) -> QSize:
    """``wanted``, made smaller where the screen's free ``area`` is smaller."""
    return QSize(min(wanted.width(), round(area.width() * MARGIN)),
                 min(wanted.height(), round(area.height() * MARGIN)))


def place_on_screen(window: QWidget, near: QWidget | None = None) -> None:
    """Size ``window`` to fit the screen ``near`` is on (else the main one) and centre it."""
    screen: QScreen | None = near.screen() if near is not None else None
    screen = screen or QGuiApplication.primaryScreen()
    if screen is None:
        return
    area = screen.availableGeometry()
    size = fit_size(window.size().expandedTo(window.minimumSize()), area)
    window.resize(size)
    frame = QRect(area.topLeft(), size)
    frame.moveCenter(area.center())
    window.move(frame.topLeft())
