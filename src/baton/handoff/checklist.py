"""The checklist as Markdown and as a printable PDF (QtGui's QPdfWriter; no widgets).

The PDF is laid out by hand, one step at a time, so screenshots are drawn and dropped as
the steps stream past (memory stays flat however many steps there are). Its creation date
and document id are fixed so the same content gives the same bytes. Painting text needs a
``QGuiApplication``: the caller creates one (offscreen is fine) before exporting.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import BinaryIO

from PySide6.QtCore import (
    QByteArray,
    QFile,
    QFileDevice,
    QHashSeed,
    QIODevice,
    QMarginsF,
    QPointF,
    QRectF,
    QSize,
    Qt,
    QUuid,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QGuiApplication,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
    QTextLayout,
)

from baton.capture.steps.annotation import paint_click
from baton.handoff.manifest import StepEntry
from baton.handoff.pdf_pictures import DPI, prefers_lossless, reduce_for_print
from baton.handoff.pdfdates import fix_dates
from baton.handoff.screenshots import Image
from baton.util.timefmt import format_time

# A fixed, empty XMP packet: Qt's own carries the current time, which would break
# reproducible packages.
_XMP = (
    b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>'
    b'<?xpacket end="w"?>'
)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#|!~&])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([-+=])|(\d+)\.)", re.MULTILINE)


@dataclass(frozen=True)
class PdfPicture:
    """A screenshot for the PDF: reduced pixels, the original size, the click in it.

    ``lossless``: store it exactly (Flate) or as JPEG; None lets the picture decide
    (``pdf_pictures.prefers_lossless``).
    """

    image: Image
    size: tuple[int, int]
    click: tuple[int, int] | None
    lossless: bool | None = None


def reduce_for_pdf(image: Image) -> Image:
    """Shrink toward the printed size, as opaque BGRA (see ``pdf_pictures``)."""
    return reduce_for_print(image)


@dataclass(frozen=True)
class ChecklistHeader:
    """What the checklist says at the top."""

    title: str
    summary: str
    version: int
    assistant: str | None
    package_id: str


def step_label(index: int, step: StepEntry) -> str:
    """``"3. Title"`` (the step's number in the list, then its title)."""
    return f"{index}. {step.title or 'Untitled step'}"


def render_markdown(header: ChecklistHeader, steps: Iterable[StepEntry]) -> str:
    """The checklist as Markdown; user text is escaped so it shows as typed, never as HTML."""
    lines = [f"# {_md(header.title)}", ""]
    meta = f"Version {header.version}"
    if header.assistant:
        meta += f" · prepared for {_md(header.assistant)}"
    lines += [meta, ""]
    if header.summary.strip():
        lines += [_md_block(header.summary), ""]
    for index, step in enumerate(steps, start=1):
        lines += [f"## {index}. {_md(step.title or 'Untitled step')}", "", "- [ ] Done", ""]
        if step.instruction.strip():
            lines += [_md_block(step.instruction), ""]
        if step.caution.strip():
            lines += ["> **Caution:** " + _md_block(step.caution).replace("\n", "\n> "), ""]
        if step.video_time is not None:
            lines += [f"Video: {format_time(step.video_time)}", ""]
        if step.screenshot:
            lines += [f"![Screenshot for step {index}]({step.screenshot})", ""]
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + ("\\" + m.group(2) if m.group(2) else m.group(3) + "\\."),
        escaped,
    )


def _md_block(text: str) -> str:
    """Escape a multi-line text; single newlines become hard line breaks."""
    paragraphs = re.split(r"\n\s*\n", text.strip().replace("\r\n", "\n"))
    rendered = []
    for paragraph in paragraphs:
        rows = [_md(row) for row in paragraph.split("\n") if row.strip()]
        rendered.append("\\\n".join(rows))
    return "\n\n".join(rendered)


class PdfNeedsGuiApplication(RuntimeError):
    """Qt cannot lay out text before a QGuiApplication exists (a wiring bug)."""


