"""Sending: a handoff and its package are recorded together, or not at all."""

from __future__ import annotations

import hashlib
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.db import Database
from baton.core.handoffs import Handoffs
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.models import Handoff, HandoffStatus, ProcessVersion
from baton.core.sending import Sending
from baton.errors import UserError
from baton.handoff.package import ExportCancelled
from baton.handoff.send import send_process
from baton.handoff.validation import verify_package


def test_sending_records_the_handoff_with_its_package_hash(
    qapp: Any,
    database: Database,
    library: Library,
    handoffs: Handoffs,
    media: MediaStore,
    version: ProcessVersion,
    out_dir: Path,
) -> None:
    assistant = Assistants(database.sessions).add(AssistantDraft(name="Ana Reyes"))
    sent = send_process(
        library,
        handoffs,
        Sending(database.sessions),
        media,
        version.process_id,
        assistant.id,
        out_dir,
        changelog="First version",
    )
    assert sent.package.path == out_dir / "send-the-invoices-v1-ana-reyes.zip"
    assert (sent.version_number, sent.new_version) == (1, False)  # frozen before, unchanged
    assert sent.handoff.status is HandoffStatus.SENT
    manifest = verify_package(sent.package.path)
    assert manifest.handoff_id == sent.handoff.id
    assert manifest.assistant == "Ana Reyes"
    with database.sessions() as session:
        handoff = session.get(Handoff, sent.handoff.id)
        assert handoff is not None
        assert handoff.package_hash == sent.package.manifest_sha256
    with zipfile.ZipFile(sent.package.path) as archive:
        listed = archive.read("manifest.json")
    assert sent.package.manifest_sha256 == hashlib.sha256(listed).hexdigest()


def test_a_cancelled_send_records_nothing(
    qapp: Any,
    database: Database,
    library: Library,
    handoffs: Handoffs,
    media: MediaStore,
    version: ProcessVersion,
    out_dir: Path,
) -> None:
    assistant = Assistants(database.sessions).add(AssistantDraft(name="Ana Reyes"))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExportCancelled):
        send_process(
            library,
            handoffs,
            Sending(database.sessions),
            media,
            version.process_id,
            assistant.id,
            out_dir,
            cancel=cancel,
        )
    with database.sessions() as session:
        assert session.scalar(select(func.count(Handoff.id))) == 0
    assert list(out_dir.iterdir()) == []


def _status(database: Database) -> list[tuple[HandoffStatus, str]]:
    with database.sessions() as session:
        return [(h.status, h.package_hash) for h in session.scalars(select(Handoff))]


def test_a_handoff_is_sent_only_once_its_package_is_written(
    qapp: Any,
    database: Database,
    library: Library,
    handoffs: Handoffs,
    media: MediaStore,
    version: ProcessVersion,
    out_dir: Path,
) -> None:
    assistant = Assistants(database.sessions).add(AssistantDraft(name="Ana Reyes"))
    during: list[list[tuple[HandoffStatus, str]]] = []
    sent = send_process(
        library,
        handoffs,
        Sending(database.sessions),
        media,
        version.process_id,
        assistant.id,
        out_dir,
        changelog="First version",
        progress=lambda fraction, label: during.append(_status(database)),
    )
    assert during
    assert all(seen == [(HandoffStatus.PREPARING, "")] for seen in during)
    assert _status(database) == [(HandoffStatus.SENT, sent.package.manifest_sha256)]
    [event] = handoffs.events(sent.handoff.id)
    assert (event.kind.value, event.note) == ("sent", "First version")
    key = receipt_key(database, sent.handoff.id)
    assert key is not None
    assert verify_package(sent.package.path).receipt_key == key


def receipt_key(database: Database, handoff_id: int) -> str | None:
    with database.sessions() as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        return handoff.receipt_key


def test_a_send_cleaned_up_meanwhile_keeps_no_package(
    qapp: Any,
    database: Database,
    library: Library,
    handoffs: Handoffs,
    media: MediaStore,
    version: ProcessVersion,
    out_dir: Path,
) -> None:
    """Another Baton removed the row (its lease ran out): the package must not be used."""
    assistant = Assistants(database.sessions).add(AssistantDraft(name="Ana Reyes"))

    def remove_rows(fraction: float, label: str) -> None:
        with database.sessions.begin() as session:
            for handoff in session.scalars(select(Handoff)):
                session.delete(handoff)

    with pytest.raises(UserError, match="cleaned it up"):
        send_process(
            library,
            handoffs,
            Sending(database.sessions),
            media,
            version.process_id,
            assistant.id,
            out_dir,
            progress=remove_rows,
        )
    assert list(out_dir.iterdir()) == []
    assert _status(database) == []


KILLED_SENDER = """
import sys, time
from pathlib import Path
from PySide6.QtGui import QGuiApplication
from baton.handoff.send import send_process
from baton.services import open_services

app = QGuiApplication(["baton"])
services = open_services(sys.argv[1])

def stall(fraction, label):
    print("packing", flush=True)
    time.sleep(600)

send_process(services.library, services.handoffs, services.sending, services.media,
             int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]), progress=stall)
"""


def test_a_send_killed_midway_is_never_sent_and_the_next_start_cleans_it_up(
    qapp: Any, tmp_path: Path, sample_video: Path
) -> None:
    import os
    import signal
    import subprocess
    import sys
    from datetime import timedelta

    from baton.core.sending import LEASE
    from baton.services import open_services
    from helpers.builders import seed_process, standard_steps

    services = open_services(str(tmp_path / "library"))
    version = seed_process(services.database, services.media, steps=standard_steps(),
                           video=sample_video)
    assistant = services.assistants.add(AssistantDraft(name="Ana Reyes"))
    services.close()
    out = tmp_path / "out"
    out.mkdir()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    with subprocess.Popen(
        [sys.executable, "-c", KILLED_SENDER, str(tmp_path / "library"),
         str(version.process_id), str(assistant.id), str(out)],
        stdout=subprocess.PIPE, env=env, text=True,
    ) as sender:
        try:
            assert sender.stdout is not None
            assert sender.stdout.readline() == "packing\n"
        finally:
            sender.send_signal(signal.SIGKILL)
            sender.wait(30)
    services = open_services(str(tmp_path / "library"))  # within the lease: kept, visible
    try:
        [row] = services.handoffs.list()
        assert row.status is HandoffStatus.PREPARING
        assert list(out.iterdir()) == []  # the zip is linked into place only when complete
        with services.database.sessions.begin() as session:  # as if 90 s went by
            handoff = session.get(Handoff, row.id)
            assert handoff is not None
            assert handoff.last_activity_at is not None
            handoff.last_activity_at -= LEASE + timedelta(seconds=1)
    finally:
        services.close()
    services = open_services(str(tmp_path / "library"))
    try:
        assert services.handoffs.list() == []
    finally:
        services.close()
