"""Interrupted ingests: kill -9 or Ctrl-C part-way, re-run, and the archive is the one an
uninterrupted run makes, row for row (ids, captures, revisions, signatures, LSH bands,
failures, full-text content).

10,000 small captures are generated from real ones: markdown mirrors with varied titles,
bodies and dates, plus traditional-script copies without their URL (near-duplicates, folded
on text), revisions (same URL, paragraphs rewritten) and junk (quarantined failures).

The 10,000-capture runs drive `Archive` + `ingest` in a subprocess exactly as `newsdesk
ingest` does (`with Archive(db) as archive: ingest(paths, archive)`), without the command's
post-ingest analysis pass, whose cost grows faster than the article count (minutes for
10,000 articles); the console script itself is killed, interrupted and re-run on a smaller
set in the last test. The uninterrupted reference ingests in parallel with the interrupted
one (two cores), which keeps the file near a minute.
"""

from __future__ import annotations

import gzip
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import opencc
import pytest

from tests.archive.helpers import dump, fts_is_sound, mirror_capture, text_pools

NEWSDESK = Path(sys.executable).parent / "newsdesk"
CAPTURE_COUNT = 10_000
# Runs `ingest` the way the `newsdesk ingest` command does, and prints its summary.
DRIVER = """
import sys
from newsdesk.archive import Archive, ingest
with Archive(sys.argv[2]) as archive:
    s = ingest([sys.argv[1]], archive)
print(f"read={s.read} new={s.new} folded={s.folded} revisions={s.revisions} unchanged={s.unchanged} failed={s.failed}")
"""
# Wide output so summaries print on one line. Each run gets its own hash seed: the archive must
# not depend on the order Python happens to iterate a set or dict in that process.
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"}
_seeds = iter(range(1, 1000))
# Every ingest started, so a failing test leaves none running behind it.
_started: list[subprocess.Popen[bytes]] = []


# --- the captures ------------------------------------------------------------------------


def make_captures(folder: Path, count: int) -> Path:
    """`count` distinct captures, in file-name order: mostly new articles; every tenth a
    traditional copy of the capture nine before it, without its URL; every fiftieth (from 23) a
    revision of the capture twenty before it; two junk files per thousand."""
    titles, paragraphs = text_pools()
    assert len(titles) > 20 and len(paragraphs) > 300
    s2tw = opencc.OpenCC("s2tw")
    rng = random.Random(20261201)
    folder.mkdir(parents=True)
    texts: dict[int, str] = {}
    for number in range(count):
        name = folder / f"{number:05d}.md"
        if number % 1000 == 505:
            name.with_suffix(".bin").write_bytes(rng.randbytes(2000))
            continue
        if number % 1000 == 506:
            packed = gzip.compress(mirror_capture("a", number, rng, titles, paragraphs).encode(), mtime=0)
            name.with_suffix(".md.gz").write_bytes(packed[:60])
            continue
        if number % 10 == 9:
            text = re.sub(r"^原文地址.*\n", "", s2tw.convert(texts[number - 9]), flags=re.M)
        elif number % 50 == 23:
            text = texts[number - 20]
            for k, line in enumerate(re.findall(r"^  (?!【).+$", text, flags=re.M)):
                text = text.replace(line, f"  更正{k}：{rng.choice(paragraphs)}")
        else:
            text = mirror_capture("a", number, rng, titles, paragraphs)
        texts[number] = text
        name.write_text(text, encoding="utf-8")
    return folder


# --- running and interrupting --------------------------------------------------------------


def committed_captures(db: Path) -> int:
    """Captures another process has committed so far (0 while the archive is being created)."""
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.2)
        try:
            return conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.OperationalError:
        return 0


@dataclass
class Ingest:
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def finish(self, timeout: float = 300) -> str:
        code = self.process.wait(timeout=timeout)
        assert code == 0, self.output()
        return self.output()


def start(args: list[str], log: Path) -> Ingest:
    with log.open("wb") as out:
        env = {**ENV, "PYTHONHASHSEED": str(next(_seeds))}
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env)
    _started.append(process)
    return Ingest(process, log)


def start_driver(folder: Path, db: Path, log: Path) -> Ingest:
    return start([sys.executable, "-c", DRIVER, str(folder), str(db)], log)


def start_cli(folder: Path, db: Path, log: Path) -> Ingest:
    return start([str(NEWSDESK), "ingest", str(folder), "--db", str(db)], log)


def interrupt_after(run: Ingest, db: Path, at_least: int, sig: int) -> int:
    """Send `sig` once `at_least` captures are committed; returns how many were committed then."""
    deadline = time.monotonic() + 240
    while (done := committed_captures(db)) < at_least:
        assert run.process.poll() is None, f"the ingest ended before {at_least} captures were in:\n{run.output()}"
        assert time.monotonic() < deadline, "the ingest is too slow to interrupt"
        time.sleep(0.02)
    assert run.process.poll() is None, "the ingest finished before it could be interrupted"
    run.process.send_signal(sig)
    run.process.wait(timeout=60)
    return done


def assert_same_archive(got: dict[str, Any], want: dict[str, Any]) -> None:
    """Table by table, naming the first differing row (a plain `==` on 100,000 rows says nothing)."""
    assert sorted(got) == sorted(want)
    for table in want:
        if got[table] == want[table]:
            continue
        if not isinstance(want[table], list):
            pytest.fail(f"{table}: {got[table]!r} != {want[table]!r}")
        for number, (a, b) in enumerate(zip(got[table], want[table], strict=False)):
            if a != b:
                pytest.fail(f"{table} row {number} differs:\n  resumed:       {a!r}\n  uninterrupted: {b!r}")
        pytest.fail(f"{table}: {len(got[table])} rows after the resumed runs, {len(want[table])} uninterrupted")


