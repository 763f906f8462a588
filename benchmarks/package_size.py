"""Package size against the step pictures it holds, for 60 and 500 steps.

Each step has a 1280x720 screenshot of a real Qt form (a toolbar, a heading, a table of
text: what step pictures mostly show), stored as step capture stores it
(``capture.steps.render.encode_png``). A process of ``--steps`` such steps is frozen and
exported with ``build_package`` (no video, so the package is pictures, PDF and texts).
Printed, per step count: the sum of the step pictures, the PDF, the whole zip, their
ratios, and the export time; and, as the reference, the PDF as Qt paints it when every
picture goes through its JPEG encoder at quality 94 (what Baton did before), painted from
the same pictures in the same run.

    .venv/bin/python benchmarks/package_size.py [--steps 60 500]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def make_library(data: Path, steps: int) -> tuple[Any, int, int]:
    """A library with one process of ``steps`` steps; returns services, process id, bytes."""
    from baton.capture.steps.render import encode_png  # what step capture stores
    from baton.core.library import ProcessDraft
    from baton.core.steps import StepContent
    from baton.services import open_services
    from helpers.images import ui_screenshot

    services = open_services(str(data))
    row = services.library.add_process(ProcessDraft(f"{steps} steps"))
    pictures = 0
    for number in range(steps):
        png = encode_png(ui_screenshot(number)[:, :, :3])
        pictures += len(png)
        key = services.media.put_bytes(png, "png")
        services.steps.add(row.id, StepContent(title=f"Step {number}", screenshot=key,
                                               instruction="Check the total, then save."))
    return services, row.id, pictures


def paint_pdf(services: Any, process_id: int, jpeg_only: bool) -> tuple[int, float]:
    """The checklist's size and painting time; ``jpeg_only`` paints it the old way, every
    picture through Qt's JPEG at quality 94 (the reference)."""
    from baton.handoff import checklist
    from baton.handoff.documents import plan_steps, prepare_documents

    version = services.library.freeze_version(process_id)
    header = checklist.ChecklistHeader("Reference", "", 1, None, "0" * 32)
    original = checklist.prefers_lossless
    if jpeg_only:
        checklist.prefers_lossless = lambda image: False  # type: ignore[assignment]
    try:
        with tempfile.TemporaryFile() as handle:
            started = time.perf_counter()
            prepare_documents(plan_steps(version.snapshot), services.media, header, handle,
                              check_cancel=lambda: None, on_step=lambda: None)
            seconds = time.perf_counter() - started
            handle.seek(0, 2)
            return handle.tell(), seconds
    finally:
        checklist.prefers_lossless = original  # type: ignore[assignment]


def measure(steps: int) -> dict[str, Any]:
    from baton.handoff.package import build_package

    with tempfile.TemporaryDirectory(prefix="baton-size-") as folder:
        services, process_id, pictures = make_library(Path(folder) / "library", steps)
        try:
            version = services.library.freeze_version(process_id)
            started = time.perf_counter()
            package = build_package(version, services.media, Path(folder) / "package.zip")
            seconds = time.perf_counter() - started
            with zipfile.ZipFile(package.path) as archive:
                pdf = archive.getinfo("checklist.pdf").file_size
            _size, pdf_seconds = paint_pdf(services, process_id, jpeg_only=False)
            reference, reference_seconds = paint_pdf(services, process_id, jpeg_only=True)
        finally:
            services.close()
    return {
        "steps": steps,
        "pictures_mb": round(pictures / 1e6, 2),
        "pdf_mb": round(pdf / 1e6, 2),
        "zip_mb": round(package.size / 1e6, 2),
        "pdf_to_pictures": round(pdf / pictures, 2),
        "zip_to_pictures": round(package.size / pictures, 2),
        "export_seconds": round(seconds, 1),
        "pdf_seconds": round(pdf_seconds, 1),
        "reference_jpeg_pdf_mb": round(reference / 1e6, 2),
        "reference_jpeg_pdf_to_pictures": round(reference / pictures, 2),
        "reference_jpeg_pdf_seconds": round(reference_seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[60, 500])
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(["benchmark"])
    results = [measure(steps) for steps in args.steps]
    del app
    print(json.dumps({"runs": results}, indent=2))


if __name__ == "__main__":
    main()
