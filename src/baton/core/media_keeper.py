"""Media an open editor may need again, kept for the editor's lifetime.

Deleting a step leaves its screenshot referenced by nothing; media cleanup (any owner's
Baton, as it closes) may remove it once the grace period has passed. Undo must still find
it, however long the editor has been open. So before a step is deleted (or merged away),
the editor keeps its media here: a hard link where the temporary folder is on the same
disk (free, and it survives the store's file being removed), otherwise a copy. Undo stores
the media again (``MediaStore.put_file``), which brings a removed file back and tells
cleanup the file is wanted again, before the step's row is written.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from baton.core.media import MediaStore

log = logging.getLogger("baton.core")


class MediaKeeper:
    """Private copies of media keys, removed by ``close``.

    Args:
        media: the store the keys are in.
        temp_root: where the private folder of copies is made (default: the system's).
    """

    def __init__(self, media: MediaStore, temp_root: Path | None = None) -> None:
        self._media = media
        self._root = temp_root
        self._folder: Path | None = None
        self._kept: dict[str, Path] = {}

    def keep(self, keys: Iterable[str | None]) -> None:
        """Keep a copy of each stored key (missing files are skipped: nothing to keep)."""
        for key in keys:
            if not key or key in self._kept:
                continue
            source = self._media.path(key)
            target = self._where() / key
            try:
                try:
                    os.link(source, target)
                except OSError:
                    shutil.copyfile(source, target)
            except OSError as error:
                log.info("could not keep %s for undo: %s", key, error)
                continue
            self._kept[key] = target

    def restore(self, keys: Iterable[str | None]) -> None:
        """Store each kept key again (back in the store if cleanup removed it).

        Raises:
            UserError: the store cannot be written.
        """
        for key in keys:
            if not key:
                continue
            kept = self._kept.get(key)
            if kept is None:
                continue  # never kept: the row refers to what the store has, or had
            ext = key.split(".", 1)[1]
            self._media.put_file(kept, ext)

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
        self._kept.clear()
        self._folder = None

    def _where(self) -> Path:
        if self._folder is None:
            self._folder = Path(tempfile.mkdtemp(prefix="baton-undo-", dir=self._root))
        return self._folder
