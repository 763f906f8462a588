"""Build dist/baton_<version>_amd64.deb from the PyInstaller bundle (standard library only).

Usage: python packaging/linux/build_deb.py [--bundle build/dist/baton] [--out dist]

Layout: the bundle in /opt/baton, /usr/bin/baton -> /opt/baton/baton, the .desktop entry,
hicolor icons (SVG + PNG), AppStream metainfo, Debian copyright. Depends is worked out
from the bundle: every shared library that an ELF file in it needs and that the bundle
does not carry is looked up in the Debian package that provides it on this machine (so
build the .deb on the oldest release you want it to install on), plus the libraries Qt
and mss load at run time with dlopen. The .desktop and metainfo files are validated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
RESOURCES = ROOT / "resources"  # the desktop entry, metainfo and icon sources
APP_ID = "org.baton.Baton"  # AppStream component id (reverse DNS); also the macOS bundle id
MAINTAINER = os.environ.get("BATON_MAINTAINER", "The Baton developers <baton@example.org>")
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

# Loaded with dlopen (Qt's xcb/OpenGL/D-Bus/SSL/media code, mss and python-xlib via ctypes),
# so no ELF file names them; the package names are Debian 12's (see ../shared FACTS).
RUNTIME_PACKAGES = (
    "libgl1", "libegl1", "libxkbcommon0", "libxkbcommon-x11-0", "libfontconfig1",
    "libdbus-1-3", "libglib2.0-0", "libx11-6", "libx11-xcb1", "libxext6", "libxfixes3",
    "libxrandr2", "libxcb1", "libxcb-cursor0", "libxcb-icccm4", "libxcb-image0",
    "libxcb-keysyms1", "libxcb-randr0", "libxcb-render0", "libxcb-render-util0",
    "libxcb-shape0", "libxcb-shm0", "libxcb-damage0", "libxcb-sync1", "libxcb-util1",
    "libxcb-xfixes0", "libxcb-xkb1", "libpulse0", "libssl3", "libportaudio2",
    "libyuv0",  # the recorder's colour conversion (without it, OpenCV: +38 MB per recording)
    # Step names: the accessibility bus (AT-SPI) and the English OCR model tesserocr reads.
    "at-spi2-core", "tesseract-ocr-eng",
    "fonts-symbola",  # emoji in the PDF checklist (no font on a bare system has them)
    # Recording on Wayland: the ScreenCast portal, PipeWire, and the gst-launch-1.0
    # pipeline (pipewiresrc ! videoconvert ! fdsink) that reads its stream.
    "pipewire", "xdg-desktop-portal", "gstreamer1.0-pipewire", "gstreamer1.0-tools",
    "gstreamer1.0-plugins-base",
)
RECOMMENDS = (
    # The portal needs the backend of the user's desktop to offer screen sharing.
    "xdg-desktop-portal-gnome | xdg-desktop-portal-kde | xdg-desktop-portal-wlr",
    "wireplumber",
)


def version() -> str:
    text = (ROOT / "src" / "baton" / "__init__.py").read_text(encoding="utf-8")
    match = re.search(r'^__version__ = "([^"]+)"', text, re.MULTILINE)
    if not match:
        raise SystemExit("build-deb: no __version__ in src/baton/__init__.py")
    return match.group(1)


def release_date() -> str:
    """The date of the last commit (reproducible), or today outside a git checkout."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        stamp = int(os.environ["SOURCE_DATE_EPOCH"])
        return dt.datetime.fromtimestamp(stamp, dt.UTC).date().isoformat()
    result = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%cs"],
                            capture_output=True, text=True, check=False)
    return result.stdout.strip() or dt.date.today().isoformat()


def elf_needed(path: Path) -> list[str] | None:
    """The DT_NEEDED names of a 64-bit little-endian ELF file, or None if it is not one."""
    with path.open("rb") as file:
        data = file.read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        return None
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)
                for i in range(shnum)]
    needed: list[str] = []
    for _name, kind, _flags, _addr, offset, size, link, _info, _align, entsize in sections:
        if kind != 6:  # SHT_DYNAMIC
            continue
        strtab_offset = sections[link][4]
        for index in range(size // (entsize or 16)):
            tag, value = struct.unpack_from("<qQ", data, offset + index * 16)
            if tag == 0:
                break
            if tag == 1:  # DT_NEEDED
                end = data.index(b"\0", strtab_offset + value)
                needed.append(data[strtab_offset + value:end].decode())
    return needed


def system_libraries() -> dict[str, str]:
    """Shared library name -> path, for this machine's 64-bit libraries (``ldconfig -p``)."""
    listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, text=True,
                             check=True).stdout
    found: dict[str, str] = {}
    for line in listing.splitlines()[1:]:
        match = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if match and "x86-64" in match.group(2):
            found.setdefault(match.group(1), match.group(3))
    return found


def owning_packages(paths: set[str]) -> dict[str, str]:
    """Path -> Debian package, trying each path with and without /usr (merged /usr)."""
    variants: dict[str, str] = {}
    for path in paths:
        for candidate in {path, os.path.realpath(path)}:
            variants[candidate] = path
            if candidate.startswith("/usr/"):
                variants[candidate[4:]] = path
            else:
                variants["/usr" + candidate] = path
    result = subprocess.run(["dpkg-query", "-S", *sorted(variants)], capture_output=True,
                            text=True, check=False)
    owners: dict[str, str] = {}
    for line in result.stdout.splitlines():
        packages, _, file = line.partition(": ")
        if file in variants and ", " not in packages:
            owners.setdefault(variants[file], packages.split(":")[0])
    return owners


