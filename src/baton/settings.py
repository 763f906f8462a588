"""User settings, declared once with their type, default and label.

Stored as JSON in the user's own config folder (``Paths.settings_file``), never in a
shared library folder. Unknown keys are kept untouched (a newer Baton may have
written them); values of the wrong type fall back to the default.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from baton.util.atomic import write_text_atomically


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Any
    label: str
    choices: tuple[Any, ...] = ()
    shown: bool = True  # False: remembered for the user, not offered in Preferences


DECLARED: tuple[Setting, ...] = (
    Setting("recording.fps", int, 30, "Frames per second", (10, 15, 30, 60)),
    Setting(
        "recording.quality",
        str,
        "balanced",
        "Video quality",
        ("small", "balanced", "sharp"),
    ),
    Setting("recording.countdown_seconds", int, 3, "Countdown before recording"),
    Setting("recording.show_keys", bool, False, "Show key presses in the video"),
    Setting("recording.hide_baton_windows", bool, True, "Hide Baton's windows from recordings"),
    Setting(
        "recording.make_steps", bool, True, "Make a step for each click while recording a process"
    ),
    Setting(
        "steps.keep_typing_in",
        str,
        "",
        "Keep typed text in these applications (comma-separated; elsewhere text typed where "
        "Baton cannot tell the field is withheld)",
    ),
    Setting("handoff.default_due_days", int, 7, "Check in after (days)"),
    Setting("recording.microphone", str, "", "Microphone (its name; empty: the default)",
            shown=False),
    Setting("recording.wayland_restore_token", str, "",
            "The desktop's answer to sharing the screen (Wayland), so it asks only once",
            shown=False),
)
BY_KEY = {setting.key: setting for setting in DECLARED}


class Settings:
    """Typed access to the declared settings, saved to ``path`` on every change."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._values: dict[str, Any] = {}
        if path.exists():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                loaded = {}
            if isinstance(loaded, dict):
                self._values = loaded

    def get(self, key: str) -> Any:
        setting = BY_KEY[key]
        value = self._values.get(key, setting.default)
        if not isinstance(value, setting.type) or (
            setting.choices and value not in setting.choices
        ):
            return setting.default
        return value

    def set(self, key: str, value: Any) -> None:
        setting = BY_KEY[key]
        if not isinstance(value, setting.type):
            raise TypeError(f"{key} must be {setting.type.__name__}")
        if setting.choices and value not in setting.choices:
            raise ValueError(f"{key} must be one of {setting.choices}")
        self._values[key] = value
        self._save()

    def _save(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomically(self._path, json.dumps(self._values, indent=2, sort_keys=True))


class ScreenSharingTokens:
    """The Wayland portal's restore token kept in the user's settings (``RestoreTokens``)."""

    KEY = "recording.wayland_restore_token"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def load(self) -> str:
        return str(self._settings.get(self.KEY))

    def save(self, token: str) -> None:
        self._settings.set(self.KEY, token)
