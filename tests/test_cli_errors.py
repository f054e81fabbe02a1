"""Bad arguments, bad archives, full and read-only storage, through the installed console
script: every one is a one-line message and exit code 2, never a Python traceback, and nothing a
user had is changed by it.

The matrices of every command against every kind of bad archive run most commands in process
(tests.console.invoke_newsdesk: the same error handling, exit code and stderr, an escaped exception
shown as a traceback); each command and each kind still runs through the console script at least once."""

from __future__ import annotations

import hashlib
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.archive.helpers import BASE, CAPTURES, fts_is_sound
from tests.console import invoke_newsdesk

NEWSDESK = Path(sys.executable).parent / "newsdesk"
pytestmark = pytest.mark.skipif(not NEWSDESK.exists(), reason="the newsdesk console script is not installed")
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "NO_COLOR": "1"}
ENV.pop("NEWSDESK_DEBUG", None)


def newsdesk(*args: str | bytes | Path, preexec_fn: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [os.fsencode(NEWSDESK), *(os.fsencode(a) for a in args)], capture_output=True, text=True, timeout=300,
        env=ENV, check=False, preexec_fn=preexec_fn,
    )


def either(real: bool, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The command through the console script when `real`, else in process."""
    return newsdesk(*args) if real else invoke_newsdesk(*args)


def assert_one_line_error(run: subprocess.CompletedProcess[str], *words: str, code: int = 2) -> None:
    assert run.returncode == code, (run.returncode, run.stdout[-500:], run.stderr)
    assert "Traceback" not in run.stderr and "──" not in run.stderr, run.stderr
    lines = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, run.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("errors") / "news.db"
    run = newsdesk("ingest", BASE, CAPTURES / "people__1.html", CAPTURES / "prog202__a102622636.md", "--db", path)
    assert run.returncode == 0, run.stderr
    return path


def test_an_argument_that_is_not_utf8_is_an_error_but_a_file_name_that_is_not_is_read(
    db: Path, tmp_path: Path
) -> None:
    assert_one_line_error(newsdesk("search", b"\xff\xfe", "--db", db), "not valid UTF-8")
    assert_one_line_error(newsdesk("list", "--outlet", b"\xb4\xf3\xbc\xcd\xd4\xaa", "--db", db), "not valid UTF-8")
    named = tmp_path / os.fsdecode(b"\xc4\xe3\xba\xc3.md")  # 你好.md in GBK: a legal Linux file name
    named.write_bytes(BASE.read_bytes())
    extracted = newsdesk("extract", named)
    assert extracted.returncode == 0, extracted.stderr
    assert '"file": "' in extracted.stdout and "\\udcc4" in extracted.stdout
    ingested = newsdesk("ingest", named, "--db", tmp_path / "a.db")
    assert ingested.returncode == 0, ingested.stderr


def test_dates_and_limits_out_of_range(db: Path) -> None:
    for command in (["search", "拉夫罗夫"], ["list"], ["stories"]):
        run = invoke_newsdesk(*command, "--until", "9999-12-31", "--db", db, "--format", "jsonl")
        assert run.returncode == 0 and "Traceback" not in run.stderr, (command, run.stderr)
    assert invoke_newsdesk("search", "拉夫罗夫", "--since", "2021-05-20", "--until", "9999-12-31", "--db", db).returncode == 0
    assert_one_line_error(newsdesk("search", "拉夫罗夫", "--limit", "99999999999999999999", "--db", db), "--limit")
    assert_one_line_error(newsdesk("list", "--since", "garbage", "--db", db), "--since", "YYYY-MM-DD")


def test_db_in_a_missing_folder(tmp_path: Path) -> None:
    assert_one_line_error(newsdesk("ingest", BASE, "--db", tmp_path / "no" / "a.db"), "does not exist")
    assert_one_line_error(newsdesk("alias", "add", "拉夫罗夫", "Lavrov", "--db", tmp_path / "no" / "a.db"), "does not exist")
    assert not (tmp_path / "no").exists()


def test_a_file_that_is_no_archive_is_refused_and_left_alone(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("notes, not a database\n" * 100, encoding="utf-8")
    other = tmp_path / "other.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE photos (name TEXT)")
    conn.commit()
    conn.close()
    before = {path: digest(path) for path in (text, other)}
    assert_one_line_error(newsdesk("list", "--db", text), "not a newsdesk archive")
    assert_one_line_error(newsdesk("ingest", BASE, "--db", text), "not a newsdesk archive")
    # Another program's database: reading it used to write the archive's tables into it.
    assert_one_line_error(newsdesk("list", "--db", other), "not a newsdesk archive")
    assert_one_line_error(newsdesk("ingest", BASE, "--db", other), "not a newsdesk archive")
    assert {path: digest(path) for path in (text, other)} == before


def test_an_archive_from_a_newer_newsdesk_is_refused(db: Path, tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    shutil.copyfile(db, newer)
    conn = sqlite3.connect(newer)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert_one_line_error(newsdesk("list", "--db", newer), "upgrade newsdesk")


def test_a_damaged_archive_is_a_message_whatever_the_damage(db: Path, tmp_path: Path) -> None:
    """The archive overwritten with noise at a few places, or cut short: reading it ends in one line
    (or works, where the damage missed what the command reads), never in a traceback."""
    data = db.read_bytes()
    rng = random.Random(9)
    damaged = {
        "header": rng.randbytes(100) + data[100:],
        "cut": data[: len(data) // 2],
    }
    for number in range(4):
        at = rng.randrange(4096, len(data) - 4096) // 4096 * 4096
        damaged[f"page-{number}"] = data[:at] + rng.randbytes(4096) + data[at + 4096 :]
    codes = {}
    for name, content in damaged.items():
        path = tmp_path / f"{name}.db"
        path.write_bytes(content)
        run = either(not name.startswith("page-"), "search", "拉夫罗夫", "--db", path)
        codes[name] = run.returncode
        if run.returncode:
            assert_one_line_error(run)
        else:
            assert "Traceback" not in run.stderr
    assert codes["header"] == 2 and codes["cut"] == 2, codes


@pytest.fixture
def read_only_archive(db: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the archive on storage this process cannot write: a read-only bind mount when
    running as root (who may write to any folder), otherwise a folder without write permission."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    copy = folder / "news.db"
    shutil.copyfile(db, copy)
    if os.geteuid() == 0:
        mounted = subprocess.run(["mount", "--bind", "-o", "ro", str(folder), str(folder)], capture_output=True, check=False)
        if mounted.returncode != 0:
            pytest.skip(f"root, and no read-only bind mount here: {mounted.stderr!r}")
        try:
            yield copy
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield copy
        finally:
            folder.chmod(0o755)


def test_an_archive_on_read_only_storage_can_be_read_not_changed(read_only_archive: Path) -> None:
    copy = read_only_archive
    before = digest(copy)
    for command in (["list", "--format", "jsonl"], ["search", "拉夫罗夫", "--format", "jsonl"],
                    ["stories", "--format", "jsonl"]):
        run = newsdesk(*command, "--db", copy)
        assert run.returncode == 0, (command, run.stderr)
        assert run.stdout.strip(), command
    assert_one_line_error(newsdesk("ingest", CAPTURES / "hkcnews__48897.md", "--db", copy), "read-only")
    assert digest(copy) == before
    assert sorted(p.name for p in copy.parent.iterdir()) == ["news.db"]


def _file_size_limit(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_stops_the_ingest_with_one_line_and_a_sound_archive(db: Path, tmp_path: Path) -> None:
    """Writes past a file size limit fail as they do on a full disk (SQLite reports an I/O error
    for EFBIG, "disk is full" for ENOSPC): one line instead of four chained tracebacks, what was
    committed stays, and the next run with room finishes the job."""
    archive = tmp_path / "news.db"
    shutil.copyfile(db, archive)
    before = sqlite3.connect(archive).execute("SELECT COUNT(*) FROM captures").fetchone()[0]
    folder = tmp_path / "more"
    folder.mkdir()
    for path in sorted(CAPTURES.iterdir())[:16]:
        shutil.copyfile(path, folder / path.name)
    run = newsdesk("ingest", folder, "--db", archive, preexec_fn=_file_size_limit(archive.stat().st_size + 64 * 1024))
    assert_one_line_error(run, "disk")
    conn = sqlite3.connect(archive)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0] >= before
    conn.close()
    assert fts_is_sound(archive)
    again = newsdesk("ingest", folder, "--db", archive)
    assert again.returncode == 0, again.stderr
    names = {Path(p).name for (p,) in sqlite3.connect(archive).execute("SELECT path FROM captures")}
    assert names >= {p.name for p in folder.iterdir()}


# --- every command, each way an archive or its storage can be bad ---------------------------------


def _ids(db: Path) -> tuple[str, str]:
    conn = sqlite3.connect(f"{db.as_uri()}?immutable=1", uri=True)  # read-only storage too
    try:
        article = conn.execute("SELECT id FROM articles ORDER BY id LIMIT 1").fetchone()[0]
        story = conn.execute("SELECT id FROM stories ORDER BY id LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    return article, story


def every_command(db: Path, out: Path) -> dict[str, list[str | Path]]:
    """One invocation of every command that takes --db, reading or writing."""
    article, story = _ids(db)
    return {
        "ingest": ["ingest", CAPTURES / "hkcnews__48897.md"],
        "failures": ["failures"],
        "search": ["search", "拉夫罗夫"],
        "list": ["list"],
        "show": ["show", article],
        "export": ["export", out],
        "stats": ["stats"],
        "stories": ["stories"],
        "story": ["story", story],
        "entity": ["entity", "拉夫罗夫"],
        "alias add": ["alias", "add", "拉夫罗夫", "Sergei Lavrov"],
    }


def _bad_archive(kind: str, db: Path, folder: Path) -> Path:
    if kind == "missing folder":
        return folder / "no" / "news.db"
    if kind == "a folder":
        (folder / "folder.db").mkdir()
        return folder / "folder.db"
    path = folder / "bad.db"
    if kind == "text":
        path.write_text("notes, not a database\n" * 100, encoding="utf-8")
    elif kind == "another program's SQLite":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE photos (name TEXT)")
        conn.commit()
        conn.close()
    elif kind == "cut short":
        path.write_bytes(db.read_bytes()[: db.stat().st_size // 3])
    elif kind == "damaged header":
        path.write_bytes(random.Random(3).randbytes(100) + db.read_bytes()[100:])
    elif kind == "empty file":
        path.write_bytes(b"")
    return path


BAD_KINDS = ["missing folder", "a folder", "text", "another program's SQLite", "cut short", "damaged header", "empty file"]


@pytest.mark.parametrize("kind", BAD_KINDS)
def test_every_command_on_a_bad_archive_is_one_line(db: Path, tmp_path: Path, kind: str) -> None:
    """Each command against an archive that is missing, a folder, no database, another program's
    database, cut short or damaged: one line and exit code 2 (or, where it cannot matter, success),
    and the file is left as it was."""
    bad = _bad_archive(kind, db, tmp_path)
    before = digest(bad) if bad.is_file() else None
    for number, (name, command) in enumerate(every_command(db, tmp_path / "out.jsonl").items()):
        # Each command through the console script for one kind (and each kind for one or two commands).
        run = either(number % len(BAD_KINDS) == BAD_KINDS.index(kind), *command, "--db", bad)
        if run.returncode == 0:
            # An empty file is an empty SQLite database: an archive with nothing in it yet.
            assert kind == "empty file", (name, run.stdout[-300:])
            assert "Traceback" not in run.stderr
            continue
        assert_one_line_error(run)
        if bad.is_file() and kind != "empty file":
            assert digest(bad) == before, name
    assert not (tmp_path / "no").exists()
    assert kind == "empty file" or not (tmp_path / "out.jsonl").exists()


def test_every_command_on_read_only_storage(read_only_archive: Path, tmp_path: Path) -> None:
    """Reading commands read a read-only archive; writing ones say it is read-only; an export into
    the read-only folder says it cannot write there. The archive is left as it was."""
    copy = read_only_archive
    before = digest(copy)
    for name, command in every_command(copy, tmp_path / "out.jsonl").items():
        # The refusals through the console script; the reading commands in process.
        run = either(name in ("ingest", "alias add"), *command, "--db", copy)
        if name in ("ingest", "alias add"):
            assert_one_line_error(run, "read-only")
        else:
            assert run.returncode == 0 and "Traceback" not in run.stderr, (name, run.stderr)
    assert (tmp_path / "out.jsonl").stat().st_size > 0
    assert_one_line_error(newsdesk("export", copy.parent / "out.jsonl", "--db", copy), "cannot write", "Read-only")
    assert digest(copy) == before
    assert sorted(p.name for p in copy.parent.iterdir()) == ["news.db"]


@pytest.fixture
def full_disk(db: Path, tmp_path: Path) -> Iterator[Path]:
    """A copy of the archive on a file system with ~36 KiB left (a tmpfs, which needs root): room for
    SQLite's shared-memory file, not for a transaction of any size or an export."""
    folder = tmp_path / "full"
    folder.mkdir()
    if os.geteuid() != 0:
        pytest.skip("a small tmpfs needs root (the RLIMIT_FSIZE test above covers ingest without it)")
    size = (db.stat().st_size // 4096 + 9) * 4096
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"root, and no tmpfs here: {mounted.stderr!r}")
    try:
        shutil.copyfile(db, folder / "news.db")
        yield folder / "news.db"
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_every_command_on_a_full_disk(full_disk: Path, tmp_path: Path) -> None:
    """ENOSPC, not a file size limit: writing commands stop with one line saying the disk is full;
    reading commands still read; an export onto the full disk says it cannot write, and leaves no
    partial file; the archive stays sound."""
    (tmp_path / "more").mkdir()
    for path in sorted(CAPTURES.iterdir())[:16]:
        shutil.copyfile(path, tmp_path / "more" / path.name)
    commands = every_command(full_disk, full_disk.parent / "out.jsonl")
    commands["ingest"] = ["ingest", tmp_path / "more"]
    for name, command in commands.items():
        # The writing commands through the console script; the others in process.
        run = either(name in ("ingest", "export", "alias add"), *command, "--db", full_disk)
        if name in ("ingest", "export"):
            assert_one_line_error(run, "No space left" if name == "export" else "full")
        elif run.returncode != 0:
            assert name == "alias add", (name, run.stderr)
            assert_one_line_error(run, "full")
        else:
            assert "Traceback" not in run.stderr, (name, run.stderr)
    assert not (full_disk.parent / "out.jsonl").exists()
    assert [p.name for p in full_disk.parent.iterdir() if "out" in p.name] == []
    conn = sqlite3.connect(full_disk)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()


BAD_ARGUMENTS = [
    ["--bogus"], ["--bogus", "list"], ["nosuchcommand"], ["extract", "--bogus", "x"], ["extract", "x", "--format", "nope"],
    ["ingest"], ["failures", "--format", "nope"], ["search"], ["search", "x", "--limit", "abc"], ["list", "--until", "x"],
    ["show"], ["show", ""], ["show", "  "], ["export"], ["stats", "--bogus"], ["stories", "--since", "2024-02-30"],
    ["story"], ["story", ""], ["entity"], ["alias", "add", "拉夫罗夫"], ["alias", "add", "", "x"],
    ["alias", "add", "拉夫罗夫", " "],
]


@pytest.mark.parametrize("arguments", BAD_ARGUMENTS)
def test_bad_arguments_to_every_command_are_one_line(db: Path, arguments: list[str]) -> None:
    """Unknown options and commands, missing or empty arguments, values of the wrong kind: one line,
    exit code 2, never Click's boxed usage text or a traceback; an empty id is not a prefix of every id.
    Every other case through the console script, the rest in process."""
    real = BAD_ARGUMENTS.index(arguments) % 2 == 0
    run = either(real, *arguments, *(["--db", db] if arguments[0] not in ("--bogus", "nosuchcommand", "alias", "extract") else []))
    assert_one_line_error(run)
    assert not run.stdout.strip(), run.stdout[:300]
