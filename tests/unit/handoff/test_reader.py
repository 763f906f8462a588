"""Verifying packages: a real one passes; every kind of hostile or damaged zip is refused."""

from __future__ import annotations

import json
import stat
import struct
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from baton.core.versions import ProcessVersionRow
from baton.handoff.package import PackageInfo
from baton.handoff.reader import BadPackage, Limits
from baton.handoff.validation import verify_package

Build = Callable[..., PackageInfo]
Entry = tuple[str | zipfile.ZipInfo, bytes]


@pytest.fixture
def package(build: Build, version: ProcessVersionRow) -> PackageInfo:
    return build(version, handoff_id=2, assistant="Ana")


def write_zip(path: Path, entries: list[Entry]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate names we want
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in entries:
                archive.writestr(name, data)
    return path


def contents(path: Path) -> list[Entry]:
    with zipfile.ZipFile(path) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def with_entries(package: PackageInfo, tmp_path: Path, extra: list[Entry]) -> Path:
    return write_zip(tmp_path / "hostile.zip", contents(package.path) + extra)


def refused(path: Path, message: str, limits: Limits | None = None) -> None:
    with pytest.raises(BadPackage, match=message):
        verify_package(path, limits or Limits())


def test_a_real_package_verifies(package: PackageInfo) -> None:
    assert verify_package(package.path) == package.manifest


def test_a_rezipped_package_still_verifies(package: PackageInfo, tmp_path: Path) -> None:
    folder_entries: list[Entry] = [("steps/", b""), ("video/", b"")]
    path = write_zip(tmp_path / "again.zip", folder_entries + contents(package.path))
    assert verify_package(path).package_id == package.package_id


def test_missing_file(tmp_path: Path) -> None:
    refused(tmp_path / "nope.zip", "no package file")


def test_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "photo.zip"
    path.write_bytes(b"\x89PNG not a zip at all" * 100)
    refused(path, "not a zip file")


def test_no_manifest(tmp_path: Path) -> None:
    refused(write_zip(tmp_path / "p.zip", [("index.html", b"<p>hi</p>")]), "no manifest.json")


@pytest.mark.parametrize("name", ["../escape.txt", "steps/../../escape.txt", "a/./b"])
def test_paths_escaping_the_folder(package: PackageInfo, tmp_path: Path, name: str) -> None:
    refused(with_entries(package, tmp_path, [(name, b"x")]), "escapes its folder")


@pytest.mark.parametrize("name", ["/etc/cron.d/evil", "\\windows\\evil.dll", "C:/evil.txt"])
def test_absolute_paths(package: PackageInfo, tmp_path: Path, name: str) -> None:
    refused(with_entries(package, tmp_path, [(name, b"x")]), "absolute path")


def test_backslashes_and_control_characters(package: PackageInfo, tmp_path: Path) -> None:
    refused(with_entries(package, tmp_path, [("steps\\..\\x", b"x")]), "unsafe characters")
    refused(with_entries(package, tmp_path, [("a\nb", b"x")]), "unsafe characters")


def test_symlinks(package: PackageInfo, tmp_path: Path) -> None:
    link = zipfile.ZipInfo("steps/link.png")
    link.create_system = 3
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    refused(with_entries(package, tmp_path, [(link, b"/etc/passwd")]), "link or special file")


def test_device_files(package: PackageInfo, tmp_path: Path) -> None:
    fifo = zipfile.ZipInfo("pipe")
    fifo.create_system = 3
    fifo.external_attr = (stat.S_IFIFO | 0o644) << 16
    refused(with_entries(package, tmp_path, [(fifo, b"")]), "link or special file")


def test_duplicate_names(package: PackageInfo, tmp_path: Path) -> None:
    refused(with_entries(package, tmp_path, [("index.html", b"<p>evil twin</p>")]), "twice")


def test_names_differing_only_by_case(package: PackageInfo, tmp_path: Path) -> None:
    refused(with_entries(package, tmp_path, [("INDEX.html", b"<p>evil twin</p>")]), "twice")


def test_unlisted_files(package: PackageInfo, tmp_path: Path) -> None:
    refused(with_entries(package, tmp_path, [("steps/extra.png", b"x")]), "does not list")


def test_too_many_files(tmp_path: Path) -> None:
    entries: list[Entry] = [(f"f{n}", b"") for n in range(Limits().max_entries + 1)]
    refused(write_zip(tmp_path / "many.zip", entries), "may hold at most")


def test_too_many_files_is_refused_before_reading_the_directory(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "few.zip", [("a", b""), ("b", b"")])
    data = bytearray(path.read_bytes())
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 60000, 60000)  # claim 60,000 entries
    path.write_bytes(bytes(data))
    refused(path, "holds 60000 files")


