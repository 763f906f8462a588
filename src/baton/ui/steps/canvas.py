"""The screenshot canvas: draw rectangles, arrows, markers, text, a crop and redaction boxes.

Works with the mouse (drag to draw; the select tool picks and drags marks) and with the
keyboard alone: a tool key (V R A M T C X), Enter to place a mark at the crosshair, the
arrow keys to move the crosshair or the selected mark, Shift+arrows to resize it,
Page Up/Down to pick another mark, Delete to remove it. The canvas never saves anything:
it reports each finished edit with ``marks_edited`` and is given the marks back.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
    QTransform,
)
from PySide6.QtWidgets import QWidget

from baton.capture.steps.annotation import (
    Style,
    mark_bounds,
    paint_annotations,
    paint_click,
    paint_redactions,
)
from baton.core.marks import Mark
from baton.ui.steps.text_entry import InlineTextEntry
from baton.ui.steps.tools import (
    Picked,
    Tool,
    make_mark,
    moved,
    next_marker_number,
    resized,
    with_mark,
)

SELECTION_COLOR = QColor("#1e88e5")
FOCUS_COLOR = QColor("#1a73e8")
_ARROWS = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0),
           Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
_TOOL_KEYS = {getattr(Qt.Key, f"Key_{tool.key}"): tool for tool in Tool}
_PLACE_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space)
_OTHER_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_PageUp,
               Qt.Key.Key_PageDown, Qt.Key.Key_Escape)


@dataclass
class _Drag:
    start: tuple[int, int]
    end: tuple[int, int]
    moving: Picked | None = None


class AnnotationCanvas(QWidget):
    """Shows one screenshot with its marks and lets the user draw on it.

    Signals:
        marks_edited(annotations, redactions, merge_key): the user finished an edit; edits
            with the same non-empty ``merge_key`` in a row (keyboard nudges) may be merged
            into one undo step.
        tool_changed(tool): the current ``Tool`` changed.
    """

    marks_edited = Signal(list, list, str)
    tool_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(False)
        self.setMinimumSize(QSize(320, 200))
        self.setAccessibleName("Screenshot")
        self.image: QImage | None = None
        self.message = "No screenshot"
        self.tool = Tool.SELECT
        self.selected: Picked | None = None
        self._annotations: list[Mark] = []
        self._redactions: list[Mark] = []
        self._drag: _Drag | None = None
        self._cursor = (0, 0)
        self._click: tuple[int, int] | None = None
        self._click_number: int | None = None
        self.text_entry: InlineTextEntry | None = None

    # -- content ---------------------------------------------------------------------------

    def set_image(self, image: QImage | None, message: str = "No screenshot") -> None:
        """Show ``image`` (``None``: show ``message`` instead)."""
        self.image = image if image is not None and not image.isNull() else None
        self.message = message
        self._drag = None
        if self.image is not None:
            self._cursor = (self.image.width() // 2, self.image.height() // 2)
        self.update()

    def set_click(self, point: tuple[int, int] | None, number: int | None) -> None:
        """Where the step's click was (screenshot pixels), shown with the step's number."""
        self._click, self._click_number = point, number
        self.update()

    def set_marks(self, annotations: list[Mark], redactions: list[Mark]) -> None:
        self._annotations = [dict(m) for m in annotations]
        self._redactions = [dict(m) for m in redactions]
        if self.selected is not None and self._mark(self.selected) is None:
            self.selected = None
        self.update()

    def annotations(self) -> list[Mark]:
        return [dict(m) for m in self._annotations]

    def redactions(self) -> list[Mark]:
        return [dict(m) for m in self._redactions]

    def set_tool(self, tool: Tool) -> None:
        if tool is not self.tool:
            self.tool = tool
            self._drag = None
            self.tool_changed.emit(tool)
            self.update()

    # -- geometry --------------------------------------------------------------------------

    def image_transform(self) -> QTransform:
        """Screenshot pixels → widget pixels (fit inside, centred)."""
        if self.image is None:
            return QTransform()
        iw, ih = self.image.width(), self.image.height()
        scale = min(self.width() / iw, self.height() / ih)
        dx, dy = (self.width() - iw * scale) / 2, (self.height() - ih * scale) / 2
        return QTransform(scale, 0, 0, scale, dx, dy)

    def to_image(self, point: QPointF) -> tuple[int, int]:
        """A widget point in screenshot pixels, kept inside the picture."""
        assert self.image is not None
        inverse, _ = self.image_transform().inverted()
        mapped = inverse.map(point)
        return (min(max(round(mapped.x()), 0), self.image.width() - 1),
                min(max(round(mapped.y()), 0), self.image.height() - 1))

    def to_widget(self, x: float, y: float) -> QPointF:
        return self.image_transform().map(QPointF(x, y))

    def _size(self) -> tuple[int, int]:
        assert self.image is not None
        return self.image.width(), self.image.height()

    def _mark(self, picked: Picked) -> Mark | None:
        marks = self._redactions if picked.redaction else self._annotations
        return marks[picked.index] if 0 <= picked.index < len(marks) else None

    def _all_picks(self) -> list[Picked]:
        return ([Picked(False, i) for i in range(len(self._annotations))]
                + [Picked(True, i) for i in range(len(self._redactions))])

    def _bounds(self, picked: Picked) -> QRectF:
        mark = self._mark(picked)
        assert mark is not None
        assert self.image is not None
        if picked.redaction:
            return QRectF(mark["x"], mark["y"], mark["w"], mark["h"])
        return mark_bounds(mark, Style(self.image.size()))

    def _pick_at(self, x: int, y: int) -> Picked | None:
        for picked in reversed(self._all_picks()):
            if self._bounds(picked).adjusted(-4, -4, 4, 4).contains(QPointF(x, y)):
                return picked
        return None

    # -- editing ---------------------------------------------------------------------------

    def _commit(self, annotations: list[Mark], redactions: list[Mark],
                selected: Picked | None, merge_key: str = "") -> None:
        self._annotations, self._redactions = annotations, redactions
        self.selected = selected
        self.update()
        self.marks_edited.emit(self.annotations(), self.redactions(), merge_key)

    def _add(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        if self.tool is Tool.TEXT:
            self.type_text(start)
            return
        mark = make_mark(self.tool, start, end, self._size(),
                         number=next_marker_number(self._annotations))
        if mark is None:
            return
        annotations, redactions, picked = with_mark(
            self._annotations, self._redactions, mark, self.tool is Tool.REDACT)
        self._commit(annotations, redactions, picked)

    def type_text(self, point: tuple[int, int], editing: Picked | None = None) -> None:
        """Type a text mark in place at ``point`` (or change the text of ``editing``)."""
        if self.text_entry is not None:
            self.text_entry.finish(keep=True)
        old = self._mark(editing) if editing is not None else None
        scale = self.image_transform().m11()
        size = round(Style(self.image.size()).text_size * scale) if self.image else 14
        entry = InlineTextEntry(self, self.to_widget(*point).toPoint(),
                                str(old.get("text", "")) if old else "", size)
        entry.done.connect(lambda text: self._text_typed(point, editing, text))
        entry.cancelled.connect(self._text_closed)
        self.text_entry = entry

    def _text_typed(self, point: tuple[int, int], editing: Picked | None, text: str) -> None:
        self._text_closed()
        if self.image is None:
            return
        old = self._mark(editing) if editing is not None else None
        if editing is not None and old is not None:
            if text.strip():
                self._replace(editing, {**old, "text": text})
            else:
                self.selected = editing
                self.delete_selected()
            return
        mark = make_mark(Tool.TEXT, point, point, self._size(), text=text)
        if mark is not None:
            annotations, redactions, picked = with_mark(
                self._annotations, self._redactions, mark, False)
            self._commit(annotations, redactions, picked)

    def _text_closed(self) -> None:
        self.text_entry = None
        self.setFocus(Qt.FocusReason.OtherFocusReason)

    def _replace(self, picked: Picked, mark: Mark, merge_key: str = "") -> None:
        annotations, redactions = list(self._annotations), list(self._redactions)
        (redactions if picked.redaction else annotations)[picked.index] = mark
        self._commit(annotations, redactions, picked, merge_key)

    def delete_selected(self) -> bool:
        if self.selected is None or self._mark(self.selected) is None:
            return False
        annotations, redactions = list(self._annotations), list(self._redactions)
        del (redactions if self.selected.redaction else annotations)[self.selected.index]
        self._commit(annotations, redactions, None)
        return True

    def select_next(self, step: int = 1) -> None:
        picks = self._all_picks()
        if not picks:
            return
        current = picks.index(self.selected) if self.selected in picks else -step
        self.selected = picks[(current + step) % len(picks)]
        self.update()

    # -- mouse -----------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self.image is None or event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        point = self.to_image(event.position())
        self._cursor = point
        moving = None
        if self.tool is Tool.SELECT:
            self.selected = moving = self._pick_at(*point)
        self._drag = _Drag(point, point, moving)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        """A double-click on a text mark changes its words in place."""
        if self.image is None or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        picked = self._pick_at(*self.to_image(event.position()))
        mark = self._mark(picked) if picked is not None else None
        if picked is not None and mark is not None and mark.get("kind") == "text":
            self._drag = None
            self.type_text((int(mark["x"]), int(mark["y"])), editing=picked)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._drag is not None and self.image is not None:
            self._drag.end = self.to_image(event.position())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        drag, self._drag = self._drag, None
        if drag is None or self.image is None or event.button() != Qt.MouseButton.LeftButton:
            return
        drag.end = self.to_image(event.position())
        dx, dy = drag.end[0] - drag.start[0], drag.end[1] - drag.start[1]
        if self.tool is not Tool.SELECT:
            self._add(drag.start, drag.end)
        elif drag.moving is not None and (dx or dy):
            mark = self._mark(drag.moving)
            if mark is not None:
                self._replace(drag.moving, moved(mark, dx, dy))
        self.update()

    # -- keyboard --------------------------------------------------------------------------

    def _handles(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        if mods & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier):
            return False
        plain = not mods & (Qt.KeyboardModifier.ControlModifier
                            | Qt.KeyboardModifier.ShiftModifier)
        if key in _ARROWS:
            return self.image is not None
        if key in _TOOL_KEYS or key in _PLACE_KEYS:
            return plain
        return key in _OTHER_KEYS and plain

    def event(self, event: QEvent) -> bool:
        # Keys the canvas uses win over the editor's shortcuts (Delete removes a mark here).
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if self._handles(event):
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if not self._handles(event):
            super().keyPressEvent(event)
            return
        key, mods = event.key(), event.modifiers()
        if key in _TOOL_KEYS:
            self.set_tool(_TOOL_KEYS[key])
        elif key in _ARROWS and self.image is not None:
            self._arrow(key, mods)
        elif key in _PLACE_KEYS and self.image is not None:
            if self.tool is Tool.SELECT:
                self.select_next()
            else:
                self._add(self._cursor, self._cursor)
        elif key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_selected()
        elif key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            self.select_next(1 if key == Qt.Key.Key_PageDown else -1)
        elif key == Qt.Key.Key_Escape:
            self.selected, self._drag = None, None
            self.update()

    def _arrow(self, key: int, mods: Qt.KeyboardModifier) -> None:
        width, height = self._size()
        step = 1 if mods & Qt.KeyboardModifier.ControlModifier else max(
            1, round(max(width, height) / 100))
        dx, dy = (v * step for v in _ARROWS[Qt.Key(key)])
        mark = self._mark(self.selected) if self.selected is not None else None
        if mark is None or self.selected is None:
            x, y = self._cursor
            self._cursor = (min(max(x + dx, 0), width - 1), min(max(y + dy, 0), height - 1))
            self.update()
        elif mods & Qt.KeyboardModifier.ShiftModifier:
            self._replace(self.selected, resized(mark, dx, dy), "resize")
        else:
            self._replace(self.selected, moved(mark, dx, dy), "move")

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#3a4350"))
        if self.image is None:
            painter.setPen(QColor("#dfe6ee"))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
            self._paint_focus(painter)
            return
        painter.setTransform(self.image_transform())
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(0, 0, self.image)
        style = Style(self.image.size())
        annotations = [m for m in self._annotations if m["kind"] != "crop"]
        crops = [m for m in self._annotations if m["kind"] == "crop"]
        preview = self._preview()
        if preview is not None and "kind" in preview:
            annotations.append(preview)
        paint_annotations(painter, annotations, style)
        if self._click is not None:  # under the redactions: they hide everything
            paint_click(painter, self._click[0], self._click[1], self._click_number,
                        self.image.size())
        paint_redactions(painter, self._redactions)
        if preview is not None and "kind" not in preview:
            paint_redactions(painter, [preview])
        for crop in crops + ([preview] if preview and preview.get("kind") == "crop" else []):
            self._paint_crop(painter, crop)
        self._paint_overlay(painter)
        self._paint_focus(painter)

    def _paint_focus(self, painter: QPainter) -> None:
        """The same blue ring as every other widget while the canvas has keyboard focus."""
        if self.hasFocus():
            painter.resetTransform()
            painter.setPen(QPen(FOCUS_COLOR, 2))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))

    def _preview(self) -> Mark | None:
        drag = self._drag
        if drag is None or self.tool in (Tool.SELECT, Tool.TEXT) or drag.start == drag.end:
            return None
        return make_mark(self.tool, drag.start, drag.end, self._size(),
                         number=next_marker_number(self._annotations))

    def _paint_crop(self, painter: QPainter, crop: Mark) -> None:
        assert self.image is not None
        outside = QPainterPath()
        outside.addRect(QRectF(self.image.rect()))
        inside = QPainterPath()
        inside.addRect(QRectF(crop["x"], crop["y"], crop["w"], crop["h"]))
        painter.fillPath(outside.subtracted(inside), QColor(0, 0, 0, 120))
        pen = QPen(QColor("white"), 0, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(crop["x"], crop["y"], crop["w"], crop["h"]))

    def _paint_overlay(self, painter: QPainter) -> None:
        painter.setPen(QPen(SELECTION_COLOR, 0, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self.selected is not None and self._mark(self.selected) is not None:
            painter.drawRect(self._bounds(self.selected).adjusted(-3, -3, 3, 3))
        drag = self._drag
        if drag is not None and drag.moving is not None and self._mark(drag.moving):
            dx, dy = drag.end[0] - drag.start[0], drag.end[1] - drag.start[1]
            painter.drawRect(self._bounds(drag.moving).translated(dx, dy))
        if self.hasFocus() and self.tool is not Tool.SELECT:
            x, y = self._cursor
            size = max(6.0, 12 / max(self.image_transform().m11(), 1e-6))
            painter.setPen(QPen(SELECTION_COLOR, 0))
            painter.drawLine(QPointF(x - size, y), QPointF(x + size, y))
            painter.drawLine(QPointF(x, y - size), QPointF(x, y + size))