class _Layout:
    """A cursor over pages: paragraphs wrap, and anything that does not fit starts a page."""

    def __init__(self, writer: QPdfWriter, painter: QPainter, footer: str) -> None:
        self.writer = writer
        self.painter = painter
        self.footer = footer
        rect = writer.pageLayout().paintRectPixels(DPI)
        self.width = float(rect.width())
        self.height = float(rect.height())
        self.bottom = self.height - 40.0
        self.y = 0.0
        self.page = 1

    def new_page(self) -> None:
        self._draw_footer()
        self.writer.newPage()
        self.page += 1
        self.y = 0.0

    def finish(self) -> None:
        self._draw_footer()

    def _draw_footer(self) -> None:
        self.painter.save()
        self.painter.setFont(_font(8))
        self.painter.setPen(QColor(110, 110, 110))
        self.painter.drawText(
            QRectF(0, self.height - 24, self.width, 24),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            f"{self.footer} · page {self.page}",
        )
        self.painter.restore()

    def space(self, amount: float) -> None:
        self.y += amount

    def ensure(self, needed: float) -> None:
        if self.y > 0 and self.y + needed > self.bottom:
            self.new_page()

    def paragraph(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        indent: float = 0.0,
        color: QColor | None = None,
    ) -> None:
        font = _font(size, bold=bold)
        self.painter.setFont(font)
        self.painter.setPen(color or QColor(20, 20, 20))
        width = self.width - indent
        for block in text.replace("\r\n", "\n").split("\n"):
            layout = QTextLayout(block, font, self.writer)
            layout.beginLayout()
            lines = []
            while True:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(width)
                lines.append(line)
            layout.endLayout()
            for line in lines:
                self.ensure(line.height())
                line.setPosition(QPointF(0, 0))
                line.draw(self.painter, QPointF(indent, self.y))
                self.y += line.height()

    def checkbox_heading(self, text: str) -> None:
        size = 13.0
        self.ensure(90)
        box = 22.0
        self.painter.save()
        self.painter.setPen(QPen(QColor(40, 40, 40), 2))
        self.painter.drawRect(QRectF(0, self.y + 6, box, box))
        self.painter.restore()
        self.paragraph(text, size, bold=True, indent=box + 14)

    def caution(self, text: str) -> None:
        start_page, start_y = self.page, self.y
        self.space(8)
        self.paragraph("Caution: " + text, 10, indent=18, color=QColor(120, 60, 0))
        if self.page == start_page:
            self.painter.fillRect(QRectF(4, start_y + 6, 6, self.y - start_y), QColor(230, 140, 0))
        self.space(4)

    def image(self, picture: PdfPicture, number: int | None = None) -> None:
        width, height = picture.size
        scale = min(self.width / width, self.bottom * 0.55 / height, 1.0)
        target_w, target_h = max(1.0, width * scale), max(1.0, height * scale)
        self.ensure(target_h + 10)
        self.space(6)
        target = QRectF(0, self.y, target_w, target_h)
        lossless = picture.lossless
        if lossless is None:
            lossless = prefers_lossless(picture.image)
        # Qt embeds the (already reduced) picture once and scales it on the page; the hint
        # picks Flate over its JPEG at quality 94.
        self.painter.setRenderHint(QPainter.RenderHint.LosslessImageRendering, lossless)
        self.painter.drawImage(target, _qimage(picture.image))
        self.painter.save()
        self.painter.setPen(QPen(QColor(160, 160, 160), 1))
        self.painter.drawRect(target)
        if picture.click is not None:  # with the step's number as it is in this version
            paint_click(self.painter, picture.click[0] * scale,
                        self.y + picture.click[1] * scale, number, QSize(1260, 720))
        self.painter.restore()
        self.y += target_h + 4


def _font(size: float, *, bold: bool = False) -> QFont:
    font = QFont("DejaVu Sans")
    font.setStyleHint(QFont.StyleHint.SansSerif)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


def _qimage(image: Image) -> QImage:
    """Wrap opaque BGRA pixels (from ``reduce_for_pdf``) as a QImage that owns its copy."""
    height, width = image.shape[:2]
    return QImage(image.data, width, height, image.strides[0], QImage.Format.Format_RGB32).copy()


StepImages = Iterable[tuple[StepEntry, PdfPicture | None]]


def write_pdf(
    target: BinaryIO,
    header: ChecklistHeader,
    steps: StepImages,
    *,
    check_cancel: Callable[[], None] = lambda: None,
) -> None:
    """Write the printable checklist to ``target`` (a real file: it needs a descriptor).

    Args:
        target: an open binary file; written from its current position.
        header: the title block.
        steps: each step with its (already redacted) picture, consumed one at a time.
        check_cancel: called between steps; raise from it to stop.

    Raises:
        PdfNeedsGuiApplication: no QGuiApplication exists (Qt would abort the process).
    """
    if QGuiApplication.instance() is None:
        raise PdfNeedsGuiApplication("create a QGuiApplication before writing a PDF checklist")
    target.flush()
    start = target.tell()
    device = QFile()
    if not device.open(
        target.fileno(),
        QIODevice.OpenModeFlag.WriteOnly,
        QFileDevice.FileHandleFlag.DontCloseHandle,
    ):
        raise OSError(f"cannot write the PDF: {device.errorString()}")
    # Qt writes fonts in the order of a QHash, and hash seeds are random per process: a
    # fixed seed while painting makes the PDF the same from one run to the next.
    QHashSeed.setDeterministicGlobalSeed()
    try:
        _paint(device, header, steps, check_cancel)
    finally:
        QHashSeed.resetRandomGlobalSeed()
        device.close()
    target.seek(0, 2)
    fix_dates(target, start)


def _paint(
    device: QFile, header: ChecklistHeader, steps: StepImages, check_cancel: Callable[[], None]
) -> None:
    writer = QPdfWriter(device)
    writer.setResolution(DPI)
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 12), QPageLayout.Unit.Millimeter)
    writer.setTitle(header.title)
    writer.setCreator("Baton")
    writer.setDocumentId(QUuid(str(uuid.UUID(hex=header.package_id))))
    writer.setDocumentXmpMetadata(QByteArray(_XMP))
    painter = QPainter(writer)
    try:
        layout = _Layout(writer, painter, f"{header.title} · version {header.version}")
        layout.paragraph(header.title, 18, bold=True)
        meta = f"Version {header.version}"
        if header.assistant:
            meta += f" · prepared for {header.assistant}"
        layout.paragraph(meta, 10, color=QColor(90, 90, 90))
        if header.summary.strip():
            layout.space(10)
            layout.paragraph(header.summary.strip(), 10.5)
        for index, (step, image) in enumerate(steps, start=1):
            check_cancel()
            layout.space(26)
            layout.checkbox_heading(step_label(index, step))
            if step.video_time is not None:
                layout.paragraph(
                    f"Video: {format_time(step.video_time)}", 9, indent=36, color=QColor(90, 90, 90)
                )
            if step.instruction.strip():
                layout.space(4)
                layout.paragraph(step.instruction.strip(), 10.5, indent=36)
            if step.caution.strip():
                layout.caution(step.caution.strip())
            if image is not None:
                layout.image(image, index)
        layout.finish()
    finally:
        painter.end()