def test_zip_bomb_by_ratio(tmp_path: Path) -> None:
    refused(write_zip(tmp_path / "bomb.zip", [("index.html", bytes(50 << 20))]), "zip bomb")


def test_absurd_sizes(package: PackageInfo) -> None:
    refused(package.path, "unpacks to", Limits(max_entry_bytes=10_000))
    refused(package.path, "would unpack to more than", Limits(max_total_bytes=100_000))


def test_overlapping_entries(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "overlap.zip", [("a", b"A" * 100), ("b", b"B" * 100)])
    data = bytearray(path.read_bytes())
    second = data.rfind(b"PK\x01\x02")
    struct.pack_into("<I", data, second + 42, 0)  # point "b" at "a"'s bytes
    path.write_bytes(bytes(data))
    refused(path, "overlapping entries")


def test_encrypted_entries(package: PackageInfo, tmp_path: Path) -> None:
    path = with_entries(package, tmp_path, [])
    data = bytearray(path.read_bytes())
    first = data.find(b"PK\x01\x02")
    struct.pack_into("<H", data, first + 8, data[first + 8] | 1)
    path.write_bytes(bytes(data))
    refused(path, "encrypted")


def manifest_of(package: PackageInfo) -> dict[str, object]:
    return dict(json.loads(dict(contents(package.path))["manifest.json"]))


def with_manifest(package: PackageInfo, tmp_path: Path, manifest: dict[str, object]) -> Path:
    entries = [(n, d) for n, d in contents(package.path) if n != "manifest.json"]
    return write_zip(
        tmp_path / "edited.zip", entries + [("manifest.json", json.dumps(manifest).encode())]
    )


def test_newer_format_version(package: PackageInfo, tmp_path: Path) -> None:
    manifest = manifest_of(package) | {"format_version": 3}
    refused(with_manifest(package, tmp_path, manifest), "newer Baton")


def test_wrong_format(package: PackageInfo, tmp_path: Path) -> None:
    manifest = manifest_of(package) | {"format": "other-app"}
    refused(with_manifest(package, tmp_path, manifest), "not a Baton handoff package")


def test_hash_mismatch(package: PackageInfo, tmp_path: Path) -> None:
    entries = contents(package.path)
    changed = [
        (n, d.replace(b"Send the invoices", b"Send the invoicez") if n == "index.html" else d)
        for n, d in entries
    ]
    refused(write_zip(tmp_path / "tampered.zip", changed), "does not match its manifest")


def test_size_mismatch(package: PackageInfo, tmp_path: Path) -> None:
    entries = [(n, d + b"\n" if n == "checklist.md" else d) for n, d in contents(package.path)]
    refused(write_zip(tmp_path / "tampered.zip", entries), "wrong size")


def test_missing_listed_file(package: PackageInfo, tmp_path: Path) -> None:
    entries = [(n, d) for n, d in contents(package.path) if n != "steps/002.png"]
    refused(write_zip(tmp_path / "short.zip", entries), "missing")


def test_a_flipped_byte_fails_the_crc(package: PackageInfo, tmp_path: Path) -> None:
    data = bytearray(package.path.read_bytes())
    with zipfile.ZipFile(package.path) as archive:
        info = archive.getinfo("video/walkthrough.mp4")
    data[info.header_offset + 30 + len(info.filename) + len(info.extra) + 500] ^= 0x55
    path = tmp_path / "flipped.zip"
    path.write_bytes(bytes(data))
    refused(path, "cannot be read")


def test_a_truncated_package(package: PackageInfo, tmp_path: Path) -> None:
    path = tmp_path / "cut.zip"
    path.write_bytes(package.path.read_bytes()[: package.size // 2])
    refused(path, "not a zip file")


def test_an_oversized_manifest(package: PackageInfo) -> None:
    refused(package.path, "manifest of .* is too big", Limits(max_manifest_bytes=100))


def test_unsupported_compression(package: PackageInfo, tmp_path: Path) -> None:
    odd = zipfile.ZipInfo("steps/odd.png")
    odd.compress_type = zipfile.ZIP_BZIP2
    path = tmp_path / "odd.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in contents(package.path):
            archive.writestr(name, data)
        archive.writestr(odd, b"x" * 100)
    refused(path, "unsupported compression")
