"""``python -m baton.capture.recording.recorder_main``: a bare recording process.

Used by the crash test (which SIGKILLs it) and by the benchmark (which measures its CPU
time); users run ``baton record`` instead. Prints the statistics as one JSON document.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from baton.capture.platform.screens import Region
from baton.capture.recording.audio import ToneSource
from baton.capture.recording.headless import record_to_file
from baton.errors import UserError


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, record, print JSON; exit 1 with one line on a user error."""
    parser = argparse.ArgumentParser(prog="python -m baton.capture.recording.recorder_main")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seconds", type=float, default=None)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--monitor", type=int, default=None)
    parser.add_argument("--region", type=str, default=None)
    parser.add_argument("--quality", default="balanced")
    parser.add_argument("--x264-preset", default=None)
    parser.add_argument("--crf", type=int, default=None)
    parser.add_argument("--tone", action="store_true", help="record a test tone as audio")
    parser.add_argument("--no-input", action="store_true", help="do not watch mouse/keys")
    parser.add_argument("--ready-file", type=Path, default=None,
                        help="touched once the first second is recorded")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    x264 = None
    if args.x264_preset or args.crf is not None:
        x264 = (args.x264_preset or "ultrafast", 23 if args.crf is None else args.crf)
    ready_file: Path | None = args.ready_file

    def progress(recorder: object) -> None:
        elapsed = getattr(recorder, "elapsed", lambda: 0.0)()
        if ready_file is not None and elapsed >= 1.0 and not ready_file.exists():
            ready_file.write_text("recording\n", encoding="utf-8")

    try:
        stats = record_to_file(
            args.out,
            seconds=args.seconds,
            fps=args.fps,
            monitor=args.monitor,
            region=Region.parse(args.region) if args.region else None,
            quality=args.quality,
            audio=ToneSource(time.monotonic) if args.tone else None,
            watch_input=not args.no_input,
            x264=x264,
            on_progress=progress,
        )
    except UserError as error:
        print(error, file=sys.stderr)
        return 1
    print(json.dumps(stats.to_json()))
    return 0 if stats.error is None else 2


if __name__ == "__main__":
    sys.exit(main())
