"""Where captured steps go: a small interface and its database implementation.

Step capture and "steps from video" only need two things from the library: the number the
next step will get, and a way to append steps to a process. ``StepSink`` is that interface,
so the step editor's service can stand in for ``DatabaseStepSink`` later.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, cast

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.models import Process, Step
from baton.core.transaction import transaction
from baton.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.engine import CursorResult


@dataclass(frozen=True)
class CapturedStep:
    """A step as capture produced it, before it has a row.

    ``click_x``/``click_y`` are in the pixels of ``full_screenshot``; ``video_time`` is
    seconds into the process's recording (None when no video was running).
    """

    title: str
    screenshot: str | None = None
    full_screenshot: str | None = None
    click_x: int | None = None
    click_y: int | None = None
    video_time: float | None = None
    window_title: str = ""
    instruction: str = ""


@dataclass(frozen=True)
class SavedStep:
    """A step that now has a row (what the GUI shows as it arrives)."""

    step_id: int
    process_id: int
    position: int
    title: str
    screenshot: str | None = None
    video_time: float | None = None
    latency: float | None = None
    """Seconds from the click (or key) to the saved row, for step capture."""


class StepSink(Protocol):
    """Appends steps to one process."""

    @property
    def process_id(self) -> int:
        """The process the steps belong to."""

    def next_position(self) -> int:
        """The position the next appended step will get (1 for an empty process).

        Raises:
            NotFound: the process no longer exists.
        """

    def add(self, steps: Sequence[CapturedStep]) -> list[SavedStep]:
        """Append ``steps`` after the last step, all in one transaction.

        Raises:
            NotFound: the process no longer exists.
        """

    def retitle(self, step_id: int, title: str) -> str:
        """Give an appended step a new title (a click that became a double-click); returns
        the title it has now.

        Raises:
            NotFound: the process no longer exists.
        """


class DatabaseStepSink:
    """Writes steps as ``Step`` rows through a session factory.

    Appending marks the process changed (``updated_at``, ``row_version``) as the step
    editor's service does; that takes the process's write lock first, so a step added in the
    editor meanwhile never gets the same position.

    Args:
        sessions: the database's session factory.
        process_id: the process the steps are appended to.
        clock: the time written as the process's ``updated_at``.
    """

    def __init__(
        self, sessions: sessionmaker[Session], process_id: int, clock: Clock = utc_now
    ) -> None:
        self._sessions = sessions
        self._process_id = process_id
        self._clock = clock

    @property
    def process_id(self) -> int:
        return self._process_id

    def next_position(self) -> int:
        with transaction(self._sessions, "This process") as session:
            return self._last_position(session) + 1

    def add(self, steps: Sequence[CapturedStep]) -> list[SavedStep]:
        saved: list[SavedStep] = []
        with transaction(self._sessions, "This process") as session:
            touch = (update(Process).where(Process.id == self._process_id)
                     .values(updated_at=self._clock(), row_version=Process.row_version + 1)
                     .execution_options(synchronize_session=False))
            if cast("CursorResult[Any]", session.execute(touch)).rowcount == 0:
                raise NotFound(f"No process with id {self._process_id}: it may have been "
                               "deleted.")
            position = self._last_position(session)
            rows = []
            for step in steps:
                position += 1
                row = Step(
                    process_id=self._process_id,
                    position=position,
                    title=step.title,
                    instruction=step.instruction,
                    caution="",
                    screenshot=step.screenshot,
                    full_screenshot=step.full_screenshot,
                    click_x=step.click_x,
                    click_y=step.click_y,
                    video_time=step.video_time,
                    window_title=step.window_title,
                    redactions=[],
                    annotations=[],
                )
                session.add(row)
                rows.append(row)
            session.flush()
            for row in rows:
                saved.append(
                    SavedStep(row.id, self._process_id, row.position, row.title,
                              row.screenshot, row.video_time)
                )
        return saved

    def retitle(self, step_id: int, title: str) -> str:
        with transaction(self._sessions, "This process") as session:
            step = session.get(Step, step_id)
            if step is None or step.process_id != self._process_id:
                raise NotFound("The step of that click was deleted.")
            step.title = title
            touch = (update(Process).where(Process.id == self._process_id)
                     .values(updated_at=self._clock(), row_version=Process.row_version + 1)
                     .execution_options(synchronize_session=False))
            session.execute(touch)
            return title

    def _last_position(self, session: Session) -> int:
        if session.get(Process, self._process_id) is None:
            raise NotFound(f"No process with id {self._process_id}: it may have been deleted.")
        last = session.scalar(
            select(func.max(Step.position)).where(Step.process_id == self._process_id)
        )
        return int(last or 0)
