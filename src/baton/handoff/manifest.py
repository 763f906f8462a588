"""``manifest.json``: what a handoff package contains, format 2 (format 1 is still read).

The manifest names the process and version, the handoff it was made for (if any) with the
secret its receipts are signed with, the steps as the viewer and an importing Baton need
them, and every other file in the zip with its SHA-256 and size. Parsing treats the
manifest as hostile input: every field is type- and size-checked, every file name must be
one a package has, and a newer format version is refused with a message saying so. The
fields and limits are specified in docs/package-format.md; change both together.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from baton.core.states import Audience, Complexity
from baton.handoff import fields
from baton.handoff.answers import AnswerEntry, parse_answers
from baton.handoff.fields import Invalid

FORMAT = "baton-handoff"
FORMAT_VERSION = 2  # 2: the handoff carries a receipt key (receipts are signed)
MANIFEST_NAME = "manifest.json"
VIDEO_NAME = "video/walkthrough.mp4"
PAGE_NAME = "index.html"
MARKDOWN_NAME = "checklist.md"
PDF_NAME = "checklist.pdf"
SCREENSHOT_NAME = re.compile(r"^steps/[0-9]{3,7}\.(?:png|jpg|jpeg)$")
RECEIPT_KEY = re.compile(r"^[0-9a-f]{64}$")

MAX_STEPS = 2000
MAX_FILES = 5000
MAX_TITLE = 500
MAX_TEXT = 100_000
MAX_ANNOTATIONS_JSON = 100_000
MAX_ID = 2**53
MAX_VIDEO_SECONDS = 24 * 3600.0

# Names inside a package: relative, forward slashes, plain characters, no "." or ".." parts.
SAFE_NAME = re.compile(
    r"^(?!.*(?:^|/)\.{1,2}(?:/|$))[A-Za-z0-9_-][A-Za-z0-9._-]*"
    r"(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$"
)


@dataclass(frozen=True)
class FileEntry:
    """One file in the package (every file but the manifest itself)."""

    path: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class StepEntry:
    """One step as the package shows it."""

    position: int
    title: str
    instruction: str
    caution: str
    screenshot: str | None
    video_time: float | None
    click: tuple[int, int] | None
    annotations: list[Any]


@dataclass(frozen=True)
class ProcessInfo:
    """The process version a package was made from."""

    id: int
    title: str
    summary: str
    audience: str
    complexity: str
    minutes_per_run: int
    runs_per_week: float
    version: int
    content_hash: str


@dataclass(frozen=True)
class Manifest:
    """A parsed, validated ``manifest.json``."""

    package_id: str
    process: ProcessInfo
    handoff_id: int | None
    assistant: str | None
    video: str | None
    steps: tuple[StepEntry, ...]
    files: tuple[FileEntry, ...]
    answers: tuple[AnswerEntry, ...] = ()  # the owner's answers to this assistant's questions
    format_version: int = FORMAT_VERSION
    receipt_key: str | None = None  # format 2, when sent to someone

    @property
    def signs_receipts(self) -> bool:
        """Whether the page in this package signs the receipts it saves (format 2)."""
        return self.receipt_key is not None

    def file(self, path: str) -> FileEntry:
        """The entry for ``path``; raises ``KeyError`` if the manifest does not list it."""
        for entry in self.files:
            if entry.path == path:
                return entry
        raise KeyError(path)

    def to_json(self) -> dict[str, Any]:
        """The manifest as plain JSON data (what ``manifest.json`` holds)."""
        process = self.process
        handoff: dict[str, Any] | None = None
        if self.handoff_id is not None:
            handoff = {"id": self.handoff_id, "assistant": self.assistant or ""}
            if self.format_version >= 2:
                handoff["receipt_key"] = self.receipt_key
        written: dict[str, Any] = {
            "format": FORMAT,
            "format_version": self.format_version,
            "package_id": self.package_id,
            "process": {
                "id": process.id,
                "title": process.title,
                "summary": process.summary,
                "audience": process.audience,
                "complexity": process.complexity,
                "minutes_per_run": process.minutes_per_run,
                "runs_per_week": process.runs_per_week,
                "version": process.version,
                "content_hash": process.content_hash,
            },
            "handoff": handoff,
            "video": self.video,
            "steps": [
                {
                    "position": step.position,
                    "title": step.title,
                    "instruction": step.instruction,
                    "caution": step.caution,
                    "screenshot": step.screenshot,
                    "video_time": step.video_time,
                    "click": list(step.click) if step.click is not None else None,
                    "annotations": step.annotations,
                }
                for step in self.steps
            ],
            "files": [
                {"path": entry.path, "sha256": entry.sha256, "bytes": entry.bytes}
                for entry in self.files
            ],
        }
        if self.answers:  # absent when there are none, so other packages stay as they were
            written["answers"] = [answer.to_json() for answer in self.answers]
        return written

    def encode(self) -> bytes:
        """Deterministic UTF-8 JSON bytes for ``manifest.json``."""
        return (
            json.dumps(self.to_json(), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
        ).encode("utf-8")


def make_package_id(
    process_id: int,
    version: int,
    content_hash: str,
    handoff_id: int | None,
    format_version: int = FORMAT_VERSION,
) -> str:
    """The package id: derived from what the package is, so a rebuild gets the same id.

    A receipt carries this id back; Baton recomputes it from the handoff to check that the
    receipt belongs to the package that was sent. It is not a secret (the receipt key is).
    """
    basis = f"{FORMAT}/{format_version}|{process_id}|{version}|{content_hash}|{handoff_id}"
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def parse_manifest(data: bytes) -> Manifest:
    """Parse and validate ``manifest.json`` bytes from a package.

    Raises:
        Invalid: the manifest is not valid JSON, not a Baton manifest, from a newer format
            version, or has a missing or malformed field.
    """
    raw = fields.load_json(data, "The package's manifest.json")
    top = fields.as_object(raw, "The package's manifest.json")
    if top.get("format") != FORMAT:
        raise Invalid("This zip is not a Baton handoff package (its manifest has another format).")
    version = top.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise Invalid("The package's manifest has no valid format version.")
    if version > FORMAT_VERSION:
        raise Invalid(
            f"This package uses format version {version}, made by a newer Baton; "
            "update Baton to open it."
        )
    what = "The package's manifest"
    package_id = fields.text(top, "package_id", what, max_len=64)
    if not re.fullmatch(r"[0-9a-f]{32}", package_id):
        raise Invalid(f"{what} has a malformed package id.")
    process = _process(fields.as_object(top.get("process"), f"{what}'s process"))
    handoff_id, assistant, receipt_key = _handoff(top.get("handoff"), version)
    files = _files(fields.as_list(top.get("files"), f"{what}'s file list", max_items=MAX_FILES))
    listed = {entry.path for entry in files}
    video = fields.optional_text(top, "video", what, max_len=200)
    if video is not None and (video != VIDEO_NAME or video not in listed):
        raise Invalid(f"{what} names a video that is not {VIDEO_NAME} in its file list.")
    steps = tuple(
        _step(item, index, listed)
        for index, item in enumerate(
            fields.as_list(top.get("steps"), f"{what}'s steps", max_items=MAX_STEPS), start=1
        )
    )
    if len({step.position for step in steps}) != len(steps):
        raise Invalid(f"{what} lists two steps with the same position.")
    answers = parse_answers(top.get("answers"), {step.position for step in steps})
    return Manifest(
        package_id=package_id,
        process=process,
        handoff_id=handoff_id,
        assistant=assistant,
        video=video,
        steps=steps,
        files=files,
        format_version=version,
        receipt_key=receipt_key,
        answers=answers,
    )


def file_kind(path: str) -> str | None:
    """What a file in a package is, from its name: ``page``, ``markdown``, ``pdf``,
    ``video``, ``screenshot``; None for a name no package has."""
    if SCREENSHOT_NAME.match(path):
        return "screenshot"
    return {
        PAGE_NAME: "page",
        MARKDOWN_NAME: "markdown",
        PDF_NAME: "pdf",
        VIDEO_NAME: "video",
    }.get(path)


def _process(obj: dict[str, Any]) -> ProcessInfo:
    what = "The package's process"
    return ProcessInfo(
        id=fields.integer(obj, "id", what, minimum=1, maximum=MAX_ID),
        title=fields.text(obj, "title", what, max_len=MAX_TITLE),
        summary=fields.text(obj, "summary", what, max_len=MAX_TEXT, default=""),
        audience=fields.text(obj, "audience", what, max_len=32, default=Audience.INTERNAL.value),
        complexity=fields.text(obj, "complexity", what, max_len=32,
                               default=Complexity.SIMPLE.value),
        minutes_per_run=fields.integer(obj, "minutes_per_run", what, minimum=0, maximum=1440)
        if obj.get("minutes_per_run") is not None
        else 0,
        runs_per_week=fields.optional_number(obj, "runs_per_week", what, minimum=0, maximum=1000)
        or 0.0,
        version=fields.integer(obj, "version", what, minimum=0, maximum=MAX_ID),
        content_hash=fields.sha256(obj, "content_hash", what),
    )


def _handoff(value: Any, format_version: int) -> tuple[int | None, str | None, str | None]:
    if value is None:
        return None, None, None
    obj = fields.as_object(value, "The package's handoff")
    what = "The package's handoff"
    receipt_key = None
    if format_version >= 2:
        receipt_key = obj.get("receipt_key")
        if not isinstance(receipt_key, str) or not RECEIPT_KEY.match(receipt_key):
            raise Invalid(f"{what} has no valid receipt key.")
    return (
        fields.integer(obj, "id", what, minimum=1, maximum=MAX_ID),
        fields.text(obj, "assistant", what, max_len=200, default=""),
        receipt_key,
    )


def _files(items: list[Any]) -> tuple[FileEntry, ...]:
    entries: list[FileEntry] = []
    seen: set[str] = set()
    for item in items:
        obj = fields.as_object(item, "A file in the package's manifest")
        what = "A file in the package's manifest"
        path = fields.text(obj, "path", what, max_len=200)
        if not SAFE_NAME.match(path) or path == MANIFEST_NAME:
            raise Invalid(f"The package's manifest lists a file with an unsafe name: {path!r}.")
        if file_kind(path) is None:
            raise Invalid(f"The package's manifest lists {path!r}, which no package holds.")
        if path.casefold() in seen:
            raise Invalid(f"The package's manifest lists {path!r} twice.")
        seen.add(path.casefold())
        entries.append(
            FileEntry(
                path=path,
                sha256=fields.sha256(obj, "sha256", what),
                bytes=fields.integer(obj, "bytes", what, minimum=0, maximum=2**53),
            )
        )
    return tuple(entries)


def _step(value: Any, index: int, listed: set[str]) -> StepEntry:
    what = f"Step {index} in the package's manifest"
    obj = fields.as_object(value, what)
    screenshot = fields.optional_text(obj, "screenshot", what, max_len=200)
    if screenshot is not None and (
        not SCREENSHOT_NAME.match(screenshot) or screenshot not in listed
    ):
        raise Invalid(f"{what} names a screenshot that is not a picture in the file list.")
    click = _click(obj.get("click"), what)
    annotations = obj.get("annotations") or []
    if not isinstance(annotations, list):
        raise Invalid(f"{what}: 'annotations' must be a list.")
    try:
        size = len(json.dumps(annotations))
    except (ValueError, RecursionError):
        raise Invalid(f"{what} has malformed annotations.") from None
    if size > MAX_ANNOTATIONS_JSON:
        raise Invalid(f"{what} has too many annotations.")
    return StepEntry(
        position=fields.integer(obj, "position", what, minimum=0, maximum=MAX_STEPS * 1000),
        title=fields.text(obj, "title", what, max_len=MAX_TITLE, default=""),
        instruction=fields.text(obj, "instruction", what, max_len=MAX_TEXT, default=""),
        caution=fields.text(obj, "caution", what, max_len=MAX_TEXT, default=""),
        screenshot=screenshot,
        video_time=fields.optional_number(
            obj, "video_time", what, minimum=0.0, maximum=MAX_VIDEO_SECONDS
        ),
        click=click,
        annotations=annotations,
    )


def _click(value: Any, what: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not all(0 <= v <= 100_000 for v in value)
    ):
        raise Invalid(f"{what} has a malformed click point.")
    return value[0], value[1]
