"""Helpers for the capture tests: decode what the recorder wrote, with PyAV."""

from __future__ import annotations

from typing import Any

import pytest

from helpers.video import decode


@pytest.fixture
def decoded() -> Any:
    return decode
