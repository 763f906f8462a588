"""The permissions a new file gets when it honours the user's umask.

``tempfile.mkstemp`` and ``O_TMPFILE`` create files as 0600 whatever the umask. Renamed
into a shared folder such a file is unreadable for the colleagues in the user's group, so
files written for others (the media store of a team library) are given ``0o666 & ~umask``
instead, as ``open()`` would.
"""

from __future__ import annotations

import os
import threading

_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _LOCK:  # elsewhere the only way to read it is to set it (and put it back)
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def shared_file_mode() -> int:
    """``0o666`` less the umask: what ``open(path, "w")`` would give a new file."""
    return 0o666 & ~current_umask()
