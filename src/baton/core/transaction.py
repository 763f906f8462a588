"""One unit of work: commit on success, roll back on error, turn lost updates into a message."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from baton.errors import ConflictError, ReadOnlyLibrary


@contextmanager
def transaction(sessions: sessionmaker[Session], what: str = "This record") -> Iterator[Session]:
    """Yield a session inside a transaction.

    Raises:
        ConflictError: someone else saved the same row meanwhile (optimistic locking).
        ReadOnlyLibrary: the library cannot be written (a read-only disk or file).
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
        except OperationalError as error:
            session.rollback()
            if "readonly" in str(error.orig) or "read-only" in str(error.orig):
                raise ReadOnlyLibrary(
                    "This library is read-only, so nothing was changed; open it where it "
                    "can be written to make changes."
                ) from None
            raise
        except BaseException:
            session.rollback()
            raise
