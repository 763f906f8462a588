"""The one validation path for packages from outside: ``package verify`` and ``import``.

Verify runs it on its own; import runs it with a staging folder, where the screenshots and
the video are written as they stream past, and adds the process only if it passed. So
verify passes exactly what import accepts.

Order: the zip's directory (``reader.check_entries``), the manifest, the listing, then each
kind's size limit from the directory alone, before any content is read. Then every file is
streamed once, 1 MiB at a time, through SHA-256 and the check for its kind:

| kind | file | check |
|---|---|---|
| page | ``index.html`` | UTF-8 text starting ``<!doctype html`` |
| markdown | ``checklist.md`` | UTF-8 text |
| pdf | ``checklist.pdf`` | starts ``%PDF-``, ends with ``%%EOF`` |
| screenshot | ``steps/NNN.png``/``.jpg`` | ``pictures.PictureCheck`` |
| video | ``video/walkthrough.mp4`` | ``video_check.check_video`` |

Memory stays bounded whatever the zip claims: nothing is read whole but the manifest (at
most 8 MiB), and a lying size in the zip stops at the size it declared. Every failure is a
``BadPackage`` sentence naming the file and the problem.
"""

from __future__ import annotations

import codecs
import hashlib
import struct
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, cast

from baton.errors import UserError
from baton.handoff.manifest import Manifest, file_kind
from baton.handoff.pictures import PictureCheck, PictureInfo
from baton.handoff.reader import (
    CHUNK,
    DEFAULT_LIMITS,
    BadPackage,
    Limits,
    check_entries,
    check_listing,
    open_package,
    read_manifest,
)
from baton.handoff.video import VideoInfo
from baton.handoff.video_check import Window, check_video

STAGED_KINDS = ("screenshot", "video")


@dataclass
class CheckedPackage:
    """A package that passed every check.

    ``staged`` holds, when importing, where each screenshot and the video were written
    (inside the staging folder, removed when the validation's context ends).
    """

    manifest: Manifest
    pictures: dict[str, PictureInfo] = field(default_factory=dict)
    video: VideoInfo | None = None
    staged: dict[str, Path] = field(default_factory=dict)


def verify_package(path: Path, limits: Limits = DEFAULT_LIMITS) -> Manifest:
    """Check a package completely, writing nothing anywhere.

    Raises:
        BadPackage: the first problem found, as one sentence.
    """
    with checked_package(path, limits) as package:
        return package.manifest


@contextmanager
def checked_package(
    path: Path, limits: Limits = DEFAULT_LIMITS, *, staging: Path | None = None
) -> Iterator[CheckedPackage]:
    """Check a package; with ``staging``, keep its screenshots and video there meanwhile.

    Args:
        path: the zip.
        limits: how much a package may hold (tests pass small ones).
        staging: an existing folder to write the screenshots and video into (import);
            a folder inside it is used and removed on leaving the context.

    Raises:
        BadPackage: the first problem found, as one sentence. Nothing is left in
            ``staging`` then.
        UserError: the staging folder cannot be written.
    """
    name = path.name
    with ExitStack() as stack:
        archive = stack.enter_context(open_package(path, limits))
        files = check_entries(archive, name, limits)
        manifest = read_manifest(archive, files, name, limits)
        check_listing(manifest, files, name)
        _check_kind_sizes(manifest, files, name, limits)
        folder = None
        if staging is not None:
            try:
                folder = Path(stack.enter_context(
                    tempfile.TemporaryDirectory(prefix=".staging-", dir=staging)
                ))
            except OSError as error:
                raise UserError(
                    f"Cannot import into {staging}: {error.strerror or error}."
                ) from None
        package = CheckedPackage(manifest)
        raw = stack.enter_context(path.open("rb"))
        for item in manifest.files:
            info = files[item.path]
            kind = file_kind(item.path) or ""
            target = folder / f"{len(package.staged):05d}" if folder is not None else None
            if target is not None and kind in STAGED_KINDS:
                package.staged[item.path] = target
            else:
                target = None
            _Entry(archive, raw, info, name, kind, item.sha256).check(package, target)
        yield package


def _check_kind_sizes(
    manifest: Manifest, files: dict[str, zipfile.ZipInfo], name: str, limits: Limits
) -> None:
    """Refuse a file bigger than its kind allows, from the directory alone."""
    most = {
        "page": limits.max_page_bytes,
        "markdown": limits.max_markdown_bytes,
        "pdf": limits.max_pdf_bytes,
        "screenshot": limits.max_screenshot_bytes,
        "video": limits.max_video_bytes,
    }
    for item in manifest.files:
        kind = file_kind(item.path) or ""
        size = files[item.path].file_size
        if size > most.get(kind, 0):
            raise BadPackage(
                f"{name} is not a package Baton accepts: {item.path!r} unpacks to "
                f"{size:,} bytes, more than a {kind or 'file'} may have "
                f"({most.get(kind, 0):,})."
            )


