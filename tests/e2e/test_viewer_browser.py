"""The exported viewer in real headless Chromium, opened from file:// as an assistant would.

Plays the video, jumps by chapter, ticks steps, writes a note and a question, saves the
receipt and imports it back into Baton. Also: hostile titles render as text and run nothing,
missing files explain themselves, and the page fits a phone.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from baton.core.assistants import AssistantDraft, Assistants
from baton.core.db import Database, open_database, sqlite_url
from baton.core.handoffs import Handoffs
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.models import HandoffStatus
from baton.core.receipts import Receipts
from baton.handoff.package import PackageInfo, build_package
from baton.handoff.receipt import import_receipt
from helpers import builders

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
XSS = '<img src=x onerror="window.__pwned=1;alert(1)">'


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright import sync_api

    # scripts/test installs Debian's chromium; without it these tests fail, never skip.
    assert CHROMIUM.exists(), "Debian's chromium is missing: run scripts/test as root once"
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@dataclass
class Sent:
    """A handoff that was sent, its unpacked package, and the services to check it."""

    folder: Path
    package: PackageInfo
    handoff_id: int
    handoffs: Handoffs
    library: Library
    receipts: Receipts

    def import_receipt(self, path: Path) -> Any:
        return import_receipt(path, self.handoffs, self.library, self.receipts)

    @property
    def url(self) -> str:
        return (self.folder / "index.html").as_uri()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(sqlite_url(tmp_path / "baton.db"))
    yield db
    db.close()


def send(
    qapp: Any, database: Database, tmp_path: Path, steps: list[Any], title: str, video: bool = True
) -> Sent:
    media = MediaStore(tmp_path / "media")
    clip = builders.make_mp4(tmp_path / "clip.mp4") if video else None
    version = builders.seed_process(database, media, title=title, steps=steps, video=clip)
    handoffs, library = Handoffs(database.sessions), Library(database.sessions)
    receipts = Receipts(database.sessions)
    assistant = Assistants(database.sessions).add(AssistantDraft(name="Ana Reyes"))
    handoff = handoffs.create(version.id, assistant.id)
    package = build_package(
        version, media, tmp_path / "package.zip", handoff_id=handoff.id, assistant=assistant.name,
        receipt_key=receipts.key(handoff.id),
    )
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(folder)  # our own, just-verified-by-construction package
    return Sent(folder, package, handoff.id, handoffs, library, receipts)


def open_page(
    browser: Any, url: str, viewport: tuple[int, int] = (1280, 800)
) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=True
    )
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "dialog", lambda dialog: (problems.append("dialog: " + dialog.message), dialog.dismiss())
    )
    page.goto(url)
    page.wait_for_load_state("load")
    return context, page, problems


def test_assistant_round_trip_from_file_url(
    qapp: Any, browser: Any, database: Database, tmp_path: Path
) -> None:
    sent = send(qapp, database, tmp_path, builders.standard_steps(), "Send the invoices")
    context, page, problems = open_page(browser, sent.url)
    try:
        assert page.text_content("#process-title") == "Send the invoices"
        assert page.text_content("#progress-count") == "0 of 3 steps done"
        # The video plays from file://.
        page.evaluate(
            "() => { const v = document.querySelector('video'); v.muted = true; return v.play(); }"
        )
        page.wait_for_function(
            "() => document.querySelector('video').currentTime > 0.3", timeout=10_000
        )
        # A chapter jumps to its step's moment.
        page.evaluate("() => document.querySelector('video').pause()")
        page.locator(".chapter").nth(2).click()
        page.wait_for_function(
            "() => document.querySelector('video').currentTime >= 2.45", timeout=10_000
        )
        # The chapter lights up on the video's next timeupdate after the seek.
        page.wait_for_function(
            "() => document.querySelectorAll('.chapter')[2].classList.contains('active')",
            timeout=10_000,
        )
        # Tick two steps, write a note and a question.
        page.check("#step-1 input.done")
        page.check("#step-2 input.done")
        page.locator("#step-1 textarea").nth(0).fill("Took 5 minutes")
        page.locator("#step-3 textarea").nth(1).fill("Which address for EU clients?")
        assert page.text_content("#progress-count") == "2 of 3 steps done"
        # Progress survives a reload (kept in the browser under the package id).
        page.reload()
        page.wait_for_load_state("load")
        assert page.is_checked("#step-1 input.done")
        assert page.is_checked("#step-2 input.done")
        assert not page.is_checked("#step-3 input.done")
        assert page.locator("#step-1 textarea").nth(0).input_value() == "Took 5 minutes"
        with page.expect_download() as download_info:
            page.click("#save-receipt")
        download = download_info.value
        assert download.suggested_filename.startswith("baton-receipt-send-the-invoices-v1-ana")
        receipt_path = tmp_path / download.suggested_filename
        download.save_as(receipt_path)
    finally:
        context.close()
    assert problems == []

    receipt = json.loads(receipt_path.read_text())
    assert receipt["format"] == "baton-receipt"
    assert receipt["format_version"] == 2
    assert len(receipt["mac"]) == 64  # signed in the page with WebCrypto, from file://
    assert receipt["package_id"] == sent.package.package_id
    assert receipt["handoff_id"] == sent.handoff_id
    assert [(s["position"], s["done"]) for s in receipt["steps"]] == [
        (1, True),
        (2, True),
        (3, False),
    ]
    assert receipt["steps"][0]["done_at"]
    assert receipt["steps"][2]["done_at"] is None

    result = sent.import_receipt(receipt_path)
    assert result.handoff.status is HandoffStatus.NEEDS_HELP
    assert result.steps_done == 2
    events = [
        (e.kind.value, e.note, e.step_position) for e in sent.handoffs.events(sent.handoff_id)
    ]
    assert ("question", "Which address for EU clients?", 3) in events
    assert ("note", "Took 5 minutes", 1) in events
    assert ("receipt-imported", "2 of 3 steps done", None) in events


def test_hostile_titles_show_as_text_and_run_nothing(
    qapp: Any, browser: Any, database: Database, tmp_path: Path
) -> None:
    steps = [
        builders.StepSpec(
            XSS,
            instruction="</script><script>window.__pwned=2</script>",
            caution="<b onmouseover=alert(3)>careful</b>",
            image=builders.screenshot(seed=1),
            video_time=1.0,
        )
    ]
    sent = send(qapp, database, tmp_path, steps, XSS, video=False)
    context, page, problems = open_page(browser, sent.url)
    try:
        page.fill("#step-1 textarea >> nth=0", "<img src=x onerror=alert(4)>")
        page.reload()
        page.wait_for_load_state("load")
        assert page.text_content("#process-title") == XSS
        assert page.text_content("#step-1 .step-title") == "1. " + XSS
        assert page.text_content("#step-1 .instruction") == (
            "</script><script>window.__pwned=2</script>"
        )
        assert page.title() == XSS
        assert page.evaluate("() => window.__pwned") is None
        assert page.evaluate("() => document.querySelectorAll('img[src=\"x\"], b').length") == 0
        assert page.evaluate("() => document.scripts.length") == 2
    finally:
        context.close()
    assert problems == []


def test_instructions_keep_the_editors_bold_and_bullets_as_text(
    qapp: Any, browser: Any, database: Database, tmp_path: Path
) -> None:
    steps = [builders.StepSpec(
        "Send it", instruction="- Check the **due date**\n- Use <b>this</b> one\nThen **save",
        image=builders.screenshot(seed=2),
    )]
    sent = send(qapp, database, tmp_path, steps, "Formatting", video=False)
    context, page, problems = open_page(browser, sent.url)
    try:
        bullets = page.locator("#step-1 .instruction li")
        assert bullets.count() == 2
        assert page.text_content("#step-1 .instruction li strong") == "due date"
        assert bullets.nth(1).text_content() == "Use <b>this</b> one"
        assert page.text_content("#step-1 .instruction p") == "Then **save"
        assert page.evaluate("() => document.querySelectorAll('.instruction b').length") == 0
    finally:
        context.close()
    assert problems == []


def test_missing_files_explain_how_to_open_the_package(
    qapp: Any, browser: Any, database: Database, tmp_path: Path
) -> None:
    sent = send(qapp, database, tmp_path, builders.standard_steps(), "Send the invoices")
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(sent.folder / "index.html", alone / "index.html")  # as if opened inside the zip
    context, page, problems = open_page(browser, (alone / "index.html").as_uri())
    try:
        page.wait_for_selector(".notice", timeout=10_000)
        assert "extract the whole zip" in (page.text_content(".notices") or "")
    finally:
        context.close()
    assert all("ERR_FILE_NOT_FOUND" in p or "Failed to load resource" in p for p in problems)


def test_the_page_fits_a_phone_and_a_desktop(
    qapp: Any, browser: Any, database: Database, tmp_path: Path
) -> None:
    sent = send(qapp, database, tmp_path, builders.standard_steps(), "Send the invoices")
    shots = Path(os.environ.get("BATON_VIEWER_SHOTS", tmp_path))
    for name, viewport in (("desktop", (1280, 800)), ("phone", (390, 844))):
        context, page, problems = open_page(browser, sent.url, viewport)
        try:
            page.check("#step-1 input.done")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= viewport[0], f"{name}: the page scrolls sideways ({width}px)"
            video_box = page.locator("video").bounding_box()
            list_box = page.locator(".checklist").bounding_box()
            assert video_box is not None
            assert list_box is not None
            if name == "phone":
                assert list_box["y"] > video_box["y"] + video_box["height"]  # stacked
                assert page.locator("#save-receipt").bounding_box()["width"] > 300  # type: ignore[index]
            else:
                assert list_box["x"] > video_box["x"] + video_box["width"]  # side by side
            page.screenshot(path=str(shots / f"viewer-{name}.png"))
        finally:
            context.close()
        assert problems == []


def save_receipt(page: Any, folder: Path) -> Path:
    with page.expect_download() as download_info:
        page.click("#save-receipt")
    path = folder / download_info.value.suggested_filename
    download_info.value.save_as(path)
    return path


def test_the_receipt_signature_survives_any_text_the_assistant_types(
    qapp: Any, browser: Any, database: Database, tmp_path: Path
) -> None:
    """The page's canonical JSON and HMAC must be byte for byte Python's, for every kind of
    character; what Python refuses in text (control characters, half a surrogate pair) is
    dropped by the page, so the receipt still imports."""
    sent = send(qapp, database, tmp_path, builders.standard_steps(), "Send the invoices")
    context, page, problems = open_page(browser, sent.url)
    note = 'Tab\there, "quotes", back\\slash, \u2028 line sep, Zoë 請求書 😀 \u202e'
    try:
        page.check("#step-1 input.done")
        page.locator("#step-1 textarea").nth(0).fill(note)
        page.evaluate(  # JavaScript escapes: the page itself makes the odd characters
            r"""() => {
                const area = document.querySelectorAll('#step-2 textarea')[1];
                area.value = 'bell\u0007 nul\u0000 half\ud83d esc\u001b[2J done';
                area.dispatchEvent(new Event('input'));
            }"""
        )
        path = save_receipt(page, tmp_path)
    finally:
        context.close()
    assert problems == []
    saved = json.loads(path.read_text())
    assert saved["steps"][0]["note"] == note
    assert saved["steps"][1]["question"] == "bell nul half esc[2J done"
    result = sent.import_receipt(path)
    assert result.steps_done == 1
    assert result.new_questions == 1
    assert result.note is None
    events = [(e.kind.value, e.note) for e in sent.handoffs.events(sent.handoff_id)]
    assert ("note", note.strip()) in events


def test_a_receipt_edited_after_saving_is_refused(
    qapp: Any, browser: Any, database: Database, tmp_path: Path
) -> None:
    from baton.errors import UserError

    sent = send(qapp, database, tmp_path, builders.standard_steps(), "Send the invoices")
    context, page, problems = open_page(browser, sent.url)
    try:
        page.check("#step-1 input.done")
        path = save_receipt(page, tmp_path)
    finally:
        context.close()
    edited = json.loads(path.read_text())
    for step in edited["steps"]:
        step["done"], step["done_at"] = True, edited["saved_at"]
    path.write_text(json.dumps(edited))
    with pytest.raises(UserError, match="signature does not match"):
        sent.import_receipt(path)
    assert sent.handoffs.get(sent.handoff_id).status is HandoffStatus.SENT
