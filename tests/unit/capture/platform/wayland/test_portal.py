"""The portal client's pure parts, and its answers when there is no portal at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.capture.platform.wayland.portal import (
    MISSING,
    MONITOR,
    WINDOW,
    PortalError,
    ScreenCastPortal,
    Stream,
    _stream,
)


def test_stream_properties_become_a_stream() -> None:
    assert _stream(57, {"size": ("(ii)", (1920, 1080)), "position": ("(ii)", (0, 0)),
                        "source_type": ("u", WINDOW)}) == Stream(57, (1920, 1080), (0, 0), WINDOW)
    assert _stream(3, {}) == Stream(3, None, None, MONITOR)


def test_no_session_bus_means_the_portal_is_missing(tmp_path: Path) -> None:
    portal = ScreenCastPortal(f"unix:path={tmp_path / 'no-bus'}", call_timeout=2)
    with pytest.raises(PortalError) as raised:
        portal.start()
    assert str(raised.value) == MISSING
