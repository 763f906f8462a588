"""Open a package from outside and check its zip directory and manifest.

A package is hostile until proven otherwise. Before anything is read, the zip's directory
is checked against limits (entry count, sizes, compression ratio, overlap), every name is
checked (no absolute paths, no ``..``, no links or device files, no duplicates even by
case), then the manifest is read and validated and the listing compared with the zip.
Whatever the zip module raises on hostile bytes becomes one ``BadPackage`` sentence. The
content of each file is checked by ``validation`` (the path verify and import share). The
checks and limits are listed in docs/package-format.md.
"""

from __future__ import annotations

import re
import stat
import struct
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from baton.errors import UserError
from baton.handoff.manifest import MANIFEST_NAME, MAX_FILES, SAFE_NAME, Manifest, parse_manifest

CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """How much a package may hold before it is refused as absurd (a zip bomb)."""

    max_entries: int = MAX_FILES + 64
    max_entry_bytes: int = 16 << 30
    max_total_bytes: int = 32 << 30
    max_ratio: float = 200.0
    ratio_applies_above: int = 1 << 20
    # Per kind of file (the manifest is read whole, so it is kept small).
    max_manifest_bytes: int = 8 << 20
    max_page_bytes: int = 64 << 20
    max_markdown_bytes: int = 64 << 20
    max_pdf_bytes: int = 4 << 30
    max_screenshot_bytes: int = 128 << 20
    max_video_bytes: int = 16 << 30


DEFAULT_LIMITS = Limits()
_DRIVE = re.compile(r"^[A-Za-z]:")


class BadPackage(UserError):
    """The file is not a valid, intact Baton handoff package."""


@contextmanager
def open_package(path: Path, limits: Limits = DEFAULT_LIMITS) -> Iterator[zipfile.ZipFile]:
    """Open ``path`` as a zip, turning every way of failing into one ``BadPackage``.

    The entry count is read from the zip's end record first, so a zip claiming millions
    of entries is refused before its directory is loaded into memory.
    """
    if not path.is_file():
        raise BadPackage(f"There is no package file at {path}.")
    try:
        count = _declared_entries(path)
        if count is not None and count > limits.max_entries:
            raise BadPackage(
                f"{path.name} holds {count} files; a package may hold at most {limits.max_entries}."
            )
        archive = zipfile.ZipFile(path)
    except BadPackage:
        raise
    except OSError as error:
        raise BadPackage(f"Cannot read {path.name}: {error.strerror or error}.") from None
    except NotImplementedError:
        raise BadPackage(
            f"{path.name} uses a zip feature Baton does not read; it is not a Baton package."
        ) from None
    except Exception:  # noqa: BLE001 - BadZipFile, struct.error, OverflowError, ... on hostile bytes
        raise BadPackage(f"{path.name} is not a Baton package (it is not a zip file).") from None
    with archive:
        yield archive


