"""Redaction boxes, the Markdown and PDF checklists, and the viewer page."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from typing import Any

import numpy as np
import pytest

from baton.errors import UserError
from baton.handoff.checklist import ChecklistHeader, write_pdf
from baton.handoff.manifest import Manifest, ProcessInfo, StepEntry
from baton.handoff.markdown import render_markdown
from baton.handoff.screenshots import burn_in, checked_marks
from baton.handoff.viewer import ViewerAssets, embed_json, render_index

HOSTILE = "</script><img src=x onerror=alert(1)> & <!-- \u2028"


def step(position: int, title: str, instruction: str = "", caution: str = "") -> StepEntry:
    return StepEntry(position, title, instruction, caution, None, None, None, [])


def test_marks_are_checked_and_widened_to_whole_pixels() -> None:
    step = {"redactions": [{"x": 10.6, "y": 2.2, "w": 5.1, "h": 0.5}], "annotations": None}
    annotations, redactions = checked_marks(step, 4)
    assert annotations == []
    assert redactions == [{"x": 10, "y": 2, "w": 6, "h": 1}]


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ({"redactions": "box"}, "not a list"),
        ({"redactions": [{"x": 1, "y": 1, "w": 0, "h": 4}]}, "no width or height"),
        ({"redactions": [{"x": True, "y": 1, "w": 2, "h": 4}]}, "'x'"),
        ({"redactions": [{"x": 1, "y": float("nan"), "w": 2, "h": 4}]}, "'y'"),
        ({"annotations": [{"kind": "scribble"}]}, "unknown kind"),
    ],
)
def test_malformed_marks_are_refused_naming_the_step(step: dict[str, Any], message: str) -> None:
    with pytest.raises(UserError, match=f"^Step 4: .*{message}"):
        checked_marks(step, 4)


def test_burn_in_paints_marks_blacks_out_redactions_and_crops(qapp: Any) -> None:
    image = np.full((100, 200, 3), 200, np.uint8)
    marks = [
        {"kind": "rect", "x": 20, "y": 20, "w": 60, "h": 40},
        {"kind": "crop", "x": 10, "y": 10, "w": 150, "h": 80},
    ]
    boxes = [{"x": 100, "y": 30, "w": 30, "h": 20}]
    result, offset = burn_in(image, marks, boxes)
    assert offset == (10, 10)
    assert result.shape == (80, 150, 4)
    assert (result[20:40, 90:120, :3] == 0).all()  # the redaction, moved by the crop
    assert (result[..., 3] == 255).all()
    edge = result[10, 10:70]  # the rectangle's top edge, in the default red
    assert (edge[:, 2] > 180).any()
    assert (edge[:, 1] < 100).any()
    assert (image == 200).all()  # the original is untouched


def test_a_redaction_that_does_not_come_out_black_stops_the_export(
    qapp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton.handoff import screenshots

    monkeypatch.setattr(screenshots, "render", lambda image, annotations, redactions: image)
    with pytest.raises(screenshots.RedactionNotBurnedIn):
        burn_in(np.full((50, 50, 3), 90, np.uint8), [], [{"x": 5, "y": 5, "w": 10, "h": 10}])


def test_markdown_shows_user_text_literally() -> None:
    header = ChecklistHeader(HOSTILE, "# not a heading\n1. not a list", 3, "Ana", "0" * 32)
    text = render_markdown(
        header, [step(1, "<b>bold</b> *star*", "- **item**\n+ other", "Watch [this](x)")]
    )
    assert not re.search(r"(?<!\\)<", text)  # every "<" is escaped: no HTML
    assert r"\<b\>bold\</b\> \*star\*" in text
    assert "\\# not a heading" in text
    assert "1\\. not a list" in text
    # "- " lines are a list and **bold** is bold, as in the viewer; anything else is literal.
    assert "- **item**\n\n\\+ other" in text
    assert r"Watch \[this\]\(x\)" in text
    assert "## 1. " in text


def test_pdf_is_valid_paginates_and_has_fixed_dates(qapp: Any) -> None:
    header = ChecklistHeader("Payroll", "Fortnightly", 2, None, "1" * 32)
    long_text = "\n".join(f"Line {n} of a very long instruction." for n in range(200))
    steps = [(step(1, "Short"), None), (step(2, "Long", long_text, "Careful"), None)]
    target = io.BytesIO()
    with pytest.raises(io.UnsupportedOperation):
        write_pdf(target, header, steps)  # needs a real file descriptor
    import tempfile

    with tempfile.TemporaryFile() as handle:
        write_pdf(handle, header, steps)
        handle.seek(0)
        pdf = handle.read()
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3
    assert re.findall(rb"/CreationDate \(D:(\d{14})", pdf) == [b"20000101000000"]


def test_embedded_json_cannot_close_its_script_block() -> None:
    data = {"title": HOSTILE}
    text = embed_json(data)
    assert "<" not in text
    assert ">" not in text
    assert "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == data


def sample_manifest(title: str) -> Manifest:
    info = ProcessInfo(1, title, "", "internal", "simple", 0, 0.0, 1, "ab" * 32)
    return Manifest("f" * 32, info, 5, "Ana", None, (step(1, title),), ())


def test_viewer_page_inlines_everything_behind_a_strict_policy() -> None:
    assets = ViewerAssets.load()
    page = render_index(assets, sample_manifest(HOSTILE), "slug", {}).decode()
    assert page.count("<script") == 2
    assert page.count("</script>") == 2
    assert "<img src=x" not in page
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert scripts == [assets.script]
    assert styles == [assets.style]
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None
    policy = csp.group(1).replace("&#x27;", "'")
    assert f"script-src 'sha256-{_b64sha(assets.script)}'" in policy
    assert f"style-src 'sha256-{_b64sha(assets.style)}'" in policy
    assert "default-src 'none'" in policy
    assert "connect-src 'none'" in policy
    assert not re.search(r"\b(?:https?|wss?|ftp)://", page)  # nothing from the network
    data = re.search(r'<script type="application/json" id="baton-data">(.*?)</script>', page, re.S)
    assert data is not None
    assert json.loads(data.group(1))["process"]["title"] == HOSTILE


def test_viewer_script_never_inserts_html() -> None:
    script = ViewerAssets.load().script
    for sink in (
        "innerHTML",
        "outerHTML",
        "insertAdjacentHTML",
        "document.write",
        "eval(",
        "new Function",
        'setAttribute("on',
        "srcdoc",
    ):
        assert sink not in script, sink


def _b64sha(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


PDF_CHILD = r"""
import sys, tempfile
from PySide6.QtGui import QGuiApplication
from baton.handoff.checklist import ChecklistHeader, write_pdf
from baton.handoff.manifest import StepEntry

