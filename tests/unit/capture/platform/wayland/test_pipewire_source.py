"""The pure parts of reading a PipeWire stream: the command, the crop, the child's env."""

from __future__ import annotations

import pytest

from baton.capture.platform.screens import Region
from baton.capture.platform.wayland import pipewire_source
from baton.capture.platform.wayland.pipewire_source import CAPS, child_env, crop_box, pipeline
from baton.capture.platform.wayland.portal import Stream
from baton.errors import UserError

CAPS_LINE = ("/GstPipeline:pipeline0/GstFdSink:fdsink0.GstPad:sink: caps = video/x-raw, "
             "format=(string)BGRx, width=(int)1920, height=(int)1080, framerate=(fraction)0/1")


def test_the_pipeline_reads_the_portal_fd_and_node_into_our_pipe() -> None:
    argv = pipeline(7, 42, 9)
    assert argv[:2] == ["gst-launch-1.0", "-v"]
    assert "fd=7" in argv
    assert "path=42" in argv
    assert "fd=9" in argv
    assert "video/x-raw,format=BGRx" in argv


def test_the_negotiated_size_is_read_from_gst_launch_caps() -> None:
    found = CAPS.search(CAPS_LINE)
    assert found is not None
    assert (found.group(1), found.group(2)) == ("1920", "1080")
    assert CAPS.search(CAPS_LINE.replace("fdsink0.GstPad:sink", "pipewiresrc0.GstPad:src")) \
        is None


def test_a_region_is_cut_from_the_stream_at_the_stream_s_position() -> None:
    stream = Stream(node_id=1, size=(1920, 1080), position=(1920, 0))
    assert crop_box(Region(2020, 50, 640, 360), stream, 1920, 1080) == (100, 50, 640, 360)
    with pytest.raises(UserError, match="not inside the shared screen"):
        crop_box(Region(100, 50, 640, 360), stream, 1920, 1080)
    with pytest.raises(UserError):
        crop_box(Region(3500, 0, 640, 360), stream, 1920, 1080)


def test_system_programs_get_the_library_path_from_before_the_bundle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/baton/_internal")
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/usr/local/lib")
    assert child_env()["LD_LIBRARY_PATH"] == "/usr/local/lib"
    assert "LD_LIBRARY_PATH_ORIG" not in child_env()
    monkeypatch.delenv("LD_LIBRARY_PATH_ORIG")
    monkeypatch.setattr(pipewire_source.sys, "frozen", True, raising=False)
    assert "LD_LIBRARY_PATH" not in child_env()
