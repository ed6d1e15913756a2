"""Fixtures for the printing tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def pdftotext():
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")

    def run(path: Path, *args: str) -> str:
        return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True,
                              text=True, check=True).stdout

    return run


