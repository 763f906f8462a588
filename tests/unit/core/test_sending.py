"""Sending's bookkeeping: a handoff is "preparing" until its package is written, and a
send that was killed is cleaned up by the next start once its lease ran out."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.clock import ManualClock
from baton.core.db import Database
from baton.core.handoffs import Handoffs
from baton.core.library import Library, ProcessDraft
from baton.core.models import EventKind, Handoff, HandoffStatus
from baton.core.sending import LEASE, Lease, Sending
from baton.errors import UserError


@pytest.fixture
def sending(database: Database, clock: ManualClock) -> Sending:
    return Sending(database.sessions, clock)


@pytest.fixture
def begun(library: Library, assistants: Assistants, sending: Sending) -> int:
    process = library.add_process(ProcessDraft("Payroll"))
    version = library.freeze_version(process.id)
    assistant = assistants.add(AssistantDraft("Ana"))
    return sending.begin(version.id, assistant.id).id


def test_a_preparing_handoff_is_visible_but_not_sent(
    begun: int, handoffs: Handoffs, sending: Sending
) -> None:
    row = handoffs.get(begun)
    assert row.status is HandoffStatus.PREPARING
    assert handoffs.events(begun) == []
    with pytest.raises(UserError, match="not sent yet"):
        handoffs.check_in(begun, HandoffStatus.PRACTISING)
    sending.finish(begun, "ab" * 32, "first")
    assert handoffs.get(begun).status is HandoffStatus.SENT
    assert [(e.kind, e.note) for e in handoffs.events(begun)] == [(EventKind.SENT, "first")]


def test_every_handoff_gets_its_own_receipt_key(
    begun: int, library: Library, handoffs: Handoffs, sending: Sending, database: Database
) -> None:
    other = sending.begin(library.versions(1)[0].id, Assistants(database.sessions).list()[0].id).id
    with database.sessions() as session:
        keys = [h.receipt_key for h in session.scalars(select(Handoff).order_by(Handoff.id))]
    assert keys[0] != keys[1]
    assert all(len(k or "") == 64 for k in keys)
    assert other != begun


def test_only_sends_whose_lease_ran_out_are_cleaned_up(
    begun: int, sending: Sending, handoffs: Handoffs, clock: ManualClock
) -> None:
    assert sending.clean_abandoned() == 0  # another Baton may still be writing it
    clock.now += LEASE - timedelta(seconds=1)
    assert sending.clean_abandoned() == 0
    clock.now += timedelta(seconds=2)
    assert sending.clean_abandoned() == 1
    assert handoffs.list() == []


def test_a_sent_handoff_is_never_cleaned_up(
    begun: int, sending: Sending, handoffs: Handoffs, clock: ManualClock
) -> None:
    sending.finish(begun, "ab" * 32)
    clock.now += LEASE * 10
    assert sending.clean_abandoned() == 0
    assert handoffs.get(begun).status is HandoffStatus.SENT


def test_the_lease_is_renewed_while_the_package_is_written(
    begun: int, sending: Sending, handoffs: Handoffs, clock: ManualClock
) -> None:
    with Lease(sending, begun, every=0.01):
        clock.now += timedelta(minutes=10)
        deadline = time.monotonic() + 10
        while handoffs.get(begun).last_event_at != clock.now:
            assert time.monotonic() < deadline, "the lease was never renewed"
            time.sleep(0.01)
    assert sending.clean_abandoned() == 0


def test_abandon_removes_only_a_preparing_handoff(begun: int, sending: Sending,
                                                   handoffs: Handoffs) -> None:
    sending.finish(begun, "ab" * 32)
    sending.abandon(begun)
    assert handoffs.get(begun).status is HandoffStatus.SENT
