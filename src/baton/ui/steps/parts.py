"""Small pieces of the step editor: actions with shortcuts and the canvas tool bar."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QToolBar, QWidget

from baton.ui.steps.canvas import AnnotationCanvas
from baton.ui.steps.tools import Tool


def add_shortcut_action(
    widget: QWidget, text: str, slot: Callable[[], object],
    *shortcuts: str | QKeySequence.StandardKey,
) -> QAction:
    """An action on ``widget`` whose shortcuts work anywhere inside it (tooltip names them)."""
    action = QAction(text, widget)
    keys = [QKeySequence(key) for key in shortcuts]
    if keys:
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        names = ", ".join(key.toString(QKeySequence.SequenceFormat.NativeText) for key in keys)
        action.setToolTip(f"{text} ({names})")
    action.triggered.connect(lambda: slot())
    widget.addAction(action)
    return action


class CanvasTools:
    """A tool bar with one checkable action per drawing tool, kept in step with the canvas."""

    def __init__(self, canvas: AnnotationCanvas) -> None:
        self.canvas = canvas
        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.group = QActionGroup(self.toolbar)
        self.group.setExclusive(True)
        self.actions: dict[Tool, QAction] = {}
        for tool in Tool:
            action = QAction(tool.label, self.group)
            action.setCheckable(True)
            action.setChecked(tool is canvas.tool)
            action.setToolTip(f"{tool.label} (press {tool.key} on the screenshot)")
            action.triggered.connect(lambda _=False, t=tool: self._pick(t))
            self.toolbar.addAction(action)
            self.actions[tool] = action
        canvas.tool_changed.connect(self._tool_changed)

    def _pick(self, tool: Tool) -> None:
        self.canvas.set_tool(tool)
        self.canvas.setFocus(Qt.FocusReason.OtherFocusReason)

    def _tool_changed(self, tool: Tool) -> None:
        self.actions[tool].setChecked(True)
