"""Assistants: add, edit with optimistic locking, find, search, delete, validation."""

from __future__ import annotations

from datetime import date

import pytest

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.models import Arrangement
from baton.errors import ConflictError, NotFound, UserError


def test_assistant_crud_and_search(assistants: Assistants) -> None:
    ana = assistants.add(
        AssistantDraft("Ana Reyes", email="ana@example.com", arrangement=Arrangement.OFFSHORE,
                       hired_via="Upwork", started_on=date(2026, 1, 5))
    )
    assistants.add(AssistantDraft("Ben"))
    assert [a.name for a in assistants.list()] == ["Ana Reyes", "Ben"]
    assert [a.name for a in assistants.list("upwork")] == ["Ana Reyes"]
    saved = assistants.update(
        ana.id, AssistantDraft("Ana Reyes", active=False), expected_version=ana.row_version
    )
    assert saved.active is False
    assert saved.email == ""
    with pytest.raises(ConflictError):
        assistants.update(ana.id, AssistantDraft("Ana"), expected_version=ana.row_version)
    assert assistants.find("Ben").name == "Ben"
    assistants.delete(ana.id)
    with pytest.raises(NotFound):
        assistants.get(ana.id)


def test_assistant_validation(assistants: Assistants) -> None:
    with pytest.raises(UserError, match="needs a name"):
        assistants.add(AssistantDraft(""))
    with pytest.raises(UserError, match="email address"):
        assistants.add(AssistantDraft("Cy", email="not an email"))
