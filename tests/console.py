"""The installed `newsdesk` console script, run as a user runs it: tests that must see exactly what
reaches a terminal (exit codes, one-line errors, no traceback) go through here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

NEWSDESK = Path(sys.executable).parent / "newsdesk"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
needs_console_script = pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed")


def environment(columns: int = 200) -> dict[str, str]:
    """UTF-8 output, no colour, a fixed width, and never the debug traceback."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": str(columns), "NO_COLOR": "1"}
    env.pop("NEWSDESK_DEBUG", None)
    return env


def run_newsdesk(*args: str | Path, columns: int = 200, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEWSDESK), *map(str, args)], capture_output=True, text=True, timeout=300, env=environment(columns),
        cwd=cwd, check=False,
    )
