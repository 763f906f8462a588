"""The portal's restore token: asked with the last one, each new one kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from baton.capture.recording import wayland
from baton.capture.recording.wayland import TokensInMemory, open_portal_source
from baton.settings import ScreenSharingTokens, Settings


class Portal:
    """Stands in for the desktop's portal: records the token it was given, hands out another."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.given: list[str] = []

    def start(self, *, restore_token: str = "") -> Any:
        self.given.append(restore_token)
        return type("Cast", (), {"restore_token": self.answer})()


@pytest.fixture
def sources(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    opened: list[Any] = []
    monkeypatch.setattr(wayland, "PipeWireSource", lambda cast, region: opened.append(cast))
    return opened


def test_the_last_token_is_given_and_the_new_one_kept(sources: list[Any]) -> None:
    tokens = TokensInMemory("first")
    portal = Portal("second")
    open_portal_source(None, tokens, portal)  # type: ignore[arg-type]
    assert portal.given == ["first"]
    assert tokens.load() == "second"


def test_a_portal_that_gives_no_token_leaves_the_old_one(sources: list[Any]) -> None:
    tokens = TokensInMemory("kept")
    open_portal_source(None, tokens, Portal(""))  # type: ignore[arg-type]
    assert tokens.load() == "kept"


def test_tokens_live_in_the_user_s_settings(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    ScreenSharingTokens(Settings(path)).save("abc-123")
    assert ScreenSharingTokens(Settings(path)).load() == "abc-123"
    assert ScreenSharingTokens(Settings(tmp_path / "new.json")).load() == ""
