"""Baton's own files live in the top-level resources/ folder and install as baton.resources."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from baton.paths import resource

ROOT = Path(__file__).resolve().parents[2]


def test_the_app_finds_its_stylesheet_and_icon() -> None:
    assert "#sidebar" in resource("style.qss").read_text(encoding="utf-8")
    assert resource("icons", "baton.svg").read_bytes().lstrip().startswith(b"<")
    assert resource("style.qss") == (ROOT / "resources" / "style.qss").resolve()


def test_every_resource_file_is_packaged() -> None:
    """The wheel takes resources/ as the package baton.resources, files by pattern."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]
    assert config["setuptools"]["package-dir"]["baton.resources"] == "resources"
    patterns = config["setuptools"]["package-data"]["baton.resources"]
    folder = ROOT / "resources"
    packaged = {path for pattern in patterns for path in folder.glob(pattern) if path.is_file()}
    present = {path for path in folder.rglob("*")
               if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".py"}
    assert present
    assert present <= packaged, sorted(map(str, present - packaged))


def test_setup_lists_the_resources_package() -> None:
    listed = subprocess.run(
        [sys.executable, "-c",
         "import setuptools, runpy; setuptools.setup = lambda **kw: print(kw['packages']);"
         "runpy.run_path('setup.py')"],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    assert "'baton.resources'" in listed
    assert "'baton.resources.icons'" in listed
    assert "'baton.util'" in listed
    assert "'baton.core.migrations.versions'" in listed
