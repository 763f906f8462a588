"""Step capture where it cannot work: no display, or a display without the RECORD extension."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from baton.capture.steps.live import open_step_capture
from baton.core.db import Database
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.steps import Steps
from baton.errors import UserError

pytestmark = [pytest.mark.display, pytest.mark.slow]


@pytest.fixture
def display_without_record() -> Iterator[str]:
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        [shutil.which("Xvfb") or "Xvfb", "-displayfd", str(write_fd), "-screen", "0",
         "320x240x24", "-nolisten", "tcp", "-extension", "RECORD"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        display = ":" + pipe.readline().strip()
    try:
        yield display
    finally:
        server.terminate()
        server.wait(10)


def test_no_display_is_a_plain_message(database: Database, tmp_path: Path) -> None:
    process = Library(database.sessions).add_process(ProcessDraft("Anything"))
    with pytest.raises(UserError, match="display"):
        open_step_capture(Steps(database.sessions).appender(process.id),
                          MediaStore(tmp_path / "media"), display=":9876")


def test_a_display_without_record_is_refused_in_time(
    database: Database, tmp_path: Path, display_without_record: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DISPLAY", display_without_record)  # pynput follows DISPLAY
    process = Library(database.sessions).add_process(ProcessDraft("Anything"))
    started = time.monotonic()

    def start() -> None:  # opening or starting may refuse: either way in one line, in time
        open_step_capture(Steps(database.sessions).appender(process.id),
                          MediaStore(tmp_path / "media")).start()

    with pytest.raises(UserError, match="RECORD"):
        start()
    assert time.monotonic() - started < 10
    assert not [t for t in threading.enumerate() if t.name.startswith("baton-step")]