app = QGuiApplication([])
step = StepEntry(1, "Open the ledger", "Check totals", "", None, None, None, [])
with tempfile.TemporaryFile() as handle:
    write_pdf(handle, ChecklistHeader("Payroll", "", 2, None, "1" * 32), [(step, None)])
    handle.seek(0)
    sys.stdout.buffer.write(handle.read())
"""


def test_pdf_bytes_are_the_same_in_every_process_and_time_zone() -> None:
    import os
    import subprocess
    import sys

    pdfs = []
    for zone in ("UTC", "Asia/Kolkata", "America/St_Johns"):
        env = dict(os.environ, TZ=zone, QT_QPA_PLATFORM="offscreen")
        done = subprocess.run(
            [sys.executable, "-c", PDF_CHILD], env=env, capture_output=True, check=True, timeout=60
        )
        pdfs.append(done.stdout)
    assert b"/CreationDate (D:20000101000000Z)" in pdfs[1]
    assert pdfs[0] == pdfs[1] == pdfs[2]
    check_xref(pdfs[1])


def check_xref(pdf: bytes) -> None:
    """Every object the cross-reference table lists starts where it says."""
    xref = int(re.findall(rb"startxref\s+(\d+)", pdf)[-1])
    assert pdf[xref:].startswith(b"xref\n0 ")
    entries = re.findall(rb"(\d{10}) \d{5} ([nf])", pdf[xref:].split(b"trailer")[0])
    assert len(entries) >= 5
    for number, (offset, kind) in enumerate(entries):
        if kind == b"n":
            assert pdf[int(offset) :].startswith(b"%d 0 obj" % number), number


def fake_qt_pdf(stamp: bytes, stream_bytes: int) -> bytes:
    """A PDF laid out as Qt writes it: the info dictionary first, a classic xref table."""
    rng = np.random.default_rng(3)
    body = [b"%PDF-1.4\n"]
    offsets = []
    info = b"1 0 obj\n<<\n/CreationDate " + stamp + b"\n/ModDate " + stamp + b"\n>>\nendobj\n"
    for number in range(1, 5):
        offsets.append(sum(map(len, body)))
        if number == 1:
            body.append(info)
        else:
            data = rng.integers(0, 255, stream_bytes, dtype=np.uint8).tobytes()
            body.append(
                b"%d 0 obj\n<< /Length %d >>\nstream\n" % (number, len(data))
                + data
                + b"\nendstream\nendobj\n"
            )
    xref_at = sum(map(len, body))
    body.append(b"xref\n0 5\n0000000000 65535 f \n")
    body += [b"%010d 00000 n \n" % offset for offset in offsets]
    body.append(b"trailer\n<<\n/Size 5 \n/Info 1 0 R\n>>\nstartxref\n%d \n%%%%EOF\n" % xref_at)
    return b"".join(body)


@pytest.mark.parametrize("stamp", [b"(D:20261128173032+05'30')", b"(D:20261128173032Z)"])
def test_fixing_dates_moves_objects_and_keeps_the_xref_true(stamp: bytes) -> None:
    import tempfile

    from baton.handoff.pdfdates import fix_dates

    original = fake_qt_pdf(stamp, 900_000)  # streams span more than one copy chunk
    with tempfile.TemporaryFile() as handle:
        handle.write(b"something before the PDF")
        start = handle.tell()
        handle.write(original)
        fix_dates(handle, start)
        handle.seek(start)
        fixed = handle.read()
    assert fixed.count(b"(D:20000101000000Z)") == 2
    assert len(original) - len(fixed) == 2 * (len(stamp) - len(b"(D:20000101000000Z)"))
    assert fixed == fake_qt_pdf(b"(D:20000101000000Z)", 900_000)
    check_xref(fixed)
