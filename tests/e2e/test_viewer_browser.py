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
from helpers.video import make_mp4

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
    clip = make_mp4(tmp_path / "clip.mp4") if video else None
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


# -- accessibility: axe-core finds nothing serious, and the keyboard alone gets through ---------

AXE_VERSION = "4.14.1"
AXE_SHA512 = ("FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNt"
              "uFooJpZe37OgudVGtQ==")


@pytest.fixture(scope="session")
def axe_script() -> str:
    """axe-core's ``axe.min.js`` from the npm registry (checked against its pinned hash;
    kept in a per-user cache so later runs need no network)."""
    import base64
    import hashlib
    import io
    import tarfile
    import urllib.request

    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "baton-tests"
    tarball = cache / f"axe-core-{AXE_VERSION}.tgz"

    def intact(data: bytes) -> bool:
        return base64.b64encode(hashlib.sha512(data).digest()).decode() == AXE_SHA512

    if not tarball.is_file() or not intact(tarball.read_bytes()):
        url = f"https://registry.npmjs.org/axe-core/-/axe-core-{AXE_VERSION}.tgz"
        with urllib.request.urlopen(url, timeout=60) as response:
            data = response.read()
        assert intact(data), "the axe-core tarball from the npm registry has another hash"
        cache.mkdir(parents=True, exist_ok=True)
        tarball.write_bytes(data)
    with tarfile.open(fileobj=io.BytesIO(tarball.read_bytes())) as archive:
        member = archive.extractfile("package/axe.min.js")
        assert member is not None
        return member.read().decode("utf-8")


def send_with_answers(qapp: Any, database: Database, tmp_path: Path) -> Sent:
    """The standard process, sent with the owner's answers to earlier questions."""
    from baton.handoff.answers import AnswerEntry

    media = MediaStore(tmp_path / "media")
    clip = make_mp4(tmp_path / "clip.mp4")
    version = builders.seed_process(database, media, title="Send the invoices",
                                    steps=builders.standard_steps(), video=clip)
    assistants, handoffs = Assistants(database.sessions), Handoffs(database.sessions)
    receipts = Receipts(database.sessions)
    assistant = assistants.add(AssistantDraft(name="Ana Reyes"))
    handoff = handoffs.create(version.id, assistant.id)
    answers = (
        AnswerEntry(2, "Export the list", "CSV or TSV?", "CSV, always.", "2026-03-03T10:00:00Z"),
        AnswerEntry(None, "", "Who checks my work?", "Ben, on Fridays.", "2026-03-03T10:00:00Z"),
    )
    package = build_package(version, media, tmp_path / "package.zip", handoff_id=handoff.id,
                            assistant=assistant.name, answers=answers,
                            receipt_key=receipts.key(handoff.id))
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(folder)
    return Sent(folder, package, handoff.id, handoffs, Library(database.sessions), receipts)


def test_axe_finds_nothing_serious_and_answers_show_at_their_step(
    qapp: Any, browser: Any, database: Database, tmp_path: Path, axe_script: str
) -> None:
    sent = send_with_answers(qapp, database, tmp_path)
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1366, "height": 900},
                                      bypass_csp=True, color_scheme=scheme)
        try:
            page = context.new_page()
            page.goto(sent.url)
            page.wait_for_load_state("load")
            assert "CSV, always." in (page.text_content("#step-2 .answers") or "")
            assert "CSV or TSV?" in (page.text_content("#step-2 .answers") or "")
            assert "Ben, on Fridays." in (page.text_content("header .answers") or "")
            assert page.get_attribute(".bar", "aria-label") == "Steps done"
            page.check("#step-1 input.done")
            page.add_script_tag(content=axe_script)
            results = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']}))"
                ".violations.map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map("
                "n => n.target.join(' ') + ': ' + n.failureSummary)}))")
        finally:
            context.close()
        serious = [v for v in results if v["impact"] in ("serious", "critical")]
        assert serious == [], f"{scheme}: {serious}"


FOCUS_STATE = """() => {
  const el = document.activeElement;
  const bar = document.querySelector('.savebar').getBoundingClientRect();
  const box = el.getBoundingClientRect();
  const inBar = !!el.closest('.savebar');
  return {
    tag: el.tagName, id: el.id, cls: el.className, type: el.type || '',
    top: box.top, bottom: box.bottom, left: box.left, right: box.right,
    visible: box.width > 0 && box.height > 0 && box.top >= 0 && box.left >= 0
      && box.right <= window.innerWidth
      && (inBar ? box.bottom <= window.innerHeight : box.bottom <= bar.top),
    ring: getComputedStyle(el).outlineStyle !== 'none'
      || getComputedStyle(el).boxShadow !== 'none',
  };
}"""


def test_the_keyboard_alone_ticks_every_step_and_saves_the_receipt(
    qapp: Any, browser: Any, database: Database, tmp_path: Path
) -> None:
    many = [builders.StepSpec(f"Step number {n}", "Do it.\n- then this\n- and that",
                              image=builders.screenshot(seed=n)) for n in range(1, 13)]
    sent = send(qapp, database, tmp_path, many, "Twelve steps", video=True)
    context, page, problems = open_page(browser, sent.url, (1366, 900))
    hidden: list[dict[str, Any]] = []
    try:
        page.keyboard.press("Tab")
        for _ in range(400):
            state = page.evaluate(FOCUS_STATE)
            if not state["visible"] or not state["ring"]:
                hidden.append(state)
            if state["tag"] == "INPUT" and state["type"] == "checkbox":
                page.keyboard.press("Space")
            if state["id"] == "save-receipt":
                break
            page.keyboard.press("Tab")
        else:
            pytest.fail("Tab never reached “Save progress receipt”")
        assert page.text_content("#progress-count") == "12 of 12 steps done"
        with page.expect_download() as download_info:
            page.keyboard.press("Enter")
        receipt_path = tmp_path / "receipt.json"
        download_info.value.save_as(receipt_path)
    finally:
        context.close()
    assert hidden == [], f"focus hidden or without a ring at: {hidden[:5]}"
    assert problems == []
    receipt = json.loads(receipt_path.read_text())
    assert all(step["done"] for step in receipt["steps"])
    assert len(receipt["steps"]) == 12
