"""Two owners' step editors on one team library (a real PostgreSQL server, one media folder).

Each owner has their own services (their own engine and connections), as two Batons on two
machines would. The editors are driven like a user would: drawing with the mouse, typing,
Delete and Ctrl+Z.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from baton.core.cleanup import clean_media
from baton.core.library import ProcessDraft
from baton.core.steps import StepContent, StepRow, Steps
from baton.services import Services, open_services
from baton.ui import messages
from baton.ui.steps.canvas import AnnotationCanvas
from baton.ui.steps.editor import StepEditor
from baton.ui.steps.tools import Tool
from helpers.team import own_postgres_server, start_again

pytestmark = pytest.mark.postgres
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def owners(data_dir: Path, postgres: Any) -> Iterator[tuple[Services, Services]]:
    """Two owners on one team library: one database, one shared media folder."""
    url = postgres.new_database()
    first = open_services(str(data_dir), url)
    second = open_services(str(data_dir), url)
    yield first, second
    first.close()
    second.close()


def screenshot(shade: int) -> bytes:
    ok, data = cv2.imencode(".png", np.full((200, 320, 3), shade, np.uint8))
    assert ok
    return bytes(data.tobytes())


def open_editor(qtbot: QtBot, services: Services, process_id: int) -> StepEditor:
    editor = StepEditor(services.steps, services.media, services.library, process_id,
                        save_delay_ms=50)
    qtbot.addWidget(editor)
    with qtbot.waitActive(editor):
        editor.show()
        editor.activateWindow()
    return editor


def a_process(services: Services, shade: int = 90) -> int:
    process = services.library.add_process(ProcessDraft("Pay the suppliers")).id
    key = services.media.put_bytes(screenshot(shade), "png")
    services.steps.add(process, StepContent(title="Open the bank", screenshot=key))
    services.steps.add(process, StepContent(title="Log in"))
    return process


def drag(qtbot: QtBot, canvas: AnnotationCanvas, start: tuple[int, int],
         end: tuple[int, int]) -> None:
    a, b = (canvas.to_widget(*p).toPoint() for p in (start, end))
    qtbot.mousePress(canvas, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(canvas, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    qtbot.mouseMove(canvas, b)
    qtbot.mouseRelease(canvas, Qt.MouseButton.LeftButton, pos=b)


def first_step(services: Services, process_id: int) -> StepRow:
    return Steps(services.database.sessions).list(process_id)[0]


def test_two_editors_keep_each_others_redaction_boxes(
    qtbot: QtBot, owners: tuple[Services, Services]
) -> None:
    ana, ben = owners
    trials, lost = 5, 0
    for trial in range(trials):
        process = a_process(ana, 60 + trial)
        stale = open_editor(qtbot, ana, process)  # Ana's editor is open, showing no box
        fresh = open_editor(qtbot, ben, process)
        for editor in (stale, fresh):
            qtbot.waitUntil(lambda e=editor: e.canvas.image is not None)
            editor.canvas_tools.actions[Tool.REDACT].trigger()
        drag(qtbot, fresh.canvas, (200, 20), (260, 60))  # Ben hides an account number
        drag(qtbot, stale.canvas, (20, 20), (80, 60))  # Ana, not knowing, hides a name
        boxes = {b["x"] for b in first_step(ana, process).redactions}
        lost += boxes != {20, 200}
        assert {b["x"] for b in stale.canvas.redactions()} == {20, 200}  # merged, shown
        with qtbot.waitActive(stale):
            stale.activateWindow()
        qtbot.keyClick(stale.list, Qt.Key.Key_Z, CTRL)  # Ana undoes her box only
        lost += {b["x"] for b in first_step(ana, process).redactions} != {200}
        stale.close()
        fresh.close()
    assert lost == 0


def test_a_stale_title_is_refused_shown_and_reloaded(
    qtbot: QtBot, owners: tuple[Services, Services], monkeypatch: pytest.MonkeyPatch
) -> None:
    ana, ben = owners
    told: list[str] = []
    monkeypatch.setattr(messages, "show_problem", lambda parent, text: told.append(text))
    process = a_process(ana)
    stale = open_editor(qtbot, ana, process)
    fresh = open_editor(qtbot, ben, process)
    fresh.form.title.setFocus()
    fresh.form.title.selectAll()
    qtbot.keyClicks(fresh.form.title, "Open the bank website")
    fresh.flush()
    stale.form.title.setFocus()
    stale.form.title.selectAll()
    qtbot.keyClicks(stale.form.title, "Open the banking app")
    stale.flush()
    assert len(told) == 1
    assert "was changed by someone else" in told[0]
    assert first_step(ana, process).title == "Open the bank website"  # not overwritten
    assert stale.form.title.text() == "Open the bank website"  # reloaded
    stale.close()
    fresh.close()


@pytest.mark.slow
def test_undo_finds_its_screenshot_after_another_owner_cleaned_up(
    qtbot: QtBot, owners: tuple[Services, Services]
) -> None:
    """The issue's 20 of 20: an undo after another owner closed Baton lost its screenshot."""
    ana, ben = owners
    trials, lost = 20, 0
    process = a_process(ana)
    editor = open_editor(qtbot, ana, process)
    for trial in range(trials):
        key = ana.media.put_bytes(screenshot(trial), "png")
        step = ana.steps.add(process, StepContent(title=f"Step {trial}", screenshot=key))
        editor.reload(step.id)
        qtbot.keyClick(editor.list, Qt.Key.Key_Delete)
        # Ben closes Baton long after: the screenshot has been unreferenced "for hours"
        assert key in clean_media(ben.database.sessions, ben.media, grace=timedelta(0))
        qtbot.keyClick(editor.list, Qt.Key.Key_Z, CTRL)
        back = [s for s in first_steps(ana, process) if s.title == f"Step {trial}"]
        lost += len(back) != 1 or back[0].screenshot != key or key not in ana.media
        lost += ana.media.read_bytes(key) != screenshot(trial)
        assert clean_media(ben.database.sessions, ben.media, grace=timedelta(0)) == []
    editor.close()
    assert lost == 0


def first_steps(services: Services, process_id: int) -> list[StepRow]:
    return Steps(services.database.sessions).list(process_id)


def test_typing_while_the_server_is_down_asks_retry_and_saves_when_it_is_back(
    qtbot: QtBot, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cleanup = own_postgres_server()
    try:
        services = open_services(str(data_dir), server.new_database())
        process = a_process(services)
        editor = open_editor(qtbot, services, process)
        server.stop()
        asked: list[str] = []

        def retry(parent: object, message: str) -> bool:
            asked.append(message)
            start_again(server)  # the server is back before the owner presses Retry
            return True

        monkeypatch.setattr(messages, "ask_retry", retry)
        editor.form.title.setFocus()
        editor.form.title.selectAll()
        qtbot.keyClicks(editor.form.title, "Open the bank website")
        editor.flush()
        assert len(asked) == 1
        assert asked[0].startswith("Cannot reach the team library")
        assert first_step(services, process).title == "Open the bank website"
        editor.close()
        services.close()
    finally:
        cleanup()
