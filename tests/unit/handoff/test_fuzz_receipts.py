"""Fuzz: receipts mutated, forged, replayed and reordered.

* Mutants of a genuine receipt already imported (bytes, or JSON values replaced and then
  left with its MAC, stripped of it, or signed with another assistant's key) are all
  refused in one ``UserError`` and change neither handoff: a forgery or an edit never
  gets in, and the genuine content never counts twice.
* Receipts signed with the right key, imported in any order, leave the progress of the
  newest one: every older one is recorded as ignored.
* Any well-signed receipt with arbitrary field values is taken or refused, never a
  traceback.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.db import Database, open_database, sqlite_url
from baton.core.handoffs import Handoffs
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.models import EventKind, HandoffStatus, ProcessVersion
from baton.core.receipts import Receipts
from baton.errors import UserError
from baton.handoff.manifest import make_package_id
from baton.handoff.receipt import import_receipt
from baton.handoff.receipt_format import canonical_content, receipt_mac
from helpers.builders import seed_process, standard_steps
from helpers.mutations import add_to_report, byte_mutant, json_mutant, json_values

EXAMPLES = int(os.environ.get("BATON_FUZZ_EXAMPLES", "120"))
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not os.environ.get("BATON_FUZZ_RANDOM"),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
TODAY = datetime(2026, 3, 20)
OUTCOMES: Counter[str] = Counter()
SAVED = datetime(2026, 3, 3, 10, 20)


@dataclass
class World:
    database: Database
    handoffs: Handoffs
    library: Library
    receipts: Receipts
    version: ProcessVersion
    ana: int
    ben: int
    folder: Path

    def key(self, handoff_id: int) -> str:
        key = self.receipts.key(handoff_id)
        assert key is not None
        return key

    def receipt(self, handoff_id: int, *, done: tuple[int, ...] = (),
                saved_at: datetime = SAVED) -> dict[str, Any]:
        """The receipt the handoff's own page saves (unsigned; see ``signed``)."""
        version = self.version
        return {
            "format": "baton-receipt",
            "format_version": 2,
            "package_id": make_package_id(version.process_id, version.number,
                                          version.content_hash, handoff_id),
            "handoff_id": handoff_id,
            "process_id": version.process_id,
            "version": version.number,
            "steps": [
                {"position": p, "done": p in done,
                 "done_at": "2026-03-03T10:00:00.000Z" if p in done else None,
                 "note": "", "question": ""}
                for p in (1, 2, 3)
            ],
            "saved_at": saved_at.isoformat(timespec="milliseconds") + "Z",
        }

    def write(self, data: bytes, name: str = "receipt.json") -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path

    def take(self, data: bytes) -> Any:
        return import_receipt(self.write(data), self.handoffs, self.library, self.receipts,
                              clock=lambda: TODAY)

    def state(self, handoff_id: int) -> tuple[Any, ...]:
        row = self.handoffs.get(handoff_id)
        events = [(e.kind, e.note, e.step_position) for e in self.handoffs.events(handoff_id)]
        return row.status, row.last_event_at, tuple(events)


def signed(document: dict[str, Any], key: str | None) -> dict[str, Any]:
    document = {k: v for k, v in document.items() if k != "mac"}
    if key is not None:
        document["mac"] = receipt_mac(key, canonical_content(document))
    return document


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    add_to_report(Counter({f"receipts: {key}": value for key, value in OUTCOMES.items()}))


