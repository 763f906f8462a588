"""The step editor: a process's steps with thumbnails, their text, and the screenshot canvas.

Every edit is an undoable command that goes straight to the step service (typed text after
a short pause), so there is nothing to save and nothing to lose; closing saves what is
waiting. The editor never opens a database session: it calls ``Steps`` and ``Library``.

On a team library another owner may change the same steps meanwhile: an edit that would
overwrite their change is refused, the editor says so and shows the steps as saved; boxes
they drew are merged in (``commands.py``). While it is open the editor keeps the media of
the steps it deleted, so undo finds them whatever media cleanup did meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QImage, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QPushButton,
    QSplitter,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from baton.core.library import Library
from baton.core.marks import Mark
from baton.core.media import MediaStore
from baton.core.media_keeper import MediaKeeper
from baton.core.redactions import VideoRedactions
from baton.core.steps import StepRow, Steps
from baton.errors import ConflictError, DatabaseUnavailable, UserError
from baton.ui import messages
from baton.ui.dialogs.process import ProcessDialog
from baton.ui.models.steps import StepListModel
from baton.ui.steps.canvas import AnnotationCanvas
from baton.ui.steps.commands import (
    AddStep,
    DeleteStep,
    DeleteSteps,
    DuplicateStep,
    EditMarks,
    EditText,
    MergeSteps,
    MoveStep,
    SeenRows,
    StepIds,
)
from baton.ui.steps.form import StepForm, TextSaver
from baton.ui.steps.parts import CanvasTools, add_shortcut_action
from baton.ui.steps.thumbnails import ThumbnailLoader
from baton.ui.steps.video_boxes import VideoBoxSync

SAVE_DELAY_MS = 400


class StepEditor(QWidget):
    """Edit the steps of one process. Open it as a window with ``show()``.

    Signals:
        changed(): something was saved (views showing step counts may refresh).
        closed(process_id): the editor was closed (after saving).
    """

    changed = Signal()
    closed = Signal(int)

    def __init__(
        self,
        steps: Steps,
        media: MediaStore,
        library: Library,
        process_id: int,
        parent: QWidget | None = None,
        *,
        save_delay_ms: int = SAVE_DELAY_MS,
        redactions: VideoRedactions | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.steps = steps
        self.ids = StepIds()
        self.seen = SeenRows()
        self.process_id = process_id
        self._library = library
        self.keeper = MediaKeeper(media)
        self.undo_stack = QUndoStack(self)
        self.thumbnails = ThumbnailLoader(media, parent=self)
        self.thumbnails.image_ready.connect(self._image_ready)
        self.saver = TextSaver(steps, self.ids, save_delay_ms, self.failed, self,
                               seen=self.seen, retry=self.retry)
        self.saver.saving.connect(self._saving)
        self.saver.saved.connect(self._text_saved)
        self._typing_run = 0
        self._image_key: str | None = None

        self.model = StepListModel(self.thumbnails, self)
        self.model.move_requested.connect(self.move_to)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setUniformItemSizes(True)
        self.list.setWordWrap(True)
        self.list.setIconSize(self.thumbnails.size)
        # Shift- and Ctrl-click pick several steps (to delete the noisy ones in one go).
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.list.setAccessibleName("Steps")
        self.list.selectionModel().currentChanged.connect(self._current_changed)
        self.list.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.form = StepForm()
        self.form.text_edited.connect(self._text_edited)
        self.canvas = AnnotationCanvas()
        self.canvas.marks_edited.connect(self._marks_edited)
        self.canvas_tools = CanvasTools(self.canvas)
        # Boxes on a screenshot from the recorded take also hide that part of the video.
        self.video_boxes = (VideoBoxSync(steps, redactions, media, process_id, self)
                            if redactions is not None else None)
        self.status = QLabel()
        self.status.setObjectName("saveStatus")
        self.details_button = QPushButton("&Details…")
        self.details_button.setToolTip("Audience, complexity, time per run, status")
        self.details_button.clicked.connect(self.edit_details)

        self.toolbar = QToolBar()
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self._build_actions()
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.details_button)
        self.toolbar.addWidget(self.status)
        self._layout()
        self._saving(False)
        self.resize(1200, 760)
        self.reload(None)
        self._set_window_title()

    # -- layout and actions ----------------------------------------------------------------

    def _layout(self) -> None:
        steps_label = QLabel("&Steps")
        steps_label.setBuddy(self.list)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(steps_label)
        left_layout.addWidget(self.list)
        shot_label = QLabel("Scree&nshot")
        shot_label.setBuddy(self.canvas)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.form)
        right_layout.addWidget(shot_label)
        right_layout.addWidget(self.canvas_tools.toolbar)
        if self.video_boxes is not None:
            right_layout.addWidget(self.video_boxes.widget)
        right_layout.addWidget(self.canvas, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([420, 780])
        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addWidget(splitter, 1)
        QWidget.setTabOrder(self.list, self.form.title)
        QWidget.setTabOrder(self.form.title, self.form.instruction)
        QWidget.setTabOrder(self.form.instruction, self.form.caution)
        QWidget.setTabOrder(self.form.caution, self.canvas)

    def _action(self, text: str, slot: Callable[[], object],
                *shortcuts: str | QKeySequence.StandardKey) -> QAction:
        action = add_shortcut_action(self, text, slot, *shortcuts)
        self.toolbar.addAction(action)
        return action

    def _build_actions(self) -> None:
        self.add_action = self._action("Add", self.add_step, "Ctrl+N")
        self.duplicate_action = self._action("Duplicate", self.duplicate_step, "Ctrl+D")
        self.merge_action = self._action("Merge with next", self.merge_with_next, "Ctrl+M")
        self.delete_action = self._action("Delete", self.delete_step,
                                          QKeySequence.StandardKey.Delete)
        self.up_action = self._action("Move up", lambda: self.move_by(-1), "Alt+Up")
        self.down_action = self._action("Move down", lambda: self.move_by(1), "Alt+Down")
        self.toolbar.addSeparator()
        self.undo_action = self._action("Undo", self.undo_stack.undo, "Ctrl+Z")
        self.redo_action = self._action("Redo", self.undo_stack.redo, "Ctrl+Shift+Z", "Ctrl+Y")
        self.undo_stack.canUndoChanged.connect(self.undo_action.setEnabled)
        self.undo_stack.canRedoChanged.connect(self.redo_action.setEnabled)
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        self.save_action = add_shortcut_action(self, "Save now", self.flush, "Ctrl+S")
        self.close_action = add_shortcut_action(self, "Close", self.close, "Ctrl+W")

    # -- what commands call (EditorContext) ------------------------------------------------

    def flush(self) -> None:
        """Save typed text that is waiting (it is saved after a short pause anyway)."""
        self.saver.flush()

    def reload(self, select: int | None) -> None:
        """Show the steps as saved; select ``select`` (or keep the current step)."""
        current = self.current_row()
        try:
            rows = self.steps.list(self.process_id)
        except DatabaseUnavailable as error:
            self.status.setText("Not connected: the steps shown may not all be saved")
            self.status.setToolTip(str(error))
            return
        except UserError as error:
            messages.show_problem(self, str(error))
            self.setEnabled(False)
            return
        self.seen.replace_all(rows)
        self.model.set_rows(rows)
        self._update_actions()
        wanted = select if select is not None else (current.id if current else None)
        row = self.model.row_of(wanted) if wanted is not None else -1
        if row < 0 and rows:
            row = min(current.position - 1, len(rows) - 1) if current else 0
        self.select_row(row)
        self._show_current()
        self.changed.emit()

    def set_text(self, step_id: int, field: str, value: str, *, save_now: bool,
                 base: str | None = None) -> None:
        number = self.model.row_of(step_id)
        if number < 0:
            return
        self.model.replace_row(_with(self.model.row_at(number), field, value))
        if self.list.currentIndex().row() != number:
            self.select_row(number)
        self.form.set_text(field, value)
        self.saver.put(step_id, field, value, base)
        if save_now:
            self.flush()

    def show_row(self, row: StepRow) -> None:
        self.seen.remember([row])
        self.model.replace_row(row)
        if self.model.row_of(row.id) != self.list.currentIndex().row():
            self.select_row(self.model.row_of(row.id))
        else:
            self._show_current()
        self.changed.emit()

    def marks_saved(self, row: StepRow) -> None:
        if self.video_boxes is not None:
            self.video_boxes.marks_saved(row)

    def failed(self, error: UserError) -> None:
        if isinstance(error, ConflictError):
            messages.show_problem(
                self, f"{error}\n\nThe editor now shows the steps as saved; your last change "
                "was not saved.")
        elif not isinstance(error, DatabaseUnavailable):  # that one was asked about already
            messages.show_problem(self, str(error))
        self.reload(None)

    def retry(self, error: DatabaseUnavailable) -> bool:
        return messages.ask_retry(self, str(error))

    def keep_media(self, row: StepRow) -> None:
        self.keeper.keep([row.screenshot, row.full_screenshot])

    def restore_media(self, row: StepRow) -> None:
        self.keeper.restore([row.screenshot, row.full_screenshot])

    # -- the user's edits ------------------------------------------------------------------

    def current_row(self) -> StepRow | None:
        index = self.list.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select_row(self, number: int) -> None:
        if 0 <= number < self.model.rowCount():
            index = self.model.index(number)
            self.list.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.list.scrollTo(index)

    def add_step(self) -> None:
        current = self.current_row()
        position = current.position + 1 if current else self.model.rowCount() + 1
        self.undo_stack.push(AddStep(self, position))
        self.form.title.setFocus()

    def duplicate_step(self) -> None:
        if (row := self.current_row()) is not None:
            self.undo_stack.push(DuplicateStep(self, row))

    def selected_rows(self) -> list[StepRow]:
        """The steps picked in the list, in order (the current one if none is picked)."""
        numbers = sorted(index.row() for index in self.list.selectionModel().selectedIndexes())
        rows = [self.model.row_at(number) for number in numbers]
        current = self.current_row()
        return rows or ([current] if current is not None else [])

    def delete_step(self) -> None:
        """Delete the picked steps (one undo brings them all back)."""
        rows = self.selected_rows()
        if len(rows) == 1:
            self.undo_stack.push(DeleteStep(self, rows[0].id))
        elif rows:
            self.undo_stack.push(DeleteSteps(self, [row.id for row in rows]))

    def merge_with_next(self) -> None:
        row = self.current_row()
        if row is not None and row.position < self.model.rowCount():
            following = self.model.row_at(row.position)
            self.undo_stack.push(MergeSteps(self, row.id, following.id))

    def move_by(self, offset: int) -> None:
        if (row := self.current_row()) is not None:
            self.move_to(row.id, row.position + offset)

    def move_to(self, step_id: int, position: int) -> None:
        if 1 <= position <= self.model.rowCount():
            self.undo_stack.push(MoveStep(self, step_id, position))

    def edit_details(self) -> None:
        """The process's details (audience, complexity, time, status) in the usual form."""
        self.flush()
        try:
            row = self._library.get(self.process_id)
            draft = ProcessDialog.ask(self, row)
            if draft is None:
                return
            self._library.update_process(self.process_id, draft,
                                         expected_version=row.row_version)
        except UserError as error:
            messages.show_problem(self, str(error))
            return
        self._set_window_title()
        self.changed.emit()

    def _text_edited(self, field: str, text: str) -> None:
        row = self.current_row()
        if row is None:
            return
        self.undo_stack.push(EditText(self, row.id, field, getattr(row, field), text,
                                      self._typing_run))

    def _marks_edited(self, annotations: list[Mark], redactions: list[Mark], key: str) -> None:
        row = self.current_row()
        if row is None:
            return
        old: tuple[list[Mark], list[Mark]] = (
            [dict(m) for m in row.annotations], [dict(m) for m in row.redactions])
        self.undo_stack.push(EditMarks(self, row.id, old, (annotations, redactions), key))

    # -- showing the current step ----------------------------------------------------------

    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if current.row() != previous.row() or not previous.isValid():
            self._typing_run += 1
            self.flush()
        self._show_current()

    def _show_current(self) -> None:
        row = self.current_row()
        self.form.show_step(row)
        self.canvas.setEnabled(row is not None and row.screenshot is not None)
        if row is None or row.screenshot is None:
            self._image_key = None
            self.canvas.set_image(None, "No screenshot" if row else "No step selected")
            self.canvas.set_marks([], [])
            self.canvas.set_click(None, None)
        else:
            if row.screenshot != self._image_key:
                self._image_key = row.screenshot
                self.canvas.set_image(None, "Loading the screenshot…")
                self.thumbnails.load_image(row.screenshot)
            self.canvas.set_marks(list(row.annotations), list(row.redactions))
            click = None
            if row.click_x is not None and row.click_y is not None:
                click = (row.click_x, row.click_y)
            self.canvas.set_click(click, row.position)
        if self.video_boxes is not None:
            self.video_boxes.show_step(row)
        self._update_actions()

    def _image_ready(self, key: str, image: QImage) -> None:
        if key == self._image_key:
            self.canvas.set_image(
                image, "This screenshot is missing from the library or cannot be read.")

    def _update_actions(self) -> None:
        row = self.current_row()
        count = self.model.rowCount()
        for action in (self.duplicate_action, self.delete_action):
            action.setEnabled(row is not None)
        picked = len(self.list.selectionModel().selectedIndexes())
        self.delete_action.setText(f"Delete {picked} steps" if picked > 1 else "Delete")
        self.merge_action.setEnabled(row is not None and row.position < count)
        self.up_action.setEnabled(row is not None and row.position > 1)
        self.down_action.setEnabled(row is not None and row.position < count)

    def _text_saved(self, row: StepRow) -> None:
        self.changed.emit()

    def _saving(self, pending: bool) -> None:
        self.status.setText("Saving…" if pending else "All changes saved")

    def _set_window_title(self) -> None:
        try:
            title = self._library.get(self.process_id).title
        except UserError:
            title = "deleted process"
        self.setWindowTitle(f"Steps — {title}")

    # -- closing ---------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.flush()
        if self.video_boxes is not None:
            self.video_boxes.wait()
        self.undo_stack.clear()  # nothing can be undone any more: the kept media can go
        self.keeper.close()
        self.thumbnails.shutdown()
        self.closed.emit(self.process_id)
        super().closeEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(1200, 760)


def _with(row: StepRow, field: str, value: str) -> StepRow:
    changes: dict[str, Any] = {field: value}
    return replace(row, **changes)
