"""The example process shipped with Baton (``resources/examples``), added to a library.

Its description is ``process.json`` (title, summary, time per run, runs per week, and the
steps with their instructions, cautions, screenshot files and click points); the
screenshots go into the library's media store like captured ones, so the example behaves
like any other process: open its steps, send it to yourself, delete it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from baton.core.library import Library, ProcessDraft, ProcessRow
from baton.core.media import MediaStore
from baton.core.states import ProcessStatus
from baton.core.steps import StepContent, Steps
from baton.errors import UserError
from baton.ui.icons import resource_file

EXAMPLE = resource_file("examples", "send-an-invoice")


def add_example(library: Library, steps: Steps, media: MediaStore,
                folder: Path = EXAMPLE) -> ProcessRow:
    """Add the example process (again, if it is there already) and return it.

    Raises:
        UserError: the example's files are missing or damaged (a broken installation).
    """
    try:
        described: dict[str, Any] = json.loads((folder / "process.json").read_text("utf-8"))
        contents = [_step(item, folder, media) for item in described["steps"]]
        draft = ProcessDraft(
            str(described["title"]), summary=str(described.get("summary", "")),
            minutes_per_run=int(described.get("minutes_per_run", 0)),
            runs_per_week=float(described.get("runs_per_week", 0)),
            status=ProcessStatus.READY,
        )
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise UserError(f"The example process that comes with Baton cannot be read ({error}); "
                        "reinstall Baton.") from None
    process = library.add_process(draft)
    for content in contents:
        steps.add(process.id, content)
    return library.get(process.id)


def _step(item: dict[str, Any], folder: Path, media: MediaStore) -> StepContent:
    screenshot = item.get("screenshot")
    key = media.put_bytes((folder / screenshot).read_bytes(), "png") if screenshot else None
    click = item.get("click") or (None, None)
    return StepContent(
        title=str(item.get("title", "")), instruction=str(item.get("instruction", "")),
        caution=str(item.get("caution", "")), screenshot=key,
        click_x=click[0], click_y=click[1],
    )
