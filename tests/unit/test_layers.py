"""Imports only point down, and core/ alone touches the database.

- core/ and capture/ never import QtWidgets; nothing below ui/ imports ui/;
- nothing below the entry points (core, capture, handoff, ui, util) imports ``baton.app``
  or ``baton.cli``;
- only core/ imports SQLAlchemy (or Alembic); what leaves core/ are plain rows, so the only
  names other layers take from ``baton.core.models`` are its enums, never a mapped table.
"""

from __future__ import annotations

import ast
import enum
from pathlib import Path

import pytest

import baton.core.models

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "baton"
ENTRY_POINTS = ("baton.app", "baton.cli")
DATABASE = ("sqlalchemy", "alembic")


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, and ``module.name`` for each ``from module import name``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def files_in(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).rglob("*.py"))


def files_outside(layer: str) -> list[Path]:
    inside = PACKAGE / layer
    return [path for path in sorted(PACKAGE.rglob("*.py")) if inside not in path.parents]


def is_under(name: str, forbidden: tuple[str, ...]) -> bool:
    return any(name == f or name.startswith(f + ".") or f in name.split(".") for f in forbidden)


def offenders(paths: list[Path], forbidden: tuple[str, ...], root: Path = PACKAGE) -> list[str]:
    return [
        f"{path.relative_to(root)} imports {name}"
        for path in paths
        for name in sorted(imported_modules(path))
        if is_under(name, forbidden)
    ]


def table_imports(paths: list[Path], root: Path = PACKAGE) -> list[str]:
    """Names taken from ``baton.core.models`` that are not enums (ORM classes, the Base)."""
    found = []
    for path in paths:
        for name in sorted(imported_modules(path)):
            module, _, attribute = name.rpartition(".")
            if module != "baton.core.models":
                continue
            value = getattr(baton.core.models, attribute, None)
            if not (isinstance(value, type) and issubclass(value, enum.Enum)):
                found.append(f"{path.relative_to(root)} imports {name}")
    return found


@pytest.mark.parametrize("layer", ["core", "capture"])
def test_lower_layers_never_import_qtwidgets(layer: str) -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in files_in(layer)
        if any("QtWidgets" in name for name in imported_modules(path))
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("core", ("baton.capture", "baton.handoff", "baton.ui", *ENTRY_POINTS, "PySide6")),
        ("capture", ("baton.handoff", "baton.ui", *ENTRY_POINTS, "QtWidgets")),
        ("handoff", ("baton.ui", *ENTRY_POINTS, "QtWidgets")),
        ("ui", ENTRY_POINTS),
        ("util", ENTRY_POINTS),
    ],
)
def test_imports_only_point_down(layer: str, forbidden: tuple[str, ...]) -> None:
    assert offenders(files_in(layer), forbidden) == []


def test_only_core_imports_the_database_library() -> None:
    assert offenders(files_outside("core"), DATABASE) == []


def test_no_table_class_leaves_core() -> None:
    assert table_imports(files_outside("core")) == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\n")
    assert any("QtWidgets" in name for name in imported_modules(sample))


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("from sqlalchemy.orm import Session\n", DATABASE),
        ("import sqlalchemy\n", DATABASE),
        ("from alembic import command\n", DATABASE),
        ("from baton.cli.common import main\n", ENTRY_POINTS),
        ("from baton import app\n", ENTRY_POINTS),
        ("import baton.app\n", ENTRY_POINTS),
    ],
)
def test_the_checks_see_violations(tmp_path: Path, source: str, forbidden: tuple[str, ...]) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text(source)
    assert offenders([sample], forbidden, root=tmp_path) != []
    sample.write_text("from baton.core.library import Library\nimport json\n")
    assert offenders([sample], forbidden, root=tmp_path) == []


def test_the_table_check_sees_an_orm_class(tmp_path: Path) -> None:
    bad, fine = tmp_path / "bad.py", tmp_path / "fine.py"
    bad.write_text("from baton.core.models import HandoffEvent, HandoffStatus\n")
    fine.write_text("from baton.core.models import HandoffStatus\nimport baton.core.models\n")
    assert table_imports([bad, fine], root=tmp_path) == [
        "bad.py imports baton.core.models.HandoffEvent"
    ]
