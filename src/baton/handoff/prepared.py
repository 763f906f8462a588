"""A version's package files, prepared once and kept: what they are, and their index.

Everything in a package but its small texts is the same for every export of a version: the
screenshots with the owner's marks burned in, the printable checklist, and the video (with
the version's redaction boxes burned in, a keyframe at every chapter and its colours tagged:
``baton.handoff.video_redaction``; otherwise the recording as it is, remuxed to start fast
if it did not). ``baton.handoff.preparation`` makes them once per version; they go into the
media store, and an index under ``media/prepared/`` lists them with their sizes, CRC-32s and
SHA-256s. Every later export of the version (to the next assistant, or again) only copies
them into the zip.

When a version is prepared, every file is read and checked against its media key. Later
exports trust the content-addressed store as ``cp`` trusts a disk: a file of another size,
or written since it was checked, makes the version be prepared (and checked) again; the
receiver's ``baton package verify`` checks every hash.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from baton import __version__
from baton.core.media import MediaStore
from baton.handoff.source import VersionSource

FORMAT = 2  # bump when what is prepared changes (the PDF layout, the PNG encoding...)
# 2: the video has the version's redaction boxes, chapter keyframes and colour tags.


@dataclass(frozen=True)
class PreparedFile:
    """A file in the media store, with what the zip needs to store it without reading it.

    ``mtime_ns`` is when the file was last written as it was checked: stored media is never
    rewritten, so a file with another size or time has been changed, and is checked again.
    """

    media_key: str
    sha256: str
    size: int
    crc32: int
    mtime_ns: int

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.media_key,
            "sha256": self.sha256,
            "size": self.size,
            "crc32": self.crc32,
            "mtime_ns": self.mtime_ns,
        }

    @classmethod
    def from_json(cls, data: Any) -> PreparedFile:
        return cls(
            str(data["key"]),
            str(data["sha256"]),
            int(data["size"]),
            int(data["crc32"]),
            int(data["mtime_ns"]),
        )

    @classmethod
    def checked(
        cls, media: MediaStore, key: str, sha256: str, size: int, crc32: int
    ) -> PreparedFile:
        """A stored file just checked (its time is read now)."""
        return cls(key, sha256, size, crc32, media.path(key).stat().st_mtime_ns)


@dataclass(frozen=True)
class PreparedShot:
    """A step's screenshot as packed: its file, pixel size and click point in it."""

    name: str
    file: PreparedFile
    width: int
    height: int
    click: tuple[int, int] | None


@dataclass(frozen=True)
class PreparedVersion:
    """What every package of a version holds besides its texts."""

    video: PreparedFile | None
    pdf: PreparedFile
    shots: dict[int, PreparedShot]  # by step position

    def media_keys(self) -> list[str]:
        keys = [self.pdf.media_key] + [s.file.media_key for s in self.shots.values()]
        return keys + ([self.video.media_key] if self.video else [])

    @property
    def size(self) -> int:
        """Bytes of all the files (what an export copies)."""
        return sum(f.size for f in [self.pdf, *(s.file for s in self.shots.values())]) + (
            self.video.size if self.video else 0
        )


def prepared_name(version: VersionSource) -> str:
    """The index name of a version's prepared files: what they are made from, and by which
    Baton (a new release, with perhaps another Qt or PDF layout, prepares again)."""
    basis = (
        f"baton-prepared/{FORMAT}/{__version__}|{version.process_id}|{version.number}"
        f"|{version.content_hash}"
    )
    return hashlib.sha256(basis.encode()).hexdigest()


def load_prepared(version: VersionSource, media: MediaStore) -> PreparedVersion | None:
    """The version's prepared files, if they were made and are all still there."""
    path = media.prepared_index(prepared_name(version))
    try:
        data = json.loads(path.read_bytes())
        made_for = data["made_for"]
        if (made_for["process_id"], made_for["version"], made_for["content_hash"]) != (
            version.process_id,
            version.number,
            version.content_hash,
        ):
            return None
        prepared = PreparedVersion(
            video=PreparedFile.from_json(data["video"]) if data["video"] else None,
            pdf=PreparedFile.from_json(data["pdf"]),
            shots={
                int(shot["position"]): PreparedShot(
                    str(shot["name"]),
                    PreparedFile.from_json(shot["file"]),
                    int(shot["width"]),
                    int(shot["height"]),
                    (int(shot["click"][0]), int(shot["click"][1])) if shot["click"] else None,
                )
                for shot in data["shots"]
            },
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None  # not made yet, or an index from a damaged disk: make it again
    for file in [prepared.pdf, *(s.file for s in prepared.shots.values())]:
        if not _has(media, file):
            return None
    if prepared.video is not None and not _has(media, prepared.video):
        return None
    return prepared


def save_prepared(version: VersionSource, media: MediaStore, prepared: PreparedVersion) -> None:
    """Write the index of the version's prepared files (they are in the media store)."""
    index = {
        "format": FORMAT,
        "made_for": {
            "process_id": version.process_id,
            "version": version.number,
            "content_hash": version.content_hash,
        },
        "media": prepared.media_keys(),
        "video": prepared.video.to_json() if prepared.video else None,
        "pdf": prepared.pdf.to_json(),
        "shots": [
            {
                "position": position,
                "name": shot.name,
                "file": shot.file.to_json(),
                "width": shot.width,
                "height": shot.height,
                "click": list(shot.click) if shot.click else None,
            }
            for position, shot in sorted(prepared.shots.items())
        ],
    }
    media.write_prepared_index(
        prepared_name(version), json.dumps(index, sort_keys=True).encode()
    )


def _has(media: MediaStore, file: PreparedFile) -> bool:
    """Whether the file is still there as it was checked (same size, not written since)."""
    try:
        stat = media.path(file.media_key).stat()
    except (OSError, ValueError):
        return False
    return stat.st_size == file.size and stat.st_mtime_ns == file.mtime_ns