@pytest.fixture(scope="module")
def world(qapp: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("fuzz-receipts")
    database = open_database(sqlite_url(folder / "baton.db"))
    media = MediaStore(folder / "media")
    version = seed_process(database, media, steps=standard_steps())
    handoffs, library = Handoffs(database.sessions), Library(database.sessions)
    ana = handoffs.create(version.id, Assistants(database.sessions).add(AssistantDraft("Ana")).id)
    ben = handoffs.create(version.id, Assistants(database.sessions).add(AssistantDraft("Ben")).id)
    world = World(database, handoffs, library, Receipts(database.sessions), version, ana.id,
                  ben.id, folder)
    genuine = signed(world.receipt(ana.id, done=(1,)), world.key(ana.id))
    world.take(json.dumps(genuine, indent=2).encode())
    yield world
    database.close()


@st.composite
def mutant_of_the_genuine(draw: st.DrawFn, world: World) -> bytes:
    genuine = signed(world.receipt(world.ana, done=(1,)), world.key(world.ana))
    text = json.dumps(genuine, indent=2).encode()
    how = draw(st.sampled_from(["bytes", "json, old mac", "json, no mac", "json, ben's key",
                                "ben's receipt aimed at ana", "genuine re-serialised"]))
    OUTCOMES[f"mutants: {how}"] += 1
    if how == "genuine re-serialised":
        return json.dumps(genuine, indent=draw(st.sampled_from([None, 1, 4])),
                          sort_keys=draw(st.booleans()), ensure_ascii=draw(st.booleans())).encode()
    if how == "bytes":
        return draw(byte_mutant(text))
    if how == "ben's receipt aimed at ana":
        forged = world.receipt(world.ben, done=tuple(draw(st.sets(st.integers(1, 3)))))
        forged["handoff_id"] = world.ana
        forged["package_id"] = genuine["package_id"]  # public: computable by anyone
        return json.dumps(signed(forged, world.key(world.ben))).encode()
    text = draw(json_mutant(genuine))
    try:
        body = json.loads(text)
    except ValueError:  # an integer Python cannot read: the mutant as it is
        return text
    if not isinstance(body, dict):
        return json.dumps(body).encode()
    if how == "json, no mac":
        body.pop("mac", None)
    elif how == "json, ben's key":
        try:
            body = signed(body, world.key(world.ben))
        except UserError:
            pass  # text that cannot be signed at all: the edited body as it is
    return json.dumps(body).encode()


@FUZZ
@given(data=st.data())
def test_mutants_and_forgeries_of_an_imported_receipt_are_all_refused(
    data: st.DataObject, world: World
) -> None:
    mutant = data.draw(mutant_of_the_genuine(world))
    before = world.state(world.ana), world.state(world.ben)
    with pytest.raises(UserError) as refusal:
        world.take(mutant)
    assert "\n" not in str(refusal.value)
    OUTCOMES["mutants refused"] += 1
    for words in ("already imported", "signature does not match", "not signed",
                  "no valid signature", "not valid JSON", "does not match the package"):
        if words in str(refusal.value):
            OUTCOMES[f"refused: {words}"] += 1
            break
    assert (world.state(world.ana), world.state(world.ben)) == before


@FUZZ
@given(
    done=st.sets(st.integers(1, 3)),
    question=st.text(st.characters(exclude_categories=["Cc", "Cs"]), max_size=40),
    later=st.integers(1, 10**6),
    key=st.sampled_from(["ben", "guessed"]) | st.text("0123456789abcdef", min_size=64,
                                                      max_size=64),
)
def test_receipts_forged_for_another_handoff_are_refused(
    done: set[int], question: str, later: int, key: str, world: World
) -> None:
    """Ben writes Ana's progress: her handoff id and package id are easy to know, her
    receipt key is not (he signs with his own, or a guess)."""
    forged = world.receipt(world.ana, done=tuple(sorted(done)),
                           saved_at=SAVED + timedelta(seconds=later))
    forged["steps"][0]["question"] = question
    document = signed(forged, {"ben": world.key(world.ben), "guessed": "0" * 64}.get(key, key))
    before = world.state(world.ana), world.state(world.ben)
    with pytest.raises(UserError, match="signature does not match"):
        world.take(json.dumps(document).encode())
    assert (world.state(world.ana), world.state(world.ben)) == before
    OUTCOMES["cross-handoff forgeries refused"] += 1


@settings(FUZZ, max_examples=max(1, EXAMPLES // 2))  # each example imports up to ten
@given(
    receipts=st.lists(
        st.tuples(st.integers(0, 10_000), st.sets(st.integers(1, 3))),
        min_size=1, max_size=5, unique_by=lambda item: item[0],
    )
)
def test_receipts_in_any_order_leave_the_newest_progress(
    receipts: list[tuple[int, set[int]]], world: World
) -> None:
    assistant = Assistants(world.database.sessions).list()[0].id
    handoff = world.handoffs.create(world.version.id, assistant).id
    newest = -1
    for seconds, done in receipts:
        document = world.receipt(handoff, done=tuple(sorted(done)),
                                 saved_at=SAVED + timedelta(seconds=seconds))
        result = world.take(json.dumps(signed(document, world.key(handoff))).encode())
        assert result.ignored == (seconds < newest)
        OUTCOMES["in order: older, ignored" if result.ignored else "in order: applied"] += 1
        newest = max(newest, seconds)
    events = world.handoffs.events(handoff)
    applied = [e for e in events if e.kind is EventKind.RECEIPT_IMPORTED]
    ignored = [e for e in events if e.kind is EventKind.RECEIPT_IGNORED]
    assert len(applied) + len(ignored) == len(receipts)
    latest = max(receipts, key=lambda item: item[0])
    assert applied[-1].data["steps_done"] == len(latest[1])
    assert applied[-1].data["saved_at"] == (SAVED + timedelta(seconds=latest[0])).isoformat()
    expected = HandoffStatus.ACKNOWLEDGED
    best = -1
    for seconds, done in receipts:  # the ladder only climbs, over the receipts applied
        if seconds > best and done:
            expected = HandoffStatus.PRACTISING
        best = max(best, seconds)
    assert world.handoffs.get(handoff).status is expected
    for seconds, done in receipts:  # each one, again: counted once
        document = world.receipt(handoff, done=tuple(sorted(done)),
                                 saved_at=SAVED + timedelta(seconds=seconds))
        with pytest.raises(UserError, match="already imported"):
            world.take(json.dumps(signed(document, world.key(handoff)), indent=4).encode())
        OUTCOMES["in order: imported twice, counted once"] += 1


@FUZZ
@given(data=st.data())
def test_any_well_signed_receipt_is_taken_or_refused_never_a_traceback(
    data: st.DataObject, world: World
) -> None:
    assistant = Assistants(world.database.sessions).list()[1].id
    handoff = world.handoffs.create(world.version.id, assistant).id
    document = world.receipt(handoff, done=(1, 2))
    text = data.draw(json_mutant(document))
    try:
        body: Any = json.loads(text)
    except ValueError:  # an integer Python cannot read
        body = text.decode()
    if isinstance(body, dict) and data.draw(st.booleans()):
        body[data.draw(st.sampled_from(sorted(body)))] = data.draw(json_values)
    if isinstance(body, dict):
        try:
            body = signed(body, world.key(handoff))
        except UserError:
            pass  # a lone surrogate cannot even be signed
    raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
    try:
        world.take(raw)
        OUTCOMES["signed, arbitrary values: taken"] += 1
    except UserError as refusal:
        assert "\n" not in str(refusal)  # noqa: PT017 - counted, not raised
        OUTCOMES["signed, arbitrary values: refused"] += 1
