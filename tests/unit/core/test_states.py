"""The stored states: one definition every layer can import without loading the tables."""

from __future__ import annotations

import subprocess
import sys

from baton.core import models, states
from baton.core.states import HandoffStatus


def test_the_tables_use_the_one_definition() -> None:
    for name in ("Audience", "Complexity", "ProcessStatus", "RecordingState", "Arrangement",
                 "Engagement", "HandoffStatus", "EventKind"):
        assert getattr(models, name) is getattr(states, name)


def test_naming_a_state_loads_no_database_code() -> None:
    code = "import sys, baton.core.states; print('sqlalchemy' in sys.modules)"
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True)
    assert shown.stdout.strip() == "False"


def test_a_handoff_is_closed_once_independent_revoked_or_not_yet_sent() -> None:
    assert [s for s in HandoffStatus if s.closed] == [HandoffStatus.PREPARING,
                                                       HandoffStatus.INDEPENDENT,
                                                       HandoffStatus.REVOKED]
    # The stored strings are the database's and the packages': they never change.
    assert HandoffStatus("needs-help") is HandoffStatus.NEEDS_HELP
