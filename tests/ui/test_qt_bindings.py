"""Guard against Qt binding bugs that crash the app after a while (see pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
before = sys.getrefcount(None)
for index in range(20000):
    app.processEvents()
    label.setText(str(index))
print(before - sys.getrefcount(None))
"""


def test_void_calls_do_not_leak_references_to_none() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-500:]
    assert abs(int(result.stdout.strip())) < 100
