"""An answered question goes into the next package for that assistant, at its step, once."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.db import Database
from baton.core.handoffs import Handoffs
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.models import EventKind, HandoffStatus, ProcessStatus
from baton.core.questions import DELIVERED, Questions
from baton.core.sending import Sending
from baton.core.steps import StepContent, Steps
from baton.core.versions import ProcessVersionRow
from baton.handoff.fields import Invalid
from baton.handoff.manifest import parse_manifest
from baton.handoff.send import send_process
from baton.handoff.validation import verify_package


def page_data(package: Path) -> dict[str, Any]:
    with zipfile.ZipFile(package) as archive:
        page = archive.read("index.html").decode()
    found = re.search(r'<script type="application/json" id="baton-data">(.*?)</script>', page)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_the_answer_travels_in_the_next_package_at_its_step(
    qapp: Any, database: Database, library: Library, assistants: Assistants,
    handoffs: Handoffs, media: MediaStore, version: ProcessVersionRow, out_dir: Path,
) -> None:
    questions = Questions(database.sessions)
    ana = assistants.add(AssistantDraft(name="Ana Reyes"))
    ben = assistants.add(AssistantDraft(name="Ben Ode"))
    process = version.process_id

    def send(person: int, name: str) -> Any:
        folder = out_dir / name
        folder.mkdir()
        return send_process(library, handoffs, Sending(database.sessions), media, process, person,
                            folder,
                            questions=questions)

    first = send(ana.id, "first")
    assert library.get(process).status is ProcessStatus.READY  # no longer an idea
    asked_about = version.snapshot["steps"][2]
    handoffs.add_event(first.handoff.id, EventKind.QUESTION, "Which address for EU clients?",
                       step_position=asked_about["position"],
                       new_status=HandoffStatus.NEEDS_HELP)
    handoffs.add_event(first.handoff.id, EventKind.QUESTION, "Who signs off?",
                       new_status=HandoffStatus.NEEDS_HELP)
    for question in questions.open():
        questions.answer(question.id, "The Dublin office." if question.step else "Me.")

    # The owner adds a step at the top: the step asked about moves down one place.
    Steps(database.sessions).add(process, StepContent(title="Log in"), position=1)
    second = send(ana.id, "second")
    manifest = verify_package(second.package.path)
    by_text = {a.question: a for a in manifest.answers}
    moved = by_text["Which address for EU clients?"]
    new_steps = library.snapshot(process)["steps"]
    [same_step] = [s for s in new_steps if s["id"] == asked_about["id"]]
    assert moved.position == same_step["position"] != asked_about["position"]
    assert (moved.answer, moved.step_title) == ("The Dublin office.", asked_about["title"])
    assert by_text["Who signs off?"].position is None
    data = page_data(second.package.path)
    [at_step] = [s for s in data["steps"] if s["position"] == moved.position]
    assert at_step["answers"] == [{"question": "Which address for EU clients?",
                                   "answer": "The Dublin office.",
                                   "step_title": asked_about["title"]}]
    assert [a["answer"] for a in data["answers"]] == ["Me."]
    [sent_event] = [e for e in handoffs.events(second.handoff.id) if e.kind is EventKind.SENT]
    assert len(sent_event.data[DELIVERED]) == 2

    # Another assistant gets none of them; Ana's next package carries them no more.
    assert verify_package(send(ben.id, "ben").package.path).answers == ()
    third_package = send(ana.id, "third").package.path
    assert verify_package(third_package).answers == ()
    assert "answers" not in json.loads(zipfile.ZipFile(third_package).read("manifest.json"))


def test_a_manifest_answer_about_a_missing_step_is_refused(
    qapp: Any, library: Library, assistants: Assistants, handoffs: Handoffs, media: MediaStore,
    version: ProcessVersionRow, out_dir: Path, database: Database,
) -> None:
    sent = send_process(library, handoffs, Sending(database.sessions), media, version.process_id,
                        assistants.add(AssistantDraft(name="Ana")).id, out_dir)
    raw = json.loads(zipfile.ZipFile(sent.package.path).read("manifest.json"))
    raw["answers"] = [{"position": 999, "question": "Q", "answer": "A"}]
    with pytest.raises(Invalid, match="step the package does not have"):
        parse_manifest(json.dumps(raw).encode())
    raw["answers"] = [{"position": None, "question": "Q", "answer": 5}]
    with pytest.raises(Invalid, match="'answer' must be text"):
        parse_manifest(json.dumps(raw).encode())
    raw["answers"] = [{"position": None, "question": "Q", "answer": "A"}]
    assert parse_manifest(json.dumps(raw).encode()).answers[0].answer == "A"
