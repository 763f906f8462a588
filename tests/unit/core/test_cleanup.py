"""Media cleanup never deletes what a step, recording or frozen version refers to."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from baton.core.cleanup import clean_media
from baton.core.db import Database
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.models import Recording, RecordingState, Step


def test_clean_media_keeps_everything_referenced(
    library: Library, database: Database, tmp_path: Path
) -> None:
    media = MediaStore(tmp_path / "media")
    shot, old_shot, video, orphan = (
        media.put_bytes(content, ext)
        for content, ext in ((b"shot", "png"), (b"old", "png"), (b"video", "mp4"), (b"x", "png"))
    )
    process = library.add_process(ProcessDraft("Invoices"))
    with database.sessions() as session:
        step = Step(process_id=process.id, position=1, title="Open", screenshot=old_shot)
        session.add(step)
        session.add(Recording(media=video, state=RecordingState.COMPLETE,
                              created_at=datetime(2026, 1, 1)))
        session.commit()
    library.freeze_version(process.id)  # the version still shows old_shot
    with database.sessions() as session:
        stored = session.get(Step, step.id)
        assert stored is not None
        stored.screenshot = shot
        session.commit()
    assert clean_media(database.sessions, media) == []  # unreferenced for under an hour
    assert clean_media(database.sessions, media, grace=timedelta(0)) == [orphan]
    assert all(key in media for key in (shot, old_shot, video))
