"""`--version`, through the console script."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

NEWSDESK = Path(sys.executable).parent / "newsdesk"
pytestmark = pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed")
PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def newsdesk(*args: str | Path, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "NO_COLOR": "1", **env}
    if "NEWSDESK_DB" not in env:
        environ.pop("NEWSDESK_DB", None)
    return subprocess.run([NEWSDESK, *map(str, args)], capture_output=True, text=True, timeout=300, env=environ,
                          cwd=cwd, check=False)


def test_version_prints_the_packages_version(tmp_path: Path) -> None:
    run = newsdesk("--version", cwd=tmp_path)
    expected = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"newsdesk {expected}"
