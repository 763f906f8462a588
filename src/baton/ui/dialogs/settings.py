"""Preferences: a form built from the declared settings."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from baton.settings import DECLARED, Setting, Settings


class SettingsDialog(QDialog):
    """Edits every declared setting; saves on OK."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self._settings = settings
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout()
        for setting in DECLARED:
            if not setting.shown:
                continue
            editor = _editor_for(setting, settings.get(setting.key))
            self.editors[setting.key] = editor
            form.addRow(setting.label, editor)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def values(self) -> dict[str, Any]:
        return {key: _value_of(editor) for key, editor in self.editors.items()}

    def accept(self) -> None:
        for key, value in self.values().items():
            if value != self._settings.get(key):
                self._settings.set(key, value)
        super().accept()


def _editor_for(setting: Setting, value: Any) -> QWidget:
    if setting.type is bool:
        box = QCheckBox()
        box.setChecked(bool(value))
        return box
    if setting.choices:
        combo = QComboBox()
        for choice in setting.choices:
            combo.addItem(str(choice).capitalize(), choice)
        combo.setCurrentIndex(combo.findData(value))
        return combo
    if setting.type is str:
        line = QLineEdit(str(value))
        line.setToolTip(setting.label)
        return line
    spin = QSpinBox()
    spin.setRange(0, 365)
    spin.setValue(int(value))
    return spin


def _value_of(editor: QWidget) -> Any:
    if isinstance(editor, QCheckBox):
        return editor.isChecked()
    if isinstance(editor, QComboBox):
        return editor.currentData()
    if isinstance(editor, QLineEdit):
        return editor.text().strip()
    assert isinstance(editor, QSpinBox)
    return editor.value()
