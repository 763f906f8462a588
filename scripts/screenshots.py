"""Make current screenshots of Baton's main screens for the README (docs/screenshots/).

Starts its own Xvfb, fills a throwaway library with the example process and a few
assistants, handoffs and a question, opens the real window on the real stylesheet and
saves each screen as PNG. Nothing of yours is touched: the library, settings and state all
live in a temporary folder. Run it through ``scripts/screenshots``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SIZE = (1100, 700)


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    if shutil.which("Xvfb") is None:
        raise SystemExit("screenshots: Xvfb is missing (apt-get install xvfb)")
    read_fd, write_fd = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x860x24", "-nolisten", "tcp"],
        pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write_fd)
    with os.fdopen(read_fd) as pipe:
        number = pipe.readline().strip()
    if not number:
        process.kill()
        raise SystemExit("screenshots: Xvfb did not start")
    return process, f":{number}"


def fill(services: object) -> dict[str, int]:
    """A small, believable library: the example, two more processes, two assistants."""
    from baton.core.assistants import AssistantDraft
    from baton.core.library import ProcessDraft
    from baton.core.states import Arrangement, Engagement, EventKind, HandoffStatus
    from baton.core.states import ProcessStatus as Status
    from baton.services import Services
    from baton.ui.first_run.example import add_example

    assert isinstance(services, Services)
    example = add_example(services.library, services.steps, services.media)
    stock = services.library.add_process(ProcessDraft(
        "Order stock from the wholesaler", minutes_per_run=45, runs_per_week=1,
        status=Status.READY))
    bills = services.library.add_process(ProcessDraft(
        "Pay supplier bills", minutes_per_run=30, runs_per_week=2, status=Status.IDEA))
    for _ in range(3):
        services.library.did_it_myself(bills.id)
    ana = services.assistants.add(AssistantDraft(
        "Ana Reyes", email="ana.reyes@example.com", arrangement=Arrangement.OFFSHORE,
        engagement=Engagement.PART_TIME, hired_via="Upwork", time_zone="Asia/Manila",
        started_on=date(2026, 9, 1)))
    ben = services.assistants.add(AssistantDraft(
        "Ben Okafor", email="ben@example.com", arrangement=Arrangement.ON_SITE,
        engagement=Engagement.FULL_TIME, time_zone="Europe/Dublin",
        started_on=date(2025, 4, 14)))
    handoffs = services.handoffs
    sent = handoffs.create(services.library.freeze_version(example.id).id, ana.id,
                           due_on=date(2099, 1, 9))
    handoffs.add_event(sent.id, EventKind.RECEIPT_IMPORTED, "2 of 4 steps done",
                       new_status=HandoffStatus.PRACTISING)
    handoffs.add_event(sent.id, EventKind.QUESTION,
                       "Meadow Florists is in the list twice: which one do I pick?",
                       step_position=2, new_status=HandoffStatus.NEEDS_HELP)
    done = handoffs.create(services.library.freeze_version(stock.id).id, ben.id)
    handoffs.check_in(done.id, HandoffStatus.INDEPENDENT, "Runs it on his own now.")
    services.library.mark_handed_off(example.id)
    return {"example": example.id, "handoff": sent.id, "assistant": ana.id}


def main() -> int:
    global OUT
    if sys.argv[1:2] == ["--out"] and len(sys.argv) == 3:
        OUT = Path(sys.argv[2]).resolve()
    elif sys.argv[1:]:
        raise SystemExit("usage: scripts/screenshots [--out FOLDER]  (default docs/screenshots)")
    xvfb, display = start_xvfb()
    scratch = Path(tempfile.mkdtemp(prefix="baton-screenshots-"))
    try:
        os.environ.update({
            "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "BATON_DATA_DIR": str(scratch / "lib"),
            "XDG_CONFIG_HOME": str(scratch / "config"), "XDG_STATE_HOME": str(scratch / "state"),
            "XDG_CACHE_HOME": str(scratch / "cache"), "XDG_DATA_HOME": str(scratch / "data"),
        })
        os.environ.pop("BATON_DATABASE_URL", None)
        return shoot(scratch)
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
        shutil.rmtree(scratch, ignore_errors=True)


def shoot(scratch: Path) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from baton.services import open_services
    from baton.ui.dialogs.answer import AnswerDialog
    from baton.ui.first_run.welcome import WelcomeDialog
    from baton.ui.main_window import MainWindow, app_icon, make_state
    from baton.ui.style import apply_style

    app = QApplication(sys.argv[:1])
    app.setWindowIcon(app_icon())
    apply_style(app)
    services = open_services(str(scratch / "lib"))
    made: list[str] = []
    try:
        ids = fill(services)
        window = MainWindow(services, make_state(scratch / "state.ini"), global_shortcuts=False)
        window.resize(*SIZE)
        window.show()
        OUT.mkdir(parents=True, exist_ok=True)

        def settle() -> None:
            for _ in range(5):
                app.processEvents()
            loop_once = QTimer()
            loop_once.setSingleShot(True)
            loop_once.start(150)
            while loop_once.isActive():
                app.processEvents()

        def save(name: str, widget: QWidget) -> None:
            settle()
            widget.grab().save(str(OUT / f"{name}.png"), "PNG", 9)
            made.append(name)

        window.show_page("Library")
        window.library.select_where(lambda row: row.id == ids["example"])
        save("library", window)
        window.show_page("Assistants")
        window.assistants.select_where(lambda row: row.id == ids["assistant"])
        save("assistants", window)
        window.show_page("Handoffs")
        window.handoffs.show_handoff(ids["handoff"])
        save("handoffs", window)
        window.show_page("Dashboard")
        save("dashboard", window)
        [question] = services.questions.open()
        answer = AnswerDialog(question, lambda q: None, window)
        answer.answer.setPlainText("The one in Market Street (customer number 2207).")
        answer.show()
        save("answer", answer)
        answer.close()
        window.open_steps(ids["example"])
        editor = window.editors[ids["example"]]
        editor.resize(*SIZE)
        editor.select_row(3)
        for row in range(4):  # the list asks for its thumbnails as it paints
            editor.list.scrollTo(editor.model.index(row))
            settle()
            editor.thumbnails.wait()
        save("step-editor", editor)
        editor.close()
        welcome = WelcomeDialog(window)
        welcome.show()
        save("welcome", welcome)
        welcome.close()
        window.close()
    finally:
        services.close()
    print(f"screenshots: wrote {', '.join(name + '.png' for name in made)} into {OUT}")
    return 0


if __name__ == "__main__":
    if str(ROOT / "src") not in sys.path:
        sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
