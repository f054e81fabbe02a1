"""`newsdesk ingest` and `extract` through the installed console script, on what a folder of
scraped files really holds: symbolic links that point anywhere, FIFOs and devices, paths that do
not exist. Links and special files are skipped and counted (links followed only when asked),
`/dev/zero` named on its own is one failed capture within bounded memory, and a run with nothing
to read creates no archive."""

from __future__ import annotations

import contextlib
import json
import os
import resource
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.archive.helpers import BASE, CAPTURES

NEWSDESK = Path(sys.executable).parent / "newsdesk"
pytestmark = pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed")
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "NO_COLOR": "1"}
# A capture outside the folder, that a link in it points to: were it followed, it would be an article.
SECRET = CAPTURES / "people__1.html"
ELSEWHERE = (CAPTURES / "wealth__58979cfd.html", CAPTURES / "hkcnews__48897.md")


def newsdesk(*args: str | Path, preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    # A FIFO read by mistake would block for ever: the timeout turns that into a failure.
    return subprocess.run(
        [str(NEWSDESK), *map(str, args)], capture_output=True, text=True, timeout=300, env=ENV, check=False,
        preexec_fn=preexec_fn,
    )


def capture_names(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return sorted(Path(p).name for (p,) in conn.execute("SELECT path FROM captures"))
    finally:
        conn.close()


@pytest.fixture
def scraped(tmp_path: Path) -> Path:
    """A folder with one real capture, links to a file and to a folder elsewhere, a link to
    /dev/zero, a FIFO, and (where this user may make one) a character device like /dev/zero."""
    folder = tmp_path / "scraped"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a_real.md").write_bytes(BASE.read_bytes())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for path in ELSEWHERE:
        (elsewhere / path.name).write_bytes(path.read_bytes())
    (folder / "b_secret.html").symlink_to(SECRET)
    (folder / "c_folder").symlink_to(elsewhere, target_is_directory=True)
    (folder / "d_zero").symlink_to("/dev/zero")
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    os.mkfifo(folder / "e_fifo")
    # What /dev/zero is; where this user may not make devices, the FIFO stands for special files.
    with contextlib.suppress(OSError):
        os.mknod(folder / "f_device", 0o600 | stat.S_IFCHR, os.makedev(1, 5))
    return folder


def _specials(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.name in ("e_fifo", "f_device"))


def test_links_and_special_files_in_a_folder_are_skipped_and_counted(scraped: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = newsdesk("ingest", scraped, "--db", db)
    assert run.returncode == 0, run.stderr
    assert capture_names(db) == ["a_real.md"]
    skipped = 4 + _specials(scraped)  # b_secret.html, c_folder, d_zero, sub/loop, and the special files
    assert f"skipped {skipped} symlinks/special files" in run.stderr, run.stderr
    assert "--follow-symlinks" in run.stderr
    found = newsdesk("search", "人民", "--db", db, "--format", "jsonl")
    assert found.returncode == 0 and SECRET.name not in found.stdout


def test_follow_symlinks_reads_links_but_never_special_files(scraped: Path, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    run = newsdesk("ingest", scraped, "--db", db, "--follow-symlinks")
    assert run.returncode == 0, run.stderr
    # The loop back up the tree is walked once; /dev/zero behind a link and the special files are not read.
    assert capture_names(db) == sorted(["a_real.md", "b_secret.html", *(p.name for p in ELSEWHERE)])
    assert f"skipped {1 + _specials(scraped)} symlinks/special files" in run.stderr, run.stderr


def test_extract_skips_links_too(scraped: Path) -> None:
    run = newsdesk("extract", scraped)
    assert run.returncode == 0, run.stderr
    assert [Path(json.loads(line)["file"]).name for line in run.stdout.splitlines()] == ["a_real.md"]
    assert "symlinks/special files" in run.stderr


def _address_space(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def test_dev_zero_named_on_its_own_is_one_failed_capture_in_bounded_memory(tmp_path: Path) -> None:
    """/dev/zero reports a size of 0 and never ends: the read stops at the capture limit, not at
    the size the file claims. (Under a 1.5 GiB address space the unbounded read died with
    MemoryError.)"""
    db = tmp_path / "a.db"
    run = newsdesk("ingest", "/dev/zero", BASE, "--db", db, preexec_fn=_address_space(1536 << 20))
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in run.stderr
    assert "failed 1×: capture is over the" in run.stderr
    assert capture_names(db) == [BASE.name]
    extracted = newsdesk("extract", "/dev/zero", preexec_fn=_address_space(1536 << 20))
    assert "over the" in json.loads(extracted.stdout)["error"]


def test_ingest_of_nothing_but_missing_paths_creates_no_archive(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    run = newsdesk("ingest", tmp_path / "missing", "--db", db)
    assert run.returncode == 2
    assert "no such file or folder" in run.stderr and "Traceback" not in run.stderr
    assert sorted(tmp_path.iterdir()) == [], "no archive, no -wal, no -shm"
