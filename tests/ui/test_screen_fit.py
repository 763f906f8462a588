"""Windows sized to the screen they open on (``baton.ui.screen_fit``)."""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from baton.ui.screen_fit import fit_to_screen, fitted, keep_on_screen


def test_a_size_that_fits_is_kept_and_a_larger_one_shrinks_to_the_screen() -> None:
    laptop = QSize(960, 540)  # 1920x1080 at 200%
    assert fitted(QSize(600, 400), laptop) == QSize(600, 400)
    assert fitted(QSize(1200, 760), laptop) == QSize(864, 486)


def test_a_minimum_size_is_kept_but_never_past_the_screen() -> None:
    laptop = QSize(960, 540)
    assert fitted(QSize(1200, 760), laptop, QSize(900, 500)) == QSize(900, 500)
    assert fitted(QSize(1200, 760), laptop, QSize(2000, 900)) == laptop


def test_a_window_opens_centred_and_wholly_on_the_screen_it_is_given(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    screen = window.screen()
    area = screen.availableGeometry()
    fit_to_screen(window, QSize(area.width() * 2, area.height() * 2), screen)
    assert area.contains(window.geometry())
    assert abs(window.geometry().center().x() - area.center().x()) <= 1
    assert window.width() < area.width()


def test_a_window_restored_off_screen_comes_back(qtbot: QtBot) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    area = window.screen().availableGeometry()
    window.setGeometry(QRect(area.right() - 50, area.bottom() - 50, 400, 300))
    keep_on_screen(window)
    assert area.contains(window.geometry())
