"""Where Baton keeps its data, settings and logs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "Baton"


@dataclass(frozen=True)
class Paths:
    """The folders of one Baton library.

    Everything lives under ``data_dir`` unless the platform's log folder is used, so a
    ``--data-dir`` makes a fully self-contained library (that is how tests run).
    """

    data_dir: Path

    @property
    def database_file(self) -> Path:
        return self.data_dir / "baton.db"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def log_dir(self) -> Path:
        return self.data_dir / "logs"

    @property
    def settings_file(self) -> Path:
        return self.data_dir / "settings.json"

    @property
    def ui_state_file(self) -> Path:
        return self.data_dir / "window-state.ini"

    @property
    def recordings_dir(self) -> Path:
        return self.data_dir / "recordings"

    def ensure(self) -> Paths:
        for folder in (self.data_dir, self.media_dir, self.log_dir, self.recordings_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> Paths:
    """Pick the data folder: the argument, then ``BATON_DATA_DIR``, then the platform's."""
    chosen = data_dir or os.environ.get("BATON_DATA_DIR")
    if chosen:
        return Paths(Path(chosen).expanduser().resolve())
    return Paths(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)))