def _declared_entries(path: Path) -> int | None:
    """The entry count in the zip's end-of-central-directory record (None if not found)."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        tail_size = min(size, 22 + 0xFFFF)
        handle.seek(size - tail_size)
        tail = handle.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or at + 22 > len(tail):
            return None
        count = int(struct.unpack_from("<H", tail, at + 10)[0])
        locator = at - 20
        if count == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == b"PK\x06\x07":
            record_offset = int(struct.unpack_from("<Q", tail, locator + 8)[0])
            handle.seek(record_offset)
            record = handle.read(56)
            if len(record) == 56 and record[:4] == b"PK\x06\x06":
                count = int(struct.unpack_from("<Q", record, 32)[0])
        return count


def check_entries(
    archive: zipfile.ZipFile, name: str, limits: Limits = DEFAULT_LIMITS
) -> dict[str, zipfile.ZipInfo]:
    """Check the zip's directory; returns its files (not folders) by name.

    Raises:
        BadPackage: too many entries, an unsafe name, a link or device, a duplicate, an
            encrypted or unusually compressed entry, absurd sizes, or overlapping entries.
    """
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise BadPackage(
            f"{name} holds {len(infos)} files; a package may hold at most {limits.max_entries}."
        )
    files: dict[str, zipfile.ZipInfo] = {}
    seen: set[str] = set()
    total = 0
    for info in infos:
        entry = info.orig_filename
        _check_name(entry, name)
        folded = entry.rstrip("/").casefold()
        if folded in seen:
            raise BadPackage(f"{name} contains {entry!r} twice; a package never does.")
        seen.add(folded)
        if _is_link_or_special(info):
            raise BadPackage(
                f"{name} contains a link or special file ({entry!r}); "
                "packages hold only plain files."
            )
        if info.is_dir():
            if info.file_size:
                raise BadPackage(f"{name} has a folder entry with content ({entry!r}).")
            continue
        if info.flag_bits & 0x1:
            raise BadPackage(f"{name} is encrypted ({entry!r}); packages never are.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise BadPackage(f"{name} uses an unsupported compression for {entry!r}.")
        if info.compress_type == zipfile.ZIP_STORED and info.compress_size != info.file_size:
            raise BadPackage(f"{name} is damaged: the sizes of {entry!r} disagree.")
        if info.file_size > limits.max_entry_bytes:
            raise BadPackage(
                f"{name} claims {entry!r} unpacks to {info.file_size:,} bytes, "
                "far more than a package holds."
            )
        if info.file_size > limits.ratio_applies_above and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise BadPackage(
                f"{name} looks like a zip bomb: {entry!r} would unpack "
                f"{info.file_size / max(info.compress_size, 1):,.0f} times larger."
            )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise BadPackage(
                f"{name} would unpack to more than {limits.max_total_bytes >> 30} "
                "GB; that is not a package Baton made."
            )
        files[entry] = info
    _check_no_overlap(infos, name)
    return files


def _check_name(entry: str, name: str) -> None:
    if entry.startswith(("/", "\\")) or _DRIVE.match(entry):
        raise BadPackage(f"{name} contains an absolute path ({entry!r}); refusing to open it.")
    if "\\" in entry or any(ord(ch) < 32 or ord(ch) == 127 for ch in entry):
        raise BadPackage(f"{name} contains a file name with unsafe characters ({entry!r}).")
    parts = entry.rstrip("/").split("/")
    if any(part in ("..", ".") for part in parts):
        raise BadPackage(
            f"{name} contains a path that escapes its folder ({entry!r}); refusing to open it."
        )
    if not entry.rstrip("/") or "" in parts:
        raise BadPackage(f"{name} contains an empty or malformed path ({entry!r}).")


def _is_link_or_special(info: zipfile.ZipInfo) -> bool:
    kind = stat.S_IFMT(info.external_attr >> 16)
    if info.create_system != 3 or kind == 0:
        return False  # no Unix file type recorded: a plain file or folder
    return kind not in (stat.S_IFREG, stat.S_IFDIR)


def _check_no_overlap(infos: list[zipfile.ZipInfo], name: str) -> None:
    """Refuse entries that share bytes (the trick behind non-recursive zip bombs)."""
    end = -1
    for info in sorted(infos, key=lambda item: item.header_offset):
        if info.header_offset < end:
            raise BadPackage(f"{name} has overlapping entries: a zip bomb, not a package.")
        end = info.header_offset + 30 + len(info.orig_filename.encode()) + info.compress_size


def read_manifest(
    archive: zipfile.ZipFile,
    files: dict[str, zipfile.ZipInfo],
    name: str,
    limits: Limits = DEFAULT_LIMITS,
) -> Manifest:
    """Find, size-check and parse ``manifest.json``.

    Raises:
        BadPackage: there is no manifest, or it is too big, damaged or invalid.
    """
    info = files.get(MANIFEST_NAME)
    if info is None:
        raise BadPackage(f"{name} is not a Baton handoff package (it has no manifest.json).")
    if info.file_size > limits.max_manifest_bytes:
        raise BadPackage(f"The manifest of {name} is too big to be real.")
    try:
        data = archive.read(info)
    except Exception:  # noqa: BLE001 - zlib.error, BadZipFile (CRC), EOFError, NotImplementedError, ...
        raise BadPackage(f"{name} is damaged: its manifest cannot be read.") from None
    try:
        return parse_manifest(data)
    except UserError as error:
        raise BadPackage(str(error)) from None


def check_listing(manifest: Manifest, files: dict[str, zipfile.ZipInfo], name: str) -> None:
    """Every file must be in the manifest with the same size, and nothing more.

    Raises:
        BadPackage: a listed file is missing, an unlisted file is present, or a size differs.
    """
    listed = {entry.path for entry in manifest.files}
    for entry in files:
        if entry != MANIFEST_NAME and entry not in listed:
            if not SAFE_NAME.match(entry):
                raise BadPackage(f"{name} contains a file with an unsafe name ({entry!r}).")
            raise BadPackage(f"{name} contains {entry!r}, which its manifest does not list.")
    for item in manifest.files:
        info = files.get(item.path)
        if info is None:
            raise BadPackage(f"{name} is incomplete: {item.path!r} is missing.")
        if info.file_size != item.bytes:
            raise BadPackage(f"{name} was changed or damaged: {item.path!r} has the wrong size.")
