"""`--version`, and NEWSDESK_DB as the archive every command uses when given no --db, through the console script."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.archive.helpers import CAPTURES

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


def test_newsdesk_db_is_the_archive_when_no_db_is_given(tmp_path: Path) -> None:
    archive = tmp_path / "elsewhere" / "news.db"
    archive.parent.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    capture = CAPTURES / "people__1.html"
    assert newsdesk("ingest", capture, cwd=work, NEWSDESK_DB=str(archive)).returncode == 0
    assert archive.is_file() and not (work / "newsdesk.db").exists()
    listed = newsdesk("list", "--format", "jsonl", cwd=work, NEWSDESK_DB=str(archive))
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 1, listed.stderr
    # --db still wins over the variable.
    other = tmp_path / "other.db"
    assert newsdesk("ingest", capture, "--db", other, cwd=work, NEWSDESK_DB=str(archive)).returncode == 0
    assert other.is_file()


def test_without_newsdesk_db_the_archive_is_newsdesk_db_in_the_current_folder(tmp_path: Path) -> None:
    assert newsdesk("ingest", CAPTURES / "people__1.html", cwd=tmp_path).returncode == 0
    assert (tmp_path / "newsdesk.db").is_file()


def test_db_help_says_where_the_default_archive_is(tmp_path: Path) -> None:
    shown = newsdesk("list", "--help", cwd=tmp_path).stdout
    assert "NEWSDESK_DB" in shown and "newsdesk.db in the current folder" in " ".join(shown.split())
