"""The screenshot check: what it passes, OpenCV decodes at the size it says; the rest is
refused with ``BadPicture``, whatever the bytes and however they are cut into pieces."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baton.handoff.pictures import BadPicture, PictureCheck, PictureInfo
from helpers.hostile_zips import chunk, jpeg, png
from helpers.mutations import add_to_report, byte_mutant, recrc_png

FUZZ = settings(
    max_examples=int(os.environ.get("BATON_FUZZ_EXAMPLES", "150")),
    derandomize=not os.environ.get("BATON_FUZZ_RANDOM"),
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def check(data: bytes, kind: str, piece: int = 1 << 20) -> PictureInfo:
    picture = PictureCheck(kind)
    for at in range(0, len(data), piece):
        picture.feed(data[at : at + piece])
    return picture.finish()


def encoded(ext: str, image: np.ndarray, *params: int) -> bytes:
    ok, buffer = cv2.imencode(ext, image, list(params))
    assert ok
    return bytes(buffer.tobytes())


OUTCOMES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    add_to_report(Counter({f"pictures: {key}": value for key, value in OUTCOMES.items()}))


NOISE = np.random.default_rng(7).integers(0, 255, (37, 53, 3), dtype=np.uint8)
VALID = {
    "opencv bgr": ("png", encoded(".png", NOISE)),
    "opencv grey 16-bit": ("png", encoded(".png", NOISE[:, :, 0].astype(np.uint16) * 257)),
    "opencv bgra": ("png", encoded(".png", cv2.cvtColor(NOISE, cv2.COLOR_BGR2BGRA))),
    "opencv best compression": ("png", encoded(".png", NOISE, cv2.IMWRITE_PNG_COMPRESSION, 9)),
    "interlaced": ("png", png(53, 37, interlace=1)),
    "palette 2-bit": ("png", png(53, 37, colour=3, depth=2)),
    "grey alpha": ("png", png(53, 37, colour=4)),
    "text chunk, split data": ("png", png(53, 37, before=(chunk(b"tEXt", b"k\0v"),), split=9)),
    "baseline jpeg": ("jpg", encoded(".jpg", NOISE)),
    "progressive jpeg": ("jpg", encoded(".jpg", NOISE, cv2.IMWRITE_JPEG_PROGRESSIVE, 1)),
    "grey jpeg": ("jpg", encoded(".jpg", NOISE[:, :, 0])),
    "restart markers": ("jpg", encoded(".jpg", NOISE, cv2.IMWRITE_JPEG_RST_INTERVAL, 2)),
}


@pytest.mark.parametrize("name", sorted(VALID))
@pytest.mark.parametrize("piece", [1, 7, 4096, 1 << 20])
def test_valid_pictures_pass_in_any_pieces(name: str, piece: int) -> None:
    kind, data = VALID[name]
    info = check(data, kind, piece)
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    assert image is not None
    assert (info.kind, info.width, info.height) == (kind, image.shape[1], image.shape[0])


@pytest.mark.parametrize(
    ("data", "kind", "message"),
    [
        (b"", "png", "not a PNG or JPEG"),
        (b"GIF89a" + bytes(100), "png", "not a PNG or JPEG"),
        (jpeg(), "png", "named as another kind"),
        (png(), "jpg", "named as another kind"),
        (png()[:40], "png", "cut short"),
    ],
)
def test_what_is_not_the_picture_it_says_is_refused(data: bytes, kind: str, message: str) -> None:
    with pytest.raises(BadPicture, match=message):
        check(data, kind)


def accepted_means_decodable(data: bytes, kind: str) -> None:
    try:
        info = check(data, kind, 997)
    except BadPicture:
        OUTCOMES[f"{kind} mutants refused"] += 1
        return
    OUTCOMES[f"{kind} mutants accepted"] += 1
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
    if image is None:
        OUTCOMES[f"{kind} wrong accepts"] += 1
    assert image is not None, "the check passed a picture OpenCV cannot decode"
    assert (image.shape[1], image.shape[0]) == (info.width, info.height)


@FUZZ
@given(data=st.data(), name=st.sampled_from([n for n in sorted(VALID) if VALID[n][0] == "png"]))
def test_mutated_pngs_are_refused_or_decode(data: st.DataObject, name: str) -> None:
    mutant = data.draw(byte_mutant(VALID[name][1]))
    accepted_means_decodable(recrc_png(mutant) if data.draw(st.booleans()) else mutant, "png")


@FUZZ
@given(data=st.data(), name=st.sampled_from([n for n in sorted(VALID) if VALID[n][0] == "jpg"]))
def test_mutated_jpegs_are_refused_or_decode(data: st.DataObject, name: str) -> None:
    accepted_means_decodable(data.draw(byte_mutant(VALID[name][1])), "jpg")
