"""COMPOUND_TEXT as libX11 writes it (the bytes below came from ``xprop -f WM_NAME 8t``)."""

from __future__ import annotations

import pytest

from baton.capture.platform.compound_text import decode_compound_text


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        (b"Invoices \x1b%G\xe2\x80\x94\x1b%@ Firefox", "Invoices \u2014 Firefox"),
        (b"\x1b$(B@A5a=q\x1b(B \x1b%G\xe2\x80\x93\x1b%@ \x1b$(BEl5~", "請求書 – 東京"),
        (b"\x1b-L\xbf\xe0\xd8\xd2\xd5\xe2 \xdc\xd8\xe0", "Привет мир"),
        (b"\x1b-F\xc3\xe5\xe9\xdc \xf3\xef\xf5", "Γειά σου"),
        (b"abc\x1b-b\xa4", "abc€"),
        (b"\x1b$(CGQ19>n\x1b(B \x1b$(BCfJ8", "한국어 中文"),
        (b"\x1b$(AVPND", "中文"),
        (b"caf\xe9 cr\xe8me", "café crème"),  # the initial state: Latin-1 in the right half
        (b"\x1b(J\\100", "\u00a5100"),  # JIS X 0201 roman: a yen sign where ASCII has \
        (b"\x1b)I\xb1\xb2", "ｱｲ"),  # half-width katakana
        (b"\x1b%/1\x80\x8bbig5-0\x02\xa4\xa4\xa4\xe5", "中文"),  # a counted extended segment
        (b"\x9b1]left\x9b]", "left"),  # reading direction marks carry no text
        (b"one\ttwo\nthree\x07", "one\ttwo\nthree"),
    ],
)
def test_decodes_what_x_clients_write(raw: bytes, text: str) -> None:
    assert decode_compound_text(raw) == text


def test_unknown_sets_and_cut_sequences_give_replacement_characters_not_errors() -> None:
    assert decode_compound_text(b"a\x1b$(Z!!\x1b(Bb") == "a\ufffd\ufffdb"
    assert decode_compound_text(b"x\x1b$") == "x"
    assert decode_compound_text(b"x\x1b%Gunterminated \xe2\x80\x94") == "xunterminated \u2014"
    assert decode_compound_text(b"\x1b%/1\x80") == ""
