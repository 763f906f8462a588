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
from baton.handoff.checklist import ChecklistHeader, render_markdown, write_pdf
from baton.handoff.manifest import Manifest, ProcessInfo, StepEntry
from baton.handoff.redaction import Box, burn_in, validate_redactions
from baton.handoff.viewer import ViewerAssets, embed_json, render_index

HOSTILE = "</script><img src=x onerror=alert(1)> & <!-- \u2028"


def step(position: int, title: str, instruction: str = "", caution: str = "") -> StepEntry:
    return StepEntry(position, title, instruction, caution, None, None, None, [])


def test_redaction_boxes_are_widened_to_whole_pixels() -> None:
    boxes = validate_redactions([{"x": 10.6, "y": 2.2, "w": 5.1, "h": 0.5}])
    assert boxes == [Box(10, 2, 6, 1)]
    assert validate_redactions(None) == []


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("box", "not a list"),
        (["box"], "not an x, y, w, h box"),
        ([{"x": 1, "y": 1, "w": 0, "h": 4}], "no width or height"),
        ([{"x": True, "y": 1, "w": 2, "h": 4}], "'x' is not a number"),
        ([{"x": 1, "y": float("nan"), "w": 2, "h": 4}], "'y' is not a number"),
        ([{"x": 1, "y": 1, "w": 2}], "'h' is not a number"),
        ([{"x": 0, "y": 0, "w": 1, "h": 1}] * 501, "more than 500"),
    ],
)
def test_malformed_redactions_are_refused(value: Any, message: str) -> None:
    with pytest.raises(UserError, match=f"Step 4 has .*{message}|{message}"):
        validate_redactions(value, step=4)


def test_burn_in_covers_clips_and_keeps_the_original() -> None:
    image = np.full((10, 10, 4), 200, np.uint8)
    image[..., 3] = 0  # fully transparent: burned pixels must become opaque
    result = burn_in(image, [Box(-5, -5, 8, 8), Box(50, 50, 5, 5)])
    assert (result[:3, :3, :3] == 0).all()
    assert (result[:3, :3, 3] == 255).all()
    assert (result[3:, 3:] == image[3:, 3:]).all()
    assert (image == 200).sum() == 10 * 10 * 3  # untouched copy


def test_markdown_shows_user_text_literally() -> None:
    header = ChecklistHeader(HOSTILE, "# not a heading\n1. not a list", 3, "Ana", "0" * 32)
    text = render_markdown(
        header, [step(1, "<b>bold</b> *star*", "- item\n+ other", "Watch [this](x)")]
    )
    assert not re.search(r"(?<!\\)<", text)  # every "<" is escaped: no HTML
    assert r"\<b\>bold\</b\> \*star\*" in text
    assert "\\# not a heading" in text
    assert "1\\. not a list" in text
    assert "\\- item\\\n\\+ other" in text
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
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text
    assert json.loads(text) == data


def sample_manifest(title: str) -> Manifest:
    info = ProcessInfo(1, title, "", "internal", "simple", 0, 0.0, 1, "ab" * 32)
    return Manifest("f" * 32, info, 5, "Ana", None, (step(1, title),), ())


def test_viewer_page_inlines_everything_behind_a_strict_policy() -> None:
    assets = ViewerAssets.load()
    page = render_index(assets, sample_manifest(HOSTILE), "slug", {}).decode()
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "<img src=x" not in page
    scripts = re.findall(r"<script>(.*?)</script>", page, re.S)
    styles = re.findall(r"<style>(.*?)</style>", page, re.S)
    assert scripts == [assets.script] and styles == [assets.style]
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert csp is not None
    policy = csp.group(1).replace("&#x27;", "'")
    assert f"script-src 'sha256-{_b64sha(assets.script)}'" in policy
    assert f"style-src 'sha256-{_b64sha(assets.style)}'" in policy
    assert "default-src 'none'" in policy and "connect-src 'none'" in policy
    assert not re.search(r"\b(?:https?|wss?|ftp)://", page)  # nothing from the network
    data = re.search(r'<script type="application/json" id="baton-data">(.*?)</script>', page, re.S)
    assert data is not None and json.loads(data.group(1))["process"]["title"] == HOSTILE


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
