"""Logging: one named logger per area, written to a rotating file in the log folder."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

AREAS = ("baton.core", "baton.capture", "baton.handoff", "baton.ui", "baton.cli")
LOG_FILE_NAME = "baton.log"


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Send every ``baton.*`` logger to ``log_dir/baton.log`` (1 MB x 5 files).

    Returns:
        The path of the log file, to show in error messages.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / LOG_FILE_NAME
    root = logging.getLogger("baton")
    for handler in list(root.handlers):
        if getattr(handler, "baton_file", False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=1_000_000, backupCount=5, encoding="utf-8"
    )
    handler.baton_file = True  # type: ignore[attr-defined]
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)
    return log_file
