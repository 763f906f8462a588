"""One unit of work: commit on success, roll back on error, turn lost updates into a message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from baton.errors import ConflictError


@contextmanager
def transaction(sessions: sessionmaker[Session], what: str = "This record") -> Iterator[Session]:
    """Yield a session inside a transaction.

    Raises:
        ConflictError: someone else saved the same row meanwhile (optimistic locking).
    """
    with sessions() as session:
        try:
            yield session
            session.commit()
        except StaleDataError:
            session.rollback()
            raise ConflictError(
                f"{what} was changed by someone else; reload it and try again."
            ) from None
        except BaseException:
            session.rollback()
            raise