class _Entry:
    """One file of the package, streamed once through its hash and its kind's check."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        raw: BinaryIO,
        info: zipfile.ZipInfo,
        name: str,
        kind: str,
        sha256: str,
    ) -> None:
        self.archive = archive
        self.raw = raw
        self.info = info
        self.name = name
        self.kind = kind
        self.sha256 = sha256
        self.entry = info.orig_filename

    def refuse(self, problem: str) -> BadPackage:
        return BadPackage(f"{self.name} is not a package Baton accepts: {self.entry!r} {problem}.")

    def check(self, package: CheckedPackage, target: Path | None) -> None:
        with ExitStack() as stack:
            copy = None
            if target is not None:
                copy = stack.enter_context(_writing(target))
            elif self.kind == "video" and self.info.compress_type != zipfile.ZIP_STORED:
                copy = stack.enter_context(tempfile.TemporaryFile(prefix="baton-verify-"))
            content = _ContentCheck(self.kind, self.entry)
            problem: UserError | None = None
            digest = hashlib.sha256()
            count = 0
            for chunk in self._chunks():
                digest.update(chunk)
                count += len(chunk)
                if problem is None:
                    try:
                        content.feed(chunk)
                    except UserError as error:
                        problem = error  # reported after the hash: a changed file says so
                if copy is not None and problem is None:
                    _write(copy, chunk, target)
            if count != self.info.file_size:
                raise BadPackage(f"{self.name} is damaged: {self.entry!r} is cut short.")
            if digest.hexdigest() != self.sha256:
                raise BadPackage(
                    f"{self.name} was changed or damaged: {self.entry!r} does not match its "
                    "manifest."
                )
            try:
                if problem is not None:
                    raise problem
                picture = content.finish()
                if picture is not None:
                    package.pictures[self.entry] = picture
                if self.kind == "video":
                    package.video = self._video(copy)
            except UserError as error:
                raise self.refuse(str(error)) from None

    def _chunks(self) -> Iterator[bytes]:
        """The entry's bytes; every way the zip module fails becomes one ``BadPackage``."""
        damaged = BadPackage(f"{self.name} is damaged: {self.entry!r} cannot be read.")
        try:
            handle = self.archive.open(self.info)
        except Exception:  # noqa: BLE001 - zipfile raises many kinds of error on hostile bytes
            raise damaged from None
        with handle:
            while True:
                try:
                    chunk = handle.read(CHUNK)
                except Exception:  # noqa: BLE001 - zlib.error, BadZipFile (CRC), EOFError, ...
                    raise damaged from None
                if not chunk:
                    return
                yield chunk

    def _video(self, copy: BinaryIO | None) -> VideoInfo:
        if copy is not None:
            copy.flush()
            return check_video(copy, self.info.file_size)
        window = Window(self.raw, self._data_offset(), self.info.file_size)
        return check_video(cast(BinaryIO, window), self.info.file_size)

    def _data_offset(self) -> int:
        """Where a stored entry's bytes start in the zip (after its local header)."""
        self.raw.seek(self.info.header_offset)
        header = self.raw.read(30)
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise BadPackage(f"{self.name} is damaged: {self.entry!r} cannot be read.")
        name_size, extra_size = struct.unpack("<HH", header[26:30])
        return int(self.info.header_offset) + 30 + int(name_size) + int(extra_size)


@contextmanager
def _writing(target: Path) -> Iterator[BinaryIO]:
    try:
        handle = target.open("w+b")
    except OSError as error:
        raise UserError(f"Cannot import into {target.parent}: {error.strerror or error}.") from None
    with handle:
        yield handle


def _write(handle: BinaryIO, chunk: bytes, target: Path | None) -> None:
    try:
        handle.write(chunk)
    except OSError as error:
        where = target.parent if target is not None else Path(tempfile.gettempdir())
        raise UserError(f"Cannot import into {where}: {error.strerror or error}.") from None


class _ContentCheck:
    """The check for one kind of file, fed the bytes as they stream past."""

    def __init__(self, kind: str, entry: str) -> None:
        self.kind = kind
        self.picture = (
            PictureCheck("png" if entry.endswith(".png") else "jpg")
            if kind == "screenshot"
            else None
        )
        texts = ("page", "markdown")
        self.text = codecs.getincrementaldecoder("utf-8")() if kind in texts else None
        self.head = b""
        self.tail = b""

    def feed(self, chunk: bytes) -> None:
        if self.picture is not None:
            self.picture.feed(chunk)
        elif self.text is not None:
            try:
                self.text.decode(chunk)
            except UnicodeDecodeError:
                raise UserError("is not UTF-8 text") from None
        if len(self.head) < 16:
            self.head += chunk[: 16 - len(self.head)]
        self.tail = (self.tail + chunk)[-1024:]

    def finish(self) -> PictureInfo | None:
        if self.picture is not None:
            return self.picture.finish()
        if self.text is not None:
            try:
                self.text.decode(b"", final=True)
            except UnicodeDecodeError:
                raise UserError("is not UTF-8 text") from None
        if self.kind == "page" and not self.head.lower().startswith(b"<!doctype html"):
            raise UserError("is not an HTML page")
        if self.kind == "pdf" and (not self.head.startswith(b"%PDF-") or b"%%EOF" not in self.tail):
            raise UserError("is not a PDF document")
        return None
