"""Turn a version's steps into package files: redacted screenshots and the PDF checklist.

Each screenshot is decoded once; its redactions are burned in, the result is kept for the
zip (in a scratch file, when it differs from the stored original) and handed to the PDF
painter, then dropped. Memory holds one screenshot at a time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from baton.core.media import MediaStore
from baton.errors import UserError
from baton.handoff.checklist import ChecklistHeader, write_pdf
from baton.handoff.manifest import MAX_STEPS, StepEntry
from baton.handoff.redaction import (
    Box,
    Image,
    burn_in,
    decode_image,
    encode_png,
    is_png,
    validate_redactions,
)
from baton.handoff.zipwriter import Slice


@dataclass(frozen=True)
class PlannedStep:
    """A step of the version, with where its screenshot comes from and what to cover."""

    entry: StepEntry
    media_key: str | None
    boxes: list[Box]


@dataclass(frozen=True)
class Shot:
    """A screenshot ready for the zip: a slice of the scratch file, or the stored original."""

    name: str
    staged: Slice | None
    media_key: str | None
    sha256: str
    width: int
    height: int


def plan_steps(snapshot: Mapping[str, Any]) -> list[PlannedStep]:
    """Read and check the steps of a version snapshot, in order, naming their screenshots.

    Raises:
        UserError: a step has malformed redactions, or there are too many steps.
    """
    raw_steps = snapshot.get("steps") or []
    if not isinstance(raw_steps, list):
        raise UserError("This process version has no readable list of steps.")
    if len(raw_steps) > MAX_STEPS:
        raise UserError(f"A package can hold at most {MAX_STEPS} steps.")
    indexed = [(index, step) for index, step in enumerate(raw_steps) if isinstance(step, dict)]
    indexed.sort(key=lambda pair: (_int(pair[1].get("position"), 0), pair[0]))
    ordered = [step for _, step in indexed]
    planned = []
    used_positions: set[int] = set()
    for number, step in enumerate(ordered, start=1):
        position = _int(step.get("position"), number)
        if position in used_positions or position < 0:
            position = max(used_positions | {number}) + 1
        used_positions.add(position)
        key = step.get("screenshot") if isinstance(step.get("screenshot"), str) else None
        click = step.get("click")
        entry = StepEntry(
            position=position,
            title=_str(step.get("title")),
            instruction=_str(step.get("instruction")),
            caution=_str(step.get("caution")),
            screenshot=f"steps/{number:03d}.png" if key else None,
            video_time=_time(step.get("video_time")),
            click=(int(click[0]), int(click[1]))
            if isinstance(click, list | tuple)
            and len(click) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in click)
            else None,
            annotations=list(step.get("annotations") or []),
        )
        boxes = validate_redactions(step.get("redactions"), step=number)
        planned.append(PlannedStep(entry=entry, media_key=key, boxes=boxes))
    return planned


def prepare_documents(
    steps: list[PlannedStep],
    media: MediaStore,
    header: ChecklistHeader,
    staging: BinaryIO,
    pdf: BinaryIO,
    *,
    check_cancel: Callable[[], None],
    on_step: Callable[[], None],
) -> dict[int, Shot]:
    """Write redacted screenshots to ``staging`` and the PDF checklist to ``pdf``.

    Returns:
        The screenshot of each step that has one, by step position.

    Raises:
        UserError: a screenshot is missing, damaged or not an image.
    """
    shots: dict[int, Shot] = {}

    def with_images() -> Iterator[tuple[StepEntry, Image | None]]:
        for number, step in enumerate(steps, start=1):
            check_cancel()
            if step.media_key is None or step.entry.screenshot is None:
                on_step()
                yield step.entry, None
                continue
            data = media.read_bytes(step.media_key, verify=True)
            image = decode_image(data, what=f"The screenshot of step {number}")
            height, width = image.shape[:2]
            if step.boxes or not is_png(data):
                image = burn_in(image, step.boxes)
                data = encode_png(image)
                offset = staging.seek(0, 2)
                staging.write(data)
                shot = Shot(
                    step.entry.screenshot,
                    Slice(staging, offset, len(data)),
                    None,
                    hashlib.sha256(data).hexdigest(),
                    width,
                    height,
                )
            else:
                shot = Shot(
                    step.entry.screenshot,
                    None,
                    step.media_key,
                    step.media_key.split(".", 1)[0],
                    width,
                    height,
                )
            del data
            shots[step.entry.position] = shot
            on_step()
            yield clamp_click(step.entry, width, height), image

    write_pdf(pdf, header, with_images(), check_cancel=check_cancel)
    staging.flush()
    return shots


def clamp_click(entry: StepEntry, width: int, height: int) -> StepEntry:
    """Drop a click point that lies outside its screenshot."""
    if entry.click is None:
        return entry
    x, y = entry.click
    if 0 <= x < width and 0 <= y < height:
        return entry
    return replace(entry, click=None)


def _int(value: Any, default: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        return default
    return value


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _time(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if value != value or value < 0 or value > 24 * 3600:  # NaN, negative or absurd
        return None
    return float(value)
