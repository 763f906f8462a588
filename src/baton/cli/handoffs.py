"""``baton handoff send``, ``baton package export|verify|import``, ``baton receipt import``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from baton.cli.common import (
    Subparsers,
    existing_file,
    iso_date,
    megabytes,
    print_json,
    start_qt_for_documents,
)
from baton.core.clock import utc_now
from baton.errors import UserError
from baton.services import Services


def register(commands: Subparsers) -> None:
    handoff = commands.add_parser("handoff", help="hand processes to assistants")
    actions = handoff.add_subparsers(dest="action", required=True, metavar="ACTION")
    send = actions.add_parser("send", help="send a process to an assistant as a package")
    send.add_argument("process", help="id or exact title")
    send.add_argument("--to", required=True, dest="assistant", help="id or exact name")
    send.add_argument("--out", required=True, type=Path, help="the zip to write (or a folder)")
    send.add_argument("--due", type=iso_date, help="check in by YYYY-MM-DD")
    send.add_argument("--note", default="", help="what changed since the last version")
    send.add_argument("--max-mb", type=megabytes, help="fit the package in this many MB")
    send.add_argument("--shrink", action="store_true",
                      help="with --max-mb: shrink the pictures too if the budget needs it")
    send.add_argument("--json", action="store_true")
    send.set_defaults(run=handoff_send)

    package = commands.add_parser("package", help="handoff packages (zip files)")
    actions = package.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="export a process as a package")
    export.add_argument("process", help="id or exact title")
    export.add_argument("--out", required=True, type=Path, help="the zip to write (or a folder)")
    export.add_argument("--max-mb", type=megabytes, help="fit the package in this many MB")
    export.add_argument("--shrink", action="store_true",
                        help="with --max-mb: shrink the pictures too if the budget needs it")
    export.add_argument("--json", action="store_true")
    export.set_defaults(run=package_export)
    verify = actions.add_parser("verify", help="check a package's files and manifest")
    verify.add_argument("file", type=existing_file)
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(run=package_verify, needs_library=False)
    imported = actions.add_parser("import", help="add the process in a package to this library")
    imported.add_argument("file", type=existing_file)
    imported.add_argument("--json", action="store_true")
    imported.set_defaults(run=package_import)

    receipt = commands.add_parser("receipt", help="progress receipts from assistants")
    actions = receipt.add_subparsers(dest="action", required=True, metavar="ACTION")
    imported = actions.add_parser("import", help="import a progress receipt")
    imported.add_argument("file", type=existing_file)
    imported.add_argument("--json", action="store_true")
    imported.set_defaults(run=receipt_import)


@contextmanager
def offer_to_shrink() -> Iterator[None]:
    """A budget that smaller pictures would meet: say how to agree to them."""
    from baton.handoff.budget import PackageTooLarge

    try:
        yield
    except PackageTooLarge as error:
        if error.scale is None:
            raise
        raise UserError(f"{error} Add --shrink to make them so, or raise --max-mb.") from None


def handoff_send(args: argparse.Namespace, services: Services) -> int:
    from baton.handoff.send import send_process

    app = start_qt_for_documents()  # noqa: F841 - kept alive while the PDF is written
    process = services.library.find(args.process)
    assistant = services.assistants.find(args.assistant)
    warning = services.ladder.warning(process.id, assistant.id)
    if warning:
        print(f"baton: note: {warning}", file=sys.stderr)
    due = args.due or (
        utc_now().date() + timedelta(days=services.settings.get("handoff.default_due_days"))
    )
    with offer_to_shrink():
        sent = send_process(
            services.library, services.handoffs, services.sending, services.media, process.id,
            assistant.id, args.out, due_on=due, changelog=args.note, size_budget=args.max_mb,
            shrink=args.shrink, questions=services.questions,
        )
    if args.json:
        print_json({
            "handoff_id": sent.handoff.id, "process_id": process.id,
            "assistant_id": assistant.id, "version": sent.version_number,
            "new_version": sent.new_version, "package": str(sent.package.path),
            "package_id": sent.package.package_id, "manifest_sha256": sent.package.manifest_sha256,
            "size": sent.package.size, "due_on": due.isoformat(), "warning": warning,
        })
    else:
        print(f"Sent “{process.title}” v{sent.version_number} to {assistant.name}: "
              f"{sent.package.path} ({sent.package.size / 1e6:.1f} MB)")
    return 0


def package_export(args: argparse.Namespace, services: Services) -> int:
    from baton.handoff.package import build_package

    app = start_qt_for_documents()  # noqa: F841 - kept alive while the PDF is written
    process = services.library.find(args.process)
    version = services.library.freeze_version(process.id)
    with offer_to_shrink():
        package = build_package(version, services.media, args.out, size_budget=args.max_mb,
                                shrink=args.shrink)
    if args.json:
        print_json({"process_id": process.id, "version": version.number,
                    "package": str(package.path), "package_id": package.package_id,
                    "manifest_sha256": package.manifest_sha256, "size": package.size})
    else:
        print(f"Exported “{process.title}” v{version.number}: {package.path} "
              f"({package.size / 1e6:.1f} MB)")
    return 0


def package_verify(args: argparse.Namespace, services: Services | None) -> int:
    """Needs no library: nothing is opened or created but the package itself."""
    from baton.handoff.validation import verify_package

    manifest = verify_package(args.file)
    lacks = None
    if manifest.handoff_id is not None and not manifest.signs_receipts:
        lacks = (f"format {manifest.format_version}: its page saves unsigned receipts "
                 "(send the process again for signed ones)")
    if args.json:
        print_json({"ok": True, "note": lacks, **manifest.to_json()})
    else:
        title = " ".join(manifest.process.title.split())
        print(f"OK: “{title}” v{manifest.process.version}, "
              f"{len(manifest.steps)} steps, {len(manifest.files)} files intact"
              + (f" ({lacks})" if lacks else ""))
    return 0


def package_import(args: argparse.Namespace, services: Services) -> int:
    from baton.handoff.importer import import_package

    process_id = import_package(args.file, services.library, services.media)
    row = services.library.get(process_id)
    if args.json:
        print_json({"process_id": row.id, "title": row.title, "steps": row.step_count})
    else:
        print(f"Imported process {row.id}: {row.title} ({row.step_count} steps)")
    return 0


def receipt_import(args: argparse.Namespace, services: Services) -> int:
    from baton.handoff.receipt import import_receipt

    result = import_receipt(args.file, services.handoffs, services.library, services.receipts)
    if result.note:
        print(f"baton: note: {result.note}", file=sys.stderr)
    if args.json:
        print_json({
            "handoff_id": result.handoff.id, "status": result.handoff.status.value,
            "previous_status": result.previous_status.value, "steps_done": result.steps_done,
            "steps_total": result.steps_total, "new_questions": result.new_questions,
            "new_notes": result.new_notes, "ignored": result.ignored, "note": result.note,
        })
    elif result.ignored:
        print(f"Ignored: this receipt from {result.handoff.assistant_name} is older than the "
              "one already imported; nothing changed")
    else:
        print(f"{result.handoff.assistant_name} has done {result.steps_done} of "
              f"{result.steps_total} steps of “{result.handoff.process_title}” "
              f"({result.handoff.status.value}); {result.new_questions} new question(s)")
    return 0
