"""Render Baton's SVG icon into the raster icons the installers need, with Qt (no extra tools).

Usage: python packaging/icons.py OUT_DIR

Writes OUT_DIR/hicolor/<N>x<N>/apps/baton.png (16 … 512), OUT_DIR/hicolor/scalable/apps/baton.svg,
OUT_DIR/baton.ico (Windows) and OUT_DIR/baton.icns (macOS; written when Qt's icns plugin is
there, as it is in the PySide6 wheels).
"""

from __future__ import annotations

import os
import shutil
import struct
import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QImageWriter, QPainter
from PySide6.QtSvg import QSvgRenderer

SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "baton.svg"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(size: int) -> QImage:
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"icons: cannot read {SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def make_icons(out: Path) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QGuiApplication.instance() or QGuiApplication(["baton-icons"])
    written: list[Path] = []
    scalable = out / "hicolor" / "scalable" / "apps" / "baton.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SVG, scalable)
    written.append(scalable)
    for size in PNG_SIZES:
        target = out / "hicolor" / f"{size}x{size}" / "apps" / "baton.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not render(size).save(str(target)):
            raise SystemExit(f"icons: cannot write {target}")
        written.append(target)
    ico = out / "baton.ico"
    ico.write_bytes(ico_bytes([(size, (out / "hicolor" / f"{size}x{size}" / "apps" / "baton.png")
                               .read_bytes()) for size in ICO_SIZES]))
    written.append(ico)
    if b"icns" in {bytes(name.data()) for name in QImageWriter.supportedImageFormats()}:
        icns = out / "baton.icns"
        if not render(512).save(str(icns)):
            raise SystemExit(f"icons: cannot write {icns}")
        written.append(icns)
    del app
    return written


def ico_bytes(images: list[tuple[int, bytes]]) -> bytes:
    """A Windows .ico holding PNG images (allowed since Windows Vista), one per size."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, payload = b"", b""
    for size, png in images:
        side = 0 if size >= 256 else size  # 0 means 256 in an ICONDIRENTRY
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(png), offset)
        payload += png
        offset += len(png)
    return header + entries + payload


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    for path in make_icons(Path(sys.argv[1])):
        print(path)
