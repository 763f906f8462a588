"""The test machinery itself: logged errors fail tests, a hung test is named, floors hold.

Each check runs pytest on a small made-up project (pytester), as the real suite would.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import cv2
import pytest

from helpers.sway import BACKGROUND, OUTPUT, WaylandDesktop

TESTS = Path(__file__).resolve().parents[1]
SRC = TESTS.parent / "src"
LOGFAIL_INI = """
[pytest]
markers =
    logs_error(*patterns): expected ERROR logs
"""


@pytest.fixture
def project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    """A project whose conftest loads our plugins; subprocesses import baton and helpers."""
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(SRC), str(TESTS)]))
    pytester.makeini(LOGFAIL_INI)
    pytester.makeconftest(
        'pytest_plugins = ["helpers.logfail", "helpers.watchdog", "helpers.coverage_floors"]')
    return pytester


def test_a_logged_error_fails_the_test_unless_it_is_expected(project: pytest.Pytester) -> None:
    project.makepyfile(test_logs="""
        import logging, threading
        import pytest

        log = logging.getLogger("baton.core")

        def test_unexpected():
            log.error("the disk vanished")

        def test_in_a_thread():
            thread = threading.Thread(target=lambda: log.error("worker died"))
            thread.start()
            thread.join()

        def test_a_warning_is_fine():
            log.warning("slow disk")

        @pytest.mark.logs_error("disk .* vanished")
        def test_expected():
            log.error("the disk has vanished")

        @pytest.mark.logs_error("never said")
        def test_expected_but_silent():
            pass
    """)
    # A subprocess: these errors must not reach this test's own watch on the log.
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines([
        "*test_unexpected*",
        "*ERROR baton.core: the disk vanished*",
    ])
    result.stdout.fnmatch_lines(["*ERROR baton.core: worker died*"])
    result.stdout.fnmatch_lines(["*expected an ERROR log matching *never said*, none was logged"])


def test_a_hung_test_fails_by_name_and_the_run_goes_on(project: pytest.Pytester) -> None:
    project.makepyfile(test_hang="""
        import time
        import pytest

        @pytest.mark.timeout(1)
        def test_waits_forever():
            time.sleep(60)

        def test_after_it():
            pass
    """)
    # A subprocess: the timer is SIGALRM, which this test's own timeout uses too.
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-ra")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*time.sleep(60)*",
        "*Failed: Timeout (>1.0s) from pytest-timeout.*",
        "FAILED test_hang.py::test_waits_forever - Failed: Timeout*",
    ])


def test_a_test_stuck_in_a_qt_event_loop_is_named_and_ends_the_run(
    project: pytest.Pytester,
) -> None:
    project.makepyfile(test_modal="""
        import pytest
        from PySide6.QtWidgets import QDialog

        @pytest.mark.timeout(1)
        def test_forgot_to_close_the_dialog(qapp):
            QDialog().exec()  # SIGALRM never reaches Python in here

        def test_never_reached():
            pass
    """)
    result = project.runpytest_subprocess("-p", "no:cacheprovider", "-o", "timeout_grace=1",
                                          "-o", "qt_api=pyside6", timeout=60)
    assert result.ret == 1
    result.stderr.fnmatch_lines([
        "!!! test_modal.py::test_forgot_to_close_the_dialog hung: still running after 2 s*",
        "*test_modal.py*line 6 in test_forgot_to_close_the_dialog",
    ])


def test_coverage_under_a_floor_fails_the_run(project: pytest.Pytester) -> None:
    project.makefile(".coveragerc", "[run]\nsource_pkgs = baton.core\n")
    project.makepyfile(test_clock="""
        from baton.core.clock import utc_now

        def test_now():
            assert utc_now().tzinfo is None
    """)
    low = project.runpytest_subprocess("-p", "no:cacheprovider", "--cov", "--cov-report=",
                                       "--cov-floor", "core=1")
    low.assert_outcomes(passed=1)
    assert low.ret == 0
    low.stdout.fnmatch_lines(["*== coverage ==*", "core/: *% of lines and branches (floor 1%) ok"])
    high = project.runpytest_subprocess("-p", "no:cacheprovider", "--cov", "--cov-report=",
                                        "--cov-floor", "core=100")
    assert high.ret == pytest.ExitCode.TESTS_FAILED
    high.stdout.fnmatch_lines(["core/: *% of lines and branches (floor 100%) UNDER THE FLOOR"])


def test_the_sway_desktop_shows_its_colour_a_client_and_offers_the_screencast_portal(
    sway_desktop: WaylandDesktop, tmp_path: Path,
) -> None:
    outputs = json.loads(sway_desktop.swaymsg("-t", "get_outputs", "-r").stdout)
    assert [(o["name"], o["rect"]["width"], o["rect"]["height"]) for o in outputs] == [
        (OUTPUT, 1280, 720)]
    client = sway_desktop.start_client(
        ["foot", "--app-id", "helpers-check", "sh", "-c", "sleep 60"], "helpers-check")
    try:
        sway_desktop.swaymsg('[app_id="helpers-check"]', "move", "position", "40", "50")
        rect = next(w["rect"] for w in sway_desktop.windows() if w["app_id"] == "helpers-check")
        assert (rect["x"], rect["y"]) == (40, 50)
        shot = tmp_path / "desktop.png"
        subprocess.run(["grim", "-o", OUTPUT, str(shot)], env=sway_desktop.env(), check=True,
                       timeout=30)
        pixels = cv2.imread(str(shot))  # BGR
        assert pixels.shape == (720, 1280, 3)
        assert tuple(int(v) for v in pixels[700, 1260][::-1]) == BACKGROUND
        assert tuple(int(v) for v in pixels[60, 50][::-1]) != BACKGROUND  # the terminal
    finally:
        client.terminate()
        client.wait(10)
    # The portal answers on the desktop's bus (start() waited for it; still there now).
    assert sway_desktop.portal_ready()


def test_a_stopped_sway_desktop_leaves_no_process_or_folder() -> None:
    desktop = WaylandDesktop(320, 240).start()
    processes = [process for _name, process in desktop.processes()]
    assert len(processes) >= 7
    desktop.stop()
    assert all(process.poll() is not None for process in processes)
    assert not desktop.root.exists()
