"""`newsdesk export` through the installed console script: it never writes over a database, the
archive in use above all, it takes its format from the file name, and a bad target is a one-line
error with exit code 2, never a traceback or a half-written file."""

from __future__ import annotations

import hashlib
import os
import resource
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from newsdesk.archive.export import read_export
from tests.archive.helpers import CAPTURES
from tests.console import invoke_newsdesk

NEWSDESK = Path(sys.executable).parent / "newsdesk"
pytestmark = pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed")
ARTICLES = len(list(CAPTURES.iterdir()))
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "NO_COLOR": "1"}


def newsdesk(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEWSDESK), *map(str, args)], capture_output=True, text=True, timeout=300, env=ENV, cwd=cwd, check=False
    )


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def article_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


def assert_refused(run: subprocess.CompletedProcess[str], *words: str) -> None:
    assert run.returncode == 2, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export-cli")
    path = folder / "news.db"
    # The archive to export from, ingested in process: the exports below are what runs as a user runs it.
    run = invoke_newsdesk("ingest", CAPTURES, "--db", path)
    assert run.returncode == 0, run.stderr
    assert article_count(path) == ARTICLES
    return path


def test_export_over_the_archive_in_use_is_refused_and_the_archive_is_untouched(db: Path) -> None:
    before = digest(db)
    run = newsdesk("export", db, "--db", db)
    assert_refused(run, "refusing", "archive")
    assert digest(db) == before
    assert article_count(db) == ARTICLES


def test_export_over_the_archive_by_another_name_is_refused(db: Path, tmp_path: Path) -> None:
    link = tmp_path / "articles.jsonl"
    link.symlink_to(db)
    hard = tmp_path / "hard.jsonl"
    os.link(db, hard)
    relative = os.path.relpath(db, tmp_path)
    for target in (link, hard, relative, f"{db}-wal", f"{db}-shm"):
        run = newsdesk("export", target, "--db", db, cwd=tmp_path)
        assert_refused(run, "refusing")
    assert article_count(db) == ARTICLES
    assert link.is_symlink()


def test_export_over_another_sqlite_file_is_refused(db: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"  # a database, whatever its name says
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE keep (x)")
    conn.execute("INSERT INTO keep VALUES (42)")
    conn.commit()
    conn.close()
    before = digest(other)
    assert_refused(newsdesk("export", other, "--db", db), "refusing", "SQLite")
    assert digest(other) == before


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_the_format_follows_the_extension(db: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"articles.{fmt}"
    run = newsdesk("export", out, "--db", db)
    assert run.returncode == 0, run.stderr
    assert f"({fmt})" in run.stderr
    records = read_export(out, fmt)
    assert len(records) == ARTICLES
    if fmt == "parquet":
        assert pq.read_table(out).num_rows == ARTICLES
    if fmt == "csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbfid,"), "a BOM, then the header"


def test_a_format_that_contradicts_the_extension_is_an_error(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "articles.parquet"
    assert_refused(newsdesk("export", out, "--db", db, "--format", "jsonl"), "parquet", "jsonl")
    assert not out.exists()


def test_bad_targets_are_one_line_errors(db: Path, tmp_path: Path) -> None:
    assert_refused(newsdesk("export", tmp_path / "no" / "such" / "dir" / "a.jsonl", "--db", db), "does not exist")
    assert_refused(newsdesk("export", tmp_path, "--db", db), "folder")
    locked = tmp_path / "locked"
    locked.mkdir()
    if os.geteuid() == 0:
        target = Path("/sys/newsdesk-export.jsonl")  # root may write anywhere but here
    else:
        locked.chmod(0o500)
        target = locked / "a.jsonl"
    try:
        assert_refused(newsdesk("export", target, "--db", db), "cannot write")
    finally:
        locked.chmod(0o700)
    assert not target.exists()


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "parquet"])
def test_an_export_that_fails_part_way_leaves_the_previous_file_whole(db: Path, tmp_path: Path, fmt: str) -> None:
    """The disk fills up part-way (a file size limit stands in for it: writes past it fail with
    EFBIG, as they would with ENOSPC): the old export stays as it was, nothing half-written is
    left beside it, and the user gets one line, not a traceback."""
    copy = tmp_path.parent / f"{tmp_path.name}.db"  # changed below: the shared archive stays as it is
    copy.write_bytes(db.read_bytes())
    db = copy
    out = tmp_path / f"articles.{fmt}"
    assert newsdesk("export", out, "--db", db).returncode == 0
    before = out.read_bytes()
    conn = sqlite3.connect(db)
    conn.execute("UPDATE articles SET title = title || '（更新）'")  # the next export differs
    conn.commit()
    conn.close()
    limit = 64 * 1024  # above the archive's 32 KiB -shm file, below the export
    assert len(before) > limit
    run = subprocess.run(
        [str(NEWSDESK), "export", str(out), "--db", str(db)], capture_output=True, text=True, timeout=300, env=ENV,
        preexec_fn=_file_size_limit(limit), check=False,
    )
    assert_refused(run, "cannot write", str(out))
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
