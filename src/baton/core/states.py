"""The states and kinds Baton stores, named once for every layer.

The values are the strings in the database and in handoff packages; changing one is a
migration and a package-format change, not a rename. This module imports nothing (no
SQLAlchemy), so the UI, the command line and the package code can name a state without
loading the tables; ``baton.core.models`` maps the columns to these enums.
"""

from __future__ import annotations

import enum


class Audience(enum.StrEnum):
    """Who sees the result of a process: only the business, or its customers too."""

    INTERNAL = "internal"
    CUSTOMER_FACING = "customer-facing"


class Complexity(enum.StrEnum):
    SIMPLE = "simple"
    MODERATE = "moderate"
    COMPLEX = "complex"


class ProcessStatus(enum.StrEnum):
    """How far the owner is with writing a process down (archived ones are hidden)."""

    IDEA = "idea"
    DRAFT = "draft"
    READY = "ready"
    ARCHIVED = "archived"


class RecordingState(enum.StrEnum):
    """A recording being made, finished cleanly, or rescued after Baton was killed."""

    RECORDING = "recording"
    COMPLETE = "complete"
    RECOVERED = "recovered"


class Arrangement(enum.StrEnum):
    """Where an assistant works from."""

    ON_SITE = "on-site"
    ONSHORE = "onshore"
    OFFSHORE = "offshore"


class Engagement(enum.StrEnum):
    """How an assistant is engaged."""

    FULL_TIME = "full-time"
    PART_TIME = "part-time"
    DEDICATED = "dedicated"
    TASK_BASED = "task-based"


class HandoffStatus(enum.StrEnum):
    """Where a handoff is on the way from sent to done independently.

    The way up is sent → acknowledged → practising → supervised → independent; an open
    question sets needs-help until it is answered; revoked takes the process back.
    """

    # The package is being written; the handoff becomes SENT only once it is on disk.
    PREPARING = "preparing"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    PRACTISING = "practising"
    SUPERVISED = "supervised"
    INDEPENDENT = "independent"
    NEEDS_HELP = "needs-help"
    REVOKED = "revoked"

    @property
    def closed(self) -> bool:
        """Nothing more is expected: done independently, taken back, or not sent yet."""
        return self in CLOSED_HANDOFFS


CLOSED_HANDOFFS = (HandoffStatus.INDEPENDENT, HandoffStatus.REVOKED, HandoffStatus.PREPARING)
"""The statuses of handoffs that need no more check-ins (a tuple, for SQL ``IN``)."""


class EventKind(enum.StrEnum):
    """What happened at a moment of a handoff's timeline."""

    SENT = "sent"
    RECEIPT_IMPORTED = "receipt-imported"
    # A receipt older than one already imported: recorded, and nothing else changed.
    RECEIPT_IGNORED = "receipt-ignored"
    CHECK_IN = "check-in"
    STATUS_CHANGE = "status-change"
    NOTE = "note"
    QUESTION = "question"