def _summary(text: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", text)}


# Rows of these tables are only ever added, in capture order: what an interrupted run committed
# must be exactly the first rows of the uninterrupted run's.
APPEND_ONLY = ("captures", "revisions", "signatures", "lsh_bands", "failures")


def assert_prefix(partial: dict[str, Any], full: dict[str, Any], when: str) -> None:
    for table in APPEND_ONLY:
        rows = partial[table]
        assert rows == full[table][: len(rows)], f"{when}: {table} is not a prefix of the uninterrupted run's"
    ids = [row[:3] for row in partial["articles"]]  # rowid, seq, id
    assert ids == [row[:3] for row in full["articles"][: len(ids)]], f"{when}: article ids differ"


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("crash")
    yield folder
    for process in _started:
        if process.poll() is None:
            process.kill()
            process.wait()
    # ~180 MB of captures and archives per run, and pytest keeps three runs: only the logs stay.
    for path in folder.iterdir():
        if path.is_dir():
            shutil.rmtree(path)
        elif not path.name.endswith(".log"):
            path.unlink()


@pytest.fixture(scope="module")
def folder(work: Path) -> Path:
    return make_captures(work / "captures", CAPTURE_COUNT)


# --- tests ---------------------------------------------------------------------------------


def test_kill_9_and_ctrl_c_during_a_10000_capture_ingest_then_rerun_gives_the_same_archive(
    work: Path, folder: Path
) -> None:
    """kill -9 part-way, re-run, Ctrl-C part-way, re-run to the end; meanwhile an uninterrupted
    run ingests the same folder into another archive. (One interrupted sequence rather than one
    per signal: each costs a whole ingest of the 10,000.)"""
    reference_db, db = work / "uninterrupted.db", work / "interrupted.db"
    reference = start_driver(folder, reference_db, work / "uninterrupted.log")

    killed = start_driver(folder, db, work / "run-1-killed.log")
    interrupt_after(killed, db, 2_000, signal.SIGKILL)
    assert killed.process.returncode == -signal.SIGKILL
    after_kill = committed_captures(db)
    assert 2_000 <= after_kill < CAPTURE_COUNT, "killed part-way"
    assert fts_is_sound(db), "what was committed before the kill is whole"
    partial_after_kill = dump(db)

    interrupted = start_driver(folder, db, work / "run-2-interrupted.log")
    interrupt_after(interrupted, db, after_kill + 2_000, signal.SIGINT)
    assert interrupted.process.returncode != 0 and "KeyboardInterrupt" in interrupted.output()
    after_interrupt = committed_captures(db)
    assert after_kill + 2_000 <= after_interrupt < CAPTURE_COUNT, "interrupted part-way"
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    conn.close()
    partial_after_interrupt = dump(db)

    summary = _summary(start_driver(folder, db, work / "run-3-completed.log").finish())
    assert summary["read"] == CAPTURE_COUNT
    # What the interrupted runs committed is recognised, not redone.
    assert summary["unchanged"] >= after_interrupt

    totals = _summary(reference.finish())
    want = dump(reference_db)
    # The folder exercises every path: folding on text, revisions, failures.
    assert totals["folded"] > 500 and totals["revisions"] > 100 and totals["failed"] == 20, totals
    conn = sqlite3.connect(reference_db)
    on_text = conn.execute("SELECT COUNT(*) FROM captures WHERE fold_reason LIKE 'near-duplicate%'").fetchone()[0]
    conn.close()
    assert on_text > 500, "folded on text, not only by URL"
    assert_prefix(partial_after_kill, want, "after kill -9")
    assert_prefix(partial_after_interrupt, want, "after Ctrl-C")
    assert_same_archive(dump(db), want)
    assert fts_is_sound(db)


def test_newsdesk_ingest_killed_interrupted_and_rerun_gives_the_same_archive(work: Path, folder: Path) -> None:
    """The console script itself, on the first 800 captures: kill -9, re-run, Ctrl-C, re-run.
    Every table it writes (the archive's and any the command adds after ingesting) must match
    an uninterrupted run."""
    subset = work / "subset"
    subset.mkdir()
    for path in sorted(folder.iterdir())[:800]:
        (subset / path.name).write_bytes(path.read_bytes())
    reference_db, db = work / "cli-uninterrupted.db", work / "cli-interrupted.db"
    reference = start_cli(subset, reference_db, work / "cli-uninterrupted.log")

    killed = start_cli(subset, db, work / "cli-1-killed.log")
    interrupt_after(killed, db, 200, signal.SIGKILL)
    assert killed.process.returncode == -signal.SIGKILL
    after_kill = committed_captures(db)
    interrupted = start_cli(subset, db, work / "cli-2-interrupted.log")
    interrupt_after(interrupted, db, after_kill + 200, signal.SIGINT)
    assert interrupted.process.returncode != 0
    assert "Traceback" not in interrupted.output(), "Ctrl-C is not a crash"
    assert committed_captures(db) < 800, "interrupted part-way"

    output = start_cli(subset, db, work / "cli-3-completed.log").finish()
    assert re.search(r"captures read: 800\b", output), output
    assert re.search(r"unchanged: [1-9]\d*", output), output
    reference.finish()
    assert_same_archive(dump(db), dump(reference_db))
