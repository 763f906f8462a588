"""The checklist as a printable PDF (QtGui's QPdfWriter; no widgets); its Markdown twin is
``baton.handoff.markdown``.

The PDF is laid out by hand, one step at a time, so screenshots are drawn and dropped as
the steps stream past (memory stays flat however many steps there are). Its creation date
and document id are fixed so the same content gives the same bytes. Painting text needs a
``QGuiApplication``: the caller creates one (offscreen is fine) before exporting.
"""

from __future__ import annotations

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
    QTextCharFormat,
    QTextLayout,
    QTextLine,
)

from baton.capture.steps.annotation import paint_click
from baton.handoff.manifest import StepEntry
from baton.handoff.pdf_pictures import DPI, prefers_lossless, reduce_for_print
from baton.handoff.pdf_text import RichLine, for_print, pdf_font, rich_lines
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




class PdfNeedsGuiApplication(RuntimeError):
    """Qt cannot lay out text before a QGuiApplication exists (a wiring bug)."""


class _Layout:
    """A cursor over pages: paragraphs wrap, and anything that does not fit starts a page.

    ``measure`` runs the same drawing code without drawing or breaking pages, to learn how
    tall something will be (a step is kept on one page with its picture that way).
    """

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
        self.dry = False

    def measure(self, draw: Callable[[], None]) -> float:
        """How tall ``draw`` would be, from the top of an empty page (nothing is drawn)."""
        saved = (self.y, self.page, self.dry)
        self.y, self.dry = 0.0, True
        try:
            draw()
            return self.y
        finally:
            self.y, self.page, self.dry = saved

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
            for_print(f"{self.footer} · page {self.page}"),
        )
        self.painter.restore()

    def space(self, amount: float) -> None:
        self.y += amount

    def ensure(self, needed: float) -> None:
        if not self.dry and self.y > 0 and self.y + needed > self.bottom:
            self.new_page()

    def paragraph(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        indent: float = 0.0,
        color: QColor | None = None,
        rich: bool = False,
    ) -> None:
        """Wrapped text; ``rich`` reads ``**bold**`` and ``- `` bullets as the viewer does."""
        font = _font(size, bold=bold)
        if not self.dry:
            self.painter.setFont(font)
            self.painter.setPen(color or QColor(20, 20, 20))
        text = for_print(text)
        lines = (rich_lines(text) if rich else
                 [RichLine(block, (), False) for block in text.replace("\r\n", "\n").split("\n")])
        hang = size * 2.6  # a bullet's text starts this far in
        for line in lines:
            left = indent + (hang if line.bullet else 0.0)
            # The lines draw through their layout: it stays referenced while they are used.
            _layout, laid = self._lines(line, font, self.width - left)
            for number, text_line in enumerate(laid):
                self.ensure(text_line.height())
                if not self.dry:
                    text_line.setPosition(QPointF(0, 0))
                    text_line.draw(self.painter, QPointF(left, self.y))
                    if line.bullet and number == 0:
                        self.painter.drawText(QPointF(indent + size * 0.8,
                                                      self.y + text_line.ascent()), "•")
                self.y += text_line.height()

    def _lines(self, line: RichLine, font: QFont,
               width: float) -> tuple[QTextLayout, list[QTextLine]]:
        layout = QTextLayout(line.text, font, self.writer)
        formats = []
        for start, length in line.bold:
            span = QTextLayout.FormatRange()
            span.start, span.length = start, length
            bold = QTextCharFormat()
            bold.setFontWeight(QFont.Weight.Bold)
            span.format = bold
            formats.append(span)
        layout.setFormats(formats)
        layout.beginLayout()
        lines = []
        while True:
            text_line = layout.createLine()
            if not text_line.isValid():
                break
            text_line.setLineWidth(width)
            lines.append(text_line)
        layout.endLayout()
        return layout, lines

    def checkbox_heading(self, text: str) -> None:
        size = 13.0
        self.ensure(90)
        box = 22.0
        if not self.dry:
            self.painter.save()
            self.painter.setPen(QPen(QColor(40, 40, 40), 2))
            self.painter.drawRect(QRectF(0, self.y + 6, box, box))
            self.painter.restore()
        self.paragraph(text, size, bold=True, indent=box + 14)

    def caution(self, text: str) -> None:
        start_page, start_y = self.page, self.y
        self.space(8)
        self.paragraph("Caution: " + text, 10, indent=18, color=QColor(120, 60, 0), rich=True)
        if self.page == start_page and not self.dry:
            self.painter.fillRect(QRectF(4, start_y + 6, 6, self.y - start_y), QColor(230, 140, 0))
        self.space(4)

    def image(self, picture: PdfPicture, number: int | None = None) -> None:
        width, height = picture.size
        scale = min(self.width / width, self.bottom * 0.55 / height, 1.0)
        target_w, target_h = max(1.0, width * scale), max(1.0, height * scale)
        self.ensure(target_h + 10)
        self.space(6)
        if self.dry:
            self.y += target_h + 4
            return
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
    return pdf_font(size, bold=bold)


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
            _step(layout, index, step, image)
        layout.finish()
    finally:
        painter.end()


def _step(layout: _Layout, index: int, step: StepEntry, image: PdfPicture | None) -> None:
    """One step, kept on one page with its picture.

    A step that does not fit where the page is starts a new page; a step taller than a
    whole page (very long instructions) puts its picture straight under its heading.
    """
    gap = 26.0
    tall = layout.measure(lambda: _draw_step(layout, index, step, image, picture_first=False))
    fits_a_page = tall <= layout.bottom
    if layout.y > 0 and (layout.y + gap + tall > layout.bottom or not fits_a_page):
        layout.new_page()
    else:
        layout.space(gap)
    _draw_step(layout, index, step, image, picture_first=not fits_a_page)


def _draw_step(layout: _Layout, index: int, step: StepEntry, image: PdfPicture | None,
               *, picture_first: bool) -> None:
    layout.checkbox_heading(step_label(index, step))
    if picture_first and image is not None:
        layout.image(image, index)
    if step.video_time is not None:
        layout.paragraph(
            f"Video: {format_time(step.video_time)}", 9, indent=36, color=QColor(90, 90, 90)
        )
    if step.instruction.strip():
        layout.space(4)
        layout.paragraph(step.instruction.strip(), 10.5, indent=36, rich=True)
    if step.caution.strip():
        layout.caution(step.caution.strip())
    if image is not None and not picture_first:
        layout.image(image, index)
