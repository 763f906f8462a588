"""``baton recording redact`` and ``baton step redact``, through to the package sent."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import av
import pytest

from baton.cli import main
from baton.core.library import ProcessDraft, RecordingInfo
from baton.services import open_services
from takes import scene_take

SIZE = (320, 240)
SCENES = 3  # two seconds each, each its own picture


def run(capsys: pytest.CaptureFixture[str], data_dir: Path, *argv: str) -> tuple[int, str, str]:
    code = main(["--data-dir", str(data_dir), *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def recorded(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path,
             qapp: object) -> str:
    """A process with the recording attached and one step per scene, made from it.

    (``qapp``: exporting paints the PDF checklist with Qt; made first, it is the widgets
    kind the UI tests need.)"""
    video = scene_take(tmp_path, SIZE, SCENES)
    services = open_services(str(data_dir))
    try:
        process = services.library.add_process(ProcessDraft("Pay the rent"))
        services.library.attach_recording(process.id, RecordingInfo(
            services.media.put_file(video, "mp4"), 6.0, video.stat().st_size, 10.0, *SIZE))
    finally:
        services.close()
    assert main(["--data-dir", str(data_dir), "process", "steps-from-video", "Pay the rent",
                 str(video)]) == 0
    assert "Added 3 steps" in capsys.readouterr().out
    return "Pay the rent"


def packaged_frames(data_dir: Path, tmp_path: Path, process: str) -> list[tuple[float, Any]]:
    out = tmp_path / "package.zip"
    assert main(["--data-dir", str(data_dir), "package", "export", process, "--out",
                 str(out)]) == 0
    video = tmp_path / "packed.mp4"
    with zipfile.ZipFile(out) as archive:
        video.write_bytes(archive.read("video/walkthrough.mp4"))
    with av.open(str(video)) as container:
        return [(float(f.time), f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]


def test_a_box_on_the_recording_is_burned_into_what_is_sent(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, recorded: str
) -> None:
    code, out, _ = run(capsys, data_dir, "recording", "redact", recorded, "10,20,100,40",
                       "--from", "1", "--to", "3", "--json")
    assert code == 0
    box = json.loads(out)
    assert box == {"id": box["id"], "step_id": None, "x": 10, "y": 20, "w": 100, "h": 40,
                   "start": 1.0, "end": 3.0}
    code, out, _ = run(capsys, data_dir, "recording", "redactions", recorded)
    assert code == 0
    assert f"{box['id']}: 10,20,100,40 from 1 s to 3 s" in out
    for moment, frame in packaged_frames(data_dir, tmp_path, recorded):
        hidden = frame[20:60, 10:110]
        if 1.0 <= moment < 3.0:
            assert hidden.max() <= 6, moment
        else:
            assert hidden.std() > 20, moment  # the numbers are there
    code, out, _ = run(capsys, data_dir, "recording", "unredact", recorded, str(box["id"]))
    assert code == 0
    assert "no longer hides" in out
    code, out, _ = run(capsys, data_dir, "recording", "redactions", recorded, "--json")
    assert json.loads(out) == []


def test_a_box_on_a_step_hides_the_screenshot_and_the_video_over_its_stretch(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, recorded: str
) -> None:
    code, out, _ = run(capsys, data_dir, "step", "redact", recorded, "2", "20,40,120,30",
                       "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["redactions"] == [{"x": 20, "y": 40, "w": 120, "h": 30}]
    [video] = result["video"]
    # From the step before (0 s) to the step after (about 4 s), two pixels wider each way.
    assert (video["x"], video["y"], video["w"], video["h"]) == (18, 38, 124, 34)
    assert video["start"] == 0.0
    assert video["end"] == pytest.approx(4.0, abs=0.15)
    for moment, frame in packaged_frames(data_dir, tmp_path, recorded):
        hidden = frame[38:72, 18:142]
        assert (hidden.max() <= 6) == (moment < video["end"]), moment
    code, out, _ = run(capsys, data_dir, "step", "redact", recorded, "3", "1,1,5,5",
                       "--screenshot-only")
    assert code == 0
    assert "not the video, as asked" in out
    code, out, _ = run(capsys, data_dir, "recording", "redactions", recorded, "--json")
    assert len(json.loads(out)) == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("recording", "redact", "Pay the rent", "1,2,3"), "is not a box"),
        (("recording", "redact", "Pay the rent", "1,2,0,4"), "width and height above 0"),
        (("recording", "redact", "Pay the rent", "1,2,3,4", "--to", "soon"), "not a number"),
    ],
)
def test_bad_boxes_are_one_line(capsys: pytest.CaptureFixture[str], data_dir: Path,
                                argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--data-dir", str(data_dir), *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_what_cannot_be_redacted_says_why_and_saves_nothing(
    capsys: pytest.CaptureFixture[str], data_dir: Path, recorded: str
) -> None:
    code, _, err = run(capsys, data_dir, "step", "redact", recorded, "9", "1,1,5,5")
    assert code == 1
    assert "has 3 steps: there is no step 9" in err
    code, _, err = run(capsys, data_dir, "recording", "redact", recorded, "400,10,5,5")
    assert code == 1
    assert "outside the 320x240 video" in err
    assert run(capsys, data_dir, "process", "add", "Bare")[0] == 0
    code, _, err = run(capsys, data_dir, "recording", "redact", "Bare", "1,1,5,5")
    assert code == 1
    assert "has no recording" in err
    code, out, _ = run(capsys, data_dir, "recording", "redactions", recorded, "--json")
    assert json.loads(out) == []
