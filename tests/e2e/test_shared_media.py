"""A media folder shared by colleagues with different user ids."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import cv2
import numpy as np

from baton.core.library import ProcessDraft
from baton.core.steps import StepContent
from baton.services import open_services
from helpers.team import baton_argv, baton_env, one_line_failure


def test_exporting_with_a_media_file_we_may_not_read_says_so(tmp_path: Path) -> None:
    """The issue: Baton misreported an unreadable file as "may not write to ..."."""
    services = open_services(str(tmp_path / "lib"))
    process = services.library.add_process(ProcessDraft("Payroll"))
    ok, data = cv2.imencode(".png", np.full((100, 100, 3), 80, np.uint8))
    assert ok
    key = services.media.put_bytes(bytes(data.tobytes()), "png")
    services.steps.add(process.id, StepContent(title="Open the bank", screenshot=key))
    services.media.path(key).chmod(0)  # stored by a colleague, not readable for us
    services.close()
    argv = baton_argv("--data-dir", str(tmp_path / "lib"), "package", "export", "Payroll",
                      "--out", str(tmp_path / "out.zip"))
    if os.geteuid() == 0:  # root reads everything: be an owner without that power
        argv = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search",
                *argv]
    done = subprocess.run(argv, env=baton_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert one_line_failure(done.stderr)
    assert "may not read the media file" in done.stderr
    assert "write" not in done.stderr
    assert not (tmp_path / "out.zip").exists()
