"""``baton record`` and ``baton process steps-from-video``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from baton.cli.common import Subparsers, existing_file, print_json
from baton.core.library import RecordingInfo
from baton.errors import UserError
from baton.services import Services


def register(commands: Subparsers) -> None:
    record = commands.add_parser("record", help="record the screen to an MP4 (headless)")
    record.add_argument("out", type=Path, nargs="?", help="the MP4 to write")
    record.add_argument("--list-monitors", action="store_true",
                        help="list the monitors (left to right) and what --monitor means")
    record.add_argument("--seconds", type=float, help="stop after this long (default: Ctrl+C)")
    record.add_argument("--fps", type=int, choices=(10, 15, 30, 60), default=30)
    where = record.add_mutually_exclusive_group()
    where.add_argument("--monitor", type=int, help="monitor number, from 1")
    where.add_argument("--region", help="X,Y,W,H in physical pixels")
    record.add_argument("--quality", choices=("small", "balanced", "sharp"), default="balanced")
    record.add_argument("--process", help="attach the recording to this process (id or title)")
    record.add_argument("--json", action="store_true")
    record.set_defaults(run=record_command)


def register_process_actions(actions: Subparsers) -> None:
    scenes = actions.add_parser(
        "steps-from-video", help="cut steps where the screen changes in a video"
    )
    scenes.add_argument("process", help="id or exact title")
    scenes.add_argument("video", type=existing_file)
    scenes.add_argument("--threshold", type=float, default=0.05,
                        help="share of the screen that must change, 0..1 (default 0.05)")
    scenes.add_argument("--min-gap", type=float, default=1.0,
                        help="seconds between steps at least (default 1)")
    scenes.add_argument("--json", action="store_true")
    scenes.set_defaults(run=steps_from_video_command)


def record_command(args: argparse.Namespace, services: Services) -> int:
    from baton.capture.platform.screens import Region
    from baton.capture.recording.headless import record_to_file
    from baton.settings import ScreenSharingTokens

    if args.list_monitors:
        return list_monitors_command(args)
    if args.out is None:
        raise UserError("Say where to write the recording: baton record OUT.mp4")
    process = services.library.find(args.process) if args.process else None
    region = Region.parse(args.region) if args.region else None
    stats = record_to_file(args.out, args.seconds, args.fps, args.monitor, region, args.quality,
                           tokens=ScreenSharingTokens(services.settings))
    document = stats.to_json()
    if process is not None and stats.size_bytes > 0:
        events = Path(stats.events) if stats.events else None
        services.library.attach_recording(
            process.id,
            RecordingInfo(
                media=services.media.put_file(Path(stats.path), "mp4"),
                events_media=services.media.put_file(events, "json")
                if events is not None and events.is_file()
                else None,
                duration=stats.duration,
                size=stats.size_bytes,
                fps=float(stats.fps),
                width=stats.width,
                height=stats.height,
                has_audio=stats.audio,
            ),
        )
        document["process_id"] = process.id
    if args.json:
        print_json(document)
    else:
        print(f"Recorded {stats.duration:.1f} s to {stats.path}: {stats.frames_captured} frames "
              f"({stats.frames_dropped} dropped), {stats.size_bytes / 1e6:.1f} MB")
        if process is not None:
            print(f"Attached to process {process.id}: {process.title}")
    if stats.error:
        raise UserError(stats.error)
    return 0


def list_monitors_command(args: argparse.Namespace) -> int:
    from baton.capture.platform.screens import describe_monitor
    from baton.capture.recording.live import ScreenTargets

    monitors = ScreenTargets().monitors()
    if args.json:
        print_json({"monitors": [monitor.to_json() for monitor in monitors]})
    else:
        for monitor in monitors:
            print(f"{monitor.index}  {describe_monitor(monitor)}")
    return 0


def steps_from_video_command(args: argparse.Namespace, services: Services) -> int:
    from baton.capture.steps.from_video import import_video_steps

    process = services.library.find(args.process)
    saved = import_video_steps(
        services.steps.appender(process.id), services.media, args.video,
        threshold=args.threshold, min_gap_s=args.min_gap,
    )
    if args.json:
        print(json.dumps({"process_id": process.id, "steps_added": len(saved)}))
    else:
        print(f"Added {len(saved)} steps to “{process.title}” from {args.video.name}")
    return 0
