"""One unit of work: commit on success, roll back on error, turn lost updates into a message.

Also the one way a process is marked changed outside the ORM (``touch_process``), so every
change to a process's steps moves its row version the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from baton.core.models import Process
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


def touch_process(session: Session, process_id: int, **values: Any) -> bool:
    """Bump a process's row version and set ``values`` in one UPDATE.

    Editors holding the old row version then get a ``ConflictError`` when they save. The
    UPDATE takes the process's write lock for the rest of the transaction (the row on
    PostgreSQL, the database on SQLite), so changes to one process happen one after the
    other, each seeing the last one's step positions.

    Returns:
        False when there is no such process (nothing was changed).
    """
    touch = (update(Process).where(Process.id == process_id)
             .values(row_version=Process.row_version + 1, **values)
             .execution_options(synchronize_session=False))
    return cast("CursorResult[Any]", session.execute(touch)).rowcount > 0
