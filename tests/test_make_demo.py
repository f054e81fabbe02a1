"""`make demo` is a short tour: six steps, each under a headline saying what it shows, that fits a screen
or two. Run with this interpreter's newsdesk (the target's venv set-up is skipped: its stamp is given)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.skipif(
    shutil.which("make") is None or not (BIN / "newsdesk").exists(), reason="needs make and the newsdesk console script"
)


def test_make_demo_is_a_short_tour_with_headlines(tmp_path: Path) -> None:
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than pyproject.toml: the venv is not built again
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    run = subprocess.run(
        ["make", "--no-print-directory", "demo", f"BIN={BIN}", f"STAMP={stamp}", f"DEMO_DB={tmp_path / 'demo.db'}"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, env=env, check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Traceback" not in output
    lines = output.splitlines()
    assert len(lines) < 90, len(lines)
    headlines = [line for line in lines if line.startswith("== ")]
    steps = [re.match(r"== \d\. (\w+)", line).group(1) for line in headlines]  # type: ignore[union-attr]
    assert steps == ["extract", "ingest", "list", "search", "stories", "entity", "serve"], headlines
    for expected in ("# 北极会议登场", "new articles: 5", "showing 1–2 of 5 articles", "拉夫羅夫 → also searched: Lavrov",
                     "stories", "拉夫罗夫 (person, Sergey Lavrov)", f"serve --db {tmp_path / 'demo.db'}",
                     "http://127.0.0.1:8000/"):
        assert expected in output, expected
    assert (tmp_path / "demo.db").exists(), "the archive goes where DEMO_DB says"
