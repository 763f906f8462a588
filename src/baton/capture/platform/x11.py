"""X11 through python-xlib (already installed with pynput): pointer, cursor image, windows.

The cursor image comes from the XFixes extension. Parsing it in python-xlib costs about
1.4 ms, too much for every frame: Baton asks XFixes to say when the cursor's shape changes
and fetches the image only then; other frames ask only where the pointer is.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import numpy as np

from baton.capture.platform.base import CursorImage, PointerSample, WindowInfo
from baton.capture.platform.compound_text import decode_compound_text
from baton.capture.platform.screens import Region, no_display_error

log = logging.getLogger("baton.capture")

DEFAULT_DPI = 96.0
MAX_DEPTH = 8
NOT_RECORDABLE = tuple(f"_NET_WM_WINDOW_TYPE_{kind}" for kind in (
    "DESKTOP", "DOCK", "TOOLBAR", "MENU", "SPLASH", "NOTIFICATION", "TOOLTIP", "DROPDOWN_MENU",
    "POPUP_MENU", "COMBO", "DND"))
"""Window types that are part of the desktop (panels, docks, menus), not an application's
window: they are not offered as a window to record."""


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
        self._cursor_changed = True  # (the first pointer() asks XFixes to tell of changes)
        self._atoms: dict[str, int] = {}
        self._owners: dict[int, int | None] = {}
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
        if self._cursor is None:  # first use: from now on XFixes says when the shape changes
            from Xlib.ext import xfixes  # type: ignore[import-untyped]

            self._display.xfixes_select_cursor_input(
                self._root, xfixes.XFixesDisplayCursorNotifyMask
            )
        while self._display.pending_events():  # the shape changed
            self._display.next_event()
            self._cursor_changed = True
        if not self._cursor_changed and self._cursor is not None:
            reply = self._root.query_pointer()
            return PointerSample(int(reply.root_x), int(reply.root_y), self._cursor)
        self._cursor_changed = False
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
                if info is not None and self._recordable(int(window_id)):
                    found.append(info)
        return found

    def _recordable(self, window_id: int) -> bool:
        """Not a panel, dock, desktop or menu (by ``_NET_WM_WINDOW_TYPE``)."""
        try:
            window = self._display.create_resource_object("window", window_id)
            prop = window.get_full_property(self._atom("_NET_WM_WINDOW_TYPE"), 0)
        except Exception:  # noqa: BLE001 - windows close while we look at them
            return False
        kinds = {int(atom) for atom in (prop.value if prop is not None else [])}
        return not kinds & {self._atom(name) for name in NOT_RECORDABLE}

    def _window_info(self, window_id: int) -> WindowInfo | None:
        try:
            window = self._display.create_resource_object("window", window_id)
            geometry = window.get_geometry()
            origin = window.translate_coords(self._root, 0, 0)
            title = self._title(window)
            app = self._app(window)
            pid = self._pid(window)
        except Exception:  # noqa: BLE001 - windows close while we look at them
            return None
        region = Region(-int(origin.x), -int(origin.y), int(geometry.width), int(geometry.height))
        return WindowInfo(window_id, title, region, app, pid)

    def window_at(self, x: int, y: int) -> WindowInfo | None:
        """The application window at screen point ``x, y`` (None: the bare desktop)."""
        try:
            with self._lock:
                window: Any = self._root
                chain: list[Any] = []
                for _depth in range(MAX_DEPTH):
                    child = window.translate_coords(self._root, x, y).child
                    if not child:
                        break
                    window = self._display.create_resource_object("window", int(child.id))
                    chain.append(window)
                client = self._client(chain)
                return None if client is None else self._window_info(int(client.id))
        except Exception as error:  # noqa: BLE001 - windows close while we look at them
            log.debug("window lookup failed: %s", error)
            return None

    def windows_of(self, pid: int) -> list[Region]:
        """Where the shown top-level windows of process ``pid`` are (Baton's own, to keep
        them out of step screenshots), whether a window manager framed them or not."""
        found: list[Region] = []
        try:
            with self._lock:
                for window in self._root.query_tree().children:
                    owner = self._owner_of(window)
                    if owner != pid:
                        continue
                    if window.get_attributes().map_state != 2:  # IsViewable
                        continue
                    geometry = window.get_geometry()
                    origin = window.translate_coords(self._root, 0, 0)
                    found.append(Region(-int(origin.x), -int(origin.y), int(geometry.width),
                                        int(geometry.height)))
        except Exception as error:  # noqa: BLE001 - windows close while we look at them
            log.debug("own window lookup failed: %s", error)
        return found

    def _owner_of(self, window: Any) -> int | None:
        """The process of a top-level window or of the client a window manager framed
        (cached: a window's owner never changes)."""
        window_id = int(window.id)
        if window_id not in self._owners:
            owner = self._pid(window)
            if owner is None:
                for child in window.query_tree().children[:4]:
                    owner = self._pid(child)
                    if owner is not None:
                        break
            self._owners[window_id] = owner
        return self._owners[window_id]

    def focused_window(self) -> WindowInfo | None:
        """The window that receives typing (the one under the pointer if focus follows it)."""
        try:
            with self._lock:
                focus = self._display.get_input_focus().focus
                chain: list[Any] = []
                window = focus if hasattr(focus, "id") else None
                while window is not None and int(window.id) != int(self._root.id):
                    chain.insert(0, window)
                    window = window.query_tree().parent
                    if len(chain) > MAX_DEPTH:
                        break
                client = self._client(chain) if chain else None
                if client is not None:
                    return self._window_info(int(client.id))
        except Exception as error:  # noqa: BLE001
            log.debug("focus lookup failed: %s", error)
            return None
        pointer = self.pointer()
        return self.window_at(pointer.x, pointer.y) if pointer is not None else None

    def _client(self, chain: list[Any]) -> Any:
        """The application window in a root-to-leaf chain of windows.

        That is the one a window manager marked with ``WM_STATE``, else the first with a
        title (no window manager, as under Xvfb); a nameless popup stands for the window it
        belongs to (``WM_TRANSIENT_FOR``).
        """
        state = self._atom("WM_STATE")
        for window in chain:
            if window.get_full_property(state, 0) is not None:
                return window
        for window in chain:
            if self._title(window):
                return window
            owner = window.get_wm_transient_for()
            if owner is not None:
                return owner
        return None

    def _title(self, window: Any) -> str:
        """``_NET_WM_NAME`` (UTF-8), else ``WM_NAME`` in whichever encoding its type names."""
        prop = window.get_full_property(self._atom("_NET_WM_NAME"), 0)
        if prop is None or not prop.value:
            prop = window.get_full_property(self._atom("WM_NAME"), 0)
        if prop is None or not prop.value:
            return ""
        value = prop.value
        if not isinstance(value, bytes):
            return str(value)
        kind = prop.property_type
        if kind == self._atom("UTF8_STRING"):
            return value.decode("utf-8", "replace")
        if kind == self._atom("COMPOUND_TEXT"):
            return decode_compound_text(value)
        return value.decode("latin-1", "replace")  # STRING is Latin-1 by definition

    def _app(self, window: Any) -> str:
        names = window.get_wm_class()
        return str(names[1]) if names else ""

    def _pid(self, window: Any) -> int | None:
        """``_NET_WM_PID``: the process that owns the window (most toolkits set it)."""
        prop = window.get_full_property(self._atom("_NET_WM_PID"), 0)
        if prop is None or len(prop.value) != 1:
            return None
        return int(prop.value[0])

    def _atom(self, name: str) -> int:
        if name not in self._atoms:
            self._atoms[name] = int(self._display.intern_atom(name))
        return self._atoms[name]

    def close(self) -> None:
        try:
            self._display.close()
        except Exception:  # noqa: BLE001
            pass
