"""Small widgets shared by several views."""

from __future__ import annotations

import enum
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QWidget


class EnumCombo(QComboBox):
    """A combo box over a string enum; ``currentData()`` is the enum's value."""

    def __init__(
        self, enum_type: type[enum.StrEnum], current: enum.StrEnum, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        for member in enum_type:
            self.addItem(member.value.replace("-", " ").capitalize(), member.value)
        self.setCurrentIndex(self.findData(current.value))


def qdate(day: date) -> QDate:
    """A Python date as a QDate (the bindings' stubs do not accept ``date`` directly)."""
    return QDate(day.year, day.month, day.day)
