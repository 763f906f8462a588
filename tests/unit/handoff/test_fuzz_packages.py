"""Fuzz: byte mutations of a genuine package through ``package verify`` and import.

For every mutant: verify (the real command, printing into a strict UTF-8 stream) exits 0
or refuses in one ``baton:`` line, never with a traceback; import accepts exactly what
verify passed; a refused import leaves the library as it was; an accepted one brings
screenshots OpenCV decodes and the steps the manifest lists.

The test command runs a fixed, derandomized budget. ``scripts/fuzz-packages`` runs the
same tests with thousands of random examples (``BATON_FUZZ_EXAMPLES``,
``BATON_FUZZ_RANDOM``) and writes the outcome counts to ``BATON_FUZZ_REPORT``.
"""

from __future__ import annotations

import contextlib
import io
import os
import traceback
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from baton.cli import main
from baton.core.db import Database, open_database, sqlite_url
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.models import Process, Step
from baton.handoff.importer import import_package
from baton.handoff.reader import BadPackage
from baton.handoff.validation import verify_package
from helpers.mutations import add_to_report, byte_mutant, content_mutant, repacked, zip_regions

EXAMPLES = int(os.environ.get("BATON_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not os.environ.get("BATON_FUZZ_RANDOM"),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
)
OUTCOMES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    add_to_report(Counter({f"packages: {key}": value for key, value in OUTCOMES.items()}))


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, MediaStore]]:
    folder = tmp_path_factory.mktemp("fuzz-library")
    database = open_database(sqlite_url(folder / "baton.db"))
    yield database, MediaStore(folder / "media")
    database.close()


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz-mutants")


def verify_command(path: Path) -> tuple[int, str]:
    """``baton package verify`` as a user runs it; stdout must take the output strictly."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["package", "verify", str(path)])
        out.flush()
    return code, err.getvalue()


def state(library: tuple[Database, MediaStore]) -> tuple[int, int, frozenset[str]]:
    database, media = library
    with database.sessions() as session:
        processes = session.scalar(select(func.count(Process.id))) or 0
        steps = session.scalar(select(func.count(Step.id))) or 0
    files = frozenset(
        str(p.relative_to(media.root)) for p in media.root.rglob("*")
    ) if media.root.exists() else frozenset()
    return processes, steps, files


def check_mutant(path: Path, library: tuple[Database, MediaStore]) -> None:
    """The properties every mutant must keep (see the module docstring)."""
    OUTCOMES["mutants"] += 1
    try:
        code, err = verify_command(path)
    except BaseException:
        OUTCOMES["tracebacks"] += 1
        raise
    assert code in (0, 1), err
    if code == 1:
        assert err.startswith("baton: "), err
        assert err.count("\n") == 1, err
    database, media = library
    before = state(library)
    try:
        process_id = import_package(path, Library(database.sessions), media)
    except BadPackage as refusal:
        OUTCOMES["refused"] += 1
        OUTCOMES["refused: " + _reason(str(refusal))] += 1
        if code == 0:
            OUTCOMES["verify passed, import refused"] += 1
        assert code == 1, f"verify passed what import refused: {refusal}"  # noqa: PT017
        assert state(library) == before, "a refused import left something behind"
        return
    except BaseException:
        OUTCOMES["tracebacks"] += 1
        traceback.print_exc()
        raise
    OUTCOMES["accepted"] += 1
    if code == 1:
        OUTCOMES["verify refused, import accepted"] += 1
    assert code == 0, f"import accepted what verify refused: {err}"
    _check_accepted(path, process_id, library)


def _check_accepted(path: Path, process_id: int, library: tuple[Database, MediaStore]) -> None:
    database, media = library
    manifest = verify_package(path)
    with database.sessions() as session:
        steps = session.scalars(select(Step).where(Step.process_id == process_id)).all()
        assert len(steps) == len(manifest.steps)
        for step in steps:
            if step.screenshot:
                data = np.frombuffer(media.read_bytes(step.screenshot), np.uint8)
                if cv2.imdecode(data, cv2.IMREAD_UNCHANGED) is None:
                    OUTCOMES["wrong accepts"] += 1
                    pytest.fail(f"an accepted screenshot does not decode: {step.screenshot}")


def _reason(message: str) -> str:
    """A refusal's kind, for the report (the message without names and numbers)."""
    for words in ("cannot be read", "does not match its manifest", "not a zip file",
                  "wrong size", "is cut short", "not valid JSON", "overlapping",
                  "zip bomb", "unsupported compression", "not a package Baton accepts",
                  "manifest", "unsafe", "encrypted", "twice", "does not list", "missing"):
        if words in message:
            return words
    return "other"


@FUZZ
@given(data=st.data())
def test_zip_byte_mutants(
    data: st.DataObject, genuine_package: Path, library: Any, scratch: Path
) -> None:
    mutant = data.draw(byte_mutant(genuine_package.read_bytes(), zip_regions(genuine_package)))
    path = scratch / "bytes.zip"
    path.write_bytes(mutant)
    check_mutant(path, library)


@FUZZ
@given(data=st.data())
def test_content_mutants_in_consistent_zips(
    data: st.DataObject, genuine_package: Path, library: Any, scratch: Path
) -> None:
    name, content = data.draw(content_mutant(genuine_package))
    check_mutant(repacked(genuine_package, scratch / "content", name, content), library)
