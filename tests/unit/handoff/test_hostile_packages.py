"""Every hand-made hostile package (``hostile_zips.corpus``) through the real commands.

``package verify`` and ``package import`` must both refuse it with the same one ``baton:``
line and exit 1, and the importing library must hold nothing afterwards: no process, no
recording, no file in its media store. The well-formed oddities in the corpus must pass
both, and every screenshot they bring must decode with OpenCV (what export uses).
"""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np
import pytest
from sqlalchemy import func, select

from baton.cli import main
from baton.core.db import open_database, sqlite_url
from baton.core.media import MediaStore
from baton.core.models import Process, Recording, Step
from helpers.hostile_corpus import Hostile, corpus


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def library_holds(data_dir: Path) -> tuple[int, int, int, list[Path]]:
    database = open_database(sqlite_url(data_dir / "baton.db"))
    try:
        with database.sessions() as session:
            counts = tuple(
                session.scalar(select(func.count(model.id))) or 0
                for model in (Process, Step, Recording)
            )
    finally:
        database.close()
    files = [p for p in (data_dir / "media").rglob("*") if p.is_file() or p.name.startswith(".")]
    return counts[0], counts[1], counts[2], files


@pytest.mark.parametrize("case", corpus(), ids=lambda case: case.name)
def test_hostile_packages_are_refused_in_one_line_and_leave_nothing(
    case: Hostile, genuine_package: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.make(genuine_package, tmp_path)
    library = tmp_path / "library"
    verified = run(capsys, "--data-dir", str(library), "package", "verify", str(path))
    imported = run(capsys, "--data-dir", str(library), "package", "import", str(path), "--json")
    if case.accepted:
        assert verified[0] == 0, verified
        assert verified[1].startswith("OK: "), verified
        assert imported[0] == 0, imported
        decode_every_screenshot(library)
        return
    for code, out, err in (verified, imported):
        assert (code, out) == (1, ""), err
        assert err.startswith("baton: "), err
        assert err.endswith("\n"), err
        assert err.count("\n") == 1, err
        assert re.search(case.refused, err), err
    assert verified[2] == imported[2]  # one validation path: the same words
    assert library_holds(library) == (0, 0, 0, [])


def decode_every_screenshot(library: Path) -> None:
    media = MediaStore(library / "media")
    keys = [key for key in media.keys() if not key.endswith(".mp4")]
    for key in keys:
        image = cv2.imdecode(np.frombuffer(media.read_bytes(key), np.uint8), cv2.IMREAD_UNCHANGED)
        assert image is not None, key
    processes, steps, _, _ = library_holds(library)
    assert processes == 1
    assert steps == 3
    assert len(keys) == 2
