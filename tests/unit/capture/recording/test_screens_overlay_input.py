"""Regions, monitors, overlays and input privacy: no X server needed."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from baton.capture.platform.base import CursorImage, PointerSample
from baton.capture.platform.input import EventLog, InputEvent, PynputHook, events_path
from baton.capture.platform.screens import (
    Monitor,
    Region,
    monitor_region,
    qt_scale_factors,
    validate_region,
)
from baton.capture.recording.audio import MicrophoneSource
from baton.capture.recording.audio_timing import AudioAligner
from baton.capture.recording.headless import record_to_file
from baton.capture.recording.overlay import BUTTON_COLORS, Click, Overlay, blend_cursor
from baton.capture.recording.video_settings import VideoSettings
from baton.errors import UserError

MONITORS = [
    Monitor(1, Region(0, 0, 1920, 1080), 1.0, True),
    Monitor(2, Region(1920, 0, 2560, 1440), 2.0, False),
]


def test_region_parse_and_validation() -> None:
    assert Region.parse("10, 20, 301, 201") == Region(10, 20, 301, 201)
    assert validate_region(Region(10, 20, 301, 201), MONITORS) == Region(10, 20, 300, 200)
    with pytest.raises(UserError, match="four whole numbers"):
        Region.parse("1,2,3")
    with pytest.raises(UserError, match="positive"):
        Region.parse("0,0,0,10")
    with pytest.raises(UserError, match="off the screen"):
        validate_region(Region(4000, 0, 800, 600), MONITORS)
    with pytest.raises(UserError, match="no monitor 3"):
        monitor_region(MONITORS, 3)


def test_qt_scale_factors_by_name_or_in_qt_order_with_the_primary_first() -> None:
    left = Monitor(0, Region(0, 0, 1920, 1080), 1.0, False, "DP-1")
    right = Monitor(0, Region(1920, 0, 2880, 1800), 1.0, True, "eDP-1")
    qt_order = [right, left]
    assert qt_scale_factors({"QT_SCREEN_SCALE_FACTORS": "2;1"}, qt_order) == {
        id(right): 2.0, id(left): 1.0}
    assert qt_scale_factors({"QT_SCREEN_SCALE_FACTORS": "DP-1=1.5,eDP-1=2"}, qt_order) == {
        id(right): 2.0, id(left): 1.5}
    assert qt_scale_factors({"QT_SCALE_FACTOR": "1.25", "QT_SCREEN_SCALE_FACTORS": "bad;2"},
                            qt_order) == {id(right): 1.25, id(left): 2.5}
    assert monitor_region(MONITORS, 2) == Region(1920, 0, 2560, 1440)


def test_settings_refuse_what_x264_cannot_take() -> None:
    with pytest.raises(UserError, match="frames per second"):
        VideoSettings(640, 480, 24).validated()
    with pytest.raises(UserError, match="even"):
        VideoSettings(641, 480, 30).validated()
    with pytest.raises(UserError, match="Unknown video quality"):
        VideoSettings.for_quality(640, 480, 30, "huge")
    sharp = VideoSettings.for_quality(640, 480, 15, "sharp")
    assert VideoSettings.from_tag(sharp.tag(), 640, 480) == sharp


def test_click_rings_are_drawn_in_button_colours() -> None:
    overlay = Overlay(Region(100, 100, 200, 200), draw_pointer=False)
    overlay.add_click(Click(1.0, 150, 150, "left"))
    overlay.add_click(Click(1.0, 250, 250, "right"))
    frame = np.zeros((200, 200, 4), np.uint8)
    overlay.draw(frame, 1.25, None)
    left = frame[20:81, 20:81, :3].reshape(-1, 3)
    right = frame[120:181, 120:181, :3].reshape(-1, 3)
    assert np.any(np.all(left == BUTTON_COLORS["left"][:3], axis=1))
    assert np.any(np.all(right == BUTTON_COLORS["right"][:3], axis=1))
    later = np.zeros_like(frame)
    overlay.draw(later, 2.0, None)  # the ring is gone after half a second
    assert not later.any()


def test_cursor_is_blended_at_its_hot_spot_and_clipped() -> None:
    pixels = np.zeros((4, 4, 4), np.uint8)
    pixels[:, :] = (255, 255, 255, 255)  # opaque white, premultiplied
    cursor = CursorImage(pixels, 1, 1)
    frame = np.zeros((10, 10, 4), np.uint8)
    blend_cursor(frame, cursor, 5, 5)
    assert frame[4:8, 4:8, :3].min() == 255
    assert frame[3, 3, :3].max() == 0
    blend_cursor(frame, cursor, 0, 0)  # partly off the frame: no error
    overlay = Overlay(Region(0, 0, 10, 10))
    fresh = np.zeros((10, 10, 4), np.uint8)
    overlay.draw(fresh, 0.0, PointerSample(5, 5, None))  # no shape known: an arrow
    assert fresh[6:12, 5:8, :3].max() > 150


def test_key_captions_only_when_asked() -> None:
    quiet = Overlay(Region(0, 0, 400, 200), draw_pointer=False)
    quiet.add_key(0.0, "Ctrl+S")
    frame = np.zeros((200, 400, 4), np.uint8)
    quiet.draw(frame, 0.1, None)
    assert not frame.any()
    loud = Overlay(Region(0, 0, 400, 200), draw_pointer=False, show_keys=True)
    loud.add_key(0.0, "Ctrl+S")
    loud.draw(frame, 0.1, None)
    assert frame[150:, :, :3].max() == 255


def key(name: str | None = None, char: str | None = None) -> SimpleNamespace:
    return SimpleNamespace(name=name, char=char)


def test_typed_characters_never_become_captions_or_events() -> None:
    hook = PynputHook()
    assert hook._label(key(char="p"), None) is None
    hook._held = {"shift"}
    assert hook._label(key(char="P"), None) is None
    hook._held = {"ctrl"}
    assert hook._label(key(char="s"), None) == "Ctrl+S"
    assert hook._label(key("enter"), "enter") == "Ctrl+Enter"
    hook._held = set()
    assert hook._label(key("page_down"), "page_down") == "Page Down"


def test_event_log_is_saved_beside_the_video(tmp_path: Path) -> None:
    log = EventLog()
    log.add(InputEvent(0.5, "click", x=10, y=20, button="left"))
    log.add(InputEvent(0.75, "typing"))
    path = log.save(events_path(tmp_path / "a.mp4"), (0, 0, 640, 480))
    assert path.name == "a.mp4.events.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "baton-events"
    assert document["events"] == [
        {"t": 0.5, "kind": "click", "x": 10, "y": 20, "button": "left"},
        {"t": 0.75, "kind": "typing"},
    ]


def test_audio_aligner_steers_small_errors_and_fills_only_real_gaps() -> None:
    rate = 1000
    aligner = AudioAligner(rate, 1)
    chunk = np.ones((100, 1), np.float32)
    out = [aligner.feed(chunk, 0.05 + 0.1 * index) for index in range(5)]
    assert np.count_nonzero(np.concatenate(out) == 0) == 50  # starts late: silence first
    # A chunk stamped 30 ms late (a late callback, a jittery clock): no silence, no cut.
    out = [aligner.feed(chunk, 0.58)] + [aligner.feed(chunk, 0.65 + 0.1 * i) for i in range(5)]
    assert np.count_nonzero(np.concatenate(out) == 0) == 0
    assert aligner.dropouts == 0
    # The source lost 400 ms: that is a break, filled with silence once.
    out = [aligner.feed(chunk, 1.55 + 0.1 * index) for index in range(5)]
    assert aligner.dropouts == 1
    assert np.count_nonzero(np.concatenate(out) == 0) == pytest.approx(400, abs=10)
    before = aligner.position
    assert len(aligner.finish(3.0)) == 3000 - before  # padded to the end of the video
    assert aligner.position == 3000


class FakePortAudio(types.ModuleType):
    """What sounddevice looks like on a machine without a usable microphone."""

    class PortAudioError(Exception):
        pass

    def __init__(self, devices: list[dict[str, int]]) -> None:
        super().__init__("sounddevice")
        self.devices = devices

    def query_devices(self) -> list[dict[str, int]]:
        return self.devices

    def InputStream(self, **options: object) -> object:  # noqa: N802 - sounddevice's name
        raise self.PortAudioError("Device unavailable [PaErrorCode -9985]")


@pytest.mark.parametrize(
    ("module", "message"),
    [
        (None, "the sound library (sounddevice with PortAudio) is not installed"),
        (FakePortAudio([]), "no microphone was found"),
        (FakePortAudio([{"max_input_channels": 1}]), "the microphone cannot be opened"),
    ],
)
def test_missing_microphone_is_a_plain_message(
    monkeypatch: pytest.MonkeyPatch, module: types.ModuleType | None, message: str
) -> None:
    # No sounddevice/PortAudio, no input device, or a device that will not open: each is
    # one plain sentence, and the recorder goes on without sound.
    monkeypatch.setitem(sys.modules, "sounddevice", module)
    with pytest.raises(UserError, match=r"^Recording without sound: ") as raised:
        MicrophoneSource(lambda: 0.0).start(lambda chunk: None)
    assert message in str(raised.value)


def test_no_display_is_a_plain_message(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"Cannot connect to the display :987: is an X server"):
        record_to_file(tmp_path / "x.mp4", seconds=1, display=":987")
    assert not (tmp_path / "x.mp4").exists()


def test_capture_never_imports_qt_widgets() -> None:
    code = (
        "import sys, pkgutil, importlib, baton.capture as c\n"
        "mine = ['platform.screens', 'recording.sources', 'recording.encoder',\n"
        "        'recording.recorder', 'recording.overlay', 'platform.input', 'recording.audio',\n"
        "        'recording.journal', 'recording.trim', 'recording.headless',\n"
        "        'recording.recorder_main', 'platform', 'platform.null']\n"
        "[importlib.import_module('baton.capture.' + name) for name in mine]\n"
        "print(sorted(m for m in sys.modules if m.startswith(('PySide6', 'PyQt'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == "[]"


def test_audio_stays_within_5_ms_of_the_picture_over_ten_minutes() -> None:
    # A microphone whose clock runs 0.2% fast, delivering 20 ms chunks with jittery stamps.
    rate = 48_000
    aligner = AudioAligner(rate, 1)
    rng = np.random.default_rng(1)
    chunk = np.zeros((960, 1), np.float32)
    worst = 0.0
    for index in range(30_000):  # 10 minutes of 20 ms chunks
        true_start = index * 0.02 / 1.002
        stamp = true_start + float(rng.normal(0, 0.003))
        aligner.feed(chunk, stamp)
        if index > 50:
            drift = abs(aligner.position / rate - (true_start + 0.02 / 1.002))
            worst = max(worst, drift)
    assert worst < 0.005
    assert aligner.dropouts == 0
