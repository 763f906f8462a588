"""Team mode with several Baton processes on one real PostgreSQL server.

Simultaneous starts and upgrades, a server that never answers or stops answering, the
server killed during send and import, and media cleanup on a machine whose clock is off.
Each test counts trials and bad outcomes; the goal is always zero.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from sqlalchemy import select, text

from baton.core.assistants import AssistantDraft
from baton.core.cleanup import clean_media
from baton.core.db import alembic_config, create_db_engine, open_database
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
from baton.core.models import Handoff, HandoffStatus, Process, Step
from baton.core.steps import StepContent
from baton.errors import DatabaseUnavailable
from baton.services import open_services
from helpers.postgres import PostgresServer
from helpers.team import (
    FreezableProxy,
    SilentServer,
    baton_argv,
    baton_env,
    one_line_failure,
    own_postgres_server,
    start_again,
    start_baton,
)

pytestmark = pytest.mark.postgres
# Few trials in the suite; BATON_TEAM_TRIALS=10 for the figures (each start is a Python).
TRIALS = int(os.environ.get("BATON_TEAM_TRIALS", "1"))


def screenshot(shade: int) -> bytes:
    ok, data = cv2.imencode(".png", np.full((120, 200, 3), shade, np.uint8))
    assert ok
    return bytes(data.tobytes())


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A server of the test's own, to kill and restart."""
    server, cleanup = own_postgres_server()
    yield server
    cleanup()


# -- starting at once ---------------------------------------------------------------------


@pytest.mark.slow
def test_three_simultaneous_starts_on_an_empty_database(
    postgres: Any, tmp_path: Path
) -> None:
    """The issue's 14 of 20: a start failed with a duplicate type during migration."""
    trials, failures = 2 * TRIALS, 0
    for trial in range(trials):
        url = postgres.new_database() if trial % 2 == 0 else f"sqlite:///{tmp_path}/{trial}.db"
        folder = tmp_path / f"lib{trial}"
        starts = [start_baton("--data-dir", str(folder), "--database-url", url,
                              "process", "list") for _ in range(3)]
        for start in starts:
            _, err = start.communicate(timeout=120)
            failures += start.returncode != 0
            assert "Traceback" not in err
    assert failures == 0


@pytest.mark.slow
def test_two_batons_upgrading_a_team_library_wait_for_each_other(
    postgres: Any, tmp_path: Path
) -> None:
    """The issue's 3 of 20: two upgrading a 0001 library at once failed."""
    from alembic import command

    trials, failures = TRIALS, 0
    for trial in range(trials):
        url = postgres.new_database()
        engine = create_db_engine(url)
        config = alembic_config()
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0002")
        engine.dispose()
        folder = tmp_path / f"lib{trial}"
        starts = [start_baton("--data-dir", str(folder), "--database-url", url,
                              "process", "list") for _ in range(2)]
        told = []
        for start in starts:
            _, err = start.communicate(timeout=120)
            failures += start.returncode != 0
            told.append(err)
        dumps = list(folder.glob("*.before-upgrade-0002-*.dump"))
        assert len(dumps) == 1
        assert dumps[0].stat().st_size > 0
        assert sum("A backup was written to" in err for err in told) == 1
    assert failures == 0


