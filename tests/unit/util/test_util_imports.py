"""util/ is the bottom layer: it imports nothing of Baton, and importing it loads nothing heavy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

UTIL = Path(__file__).resolve().parents[3] / "src" / "baton" / "util"


def test_util_imports_nothing_of_baton() -> None:
    offenders = []
    for path in sorted(UTIL.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name} imports {name}" for name in names
                          if name.split(".")[0] == "baton" and not name.startswith("baton.util")]
    assert offenders == []
    assert len(list(UTIL.glob("*.py"))) >= 4  # the check saw the modules


def test_importing_util_loads_no_opencv_numpy_or_qt() -> None:
    code = (
        "import sys\n"
        "import baton.util.atomic, baton.util.images, baton.util.timefmt\n"
        "heavy = [m for m in ('cv2', 'numpy', 'av', 'PySide6') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=60)
    assert result.stdout.strip() == ""
