"""Library at scale: dashboard, handoff search and startup with 10k processes, 100k handoffs.

Targets (issue 6): dashboard computes < 200 ms and the handoff list filters < 50 ms on SQLite;
report PostgreSQL too; startup to an interactive window < 1.5 s. Reference tools in the same
run: the sqlite3 command-line shell (or psql) running the dashboard's main aggregate, and a
bare PySide6 window's startup.

    .venv/bin/python benchmarks/library_scale.py [--processes 10000] [--handoffs 100000]
        [--no-postgres] [--no-startup]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from baton.core.dashboard import Dashboard  # noqa: E402
from baton.core.db import Database, open_database, sqlite_url  # noqa: E402
from baton.core.handoffs import Handoffs  # noqa: E402
from baton.core.models import (  # noqa: E402
    Arrangement,
    Assistant,
    Audience,
    Complexity,
    Engagement,
    EventKind,
    Handoff,
    HandoffEvent,
    HandoffStatus,
    Process,
    ProcessStatus,
    ProcessVersion,
)

STATUSES = list(HandoffStatus)
FIRST = ["Ana", "Ben", "Chidi", "Dana", "Eli", "Fatima", "Gus", "Hana", "Ivan", "Jo"]
LAST = ["Reyes", "Carter", "Okafor", "Smith", "Nguyen", "Khan", "Silva", "Kim"]
WORDS = ["invoices", "payroll", "support inbox", "stock order", "bank feed", "receipts",
         "social posts", "refunds", "shipping labels", "quotes", "timesheets", "reviews"]


def populate(db: Database, processes: int, assistants: int, handoffs: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = datetime(2026, 11, 1, 9, 0)
    with db.engine.begin() as connection:
        connection.execute(insert(Process), [
            {"id": i, "title": f"{rng.choice(WORDS).capitalize()} #{i}", "summary": "",
             "audience": rng.choice(list(Audience)), "complexity": rng.choice(list(Complexity)),
             "minutes_per_run": rng.randint(5, 120), "runs_per_week": rng.choice([0.5, 1, 2, 5]),
             "status": rng.choice(list(ProcessStatus)), "times_done_myself": rng.randint(0, 4),
             "created_at": now, "updated_at": now, "row_version": 1}
            for i in range(1, processes + 1)
        ])
        connection.execute(insert(ProcessVersion), [
            {"id": i, "process_id": i, "number": 1, "snapshot": {"title": "", "steps": []},
             "content_hash": f"{i:064x}", "changelog": "", "created_at": now}
            for i in range(1, processes + 1)
        ])
        connection.execute(insert(Assistant), [
            {"id": i, "name": f"{rng.choice(FIRST)} {rng.choice(LAST)} {i}", "email": "",
             "arrangement": rng.choice(list(Arrangement)),
             "engagement": rng.choice(list(Engagement)), "hired_via": "", "time_zone": "",
             "notes": "", "active": True, "created_at": now, "row_version": 1}
            for i in range(1, assistants + 1)
        ])
        rows, events = [], []
        for i in range(1, handoffs + 1):
            sent = now - timedelta(days=rng.randint(0, 300))
            rows.append({"id": i, "version_id": rng.randint(1, processes),
                         "assistant_id": rng.randint(1, assistants), "sent_at": sent,
                         "due_on": (sent + timedelta(days=14)).date(),
                         "status": rng.choice(STATUSES), "package_hash": "", "row_version": 1})
            for n in range(3):
                events.append({"handoff_id": i, "at": sent + timedelta(days=n),
                               "kind": EventKind.SENT if n == 0 else EventKind.CHECK_IN,
                               "note": "", "data": {}})
        for start in range(0, len(rows), 20_000):
            connection.execute(insert(Handoff), rows[start:start + 20_000])
        for start in range(0, len(events), 50_000):
            connection.execute(insert(HandoffEvent), events[start:start + 50_000])


def timed(action: Callable[[], Any], repeat: int = 5) -> float:
    """Median milliseconds over ``repeat`` runs (after one warm-up)."""
    action()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)


def measure(db: Database) -> dict[str, float]:
    dashboard = Dashboard(db.sessions)
    handoffs = Handoffs(db.sessions)
    today = date(2026, 11, 28)

    def whole_dashboard() -> None:
        dashboard.figures(today)
        dashboard.needs_attention(today)
        dashboard.holdings()
        dashboard.hours_by_assistant()
        dashboard.backlog()

    return {
        "dashboard_ms": timed(whole_dashboard),
        "dashboard_figures_ms": timed(lambda: dashboard.figures(today)),
        "handoff_filter_ms": timed(lambda: handoffs.list("payroll", limit=500)),
        "handoff_first_page_ms": timed(lambda: handoffs.list("", limit=500)),
    }


REFERENCE_SQL = ("SELECT count(*) FROM handoff WHERE status NOT IN ('independent','revoked');"
                 "SELECT count(*) FROM handoff WHERE due_on < '2026-11-28' "
                 "AND status NOT IN ('independent','revoked');")


def reference_cli(argv: list[str]) -> float | None:
    if shutil.which(argv[0]) is None:
        return None
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)


def startup(data_dir: Path) -> dict[str, float]:
    """Seconds from launch to a mapped window: Baton vs a bare PySide6 window."""
    from helpers.xvfb import start_xvfb, wait_for_window

    xvfb, display = start_xvfb()
    env = dict(os.environ, DISPLAY=display.name)
    env.pop("QT_QPA_PLATFORM", None)
    bare = ("from PySide6.QtWidgets import QApplication, QMainWindow; a = QApplication([]); "
            "w = QMainWindow(); w.setWindowTitle('Bare'); w.show(); a.exec()")
    results = {}
    try:
        for name, argv, title in (
            ("bare_pyside6_window_s", [sys.executable, "-c", bare], "Bare"),
            ("baton_window_s", [str(ROOT / ".venv" / "bin" / "baton"), "--data-dir",
                                str(data_dir)], "Baton"),
        ):
            start = time.perf_counter()
            process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                                       stderr=subprocess.DEVNULL)
            try:
                wait_for_window(display, title, timeout=60, poll=0.02)
                results[name] = round(time.perf_counter() - start, 2)
            finally:
                process.terminate()
                process.wait(timeout=30)
    finally:
        xvfb.terminate()
        xvfb.wait()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--processes", type=int, default=10_000)
    parser.add_argument("--assistants", type=int, default=500)
    parser.add_argument("--handoffs", type=int, default=100_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-startup", action="store_true")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="baton-scale-"))
    report: dict[str, Any] = {"processes": args.processes, "assistants": args.assistants,
                              "handoffs": args.handoffs, "events": args.handoffs * 3}
    try:
        data_dir = scratch / "library"
        data_dir.mkdir()
        db = open_database(sqlite_url(data_dir / "baton.db"))
        start = time.perf_counter()
        populate(db, args.processes, args.assistants, args.handoffs)
        report["populate_s"] = round(time.perf_counter() - start, 1)
        report["sqlite"] = measure(db)
        db.close()
        report["sqlite"]["reference_sqlite3_cli_ms"] = reference_cli(
            ["sqlite3", str(data_dir / "baton.db"), REFERENCE_SQL])
        if not args.no_postgres:
            from helpers.postgres import PostgresServer

            pg_root = Path(tempfile.mkdtemp(prefix="baton-pg-"))
            if os.geteuid() == 0:
                shutil.chown(pg_root, "postgres")
            server = PostgresServer(pg_root)
            try:
                url = server.new_database()
                pg = open_database(url)
                populate(pg, args.processes, args.assistants, args.handoffs)
                with pg.engine.begin() as connection:
                    connection.exec_driver_sql("ANALYZE")
                report["postgres"] = measure(pg)
                pg.close()
                name = url.rsplit("/", 1)[1]
                report["postgres"]["reference_psql_ms"] = reference_cli(
                    ["psql", "-h", "127.0.0.1", "-p", str(server.port), "-U", "baton", "-d",
                     name, "-c", REFERENCE_SQL])
            finally:
                server.stop()
                shutil.rmtree(pg_root, ignore_errors=True)
        if not args.no_startup:
            report["startup"] = startup(data_dir)
            report["startup"]["ratio_vs_bare_window"] = round(
                report["startup"]["baton_window_s"] / report["startup"]["bare_pyside6_window_s"], 2)
        report["targets"] = {
            "sqlite_dashboard_under_200_ms": report["sqlite"]["dashboard_ms"] < 200,
            "sqlite_filter_under_50_ms": report["sqlite"]["handoff_filter_ms"] < 50,
        }
        if "startup" in report:
            report["targets"]["startup_under_1_5_s"] = report["startup"]["baton_window_s"] < 1.5
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
