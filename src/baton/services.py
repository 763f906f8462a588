"""Build the services once (database, media store, library, assistants, handoffs ...) and
pass them on."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from baton.core.assistants import Assistants
from baton.core.changes import Changes
from baton.core.dashboard import Dashboard
from baton.core.db import Database, open_database, sqlite_url
from baton.core.handoffs import Handoffs
from baton.core.ladder import TrustLadder
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.questions import Questions
from baton.core.receipts import Receipts
from baton.core.redactions import VideoRedactions
from baton.core.sending import Sending
from baton.core.steps import Steps
from baton.core.upgrade import Confirm, backup_or_refuse
from baton.errors import UserError
from baton.log import setup_logging
from baton.paths import Paths, move_user_files, resolve_paths
from baton.settings import Settings

log = logging.getLogger("baton.core")


@dataclass
class Services:
    """Everything the app and the command line work with, built from one data folder."""

    paths: Paths
    database: Database
    media: MediaStore
    library: Library
    steps: Steps
    assistants: Assistants
    handoffs: Handoffs
    sending: Sending
    receipts: Receipts
    questions: Questions
    dashboard: Dashboard
    ladder: TrustLadder
    changes: Changes
    settings: Settings
    redactions: VideoRedactions

    def close(self) -> None:
        self.database.close()


def open_user_files(paths: Paths) -> Path:
    """Take over the per-user files an older Baton kept in the library, then start the log.

    Call before ``open_services`` (which reads the settings).

    Returns:
        The log file, to show in error messages.

    Raises:
        UserError: this user's folders cannot be written.
    """
    try:
        taken = move_user_files(paths)
        log_file = setup_logging(paths.log_dir)
    except OSError as error:
        raise UserError(
            f"Cannot set up your own Baton files in {error.filename or paths.log_dir}: "
            f"{error.strerror}"
        ) from None
    if taken:
        log.info("%s", taken)
    return log_file


def database_url_for(paths: Paths, database_url: str | None) -> str:
    return database_url or os.environ.get("BATON_DATABASE_URL") or sqlite_url(paths.database_file)


def open_services(
    data_dir: str | None = None,
    database_url: str | None = None,
    *,
    confirm: Confirm = backup_or_refuse,
) -> Services:
    """Open (creating or upgrading as needed) the library in ``data_dir``.

    ``confirm`` is asked before a team library is upgraded (``baton.core.upgrade``).

    Raises:
        UserError: the folder cannot be created or the database cannot be opened.
    """
    paths = resolve_paths(data_dir)
    try:
        paths.ensure()
    except OSError as error:
        # A library on a read-only disk still opens (read-only) if it is there.
        if database_url or not paths.database_file.is_file():
            raise UserError(
                f"Cannot create the data folder {paths.data_dir}: {error.strerror}"
            ) from None
    database = open_database(database_url_for(paths, database_url), backup_dir=paths.data_dir,
                             confirm=confirm)
    sending = Sending(database.sessions)
    if database.read_only is None:
        sending.clean_abandoned()  # sends killed before their package was written
    return Services(
        paths=paths,
        database=database,
        media=MediaStore(paths.media_dir),
        library=Library(database.sessions),
        steps=Steps(database.sessions),
        assistants=Assistants(database.sessions),
        handoffs=Handoffs(database.sessions),
        sending=sending,
        receipts=Receipts(database.sessions),
        questions=Questions(database.sessions),
        dashboard=Dashboard(database.sessions),
        ladder=TrustLadder(database.sessions),
        changes=Changes(database.sessions),
        settings=Settings(paths.settings_file),
        redactions=VideoRedactions(database.sessions),
    )
