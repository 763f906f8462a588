"""Imports only point down: core/ and capture/ never import QtWidgets; nothing imports ui/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "baton"


def imported_modules(path: Path) -> set[str]:
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
        ("core", ("baton.capture", "baton.handoff", "baton.ui", "baton.app", "baton.cli",
                  "PySide6")),
        ("capture", ("baton.handoff", "baton.ui", "baton.app", "baton.cli", "QtWidgets")),
        ("handoff", ("baton.ui", "baton.app", "baton.cli", "QtWidgets")),
    ],
)
def test_imports_only_point_down(layer: str, forbidden: tuple[str, ...]) -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in files_in(layer)
        for name in imported_modules(path)
        if any(name == f or name.startswith(f + ".") or f in name.split(".") for f in forbidden)
    ]
    assert offenders == []


def test_the_check_sees_a_violation(tmp_path: Path) -> None:
    sample = tmp_path / "bad.py"
    sample.write_text("from PySide6.QtWidgets import QWidget\n")
    assert any("QtWidgets" in name for name in imported_modules(sample))
