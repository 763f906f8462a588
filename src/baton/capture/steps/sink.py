"""Where captured steps go: the small interface capture writes through.

Step capture and "steps from video" only need two things from the library: the number the
next step will get, and a way to append steps to a process. ``StepSink`` is that interface;
``baton.core.step_appender.StepAppender`` (``Steps.appender``) implements it on the database, and
tests can pass anything else with the same methods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from baton.core.steps import StepContent, StepRow


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

    @classmethod
    def of(cls, row: StepRow) -> SavedStep:
        return cls(row.id, row.process_id, row.position, row.title, row.screenshot,
                   row.video_time)


class StepSink(Protocol):
    """Appends steps to one process.

    A captured step is a ``StepContent``: ``click_x``/``click_y`` are in the pixels of
    ``full_screenshot``; ``video_time`` is seconds into the process's recording (None when
    no video was running).
    """

    @property
    def process_id(self) -> int:
        """The process the steps belong to."""

    def next_position(self) -> int:
        """The position the next appended step will get (1 for an empty process).

        Raises:
            NotFound: the process no longer exists.
        """

    def add(self, contents: Sequence[StepContent]) -> list[StepRow]:
        """Append steps after the last step, all in one transaction.

        Raises:
            NotFound: the process no longer exists.
        """

    def retitle(self, step_id: int, title: str) -> str:
        """Give an appended step a new title (a click that became a double-click); returns
        the title it has now.

        Raises:
            NotFound: the process no longer exists.
        """
