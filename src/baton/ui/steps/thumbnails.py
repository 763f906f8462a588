"""Step screenshots decoded off the GUI thread: list thumbnails and the full image.

Only what a view asks for is loaded (a list asks for the rows it shows), so a process with
hundreds of steps opens at once and fills in its pictures a moment later. Decoding and
painting the marks happen on a small thread pool; pixmaps are made on the GUI thread.
"""

from __future__ import annotations

import json
import logging
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QObject, QSize, Qt, QThreadPool, Signal
from PySide6.QtGui import QColor, QIcon, QImage, QImageReader, QPainter, QPixmap

from baton.capture.steps.annotation import render
from baton.core.media import MediaStore

log = logging.getLogger("baton.ui")

THUMBNAIL_SIZE = QSize(160, 90)
MAX_THUMBNAILS = 1000


def thumbnail_key(screenshot: str, annotations: Sequence[Any], redactions: Sequence[Any]) -> str:
    """What a thumbnail depends on: the picture and the marks drawn on it."""
    return screenshot + json.dumps([list(annotations), list(redactions)], sort_keys=True)


class _Signals(QObject):
    thumbnail_done = Signal(str, QImage)
    image_done = Signal(str, QImage)


class ThumbnailLoader(QObject):
    """Loads thumbnails and full screenshots from the media store on worker threads.

    Signals:
        thumbnail_ready(key): ``thumbnail(key)`` now returns the picture.
        image_ready(media_key, image): a full screenshot asked for with ``load_image``
            (a null image when it is missing or unreadable).
    """

    thumbnail_ready = Signal(str)
    image_ready = Signal(str, QImage)

    def __init__(
        self, media: MediaStore, size: QSize = THUMBNAIL_SIZE, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._media = media
        self.size = QSize(size)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(2)
        self._signals = _Signals(self)
        self._signals.thumbnail_done.connect(self._thumbnail_done)
        self._signals.image_done.connect(self.image_ready)
        self._thumbnails: OrderedDict[str, QIcon] = OrderedDict()
        self._pending: set[str] = set()
        self._closed = False
        self.placeholder = _icon(_placeholder(self.size))
        self.no_screenshot = _icon(_placeholder(self.size, "No screenshot"))

    def thumbnail(self, key: str) -> QIcon | None:
        """The cached thumbnail for ``key`` (see ``thumbnail_key``), if loaded."""
        pixmap = self._thumbnails.get(key)
        if pixmap is not None:
            self._thumbnails.move_to_end(key)
        return pixmap

    def request_thumbnail(
        self, key: str, screenshot: str, annotations: Sequence[Any], redactions: Sequence[Any]
    ) -> None:
        """Start loading a thumbnail unless it is cached or on its way."""
        if self._closed or key in self._thumbnails or key in self._pending:
            return
        self._pending.add(key)
        marks = (list(annotations), list(redactions))
        self._pool.start(lambda: self._make_thumbnail(key, screenshot, marks))

    def load_image(self, screenshot: str) -> None:
        """Decode a full screenshot; ``image_ready`` reports it."""
        if not self._closed:
            self._pool.start(lambda: self._signals.image_done.emit(screenshot,
                                                                   self._read(screenshot)))

    def wait(self) -> None:
        """Block until the queued work is done (tests and benchmarks)."""
        self._pool.waitForDone()

    def shutdown(self) -> None:
        """Drop queued work and wait for running work; nothing is reported afterwards."""
        self._closed = True
        self._pool.clear()
        self._pool.waitForDone()

    # -- worker threads --------------------------------------------------------------------

    def _read(self, screenshot: str) -> QImage:
        try:
            reader = QImageReader(str(self._media.path(screenshot)))
            image = reader.read()
        except Exception:  # a worker must never raise; the view shows "missing" instead
            log.exception("cannot read screenshot %s", screenshot)
            return QImage()
        if image.isNull():
            log.warning("cannot read screenshot %s: %s", screenshot, reader.errorString())
        return image

    def _make_thumbnail(
        self, key: str, screenshot: str, marks: tuple[list[Any], list[Any]]
    ) -> None:
        image = self._read(screenshot)
        try:
            if not image.isNull():
                if marks[0] or marks[1]:
                    image = render(image, marks[0], marks[1])
                image = image.scaled(self.size, Qt.AspectRatioMode.KeepAspectRatio,
                                     Qt.TransformationMode.SmoothTransformation)
        except Exception:
            log.exception("cannot make a thumbnail of %s", screenshot)
            image = QImage()
        self._signals.thumbnail_done.emit(key, image)

    # -- GUI thread ------------------------------------------------------------------------

    def _thumbnail_done(self, key: str, image: QImage) -> None:
        self._pending.discard(key)
        if self._closed:
            return
        self._thumbnails[key] = _icon(QPixmap.fromImage(image) if not image.isNull() else
                                      _placeholder(self.size, "Missing"))
        while len(self._thumbnails) > MAX_THUMBNAILS:
            self._thumbnails.popitem(last=False)
        self.thumbnail_ready.emit(key)


def _icon(pixmap: QPixmap) -> QIcon:
    """An icon that looks the same when its row is selected (no highlight tint)."""
    icon = QIcon(pixmap)
    icon.addPixmap(pixmap, QIcon.Mode.Selected)
    return icon


def _placeholder(size: QSize, text: str = "") -> QPixmap:
    pixmap = QPixmap(size)
    pixmap.fill(QColor("#e9edf2"))
    if text:
        painter = QPainter(pixmap)
        painter.setPen(QColor("#7a8594"))
        painter.drawText(pixmap.rect(), Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
    return pixmap
