"""Peak memory and time of ``baton package import`` on packages that inflate to 1 GiB.

Makes, from a genuine package (3 steps, 2 screenshots, a short video), three bombs whose
manifest is fully consistent (each file's real SHA-256 and size):

* ``zip entry``: ``steps/001.png`` is a 1 GiB entry packed into about 7 MB (a ratio under
  the zip rule's 200, the package of issue 14); its directory says so;
* ``png data``: a small entry holding a PNG whose header says 4000x4000 but whose image
  data inflates to 1 GiB;
* ``lying size``: ``checklist.md`` says 2 KB in the directory and inflates to 1 GiB;

and ``zip entry, no size limit``: the first again, imported with the screenshot size limit
lifted, so the whole GiB streams through the hash and the picture check. It then imports
each (and the genuine package) in a child process and reads that child's
peak RSS from ``wait4``. The reference is ``unzip -t`` on the same zip (it streams, and
inflates all of it). Prints one JSON document; the target is under 300 MB for each bomb.

    .venv/bin/python benchmarks/hostile_import.py
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]  # the builders (tests/helpers)

GIB = 1 << 30
MIB = 1 << 20


def repeated_stream(block: bytes, count: int, *, zlib_wrapper: bool) -> tuple[bytes, int, str]:
    """``block`` repeated ``count`` times, deflated without compressing it ``count`` times:
    one full-flushed block is independent of what came before. Returns the stream, the
    CRC-32 and the SHA-256 of what it inflates to."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    crc, digest, adler = 0, hashlib.sha256(), 1
    for _ in range(count):
        crc = zlib.crc32(block, crc)
        digest.update(block)
        adler = zlib.adler32(block, adler)
    stream = piece * count + b"\x03\x00"
    if zlib_wrapper:
        stream = b"\x78\xda" + stream + struct.pack(">I", adler)
    return stream, crc, digest.hexdigest()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bombs(genuine: Path, folder: Path) -> dict[str, Path]:
    from helpers.hostile_zips import RawEntry, contents, raw_zip

    files = contents(genuine)
    made = {}

    def package(name: str, replaced: str, entry: RawEntry, sha256: str) -> None:
        document = json.loads(files["manifest.json"])
        for item in document["files"]:
            if item["path"] == replaced:
                item["sha256"] = sha256
                item["bytes"] = len(entry.data) if entry.size is None else entry.size
        entries = [RawEntry(n.encode(), d) for n, d in files.items() if n != "manifest.json"]
        entries = [entry if e.name == replaced.encode() else e for e in entries]
        entries.append(RawEntry(b"manifest.json", json.dumps(document).encode()))
        made[name] = raw_zip(folder / f"{name.replace(' ', '-')}.zip", entries)

    # 1 GiB in about 7 MB: each MiB starts with 6 KiB that do not compress.
    noise = os.urandom(6 << 10)
    block = noise + bytes(MIB - len(noise))
    stream, crc, sha = repeated_stream(block, 1024, zlib_wrapper=False)
    package("zip entry", "steps/001.png",
            RawEntry(b"steps/001.png", stream, size=GIB, crc=crc, method=8), sha)

    # A PNG of 4000x4000 (48 MB of pixels) whose image data inflates to 1 GiB.
    idat, _, _ = repeated_stream(bytes(MIB), 1024, zlib_wrapper=True)
    header = struct.pack(">IIBBBBB", 4000, 4000, 8, 2, 0, 0, 0)
    picture = (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", idat)
               + png_chunk(b"IEND", b""))
    package("png data", "steps/001.png",
            RawEntry(b"steps/001.png", picture),
            hashlib.sha256(picture).hexdigest())

    # checklist.md: the directory says its real size, the stream inflates to 1 GiB.
    markdown = files["checklist.md"]
    stream, _, _ = repeated_stream(bytes(MIB), 1024, zlib_wrapper=False)
    package("lying size", "checklist.md",
            RawEntry(b"checklist.md", stream, size=len(markdown), crc=zlib.crc32(markdown),
                     method=8),
            hashlib.sha256(markdown).hexdigest())
    return made


