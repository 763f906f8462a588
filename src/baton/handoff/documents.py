"""Turn a version's steps into package files: marked-up screenshots and the PDF checklist.

Each screenshot is read and checked against its media key once, on a worker thread; its
annotations and redactions are burned in, the result goes into the media store (when it
differs from the stored original) with its CRC-32 for the zip, and it is handed, reduced,
to the PDF painter, then dropped. A few screenshots are in flight at a time, so memory
stays flat however many steps there are.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any, BinaryIO

from baton.core.marks import Annotation, RedactionBox
from baton.core.media import MediaStore
from baton.errors import UserError
from baton.handoff.checklist import ChecklistHeader, PdfPicture, reduce_for_pdf, write_pdf
from baton.handoff.manifest import MAX_STEPS, StepEntry
from baton.handoff.screenshots import (
    burn_in,
    checked_marks,
    decode_image,
)
from baton.util.images import encode_png, is_png

WORKERS = 2  # screenshots decode and encode in parallel (cv2 releases the GIL)
LOOKAHEAD = 4  # screenshots in flight at once: bounds memory to a few decoded images


@dataclass(frozen=True)
class PlannedStep:
    """A step of the version, with where its screenshot comes from and what to cover."""

    entry: StepEntry
    media_key: str | None
    annotations: list[Annotation]
    redactions: list[RedactionBox]

    @property
    def needs_painting(self) -> bool:
        """Whether the stored screenshot must be redrawn (marks to burn in)."""
        return bool(self.annotations or self.redactions)


@dataclass(frozen=True)
class Shot:
    """A screenshot ready for the zip: the stored original, or the marked-up copy stored."""

    name: str
    media_key: str
    sha256: str
    size: int
    crc32: int
    width: int
    height: int
    click: tuple[int, int] | None  # in this picture's pixels (after any crop)


def plan_steps(snapshot: Mapping[str, Any]) -> list[PlannedStep]:
    """Read and check the steps of a version snapshot, in order, naming their screenshots.

    Raises:
        UserError: a step has malformed annotations or redactions, or there are too many.
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
            annotations=[],
        )
        annotations, redactions = checked_marks(step, number)
        # Marks are burned into the package's pixels; the manifest lists them for reference.
        entry = replace(entry, annotations=annotations)
        planned.append(PlannedStep(entry, key, annotations, redactions))
    return planned


def prepare_documents(
    steps: list[PlannedStep],
    media: MediaStore,
    header: ChecklistHeader,
    pdf: BinaryIO,
    *,
    check_cancel: Callable[[], None],
    on_step: Callable[[], None],
) -> dict[int, Shot]:
    """Store the marked-up screenshots in ``media`` and write the PDF checklist to ``pdf``.

    Returns:
        The screenshot of each step that has one, by step position.

    Raises:
        UserError: a screenshot is missing, damaged or not an image, or cannot be stored.
    """
    shots: dict[int, Shot] = {}
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="baton-screenshots") as pool:
        pending: deque[tuple[PlannedStep, Future[_Prepared] | None]] = deque()
        queue = iter(enumerate(steps, start=1))

        def top_up() -> None:
            while len(pending) < LOOKAHEAD:
                item = next(queue, None)
                if item is None:
                    return
                number, step = item
                job = pool.submit(_prepare, step, number, media) if step.media_key else None
                pending.append((step, job))

        def pictures() -> Iterator[tuple[StepEntry, PdfPicture | None]]:
            top_up()
            while pending:
                check_cancel()
                step, job = pending.popleft()
                top_up()
                if job is None or step.entry.screenshot is None:
                    on_step()
                    yield step.entry, None
                    continue
                prepared = job.result()
                width, height = prepared.picture.size
                shots[step.entry.position] = Shot(
                    step.entry.screenshot,
                    prepared.media_key,
                    prepared.media_key.split(".", 1)[0],
                    prepared.size,
                    prepared.crc32,
                    width,
                    height,
                    prepared.picture.click,
                )
                on_step()
                yield replace(step.entry, click=prepared.picture.click), prepared.picture

        try:
            write_pdf(pdf, header, pictures(), check_cancel=check_cancel)
        finally:
            for _, job in pending:
                if job is not None:
                    job.cancel()
    return shots


@dataclass(frozen=True)
class _Prepared:
    media_key: str  # the stored original, or the marked-up (or converted) PNG stored
    size: int
    crc32: int
    picture: PdfPicture


def _prepare(step: PlannedStep, number: int, media: MediaStore) -> _Prepared:
    """Read, check, mark up and shrink one screenshot (runs on a worker thread)."""
    assert step.media_key is not None
    data = media.read_bytes(step.media_key, verify=True)
    image = decode_image(data, what=f"The screenshot of step {number}")
    offset = (0, 0)
    key, size, crc = step.media_key, len(data), zlib.crc32(data)
    if step.needs_painting or not is_png(data):
        image, offset = burn_in(image, step.annotations, step.redactions)
        png = encode_png(image)
        key, size, crc = media.put_bytes(png, "png"), len(png), zlib.crc32(png)
        del png
    del data
    height, width = image.shape[:2]
    click = step.entry.click
    if click is not None:
        click = (click[0] - offset[0], click[1] - offset[1])
    click = clamp_click(replace(step.entry, click=click), width, height).click
    return _Prepared(
        media_key=key,
        size=size,
        crc32=crc,
        picture=PdfPicture(reduce_for_pdf(image), (width, height), click),
    )


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
