"""Building a handoff package: contents, redaction, reproducibility, atomic output."""

from __future__ import annotations

import errno
import hashlib
import json
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import pytest

from baton.core.db import Database
from baton.core.media import CorruptMedia, MediaStore
from baton.core.versions import ProcessVersionRow
from baton.errors import UserError
from baton.handoff.package import ExportCancelled, PackageInfo, package_file_name, slugify
from baton.handoff.pdfdates import FIXED_DATE
from baton.handoff.video import probe, starts_fast
from helpers.builders import StepSpec, fixed_receipt_key, seed_process
from helpers.images import RED, png_pixels, screenshot
from helpers.video import make_mp4, noisy_mp4

Build = Callable[..., PackageInfo]
EXPECTED_NAMES = {
    "index.html",
    "manifest.json",
    "checklist.md",
    "checklist.pdf",
    "steps/001.png",
    "steps/002.png",
    "video/walkthrough.mp4",
}


def entries(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def test_package_holds_format_2_files_listed_with_their_hashes(
    build: Build, version: ProcessVersionRow, tmp_path: Path
) -> None:
    info = build(version, handoff_id=7, assistant="Ana Reyes")
    files = entries(info.path)
    assert set(files) == EXPECTED_NAMES
    manifest = json.loads(files["manifest.json"])
    assert manifest["format"] == "baton-handoff"
    assert manifest["format_version"] == 2
    assert manifest["package_id"] == info.package_id
    assert manifest["process"]["id"] == version.process_id
    assert manifest["process"]["title"] == "Send the invoices"
    assert manifest["process"]["version"] == 1
    assert manifest["handoff"] == {
        "id": 7, "assistant": "Ana Reyes", "receipt_key": fixed_receipt_key(7)
    }
    listed = {item["path"]: item for item in manifest["files"]}
    assert set(listed) == EXPECTED_NAMES - {"manifest.json"}
    for name, item in listed.items():
        assert item["sha256"] == hashlib.sha256(files[name]).hexdigest(), name
        assert item["bytes"] == len(files[name]), name
    assert [s["title"] for s in manifest["steps"]] == [
        "Open the billing page",
        "Export the list",
        "Email it",
    ]
    assert manifest["steps"][2]["screenshot"] is None
    # The recording, with a keyframe at each chapter (0.5, 1.5 and 2.5 s: not where it had
    # them) so that "Play from" starts at once.
    packed = tmp_path / "packed.mp4"
    packed.write_bytes(files["video/walkthrough.mp4"])
    assert {0.5, 1.5, 2.5} <= set(keyframe_times(packed))
    assert probe(packed).duration == pytest.approx(3.0, abs=0.11)
    assert info.manifest_sha256 == hashlib.sha256(files["manifest.json"]).hexdigest()
    assert info.size == info.path.stat().st_size


def test_media_is_stored_not_recompressed_and_metadata_is_fixed(
    build: Build, version: ProcessVersionRow
) -> None:
    info = build(version)
    with zipfile.ZipFile(info.path) as archive:
        for item in archive.infolist():
            assert item.date_time == (1980, 1, 1, 0, 0, 0)
            assert item.external_attr >> 16 == 0o100644
            assert item.create_system == 3
            if item.filename.endswith((".png", ".mp4", ".pdf")):
                assert item.compress_type == zipfile.ZIP_STORED, item.filename
        assert archive.testzip() is None


def test_same_version_gives_the_same_bytes(build: Build, version: ProcessVersionRow) -> None:
    first = build(version, "a.zip", handoff_id=3, assistant="Ana")
    second = build(version, "b.zip", handoff_id=3, assistant="Ana")
    assert first.path.read_bytes() == second.path.read_bytes()
    pdf = entries(first.path)["checklist.pdf"]
    assert b"/CreationDate " + FIXED_DATE in pdf  # Qt's clock time was overwritten
    other = build(version, "c.zip", handoff_id=4, assistant="Ana")
    assert other.package_id != first.package_id


def test_redactions_are_burned_into_the_png_and_the_pdf(
    build: Build, version: ProcessVersionRow, media: MediaStore
) -> None:
    files = entries(build(version).path)
    redacted = png_pixels(files["steps/002.png"])
    assert redacted[60:100, 100:180].max() == 0  # the box is solid black
    assert not _red_pixels(redacted)
    assert _red_pixels(png_pixels(files["steps/001.png"])) == 0
    images = _pdf_images(files["checklist.pdf"])
    assert len(images) == 2
    assert all(_red_pixels(image) == 0 for image in images)
    original_key = version.snapshot["steps"][1]["screenshot"]
    original = png_pixels(media.read_bytes(original_key))
    assert _red_pixels(original) > 1000  # the library keeps the original


def test_a_screenshot_without_redactions_is_copied_byte_for_byte(
    build: Build, version: ProcessVersionRow, media: MediaStore
) -> None:
    files = entries(build(version).path)
    key = version.snapshot["steps"][0]["screenshot"]
    assert files["steps/001.png"] == media.read_bytes(key)


def test_out_folder_gets_the_default_name(
    qapp: Any, version: ProcessVersionRow, media: MediaStore, out_dir: Path
) -> None:
    from baton.handoff.package import build_package

    info = build_package(
        version, media, out_dir, handoff_id=1, assistant="Zoë O'Neil", receipt_key="1" * 64
    )
    assert info.path == out_dir / "send-the-invoices-v1-zoe-o-neil.zip"
    assert package_file_name("Ünïcode / slashes!", 3) == "unicode-slashes-v3.zip"
    assert slugify("???") == "process"


def test_progress_rises_to_one(build: Build, version: ProcessVersionRow) -> None:
    seen: list[float] = []
    build(version, progress=lambda fraction, label: seen.append(fraction))
    assert seen == sorted(seen)
    assert seen[-1] == 1.0
    assert len(seen) >= 3


def test_cancel_leaves_nothing_behind(
    build: Build, version: ProcessVersionRow, out_dir: Path
) -> None:
    cancel = threading.Event()

    def progress(fraction: float, label: str) -> None:
        if fraction > 0.1:
            cancel.set()

    with pytest.raises(ExportCancelled, match="cancelled"):
        build(version, progress=progress, cancel=cancel)
    assert list(out_dir.iterdir()) == []


def test_a_missing_screenshot_fails_and_keeps_the_previous_file(
    build: Build, version: ProcessVersionRow, media: MediaStore, out_dir: Path
) -> None:
    previous = out_dir / "package.zip"
    previous.write_bytes(b"the package from last week")
    media.path(version.snapshot["steps"][1]["screenshot"]).unlink()
    with pytest.raises(CorruptMedia, match="missing"):
        build(version)
    assert previous.read_bytes() == b"the package from last week"
    assert [p.name for p in out_dir.iterdir()] == ["package.zip"]


def test_a_damaged_video_is_detected_while_packing(
    build: Build, version: ProcessVersionRow, media: MediaStore, out_dir: Path
) -> None:
    path = media.path(version.snapshot["recording"])
    data = bytearray(path.read_bytes())
    data[-100] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(CorruptMedia, match="damaged"):
        build(version)
    assert list(out_dir.iterdir()) == []


def test_a_missing_folder_is_a_plain_message(
    qapp: Any, version: ProcessVersionRow, media: MediaStore, tmp_path: Path
) -> None:
    from baton.handoff.package import build_package

    with pytest.raises(UserError, match="does not exist"):
        build_package(version, media, tmp_path / "nowhere" / "p.zip")


def test_malformed_redactions_are_refused_naming_the_step(
    build: Build, version: ProcessVersionRow, out_dir: Path
) -> None:
    snapshot = json.loads(json.dumps(version.snapshot))
    snapshot["steps"][1]["redactions"] = [{"x": "left", "y": 0, "w": 5, "h": 5}]
    with pytest.raises(UserError, match="^Step 2: A redaction box has no usable 'x'"):
        build(snapshot)
    assert list(out_dir.iterdir()) == []


def test_annotations_and_crop_are_burned_in_and_the_click_follows(
    build: Build, database: Database, media: MediaStore
) -> None:
    marks = [
        {"kind": "marker", "x": 60, "y": 60, "n": 1},
        {"kind": "crop", "x": 40, "y": 30, "w": 200, "h": 150},
    ]
    spec = StepSpec(
        "Marked",
        image=screenshot(seed=4),
        click=(100, 80),
        redactions=[{"x": 0, "y": 0, "w": 50, "h": 50}],
    )
    version = seed_process(database, media, steps=[spec])
    snapshot = json.loads(json.dumps(version.snapshot))
    snapshot["steps"][0]["annotations"] = marks
    info = build(dict(snapshot, version=1))
    files = entries(info.path)
    picture = png_pixels(files["steps/001.png"])
    assert picture.shape[:2] == (150, 200)
    assert (picture[:20, :10] == 0).all()  # the part of the redaction left after the crop
    assert _red_pixels(picture[10:50, 0:40]) > 20  # the numbered marker
    step = json.loads(files["manifest.json"])["steps"][0]
    assert step["click"] == [60, 50]
    assert step["annotations"][0] == {"kind": "marker", "x": 60, "y": 60, "n": 1}


def test_a_snapshot_dict_can_be_packaged(build: Build, version: ProcessVersionRow) -> None:
    snapshot = dict(version.snapshot, version=5)
    manifest = json.loads(entries(build(snapshot).path)["manifest.json"])
    assert manifest["process"]["version"] == 5
    assert manifest["handoff"] is None


def test_a_video_with_its_index_at_the_end_is_remuxed_to_start_fast(
    qapp: Any, build: Build, database: Database, media: MediaStore, tmp_path: Path
) -> None:
    slow = make_mp4(tmp_path / "slow.mp4", faststart=False)
    assert not starts_fast(slow)
    version = seed_process(
        database, media, steps=[StepSpec("Only step", video_time=1.0)], video=slow
    )
    packed = tmp_path / "packed.mp4"
    packed.write_bytes(entries(build(version).path)["video/walkthrough.mp4"])
    assert starts_fast(packed)
    assert probe(packed).duration == pytest.approx(probe(slow).duration, abs=0.15)


def test_a_size_budget_reencodes_the_video_to_fit(
    build: Build, database: Database, media: MediaStore, tmp_path: Path
) -> None:
    noisy = noisy_mp4(tmp_path / "noisy.mp4")
    version = seed_process(
        database,
        media,
        video=noisy,
        steps=[StepSpec("Look", image=screenshot(seed=3), video_time=0.0),
               StepSpec("Then here", video_time=1.3)],
    )
    unlimited = build(version, "full.zip")
    packed = len(entries(unlimited.path)["video/walkthrough.mp4"])
    assert packed > 500_000
    budget = unlimited.size - packed + 250_000
    labels: list[str] = []
    fitted = build(
        version,
        "fitted.zip",
        size_budget=budget,
        progress=lambda fraction, label: labels.append(label),
    )
    assert fitted.size <= budget
    assert any(label.startswith("Re-encoding the video") for label in labels)
    video = tmp_path / "fitted.mp4"
    video.write_bytes(entries(fitted.path)["video/walkthrough.mp4"])
    assert starts_fast(video)
    assert probe(video).duration == pytest.approx(3.0, abs=0.3)
    assert 1.3 in keyframe_times(video)  # the chapter still starts on a keyframe
    roomy = build(version, "roomy.zip", size_budget=unlimited.size + 10_000)
    assert entries(roomy.path)["video/walkthrough.mp4"] == entries(unlimited.path)[
        "video/walkthrough.mp4"]


def test_an_impossible_budget_is_refused_and_writes_nothing(
    build: Build, version: ProcessVersionRow, out_dir: Path
) -> None:
    with pytest.raises(UserError, match=r"cannot be made to fit 0\.02 MB.*raise the budget"):
        build(version, size_budget=20_000)
    assert list(out_dir.iterdir()) == []


def test_cancel_during_the_budget_reencode(
    build: Build, database: Database, media: MediaStore, tmp_path: Path, out_dir: Path
) -> None:
    version = seed_process(database, media, video=noisy_mp4(tmp_path / "noisy.mp4"))
    cancel = threading.Event()

    def progress(fraction: float, label: str) -> None:
        if label.startswith("Re-encoding") and fraction > 0.05:
            cancel.set()

    with pytest.raises(ExportCancelled):
        build(version, size_budget=300_000, progress=progress, cancel=cancel)
    assert list(out_dir.iterdir()) == []


def keyframe_times(path: Path) -> list[float]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [round(float(packet.pts * stream.time_base), 3)
                for packet in container.demux(stream) if packet.is_keyframe]


def _red_pixels(image: np.ndarray[Any, Any]) -> int:
    blue, green, red = (image[..., i].astype(int) for i in range(3))
    return int(np.count_nonzero((red > 150) & (green < 90) & (blue < 90)))


def _pdf_images(pdf: bytes) -> list[np.ndarray[Any, Any]]:
    """Decode every JPEG/Flate image XObject in a PDF (enough for Qt's output)."""
    import re
    import zlib

    images = []
    for match in re.finditer(rb"/Subtype\s*/Image(.*?)>>\s*stream\r?\n", pdf, re.S):
        head = match.group(1)
        start = match.end()
        data = pdf[start : pdf.index(b"endstream", start)].rstrip(b"\r\n")
        if b"/DCTDecode" in head:
            images.append(cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR))
        elif b"/FlateDecode" in head and b"/DeviceRGB" in head:
            width = int(re.search(rb"/Width\s+(\d+)", head).group(1))  # type: ignore[union-attr]
            raw = np.frombuffer(zlib.decompress(data), np.uint8)
            rgb = raw.reshape(-1, width, 3)
            images.append(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    return images


def test_red_helper_sees_red() -> None:
    assert _red_pixels(screenshot(secret=(0, 0, 10, 10))) == 100
    assert RED == (0, 0, 255)


def test_a_full_disk_is_one_plain_sentence_and_leaves_nothing(
    build: Build, version: ProcessVersionRow, out_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from baton.handoff import zipwriter

    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(zipwriter.ReproducibleZip, "add_file", full)
    with pytest.raises(UserError, match="The disk is full: free some space in"):
        build(version)
    assert list(out_dir.iterdir()) == []


def test_pasted_control_characters_never_make_a_package_baton_refuses(
    build: Build, database: Database, media: MediaStore
) -> None:
    """A form feed from a PDF, an escape from a terminal, NEL from old text: dropped from
    the texts the package carries, so its own verify passes."""
    from baton.handoff.validation import verify_package

    steps = [StepSpec("Open\x0cthe\x1b[31m app\x85", instruction="Line one\x0bline two\ttab",
                      caution="\x00careful")]
    version = seed_process(database, media, title="Pay\x07roll", steps=steps,
                           summary="Every\x1b Monday")
    info = build(version, handoff_id=3, assistant="Ana\x1b")
    manifest = verify_package(info.path)
    assert manifest.process.title == "Payroll"
    assert manifest.process.summary == "Every Monday"
    assert manifest.assistant == "Ana"
    step = manifest.steps[0]
    assert (step.title, step.instruction, step.caution) == (
        # The step service already made the title one line (a form feed is a line break).
        "Open the[31m app", "Line oneline two\ttab", "careful")