def child(argv: list[str]) -> dict[str, Any]:
    """Run ``argv``; its exit code, seconds, peak RSS (MB) and last line of stderr."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    assert process.stderr is not None
    err = process.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    process.stderr.close()
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "seconds": round(time.perf_counter() - start, 2),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "stderr": err.strip().splitlines()[-1] if err.strip() else "",
    }


def genuine_package(folder: Path) -> Path:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    from baton.core.db import open_database, sqlite_url
    from baton.core.media import MediaStore
    from baton.handoff.package import build_package
    from helpers.builders import fixed_receipt_key, seed_process, standard_steps
    from helpers.video import make_mp4

    app = QGuiApplication(["benchmark"])  # noqa: F841 - the PDF checklist needs it
    database = open_database(sqlite_url(folder / "owner.db"))
    media = MediaStore(folder / "owner-media")
    version = seed_process(database, media, steps=standard_steps(),
                           video=make_mp4(folder / "clip.mp4"))
    info = build_package(version, media, folder / "genuine.zip", handoff_id=1,
                         assistant="Ana", receipt_key=fixed_receipt_key(1))
    database.close()
    return info.path


def make(folder: Path) -> None:
    """Write the genuine package and the bombs into ``folder`` (run in a child, so the
    measuring parent stays small: a forked child's peak RSS counts its parent's pages)."""
    genuine = genuine_package(folder)
    paths = {"genuine": genuine, **bombs(genuine, folder)}
    print(json.dumps({name: str(path) for name, path in paths.items()}))


def import_without_size_limits(library: Path, package: Path) -> None:
    """``package import`` with every per-kind size limit lifted (a child of the benchmark)."""
    from baton.core.db import open_database, sqlite_url
    from baton.core.library import Library
    from baton.core.media import MediaStore
    from baton.errors import UserError
    from baton.handoff.importer import import_package
    from baton.handoff.reader import Limits

    library.mkdir(parents=True)
    database = open_database(sqlite_url(library / "baton.db"))
    lifted = Limits(max_screenshot_bytes=16 << 30, max_markdown_bytes=16 << 30)
    try:
        import_package(package, Library(database.sessions), MediaStore(library / "media"),
                       limits=lifted)
    except UserError as error:
        print(f"baton: {error}", file=sys.stderr)
        sys.exit(1)
    finally:
        database.close()


def main() -> None:
    if sys.argv[1:2] == ["--make"]:
        make(Path(sys.argv[2]))
        return
    if sys.argv[1:2] == ["--import-without-size-limits"]:
        import_without_size_limits(Path(sys.argv[2]), Path(sys.argv[3]))
        return
    with tempfile.TemporaryDirectory(prefix="baton-bombs-") as scratch:
        folder = Path(scratch)
        made = subprocess.run([sys.executable, __file__, "--make", scratch], check=True,
                              capture_output=True, text=True).stdout
        packages = {name: Path(path) for name, path in json.loads(made).items()}
        results: dict[str, Any] = {}
        for name, path in packages.items():
            library = folder / f"library-{name.replace(' ', '-')}"
            baton = child([sys.executable, "-m", "baton", "--data-dir", str(library),
                           "package", "import", str(path)])
            media = library / "media"
            left = [p for p in media.rglob("*") if p.is_file()] if media.exists() else []
            unzip = child(["unzip", "-tqq", str(path)])
            results[name] = {
                "package_mb": round(path.stat().st_size / MIB, 1),
                "baton_import": baton,
                "files_left_in_media": len(left),
                "unzip_t": unzip,
            }
        library = folder / "library-unlimited"
        unlimited = child([sys.executable, __file__, "--import-without-size-limits",
                           str(library), str(packages["zip entry"])])
        left = [p for p in (library / "media").rglob("*") if p.is_file()]
        results["zip entry, no size limit"] = {
            "package_mb": results["zip entry"]["package_mb"],
            "baton_import": unlimited,
            "files_left_in_media": len(left),
            "unzip_t": results["zip entry"]["unzip_t"],
        }
        bombs_only = [r for n, r in results.items() if n != "genuine"]
        results["targets_met"] = all(
            r["baton_import"]["exit"] == 1 and r["baton_import"]["peak_rss_mb"] < 300
            and r["files_left_in_media"] == 0 for r in bombs_only
        ) and results["genuine"]["baton_import"]["exit"] == 0
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
