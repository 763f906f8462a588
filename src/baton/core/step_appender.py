"""Appending captured steps to a process: the database side of capture's ``StepSink``.

Step capture and steps-from-video only append; the step editor's service (``Steps``) does
everything else. ``Steps.appender(process_id)`` makes one.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.models import Process, Step
from baton.core.steps import StepContent, StepRow, check_title, step_records, step_row
from baton.core.transaction import touch_process, transaction
from baton.errors import NotFound


class StepAppender:
    """Appends steps after the last step of one process (capture's ``StepSink``).

    Appending marks the process changed as every other step change does; that takes the
    process's write lock first, so a step added in the editor meanwhile never gets the same
    position.

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
        """The position the next appended step will get (1 for an empty process).

        Raises:
            NotFound: the process no longer exists.
        """
        with transaction(self._sessions, "This process") as session:
            return self._last_position(session) + 1

    def add(self, contents: Sequence[StepContent]) -> builtins.list[StepRow]:
        """Append steps after the last step, all in one transaction.

        Raises:
            NotFound: the process no longer exists.
            UserError: a text is too long or a mark is malformed (nothing is added).
        """
        steps = step_records(contents)
        with transaction(self._sessions, "This process") as session:
            if not touch_process(session, self._process_id, updated_at=self._clock()):
                raise NotFound(self._gone())
            last = self._last_position(session)
            for step in steps:
                step.process_id = self._process_id
                step.position += last
            session.add_all(steps)
            session.flush()
            return [step_row(step) for step in steps]

    def retitle(self, step_id: int, title: str) -> str:
        """Give an appended step a new title (a click that became a double-click).

        Returns:
            The title the step has now.

        Raises:
            NotFound: the step (or its process) no longer exists.
        """
        title = check_title(title)
        with transaction(self._sessions, "This process") as session:
            step = session.get(Step, step_id)
            if step is None or step.process_id != self._process_id:
                raise NotFound("The step of that click was deleted.")
            touch_process(session, self._process_id, updated_at=self._clock())
            session.refresh(step)
            if step.title != title:
                step.title = title
                step.row_version += 1
            return title

    def _last_position(self, session: Session) -> int:
        if session.get(Process, self._process_id) is None:
            raise NotFound(self._gone())
        last = session.scalar(
            select(func.max(Step.position)).where(Step.process_id == self._process_id)
        )
        return int(last or 0)

    def _gone(self) -> str:
        return f"No process with id {self._process_id}: it may have been deleted."