def depends(bundle: Path) -> list[str]:
    carried: set[str] = set()
    wanted: set[str] = set()
    for path in bundle.rglob("*"):
        if path.is_symlink() or not path.is_file():
            if path.is_symlink():
                carried.add(path.name)
            continue
        carried.add(path.name)
        if ".so" in path.name or os.access(path, os.X_OK):
            needed = elf_needed(path)
            if needed:
                wanted.update(needed)
    missing = sorted(wanted - carried)
    libraries = system_libraries()
    for name in missing:  # the loader also finds names the ldconfig cache does not list
        for folder in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu"):
            if name not in libraries and os.path.exists(f"{folder}/{name}"):
                libraries[name] = f"{folder}/{name}"
    unresolved = [name for name in missing if name not in libraries]
    if unresolved:
        raise SystemExit("build-deb: the bundle needs libraries this machine does not have: "
                         + ", ".join(unresolved))
    paths = {libraries[name] for name in missing}
    owners = owning_packages(paths)
    unowned = sorted(path for path in paths if path not in owners)
    if unowned:
        raise SystemExit("build-deb: no Debian package provides " + ", ".join(unowned))
    return sorted(set(owners.values()) | set(RUNTIME_PACKAGES))


def installed_size_kib(root: Path) -> int:
    total = 0
    for path in root.rglob("*"):
        if "DEBIAN" in path.relative_to(root).parts[:1]:
            continue
        total += -(-path.lstat().st_size // 1024) if path.is_file() and not path.is_symlink() \
            else 1
    return total


def fill(template: Path, values: dict[str, str]) -> str:
    text = template.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    leftover = re.findall(r"@[A-Z_]+@", text)
    if leftover:
        raise SystemExit(f"build-deb: {template.name} has unfilled {leftover}")
    return text


def validate(root: Path) -> None:
    desktop = root / "usr/share/applications/baton.desktop"
    metainfo = root / f"usr/share/metainfo/{APP_ID}.metainfo.xml"
    for argv in (["desktop-file-validate", str(desktop)],
                 ["appstreamcli", "validate", "--no-net", "--no-color", str(metainfo)]):
        if shutil.which(argv[0]) is None:
            raise SystemExit(f"build-deb: {argv[0]} is missing (apt-get install "
                             f"{'desktop-file-utils' if 'desktop' in argv[0] else 'appstream'})")
        result = subprocess.run(argv, capture_output=True, text=True, check=False)
        if result.returncode != 0 or "error" in result.stdout.lower():
            raise SystemExit(f"build-deb: {argv[0]} rejected {Path(argv[-1]).name}:\n"
                             + result.stdout + result.stderr)


def build(bundle: Path, out: Path) -> Path:
    if not (bundle / "baton").is_file():
        raise SystemExit(f"build-deb: no bundle at {bundle} (build it with PyInstaller first)")
    ver = version()
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"baton_{ver}_amd64.deb"
    with tempfile.TemporaryDirectory(prefix="baton-deb-", dir=out) as scratch:
        root = Path(scratch) / "root"
        shutil.copytree(bundle, root / "opt" / "baton", symlinks=True)
        (root / "usr/bin").mkdir(parents=True)
        (root / "usr/bin/baton").symlink_to("/opt/baton/baton")
        share = root / "usr/share"
        (share / "applications").mkdir(parents=True)
        shutil.copyfile(RESOURCES / "linux/baton.desktop", share / "applications/baton.desktop")
        (share / "metainfo").mkdir(parents=True)
        (share / f"metainfo/{APP_ID}.metainfo.xml").write_text(fill(
            RESOURCES / "linux/baton.metainfo.xml.in",
            {"APP_ID": APP_ID, "VERSION": ver, "DATE": release_date()}), encoding="utf-8")
        icons = Path(scratch) / "icons"
        subprocess.run([sys.executable, str(HERE.parent / "icons.py"), str(icons)],
                       check=True, stdout=subprocess.DEVNULL,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
        hicolor = share / "icons/hicolor"
        for size in ICON_SIZES:
            folder = hicolor / f"{size}x{size}/apps"
            folder.mkdir(parents=True)
            shutil.copyfile(icons / f"hicolor/{size}x{size}/apps/baton.png",
                            folder / "baton.png")
        (hicolor / "scalable/apps").mkdir(parents=True)
        shutil.copyfile(RESOURCES / "icons/baton.svg",
                        hicolor / "scalable/apps/baton.svg")
        (share / "doc/baton").mkdir(parents=True)
        shutil.copyfile(HERE / "copyright", share / "doc/baton/copyright")
        validate(root)

        control = root / "DEBIAN"
        control.mkdir()
        for script in ("postinst", "prerm", "postrm"):
            shutil.copyfile(HERE / script, control / script)
            (control / script).chmod(0o755)
        (control / "control").write_text(fill(HERE / "control.in", {
            "VERSION": ver, "MAINTAINER": MAINTAINER,
            "INSTALLED_SIZE": str(installed_size_kib(root)),
            "DEPENDS": ", ".join(depends(root / "opt" / "baton")),
            "RECOMMENDS": ", ".join(RECOMMENDS),
        }), encoding="utf-8")
        for path in [root, *root.rglob("*")]:
            if not path.is_symlink():
                mode = path.stat().st_mode
                path.chmod(0o755 if path.is_dir() or mode & 0o111 else 0o644)
        partial = out / f".{target.name}.part"
        subprocess.run(["dpkg-deb", "--root-owner-group", "-Zzstd", "--build", str(root),
                        str(partial)], check=True, stdout=subprocess.DEVNULL)
        partial.replace(target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", type=Path, default=ROOT / "build" / "dist" / "baton")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    started = time.monotonic()
    target = build(args.bundle.resolve(), args.out.resolve())
    size = target.stat().st_size / 1e6
    print(f"{target} ({size:.0f} MB, {time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
