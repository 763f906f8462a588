"""Build the services once (database, media store, library, assistants, handoffs ...) and
pass them on."""

from __future__ import annotations

import os
from dataclasses import dataclass

from baton.core.assistants import Assistants
from baton.core.changes import Changes
from baton.core.dashboard import Dashboard
from baton.core.db import Database, open_database, sqlite_url
from baton.core.handoffs import Handoffs
from baton.core.ladder import TrustLadder
from baton.core.library import Library
from baton.core.media import MediaStore
from baton.core.questions import Questions
from baton.core.steps import Steps
from baton.errors import UserError
from baton.paths import Paths, resolve_paths
from baton.settings import Settings


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
    questions: Questions
    dashboard: Dashboard
    ladder: TrustLadder
    changes: Changes
    settings: Settings

    def close(self) -> None:
        self.database.close()


def database_url_for(paths: Paths, database_url: str | None) -> str:
    return database_url or os.environ.get("BATON_DATABASE_URL") or sqlite_url(paths.database_file)


def open_services(data_dir: str | None = None, database_url: str | None = None) -> Services:
    """Open (creating or upgrading as needed) the library in ``data_dir``.

    Raises:
        UserError: the folder cannot be created or the database cannot be opened.
    """
    paths = resolve_paths(data_dir)
    try:
        paths.ensure()
    except OSError as error:
        raise UserError(
            f"Cannot create the data folder {paths.data_dir}: {error.strerror}"
        ) from None
    database = open_database(database_url_for(paths, database_url), backup_dir=paths.data_dir)
    return Services(
        paths=paths,
        database=database,
        media=MediaStore(paths.media_dir),
        library=Library(database.sessions),
        steps=Steps(database.sessions),
        assistants=Assistants(database.sessions),
        handoffs=Handoffs(database.sessions),
        questions=Questions(database.sessions),
        dashboard=Dashboard(database.sessions),
        ladder=TrustLadder(database.sessions),
        changes=Changes(database.sessions),
        settings=Settings(paths.settings_file),
    )
