"""Where Baton keeps its files: the library folder a team may share, and this user's own.

The library folder (``--data-dir``, ``BATON_DATA_DIR``, or the platform's data folder) holds
only what a team shares: the database file (when SQLite) and the media store. In team mode
it sits on a shared folder, so nothing of one user goes there.

Each user's own files live in the platform's per-user folders (platformdirs; on Linux under
``XDG_CONFIG_HOME``, ``XDG_STATE_HOME`` and ``XDG_CACHE_HOME``): settings, window state,
the log, recordings in progress, caches. Baton 0.1 kept them in the library folder;
``move_user_files`` takes them over on the first start.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import platformdirs

from baton.util.atomic import write_bytes_atomically

APP_NAME = "Baton"
LOG_FILE_NAME = "baton.log"
OLD_RECORDINGS = "recordings"
"""The folder in the library where Baton 0.1 kept recordings in progress."""


@dataclass(frozen=True)
class UserFolders:
    """This user's own folders on this computer (never shared with the team)."""

    config_dir: Path
    state_dir: Path
    log_dir: Path
    cache_dir: Path

    @classmethod
    def of_this_user(cls) -> UserFolders:
        """The platform's folders (they follow ``XDG_*`` on Linux when set)."""
        return cls(
            config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
            state_dir=Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)),
            log_dir=Path(platformdirs.user_log_dir(APP_NAME, appauthor=False)),
            cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        )


@dataclass(frozen=True)
class Paths:
    """The library folder (``data_dir``, what the team shares) and this user's folders.

    Attributes:
        data_dir: the library folder.
        user: this user's own folders.
        data_dir_given: the library folder was chosen (``--data-dir`` or ``BATON_DATA_DIR``)
            rather than the platform's default, so other people may use it too.
    """

    data_dir: Path
    user: UserFolders
    data_dir_given: bool = True

    # -- in the library folder: what the team shares --------------------------------------

    @property
    def database_file(self) -> Path:
        return self.data_dir / "baton.db"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    # -- in this user's folders: never in a shared library --------------------------------

    @property
    def settings_file(self) -> Path:
        return self.user.config_dir / "settings.json"

    @property
    def ui_state_file(self) -> Path:
        return self.user.state_dir / "window-state.ini"

    @property
    def log_dir(self) -> Path:
        return self.user.log_dir

    @property
    def log_file(self) -> Path:
        return self.user.log_dir / LOG_FILE_NAME

    @property
    def recordings_dir(self) -> Path:
        """Recordings in progress (and those a crash left, until recovered).

        Per user and per computer: only the Baton that records may recover them (another
        computer cannot tell a live recording from a crashed one on a shared folder), and a
        video being written at 100 MB a minute belongs on the local disk.
        """
        return self.user.state_dir / "recordings"

    @property
    def recording_folders(self) -> tuple[Path, ...]:
        """Where unfinished recordings may be: ours, then where Baton 0.1 kept them."""
        old = self.data_dir / OLD_RECORDINGS
        if old == self.recordings_dir:
            return (old,)
        return (self.recordings_dir, old)

    @property
    def cache_dir(self) -> Path:
        return self.user.cache_dir

    def ensure(self) -> Paths:
        """Create the library folders (the user's folders are made when first written)."""
        for folder in (self.data_dir, self.media_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self


def resource(*parts: str) -> Path:
    """A file of Baton's own (``resources/`` in the repository), wherever Baton runs from.

    Installed (wheel, editable, PyInstaller bundle) it is the package ``baton.resources``.
    """
    try:
        folder = resources.files("baton.resources")
    except ModuleNotFoundError:
        # Run from a source checkout through PYTHONPATH=src, without installing: the folder
        # is beside src/.
        return Path(__file__).resolve().parents[2].joinpath("resources", *parts)
    return Path(str(folder.joinpath(*parts)))


def resolve_paths(data_dir: str | os.PathLike[str] | None = None) -> Paths:
    """Pick the library folder: the argument, then ``BATON_DATA_DIR``, then the platform's."""
    chosen = data_dir or os.environ.get("BATON_DATA_DIR")
    user = UserFolders.of_this_user()
    if chosen:
        return Paths(Path(chosen).expanduser().resolve(), user)
    default = Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    return Paths(default, user, data_dir_given=False)


def move_user_files(paths: Paths) -> str | None:
    """Take over the per-user files Baton 0.1 kept in the library folder.

    ``settings.json``, ``window-state.ini`` and ``logs/baton.log*`` go to this user's
    folders when nothing is there yet (a file already there is never replaced). A library
    folder that was chosen may be shared: its files are copied, so every teammate gets the
    settings on their first start. The platform's default folder is this user's alone:
    its files are moved. Call before the settings are read and before the log is opened.

    Returns:
        A sentence for the log saying what was taken over, or None when nothing was.
    """
    old = paths.data_dir
    pairs = [(old / "settings.json", paths.settings_file),
             (old / "window-state.ini", paths.ui_state_file)]
    old_logs = old / "logs"
    if old_logs.is_dir() and not paths.log_file.exists():
        pairs += [(log, paths.log_dir / log.name) for log in sorted(old_logs.glob("baton.log*"))]
    taken = []
    for source, target in pairs:
        if not source.is_file() or target.exists() or source == target:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomically(target, source.read_bytes())
        if not paths.data_dir_given:
            source.unlink()
        taken.append(str(source.relative_to(old)))
    if not taken:
        return None
    if not paths.data_dir_given:
        try:
            old_logs.rmdir()
        except OSError:
            pass  # not there, or something else is in it: leave it
    how = "copied" if paths.data_dir_given else "moved"
    why = "; the originals stay, as the library may be shared" if paths.data_dir_given else ""
    return (f"{how} {', '.join(taken)} from the library folder {old} to this user's "
            f"folders ({paths.user.config_dir}, {paths.user.state_dir}, {paths.log_dir}){why}")
