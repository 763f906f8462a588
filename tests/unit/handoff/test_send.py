"""Sending: a handoff and its package are recorded together, or not at all."""

from __future__ import annotations

import hashlib
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from baton.core.db import Database
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.models import Handoff, HandoffStatus, ProcessVersion
from baton.core.sending import Sending
from baton.core.tracking import AssistantDraft, Tracking
from baton.handoff.package import ExportCancelled
from baton.handoff.send import send_process
from baton.handoff.validation import verify_package


def test_sending_records_the_handoff_with_its_package_hash(
    qapp: Any,
    database: Database,
    library: Library,
    tracking: Tracking,
    media: MediaStore,
    version: ProcessVersion,
    out_dir: Path,
) -> None:
    assistant = tracking.add_assistant(AssistantDraft(name="Ana Reyes"))
    sent = send_process(
        library,
        tracking,
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
        assert handoff is not None and handoff.package_hash == sent.package.manifest_sha256
    with zipfile.ZipFile(sent.package.path) as archive:
        listed = archive.read("manifest.json")
    assert sent.package.manifest_sha256 == hashlib.sha256(listed).hexdigest()


def test_a_cancelled_send_records_nothing(
    qapp: Any,
    database: Database,
    library: Library,
    tracking: Tracking,
    media: MediaStore,
    version: ProcessVersion,
    out_dir: Path,
) -> None:
    assistant = tracking.add_assistant(AssistantDraft(name="Ana Reyes"))
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ExportCancelled):
        send_process(
            library,
            tracking,
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
