"""How Baton talks to a team library: timeouts, a deadline on every answer, plain errors.

A team library is a PostgreSQL server somewhere on the network. Without limits a server
that accepts connections and never answers (or one that froze) hangs the app before its
window and the command line forever. So every PostgreSQL connection gets:

- ``connect_timeout`` (10 s): how long connecting may take, handshake included;
- ``statement_timeout`` (30 s): the server cancels a statement running longer;
- ``idle_in_transaction_session_timeout`` (2 min): the server ends a transaction a frozen
  client left open, so its row locks do not block everyone else;
- TCP keepalives, so a vanished server or network is noticed;
- a deadline on every answer on our side (the statement timeout plus 5 s): a server that
  stopped (``SIGSTOP``, a hung VM) cannot cancel anything itself.

Each can be changed in the database URL, e.g. ``...?connect_timeout=3`` or
``...?options=-c%20statement_timeout%3D60000``.

Database failures the user can do something about (cannot connect, the connection broke,
a statement took too long, SQLite is locked) are turned into ``DatabaseUnavailable``: one
plain line, and worth a retry. Every statement of every service goes through the engine,
so this is the one place that happens.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from baton.errors import DatabaseUnavailable

log = logging.getLogger("baton.core")

CONNECT_TIMEOUT_S = 10
STATEMENT_TIMEOUT_MS = 30_000
IDLE_IN_TRANSACTION_MS = 120_000
ANSWER_MARGIN_S = 5.0
KEEPALIVES = {"keepalives": "1", "keepalives_idle": "30", "keepalives_interval": "10",
              "keepalives_count": "3"}


def postgres_connect_args(url: URL) -> dict[str, Any]:
    """Connection parameters for a PostgreSQL URL: our defaults where the URL sets none."""
    query = {key: value if isinstance(value, str) else value[-1]
             for key, value in url.query.items()}
    args: dict[str, Any] = {}
    if "connect_timeout" not in query:
        args["connect_timeout"] = CONNECT_TIMEOUT_S
    for key, value in KEEPALIVES.items():
        if key not in query:
            args[key] = value
    options = query.get("options", "")
    wanted = []
    if "statement_timeout" not in options:
        wanted.append(f"-c statement_timeout={STATEMENT_TIMEOUT_MS}")
    if "idle_in_transaction_session_timeout" not in options:
        wanted.append(f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_MS}")
    if wanted:
        args["options"] = " ".join([options, *wanted]).strip()
    return args


def answer_deadline(options: str) -> float | None:
    """Seconds to wait for any answer: the statement timeout in ``options`` plus a margin
    (None when the statement timeout is switched off with 0)."""
    found = re.findall(r"statement_timeout\s*=\s*(\d+)\s*(ms|s|min)?", options)
    if not found:
        return STATEMENT_TIMEOUT_MS / 1000 + ANSWER_MARGIN_S
    number, unit = found[-1]
    scale = {"": 0.001, "ms": 0.001, "s": 1.0, "min": 60.0}[unit]
    seconds = int(number) * scale
    return None if seconds == 0 else seconds + ANSWER_MARGIN_S


def use_answer_deadline(engine: Engine, deadline: float | None) -> None:
    """Open PostgreSQL connections that give up on an answer after ``deadline`` seconds."""
    if deadline is None:
        return
    connection_class = _deadline_connection_class()

    def connect(_dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        connection = connection_class.connect(*cargs, **cparams)
        connection.answer_deadline = deadline
        return connection

    event.listen(engine, "do_connect", connect)


def _deadline_connection_class() -> Any:
    import psycopg
    from psycopg import errors

    class DeadlineConnection(psycopg.Connection):
        """A psycopg connection that stops waiting for a server that stopped answering."""

        answer_deadline: float | None = None

        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            try:
                return super().wait(gen, interval, timeout or self.answer_deadline)
            except errors._WaitTimeout:
                # The connection is mid-conversation: close it, so the pool drops it.
                self.close()
                raise errors.OperationalError(
                    f"the server did not answer within {self.answer_deadline:.0f} s"
                ) from None

    return DeadlineConnection


def translate_errors(engine: Engine) -> None:
    """Raise ``DatabaseUnavailable`` (one line, retryable) for failures of the server or
    the connection; leave other database errors (our bugs, constraint races the services
    handle) as they are."""
    event.listen(engine, "handle_error", _translate)


def _translate(context: ExceptionContext) -> BaseException | None:
    if context.is_pre_ping:
        return None  # the pool pings, finds a dead connection and opens a new one itself
    error = context.sqlalchemy_exception
    if not isinstance(error, OperationalError | InterfaceError):
        return None
    message = describe(error, context.engine)
    log.info("database unavailable: %s", message)
    return DatabaseUnavailable(message)


def describe(error: DBAPIError, engine: Engine | None) -> str:
    """One plain line for a database failure."""
    reason = _first_line(error)
    lowered = reason.lower()
    if engine is not None and engine.dialect.name == "sqlite":
        if "locked" in lowered or "busy" in lowered:
            return ("The library is busy: another Baton is writing to it. Try again in a "
                    "moment.")
        return f"The library's database failed: {reason}."
    where = _where(engine)
    if "statement timeout" in lowered or "canceling statement" in lowered:
        return (f"The team library{where} took too long to answer (the statement timeout "
                "ran out); nothing was changed. Try again.")
    if "did not answer within" in lowered or "timeout expired" in lowered:
        return (f"Cannot reach the team library{where}: the server did not answer in time "
                f"({reason}). Check the network and the server, then try again.")
    if "idle-in-transaction" in lowered:
        return (f"The team library{where} ended a transaction that waited too long; "
                "nothing was changed. Try again.")
    return (f"Cannot reach the team library{where}: {reason}. Check the network and the "
            "server, then try again.")


def _where(engine: Engine | None) -> str:
    if engine is None or not engine.url.host:
        return ""
    port = f":{engine.url.port}" if engine.url.port else ""
    return f" at {engine.url.host}{port}"


def _first_line(error: DBAPIError) -> str:
    original = error.orig if error.orig is not None else error
    lines = [line.strip() for line in str(original).strip().splitlines() if line.strip()]
    reason = lines[0] if lines else type(original).__name__
    # psycopg prefixes "connection failed: connection to server at ... failed: ": keep the
    # reason at the end, which is what the user can act on.
    if "failed:" in reason:
        reason = reason.rsplit("failed:", 1)[1].strip() or reason
    return reason.rstrip(".")
