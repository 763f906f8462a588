"""What goes into a package: the version being packed, and how the zip is named."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from baton.core.states import Audience, Complexity
from baton.core.versions import ProcessVersionRow, content_hash
from baton.errors import UserError
from baton.handoff.manifest import ProcessInfo


def slugify(text: str, fallback: str = "process") -> str:
    """A file-name-safe, lowercase, ASCII version of ``text``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].strip("-")
    return slug or fallback


def package_file_name(title: str, version: int, assistant: str | None = None) -> str:
    """``<process-slug>-v<version>[-<assistant-slug>].zip``."""
    name = f"{slugify(title)}-v{version}"
    if assistant:
        name += f"-{slugify(assistant, 'assistant')}"
    return name + ".zip"


@dataclass(frozen=True)
class VersionSource:
    """A version to package: its snapshot, process id, number and content hash."""

    snapshot: Mapping[str, Any]
    process_id: int
    number: int
    content_hash: str

    @classmethod
    def of(cls, source: ProcessVersionRow | Mapping[str, Any]) -> VersionSource:
        """Accept a frozen version or a snapshot dict with an optional ``"version"``."""
        if isinstance(source, ProcessVersionRow):
            return cls(source.snapshot, source.process_id, source.number, source.content_hash)
        snapshot = dict(source)
        number = snapshot.pop("version", 0)
        process_id = snapshot.get("process_id")
        if not isinstance(process_id, int) or isinstance(process_id, bool) or process_id < 1:
            raise UserError("This process snapshot has no process id; freeze a version first.")
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            number = 0
        return cls(snapshot, process_id, number, content_hash(snapshot))


def process_info(version: VersionSource, title: str) -> ProcessInfo:
    """The manifest's process block for ``version``."""
    snapshot = version.snapshot

    def number(key: str) -> float:
        value = snapshot.get(key)
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0
        )

    return ProcessInfo(
        id=version.process_id,
        title=title[:500],
        summary=str(snapshot.get("summary") or ""),
        audience=str(snapshot.get("audience") or Audience.INTERNAL.value),
        complexity=str(snapshot.get("complexity") or Complexity.SIMPLE.value),
        minutes_per_run=int(number("minutes_per_run")),
        runs_per_week=number("runs_per_week"),
        version=version.number,
        content_hash=version.content_hash,
    )
