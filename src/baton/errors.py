"""The two kinds of failure.

A ``UserError`` is the input's or the environment's fault (a bad argument, a full disk, a
database made by a newer Baton). It carries one plain sentence the user can act on and is
shown as is, without a traceback. Anything else is our bug and goes to the crash report.
"""


class UserError(Exception):
    """A problem the user can fix; ``str(error)`` is one plain line."""


class NotFound(UserError):
    """A named process, assistant or handoff does not exist."""


class ConflictError(UserError):
    """Someone else changed the record since it was loaded (optimistic locking)."""


class DatabaseUnavailable(UserError):
    """The database could not be reached, broke off, or took too long; nothing was changed
    by the failed operation, and trying again may work."""


class ReadOnlyLibrary(UserError):
    """The library can be shown but not changed (a read-only disk, file or folder)."""
