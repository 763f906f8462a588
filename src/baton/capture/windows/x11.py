"""X11 through python-xlib (already installed with pynput): pointer, cursor image, windows.

The cursor image comes from the XFixes extension (one round trip returns both the position
and the shape); the shape is converted only when its serial number changes.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np

from baton.capture.screens import Region, no_display_error
from baton.capture.windows.base import CursorImage, PointerSample, WindowInfo

log = logging.getLogger("baton.capture")

DEFAULT_DPI = 96.0


class X11Platform:
    """Desktop access on an X server.

    Raises:
        UserError: on construction, when the display cannot be reached.
    """

    def __init__(self, display: str | None = None) -> None:
        from Xlib import display as xdisplay  # type: ignore[import-untyped]
        from Xlib import error as xerror

        try:
            self._display: Any = xdisplay.Display(display)
        except (xerror.DisplayError, xerror.ConnectionClosedError, OSError) as error:
            raise no_display_error(display) from error
        self._root: Any = self._display.screen().root
        self._lock = threading.Lock()
        self._xfixes = False
        self._cursor: CursorImage | None = None
        try:
            if self._display.has_extension("XFIXES"):
                self._display.xfixes_query_version()
                self._xfixes = True
        except Exception:  # noqa: BLE001 - without XFixes we draw an arrow instead
            log.info("XFixes unavailable: the pointer will be drawn as an arrow")

    def pointer(self) -> PointerSample | None:
        try:
            with self._lock:
                if self._xfixes:
                    return self._pointer_with_image()
                reply = self._root.query_pointer()
                return PointerSample(int(reply.root_x), int(reply.root_y), None)
        except Exception as error:  # noqa: BLE001 - a lost pointer must not stop recording
            log.debug("pointer query failed: %s", error)
            return None

    def _pointer_with_image(self) -> PointerSample:
        reply = self._display.xfixes_get_cursor_image(self._root)
        serial = int(reply.cursor_serial)
        if self._cursor is None or self._cursor.serial != serial:
            width, height = int(reply.width), int(reply.height)
            argb = np.asarray(reply.cursor_image, dtype=np.uint32)[: width * height]
            # Little-endian ARGB words are B, G, R, A bytes: premultiplied BGRA already.
            pixels = argb.reshape(height, width).view(np.uint8).reshape(height, width, 4).copy()
            self._cursor = CursorImage(pixels, int(reply.xhot), int(reply.yhot), serial)
        return PointerSample(int(reply.x), int(reply.y), self._cursor)

    def scale_of(self, region: Region) -> float:
        """X11 scales all monitors alike, through the ``Xft.dpi`` resource."""
        try:
            with self._lock:
                resources = self._display.screen().root.get_full_property(
                    self._display.intern_atom("RESOURCE_MANAGER"), 0
                )
        except Exception:  # noqa: BLE001
            return 1.0
        if resources is None:
            return 1.0
        value = resources.value
        text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
        for line in text.splitlines():
            key, _, dpi = line.partition(":")
            if key.strip() == "Xft.dpi":
                try:
                    return round(float(dpi.strip()) / DEFAULT_DPI, 2) or 1.0
                except ValueError:
                    return 1.0
        return 1.0

    def windows(self) -> list[WindowInfo]:
        """Managed top-level windows (``_NET_CLIENT_LIST``), with their frames on screen."""
        found: list[WindowInfo] = []
        with self._lock:
            atom = self._display.intern_atom("_NET_CLIENT_LIST")
            listing = self._root.get_full_property(atom, 0)
            ids = list(listing.value) if listing is not None else []
            for window_id in ids:
                info = self._window_info(int(window_id))
                if info is not None:
                    found.append(info)
        return found

    def _window_info(self, window_id: int) -> WindowInfo | None:
        try:
            window = self._display.create_resource_object("window", window_id)
            geometry = window.get_geometry()
            origin = window.translate_coords(self._root, 0, 0)
            title = window.get_wm_name() or ""
        except Exception:  # noqa: BLE001 - windows close while we look at them
            return None
        region = Region(-int(origin.x), -int(origin.y), int(geometry.width), int(geometry.height))
        return WindowInfo(window_id, str(title), region)

    def close(self) -> None:
        try:
            self._display.close()
        except Exception:  # noqa: BLE001
            pass
