"""Times as people read them on a clock: ``1:05``, ``1:02:03``."""

from __future__ import annotations


def format_time(seconds: float) -> str:
    """``"1:05"`` under an hour, ``"1:02:03"`` from an hour on (whole seconds, rounded down).

    Negative times show as ``"0:00"``.
    """
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
