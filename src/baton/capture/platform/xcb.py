"""The few libxcb calls the recorder needs: shared-memory grabs (MIT-SHM) and XDamage.

A ctypes binding to libxcb, libxcb-shm and libxcb-damage (Debian ``libxcb1``,
``libxcb-shm0``, ``libxcb-damage0``) plus SysV shared memory from libc; nothing else.
``XcbUnavailable`` means a library or an extension is missing and the caller should
use another way to read the screen.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from dataclasses import dataclass
from typing import Any

IMAGE_FORMAT_Z_PIXMAP = 2
DAMAGE_REPORT_RAW_RECTANGLES = 0
DAMAGE_NOTIFY = 0  # event number relative to the extension's first event
IPC_PRIVATE = 0
IPC_CREAT = 0o1000
IPC_RMID = 0
ALL_PLANES = 0xFFFFFFFF


class XcbUnavailable(Exception):
    """libxcb, MIT-SHM or DAMAGE cannot be used on this display."""


class _Cookie(ctypes.Structure):
    _fields_ = [("sequence", ctypes.c_uint)]


class _ScreenIterator(ctypes.Structure):
    _fields_ = [("data", ctypes.c_void_p), ("rem", ctypes.c_int), ("index", ctypes.c_int)]


class _Screen(ctypes.Structure):
    _fields_ = [
        ("root", ctypes.c_uint32), ("default_colormap", ctypes.c_uint32),
        ("white_pixel", ctypes.c_uint32), ("black_pixel", ctypes.c_uint32),
        ("current_input_masks", ctypes.c_uint32),
        ("width_in_pixels", ctypes.c_uint16), ("height_in_pixels", ctypes.c_uint16),
        ("width_in_mm", ctypes.c_uint16), ("height_in_mm", ctypes.c_uint16),
        ("min_installed_maps", ctypes.c_uint16), ("max_installed_maps", ctypes.c_uint16),
        ("root_visual", ctypes.c_uint32), ("backing_stores", ctypes.c_uint8),
        ("save_unders", ctypes.c_uint8), ("root_depth", ctypes.c_uint8),
        ("allowed_depths_len", ctypes.c_uint8),
    ]


class _ExtensionReply(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8), ("pad0", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16), ("length", ctypes.c_uint32),
        ("present", ctypes.c_uint8), ("major_opcode", ctypes.c_uint8),
        ("first_event", ctypes.c_uint8), ("first_error", ctypes.c_uint8),
    ]


class _ShmImageReply(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8), ("depth", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16), ("length", ctypes.c_uint32),
        ("visual", ctypes.c_uint32), ("size", ctypes.c_uint32),
    ]


class _DamageNotify(ctypes.Structure):
    _fields_ = [
        ("response_type", ctypes.c_uint8), ("level", ctypes.c_uint8),
        ("sequence", ctypes.c_uint16), ("drawable", ctypes.c_uint32),
        ("damage", ctypes.c_uint32), ("timestamp", ctypes.c_uint32),
        ("x", ctypes.c_int16), ("y", ctypes.c_int16),
        ("width", ctypes.c_uint16), ("height", ctypes.c_uint16),
    ]


_P = ctypes.c_void_p
_SIGNATURES: dict[str, tuple[str, Any, list[Any]]] = {
    # name: (library, result, arguments)
    "xcb_connect": ("xcb", _P, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]),
    "xcb_connection_has_error": ("xcb", ctypes.c_int, [_P]),
    "xcb_disconnect": ("xcb", None, [_P]),
    "xcb_flush": ("xcb", ctypes.c_int, [_P]),
    "xcb_get_setup": ("xcb", _P, [_P]),
    "xcb_setup_roots_iterator": ("xcb", _ScreenIterator, [_P]),
    "xcb_screen_next": ("xcb", None, [ctypes.POINTER(_ScreenIterator)]),
    "xcb_generate_id": ("xcb", ctypes.c_uint32, [_P]),
    "xcb_get_extension_data": ("xcb", ctypes.POINTER(_ExtensionReply), [_P, _P]),
    "xcb_poll_for_event": ("xcb", _P, [_P]),
    "xcb_request_check": ("xcb", _P, [_P, _Cookie]),
    "xcb_shm_query_version": ("shm", _Cookie, [_P]),
    "xcb_shm_query_version_reply": ("shm", _P, [_P, _Cookie, _P]),
    "xcb_shm_attach_checked": ("shm", _Cookie, [_P, ctypes.c_uint32, ctypes.c_uint32,
                                                ctypes.c_uint8]),
    "xcb_shm_detach": ("shm", _Cookie, [_P, ctypes.c_uint32]),
    "xcb_shm_get_image": ("shm", _Cookie, [
        _P, ctypes.c_uint32, ctypes.c_int16, ctypes.c_int16, ctypes.c_uint16,
        ctypes.c_uint16, ctypes.c_uint32, ctypes.c_uint8, ctypes.c_uint32, ctypes.c_uint32]),
    "xcb_shm_get_image_reply": ("shm", ctypes.POINTER(_ShmImageReply), [_P, _Cookie, _P]),
    "xcb_damage_query_version": ("damage", _Cookie, [_P, ctypes.c_uint32, ctypes.c_uint32]),
    "xcb_damage_query_version_reply": ("damage", _P, [_P, _Cookie, _P]),
    "xcb_damage_create": ("damage", _Cookie, [_P, ctypes.c_uint32, ctypes.c_uint32,
                                              ctypes.c_uint8]),
    "xcb_damage_destroy": ("damage", _Cookie, [_P, ctypes.c_uint32]),
    "shmget": ("c", ctypes.c_int, [ctypes.c_int, ctypes.c_size_t, ctypes.c_int]),
    "shmat": ("c", _P, [ctypes.c_int, _P, ctypes.c_int]),
    "shmdt": ("c", ctypes.c_int, [_P]),
    "shmctl": ("c", ctypes.c_int, [ctypes.c_int, ctypes.c_int, _P]),
    "free": ("c", None, [_P]),
}
_SONAMES = {"xcb": "libxcb.so.1", "shm": "libxcb-shm.so.0", "damage": "libxcb-damage.so.0",
            "c": "libc.so.6"}


@dataclass(frozen=True)
class Damage:
    """One damaged rectangle of the root window; ``sequence`` tells when it happened.

    ``sequence`` is the low 16 bits of the number of the last request of ours the server
    had handled when the drawing happened (see ``happened_before``).
    """

    sequence: int
    x: int
    y: int
    width: int
    height: int


def happened_before(event_sequence: int, request_sequence: int) -> bool:
    """Whether an event stamped ``event_sequence`` happened before request
    ``request_sequence`` was handled (16-bit sequence numbers that wrap)."""
    distance = (request_sequence - event_sequence) & 0xFFFF
    return 0 < distance < 0x8000


class Xcb:
    """One XCB connection with MIT-SHM and DAMAGE ready.

    Raises:
        XcbUnavailable: a library, the display, MIT-SHM or DAMAGE is missing.
    """

    def __init__(self, display: str | None) -> None:
        self._lib = _load()
        lib = self._lib
        screen_number = ctypes.c_int(0)
        self._conn = lib.xcb_connect(display.encode() if display else None,
                                     ctypes.byref(screen_number))
        if not self._conn or lib.xcb_connection_has_error(self._conn):
            self._close_connection()
            raise XcbUnavailable(f"cannot connect to the display {display or ''}".strip())
        try:
            self.root, self.depth = self._root(screen_number.value)
            self._damage_event = self._extensions()
        except XcbUnavailable:
            self._close_connection()
            raise

    def _root(self, number: int) -> tuple[int, int]:
        lib = self._lib
        screens = lib.xcb_setup_roots_iterator(lib.xcb_get_setup(self._conn))
        for _ in range(number):
            lib.xcb_screen_next(ctypes.byref(screens))
        if not screens.data:
            raise XcbUnavailable(f"no screen {number}")
        screen = _Screen.from_address(screens.data)
        return int(screen.root), int(screen.root_depth)

    def _extensions(self) -> int:
        lib, conn = self._lib, self._conn
        for name in ("shm", "damage"):
            ext_id = ctypes.c_byte.in_dll(self._libs_by_name()[name], f"xcb_{name}_id")
            data = lib.xcb_get_extension_data(conn, ctypes.addressof(ext_id))
            if not data or not data.contents.present:
                raise XcbUnavailable(f"the display has no {name.upper()} extension")
            if name == "damage":
                first_event = int(data.contents.first_event)
        reply = lib.xcb_shm_query_version_reply(conn, lib.xcb_shm_query_version(conn), None)
        if not reply:
            raise XcbUnavailable("MIT-SHM does not answer")
        lib.free(reply)
        reply = lib.xcb_damage_query_version_reply(
            conn, lib.xcb_damage_query_version(conn, 1, 1), None)
        if not reply:
            raise XcbUnavailable("DAMAGE does not answer")
        lib.free(reply)
        return first_event + DAMAGE_NOTIFY

    def _libs_by_name(self) -> dict[str, Any]:
        libraries: dict[str, Any] = self._lib.libraries
        return libraries

    # -- requests ----------------------------------------------------------------------

    @property
    def broken(self) -> bool:
        """Whether the connection failed (the X server went away)."""
        return bool(self._lib.xcb_connection_has_error(self._conn))

    def new_id(self) -> int:
        return int(self._lib.xcb_generate_id(self._conn))

    def attach_shm(self, shmseg: int, shmid: int) -> None:
        """Let the X server write into our SysV segment ``shmid`` as ``shmseg``.

        Raises:
            XcbUnavailable: the server cannot attach it (e.g. it runs on another machine).
        """
        lib = self._lib
        error = lib.xcb_request_check(
            self._conn, lib.xcb_shm_attach_checked(self._conn, shmseg, shmid, 0))
        if error:
            lib.free(error)
            raise XcbUnavailable("the X server cannot share memory with Baton")

    def detach_shm(self, shmseg: int) -> None:
        self._lib.xcb_shm_detach(self._conn, shmseg)
        self._lib.xcb_flush(self._conn)

    def watch_damage(self) -> int:
        """Start reporting every drawing on the root window (and the windows on it)."""
        damage = self.new_id()
        self._lib.xcb_damage_create(self._conn, damage, self.root,
                                    DAMAGE_REPORT_RAW_RECTANGLES)
        self._lib.xcb_flush(self._conn)
        return damage

    def stop_damage(self, damage: int) -> None:
        self._lib.xcb_damage_destroy(self._conn, damage)
        self._lib.xcb_flush(self._conn)

    def request_image(self, shmseg: int, offset: int, x: int, y: int, width: int,
                      height: int) -> int:
        """Ask for a Z-pixmap of the root's ``x, y, width, height`` at ``offset`` in the
        segment; returns the request's cookie sequence (wait with ``wait_image``)."""
        cookie = self._lib.xcb_shm_get_image(self._conn, self.root, x, y, width, height,
                                             ALL_PLANES, IMAGE_FORMAT_Z_PIXMAP, shmseg, offset)
        return int(cookie.sequence)

    def wait_image(self, sequence: int) -> bool:
        """Wait for an image request; False when it failed (display gone, bad area)."""
        reply = self._lib.xcb_shm_get_image_reply(self._conn, _Cookie(sequence), None)
        if not reply:
            return False
        self._lib.free(reply)
        return True

    def damage(self) -> list[Damage]:
        """The damage reported so far, without waiting (other events are dropped)."""
        lib, found = self._lib, list[Damage]()
        while True:
            event = lib.xcb_poll_for_event(self._conn)
            if not event:
                return found
            notify = _DamageNotify.from_address(event)
            if notify.response_type & 0x7F == self._damage_event:
                found.append(Damage(int(notify.sequence), int(notify.x), int(notify.y),
                                    int(notify.width), int(notify.height)))
            lib.free(event)

    def close(self) -> None:
        self._close_connection()

    def _close_connection(self) -> None:
        if self._conn:
            self._lib.xcb_disconnect(self._conn)
            self._conn = None

    # -- shared memory -------------------------------------------------------------------

    def new_segment(self, size: int) -> tuple[int, int]:
        """A private SysV segment of ``size`` bytes: ``(shmid, address)``.

        Raises:
            XcbUnavailable: the system refuses shared memory.
        """
        lib = self._lib
        shmid = lib.shmget(IPC_PRIVATE, size, IPC_CREAT | 0o600)
        if shmid < 0:
            raise XcbUnavailable("no shared memory for screen grabs")
        address = lib.shmat(shmid, None, 0)
        if address is None or address == ctypes.c_void_p(-1).value:
            lib.shmctl(shmid, IPC_RMID, None)
            raise XcbUnavailable("cannot map shared memory for screen grabs")
        return shmid, int(address)

    def forget_segment(self, shmid: int) -> None:
        """Have the segment removed once nobody uses it (also when Baton is killed)."""
        self._lib.shmctl(shmid, IPC_RMID, None)

    def unmap_segment(self, address: int) -> None:
        self._lib.shmdt(address)


class _Library:
    """The loaded functions (attributes) and the libraries they came from."""

    def __init__(self) -> None:
        self.libraries: dict[str, Any] = {}

    def __getattr__(self, name: str) -> Any:  # typed access to the loaded functions
        raise AttributeError(name)


def _load() -> Any:
    loaded = _Library()
    try:
        for key, soname in _SONAMES.items():
            loaded.libraries[key] = ctypes.CDLL(soname)
    except OSError as error:
        raise XcbUnavailable(f"a library is missing: {error}") from error
    for name, (library, result, arguments) in _SIGNATURES.items():
        function = getattr(loaded.libraries[library], name)
        function.restype = result
        function.argtypes = arguments
        setattr(loaded, name, function)
    return loaded
