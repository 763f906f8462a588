"""A handoff is "sent" only once its package is on disk.

Sending needs the handoff's id and receipt key inside the package, so the row comes first,
in the ``preparing`` state: nothing counts it as sent, and the dashboard does not count it
as open. While the package is written the sender renews a lease on the row (its
``last_activity_at``) every few seconds; once the zip is durably in place, one transaction
makes it ``sent`` with its package hash and the "sent" event. A send that fails or is
cancelled removes its row; one that is killed leaves a ``preparing`` row whose lease runs
out, and the next Baton to start removes it (``clean_abandoned``).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from baton.core.clock import Clock, utc_now
from baton.core.models import (
    Assistant,
    EventKind,
    Handoff,
    HandoffEvent,
    HandoffStatus,
    ProcessVersion,
)
from baton.core.transaction import transaction
from baton.errors import NotFound, UserError

log = logging.getLogger("baton.core")

LEASE = timedelta(seconds=90)
RENEW_EVERY = 15.0  # seconds; well inside the lease


@dataclass(frozen=True)
class PreparingHandoff:
    """A handoff row whose package is being written."""

    id: int
    receipt_key: str
    assistant_name: str


class Sending:
    """Records handoffs around the writing of their packages."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock = utc_now) -> None:
        self._sessions = sessions
        self._clock = clock

    def begin(
        self, version_id: int, assistant_id: int, *, due_on: date | None = None
    ) -> PreparingHandoff:
        """Add the handoff in the ``preparing`` state, with a fresh receipt key.

        Raises:
            NotFound: the version or the assistant does not exist.
        """
        now = self._clock()
        with transaction(self._sessions, "This handoff") as session:
            if session.get(ProcessVersion, version_id) is None:
                raise NotFound(f"No process version with id {version_id}.")
            assistant = session.get(Assistant, assistant_id)
            if assistant is None:
                raise NotFound(f"No assistant with id {assistant_id}.")
            handoff = Handoff(
                version_id=version_id,
                assistant_id=assistant_id,
                sent_at=now,
                last_activity_at=now,
                due_on=due_on,
                status=HandoffStatus.PREPARING,
                package_hash="",
            )
            session.add(handoff)
            session.flush()
            assert handoff.receipt_key is not None  # the model's default made one
            return PreparingHandoff(handoff.id, handoff.receipt_key, assistant.name)

    def renew(self, handoff_id: int) -> None:
        """Extend the lease of a handoff still being prepared."""
        with transaction(self._sessions, "This handoff") as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is not None and handoff.status is HandoffStatus.PREPARING:
                handoff.last_activity_at = self._clock()

    def finish(self, handoff_id: int, package_hash: str, note: str = "") -> None:
        """The package is on disk: the handoff is sent, with its hash and "sent" event.

        Raises:
            UserError: the row is gone (the send outlived its lease and another Baton
                cleaned it up): the package must not be used.
        """
        now = self._clock()
        with transaction(self._sessions, "This handoff") as session:
            handoff = session.get(Handoff, handoff_id)
            if handoff is None or handoff.status is not HandoffStatus.PREPARING:
                raise UserError(
                    "This send took so long that another Baton cleaned it up; send again."
                )
            handoff.status = HandoffStatus.SENT
            handoff.sent_at = now
            handoff.last_activity_at = now
            handoff.package_hash = package_hash
            session.add(
                HandoffEvent(handoff_id=handoff_id, at=now, kind=EventKind.SENT, note=note, data={})
            )

    def abandon(self, handoff_id: int) -> None:
        """Remove a handoff whose package could not be written (nothing was sent)."""
        with transaction(self._sessions, "This handoff") as session:
            session.execute(
                delete(Handoff).where(
                    Handoff.id == handoff_id, Handoff.status == HandoffStatus.PREPARING
                )
            )

    def clean_abandoned(self) -> int:
        """Remove ``preparing`` handoffs whose sender stopped renewing (killed); returns
        how many. Only reads when there are none, so a read-only library opens."""
        cutoff = self._clock() - LEASE
        stale = (Handoff.status == HandoffStatus.PREPARING) & (Handoff.last_activity_at < cutoff)
        with self._sessions() as session:
            if session.scalar(select(Handoff.id).where(stale).limit(1)) is None:
                return 0
        with transaction(self._sessions, "This handoff") as session:
            ids = list(session.scalars(select(Handoff.id).where(stale)))
            session.execute(
                delete(HandoffEvent).where(HandoffEvent.handoff_id.in_(ids))
            )
            session.execute(delete(Handoff).where(Handoff.id.in_(ids)))
        log.info("removed %d handoff(s) whose package was never finished", len(ids))
        return len(ids)

    def lease(self, handoff_id: int) -> Lease:
        """A context that renews the handoff's lease from a background thread."""
        return Lease(self, handoff_id)


class Lease:
    """``with sending.lease(id): ...write the package...``: renewed every few seconds."""

    def __init__(self, sending: Sending, handoff_id: int, every: float = RENEW_EVERY) -> None:
        self._sending = sending
        self._handoff_id = handoff_id
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="baton-send-lease", daemon=True)

    def __enter__(self) -> Lease:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            try:
                self._sending.renew(self._handoff_id)
            except Exception:  # a busy or unreachable database: try again next time
                log.warning("could not renew the lease of handoff %d", self._handoff_id,
                            exc_info=True)

