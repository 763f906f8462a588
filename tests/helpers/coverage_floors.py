"""``--cov-floor core=90``: fail the run when a package's coverage drops under its floor.

pytest-cov's ``--cov-fail-under`` checks one total; Baton keeps a floor per package that
matters most (scripts/test passes them when it runs the whole suite). Prints one line per
package at the end of the run. Loaded from tests/conftest.py as a plugin.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest

FloorList = list[tuple[str, float]]
FLOORS = pytest.StashKey[FloorList]()
RESULTS = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--cov-floor", action="append", default=[], metavar="PACKAGE=PERCENT",
        help="fail unless baton/PACKAGE is covered at least PERCENT (lines and branches); "
             "needs --cov; repeatable",
    )


def pytest_configure(config: pytest.Config) -> None:
    floors: FloorList = []
    for item in config.getoption("cov_floor"):
        package, _, percent = item.partition("=")
        try:
            floors.append((package.strip("/"), float(percent)))
        except ValueError:
            raise pytest.UsageError(f"--cov-floor {item!r}: write it as core=90") from None
    if floors and not config.pluginmanager.hasplugin("_cov"):
        raise pytest.UsageError("--cov-floor needs --cov (pytest-cov)")
    config.stash[FLOORS] = floors
    config.stash[RESULTS] = []


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtestloop(session: pytest.Session) -> Iterator[object]:
    """Around pytest-cov's own wrapper, so its data is saved when the floors are checked."""
    result = yield
    floors = session.config.stash[FLOORS]
    if floors and not session.config.option.collectonly:
        import coverage
        import coverage.exceptions

        data = coverage.Coverage()
        data.load()
        for package, floor in floors:
            try:
                total = data.report(include=[f"*/baton/{package}/*"], file=io.StringIO())
            except coverage.exceptions.NoDataError:  # no test imported it
                total = 0.0
            verdict = "ok" if total >= floor else "UNDER THE FLOOR"
            session.config.stash[RESULTS].append(
                f"{package}/: {total:.1f}% of lines and branches (floor {floor:g}%) {verdict}")
            if total < floor:
                session.testsfailed += 1
    return result


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    results = terminalreporter.config.stash.get(RESULTS, [])
    if results:
        terminalreporter.write_sep("=", "coverage")
        for line in results:
            terminalreporter.write_line(line, red="UNDER" in line)