def test_a_team_upgrade_without_pg_dump_asks_for_a_backup_first(
    postgres: Any, tmp_path: Path
) -> None:
    from alembic import command

    url = postgres.new_database()
    engine = create_db_engine(url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    engine.dispose()
    no_pg_dump = tmp_path / "bin"
    no_pg_dump.mkdir()
    env = baton_env(PATH=str(no_pg_dump))
    argv = baton_argv("--data-dir", str(tmp_path / "lib"), "--database-url", url, "process",
                      "list")
    refused = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert one_line_failure(refused.stderr)
    assert "back the database up" in refused.stderr.lower()
    assert "pg_dump is not installed" in refused.stderr
    done = subprocess.run([*argv[:3], "--upgrade-without-backup", *argv[3:]], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "No backup could be made" in done.stderr


# -- servers that do not answer -----------------------------------------------------------


@pytest.mark.slow
def test_a_server_that_never_answers_is_one_line_within_the_timeout(tmp_path: Path) -> None:
    """The issue: the CLI hung past 60 s."""
    silent = SilentServer()
    try:
        for url, limit in ((silent.url("connect_timeout=2"), 2), (silent.url(), 10)):
            started = time.monotonic()
            done = subprocess.run(
                baton_argv("--data-dir", str(tmp_path), "--database-url", url, "process",
                           "list"),
                env=baton_env(), capture_output=True, text=True, timeout=60)
            took = time.monotonic() - started
            assert done.returncode == 1
            assert one_line_failure(done.stderr)
            assert "Cannot reach the team library" in done.stderr
            assert limit - 0.5 < took < limit + 8  # the timeout, plus starting Python
    finally:
        silent.close()


@pytest.mark.slow
def test_a_server_that_stops_answering_mid_session_is_one_line(postgres: Any) -> None:
    """A frozen server (SIGSTOP, a hung VM) cannot cancel anything itself: our deadline."""
    url = postgres.new_database()
    open_database(url).close()
    proxy = FreezableProxy(postgres.port)
    frozen_url = url.replace(f":{postgres.port}/", f":{proxy.port}/") + (
        "?connect_timeout=2&options=-c%20statement_timeout%3D1000")
    database = open_database(frozen_url)
    services_library = Library(database.sessions)
    services_library.list_processes()
    proxy.freeze()
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match="did not answer") as caught:
        services_library.list_processes()
    took = time.monotonic() - started
    database.close()
    proxy.close()
    assert "\n" not in str(caught.value)
    assert took < 1 + 5 + 2 + 3  # statement timeout + margin + connect timeout + slack


# -- the server killed mid-operation ------------------------------------------------------


def _library_for_sending(url: str, folder: Path) -> None:
    services = open_services(str(folder), url)
    try:
        process = services.library.add_process(ProcessDraft("Payroll"))
        for number in range(3):
            key = services.media.put_bytes(screenshot(40 * number), "png")
            services.steps.add(process.id, StepContent(title=f"Step {number}", screenshot=key))
        services.assistants.add(AssistantDraft("Ana"))
    finally:
        services.close()


@pytest.mark.slow
def test_killing_the_server_during_send_and_import(
    own_postgres: PostgresServer, tmp_path: Path
) -> None:
    """The issue's 6 of 6: a 125-line traceback and handoffs "sent" without a package."""
    url = own_postgres.new_database()
    folder = tmp_path / "lib"
    _library_for_sending(url, folder)
    export = subprocess.run(baton_argv("--data-dir", str(folder), "--database-url", url,
                                       "package", "export", "Payroll", "--out",
                                       str(tmp_path / "payroll.zip")),
                            env=baton_env(), capture_output=True, text=True, timeout=120)
    assert export.returncode == 0, export.stderr
    rng = random.Random(18)
    outcomes: dict[str, int] = {}
    tracebacks = 0
    took = {}
    for command in ("handoff", "package"):  # how long each takes when left alone
        started = time.monotonic()
        done = subprocess.run(baton_argv("--data-dir", str(folder), "--database-url", url,
                                         *_killed_command(command, tmp_path, "alone")),
                              env=baton_env(), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        took[command] = time.monotonic() - started
    for trial in range(4 * TRIALS):
        command = "handoff" if trial % 2 == 0 else "package"
        args = _killed_command(command, tmp_path, str(trial))
        child = start_baton("--data-dir", str(folder), "--database-url", url, *args)
        time.sleep(rng.uniform(0.2, took[command]))  # anywhere in its run
        own_postgres.stop()
        _, err = child.communicate(timeout=120)
        tracebacks += "Traceback" in err
        kind = "finished" if child.returncode == 0 else (
            "one line" if one_line_failure(err) else "other")
        outcomes[f"{args[0]} {kind}"] = outcomes.get(f"{args[0]} {kind}", 0) + 1
        start_again(own_postgres)
    print("kill outcomes:", outcomes, "runs alone took", took)
    assert tracebacks == 0
    assert not any(key.endswith("other") for key in outcomes)
    engine = create_db_engine(url)
    with engine.connect() as connection:
        imported = connection.execute(select(Process.id).where(
            Process.title.like("Payroll (imported%"))).scalars().all()
        for process_id in imported:  # all of a package or none of it
            count = connection.execute(select(Step.id).where(
                Step.process_id == process_id)).scalars().all()
            assert len(count) == 3
        shots = connection.execute(select(Step.screenshot)).scalars().all()
        # A send killed mid-package stays "preparing" (cleaned up at the next start): it
        # is never "sent" without its package.
        half_sent = connection.execute(select(Handoff.id).where(
            Handoff.package_hash == "",
            Handoff.status != HandoffStatus.PREPARING)).scalars().all()
    engine.dispose()
    media = MediaStore(folder / "media")
    assert all(shot in media for shot in shots if shot)  # no rows without media
    assert half_sent == []


def _killed_command(command: str, folder: Path, name: str) -> tuple[str, ...]:
    if command == "handoff":
        return ("handoff", "send", "Payroll", "--to", "Ana", "--out",
                str(folder / f"sent-{name}.zip"))
    return ("package", "import", str(folder / "payroll.zip"))


# -- media cleanup on other machines ------------------------------------------------------

SKEWED_CLEANUP = """
import sys, time
from datetime import timedelta
sys.path.insert(0, sys.argv[1])
from baton.services import open_services
from baton.core.assistants import AssistantDraft
from baton.core.cleanup import clean_media
from baton.core.library import Library, ProcessDraft
from baton.core.media import MediaStore
print(int(time.time()))
services = open_services(sys.argv[2], sys.argv[3])
print(len(clean_media(services.database.sessions, services.media)))
services.close()
"""


@pytest.mark.slow
def test_a_machine_whose_clock_is_ahead_deletes_nothing_in_use(
    postgres: Any, tmp_path: Path
) -> None:
    """The issue's 20 of 20: a clock 61 minutes ahead deleted what another owner just
    stored (or deleted a moment ago, with undo still possible)."""
    if shutil.which("faketime") is None:
        raise AssertionError("faketime is missing: run scripts/test as root once")
    url = postgres.new_database()
    folder = tmp_path / "lib"
    services = open_services(str(folder), url)
    process = services.library.add_process(
        ProcessDraft("Payroll")).id
    keys = []
    for trial in range(20):
        key = services.media.put_bytes(screenshot(trial), "png")
        step = services.steps.add(process, StepContent(title=f"{trial}", screenshot=key))
        services.steps.delete(step.id)  # unreferenced now; an undo may still want it
        keys.append(key)
    src = str(Path(__file__).resolve().parents[2] / "src")
    for _run in range(2):
        done = subprocess.run(
            ["faketime", "-f", "+61m", *baton_argv()[:1], "-c", SKEWED_CLEANUP, src,
             str(folder), url], env=baton_env(), capture_output=True, text=True, timeout=120,
            check=True)
        their_time, removed = (int(line) for line in done.stdout.split())
        assert their_time - time.time() > 60 * 60  # the clock really is ahead
        assert removed == 0
    lost = sum(key not in services.media for key in keys)
    services.close()
    assert lost == 0


@pytest.mark.slow
def test_storing_old_content_again_races_cleanup_and_loses_nothing(
    postgres: Any, tmp_path: Path
) -> None:
    """The issue's 229 of 717: content stored again was deleted by a cleanup that had
    long counted it as unreferenced."""
    import threading

    url = postgres.new_database()
    folder = tmp_path / "lib"
    owner = open_services(str(folder), url)
    cleaner = open_services(str(folder), url)
    process = owner.library.add_process(
        ProcessDraft("Payroll")).id
    contents = [screenshot(shade) for shade in range(0, 250, 10)]
    for data in contents:  # stored once, long ago, and left unreferenced
        owner.media.put_bytes(data, "png")
    clean_media(cleaner.database.sessions, cleaner.media, grace=timedelta(days=1))
    with owner.database.sessions() as session:
        session.execute(text("UPDATE media_orphan SET since = since - interval '2 hours'"))
        session.commit()
    stop = threading.Event()
    cleanups = [0]

    def clean() -> None:
        while not stop.is_set():
            clean_media(cleaner.database.sessions, cleaner.media)
            cleanups[0] += 1

    thread = threading.Thread(target=clean)
    thread.start()
    stored = []
    try:
        for round_ in range(8):
            for data in contents:  # a second capture of the same screens
                key = owner.media.put_bytes(data, "png")
                owner.steps.add(process, StepContent(title=f"{round_}", screenshot=key))
                stored.append(key)
    finally:
        stop.set()
        thread.join(timeout=120)
    clean_media(cleaner.database.sessions, cleaner.media)
    lost = sum(key not in owner.media for key in stored)
    print(f"re-stored {len(stored)} times during {cleanups[0]} cleanups; lost {lost}")
    owner.close()
    cleaner.close()
    assert cleanups[0] > 3
    assert lost == 0


@pytest.mark.display
@pytest.mark.slow
def test_the_app_shows_a_window_and_retry_instead_of_hanging(
    xdisplay: Any, tmp_path: Path
) -> None:
    """The issue: no window and no error after 45 s against a server that never answers."""
    from baton.ui.opening import OPENING_TITLE, UNREACHABLE_TITLE
    from helpers.xvfb import wait_for_window

    silent = SilentServer()
    env = baton_env(**xdisplay.env())
    env.pop("QT_QPA_PLATFORM", None)
    started = time.monotonic()
    app = subprocess.Popen(
        baton_argv("--data-dir", str(tmp_path), "--database-url",
                   silent.url("connect_timeout=3")),
        env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for_window(xdisplay, OPENING_TITLE, timeout=20)
        waiting_after = time.monotonic() - started
        window = wait_for_window(xdisplay, UNREACHABLE_TITLE, timeout=20)
        told_after = time.monotonic() - started
        subprocess.run(["xdotool", "windowfocus", "--sync", window, "key", "Escape"],
                       env=xdisplay.env(), check=False, timeout=30)
        _, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
        silent.close()
    print(f"waiting window after {waiting_after:.1f} s, Retry/Quit after {told_after:.1f} s")
    assert app.returncode == 1
    assert "Traceback" not in err
    assert waiting_after < told_after
