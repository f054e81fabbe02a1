"""Two `newsdesk ingest` runs into one archive while readers search it: the scenario that
tests/archive/test_concurrency.py runs small and bench/archive.py (section "concurrency") runs at
1,500 captures per writer.

Each writer gets its own folder of captures made from the real ones (tests/data/dev/captures,
which hold examples/ too): markdown mirrors whose titles and paragraphs come from the real
articles (with traditional-script copies, revisions and junk among them, as in
test_crash_recovery), and real captures of every format with their figures changed. Near-
duplicate families stay inside one folder, so the order in which the two writers interleave
cannot change what folds into what; the folders share some byte-identical captures, which only
one writer may store. The same two folders ingested one after the other give the counts the
concurrent run must match.
"""

from __future__ import annotations

import gzip
import os
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import opencc

from tests.archive.helpers import CAPTURES, mirror_capture, text_pools

NEWSDESK = Path(sys.executable).parent / "newsdesk"
ENV = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "200", "NO_COLOR": "1"}


def _refigured(data: bytes, shift: int) -> bytes:
    """A real capture with every digit moved by `shift`: other dates, other addresses, same prose."""
    table = bytes.maketrans(b"0123456789", bytes((48 + (d + shift) % 10) for d in range(10)))
    return data.translate(table)


def make_captures(folder: Path, count: int, tag: str, seed: int, real: list[Path]) -> Path:
    """`count` captures named `{tag}{number}`: every 25th a real capture from `real` with its
    figures changed; of the rest, mostly new mirror articles, every tenth a traditional copy of
    the capture nine before it without its URL, every fiftieth (from 23) a revision of the one
    twenty before it, one junk file and one cut gzip per 500."""
    s2tw = opencc.OpenCC("s2tw")
    titles, paragraphs = text_pools()
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    texts: dict[int, str] = {}
    for number in range(count):
        name = folder / f"{tag}{number:05d}.md"
        if number % 25 == 24:
            source = real[(number // 25) % len(real)]
            shifted = _refigured(source.read_bytes(), 1 + (number // 25) // len(real) % 9)
            name.with_suffix(source.suffix).write_bytes(shifted)
            continue
        if number % 500 == 105:
            name.with_suffix(".bin").write_bytes(rng.randbytes(2000))
            continue
        if number % 500 == 106:
            packed = gzip.compress(mirror_capture(tag, number, rng, titles, paragraphs).encode(), mtime=0)
            name.with_suffix(".md.gz").write_bytes(packed[:60])
            continue
        if number % 10 == 9 and number - 9 in texts:
            text = re.sub(r"^原文地址.*\n", "", s2tw.convert(texts[number - 9]), flags=re.M)
        elif number % 50 == 23 and number - 20 in texts:
            text = texts[number - 20]
            for k, line in enumerate(re.findall(r"^  (?!【).+$", text, flags=re.M)):
                text = text.replace(line, f"  更正{k}：{rng.choice(paragraphs)}")
        else:
            text = mirror_capture(tag, number, rng, titles, paragraphs)
        texts[number] = text
        name.write_text(text, encoding="utf-8")
    return folder


def make_folders(work: Path, count: int, shared: int) -> tuple[Path, Path]:
    """Two folders of `count` captures each (plus `shared` byte-identical copies of the first
    folder's captures in the second). The real captures are split between the folders, so a
    real page's refigured copies all go to one writer."""
    real = sorted(p for p in CAPTURES.iterdir() if p.is_file())
    first = make_captures(work / "a", count, "a", 1, real[0::2])
    second = make_captures(work / "b", count, "b", 2, real[1::2])
    for path in sorted(first.iterdir())[:: max(1, count // shared)][:shared]:
        shutil.copyfile(path, second / f"shared-{path.name}")
    return first, second


@dataclass
class Counts:
    articles: int
    captures: int
    failures: int
    capture_hashes: set[str]
    failure_paths: set[str]
    integrity: str
    fts_sound: bool


def counts(db: Path) -> Counts:
    conn = sqlite3.connect(db)
    try:
        one = conn.execute
        try:
            one("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
            fts_sound = True
        except sqlite3.DatabaseError:
            fts_sound = False
        return Counts(
            articles=one("SELECT COUNT(*) FROM articles").fetchone()[0],
            captures=one("SELECT COUNT(*) FROM captures").fetchone()[0],
            failures=one("SELECT COUNT(*) FROM failures").fetchone()[0],
            capture_hashes={h for (h,) in one("SELECT sha256 FROM captures")},
            # The name without its folder: a capture shared by both folders may be stored from either.
            failure_paths={Path(p).name.removeprefix("shared-") for (p,) in one("SELECT path FROM failures")},
            integrity=one("PRAGMA integrity_check").fetchone()[0],
            fts_sound=fts_sound,
        )
    finally:
        conn.close()


def newsdesk(*args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(NEWSDESK), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=ENV, check=False
    )


@dataclass
class Run:
    """What the concurrent run did: each writer's exit code and output, every reader call."""

    seconds: float
    writers: list[tuple[int, str]]
    reads: list[tuple[str, int, float, str]] = field(default_factory=list)  # command, exit code, seconds, stderr

    @property
    def failed_reads(self) -> list[tuple[str, int, float, str]]:
        return [r for r in self.reads if r[1] != 0]


def _committed(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1)
        try:
            return conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return 0


READS = (("search", "俄罗斯", "--format", "jsonl"), ("stories", "--format", "jsonl"), ("list", "--format", "jsonl"))


def ingest_concurrently(first: Path, second: Path, db: Path, logs: Path) -> Run:
    """Both folders into `db` at once (two `newsdesk ingest` processes started together on a new
    archive), with `search`, `stories` and `list` each run over and over, in threads of their
    own, for as long as either writes (from the first commit on)."""
    started = time.perf_counter()
    run = Run(0.0, [])
    processes: list[tuple[subprocess.Popen[str], Path]] = []

    def writing() -> bool:
        return any(p.poll() is None for p, _ in processes)

    def read(command: tuple[str, ...]) -> None:
        while writing():
            if _committed(db) == 0:
                time.sleep(0.05)
                continue
            began = time.perf_counter()
            result = newsdesk(command[0], *command[1:], "--db", db, timeout=300)
            run.reads.append((command[0], result.returncode, time.perf_counter() - began, result.stderr[-2000:]))

    readers = [threading.Thread(target=read, args=(command,)) for command in READS]
    try:
        for folder in (first, second):
            log = logs / f"ingest-{folder.name}.log"
            with log.open("w", encoding="utf-8") as out:
                processes.append((subprocess.Popen(
                    [str(NEWSDESK), "ingest", str(folder), "--db", str(db)], stdout=out, stderr=subprocess.STDOUT,
                    env=ENV, text=True,
                ), log))
        for reader in readers:
            reader.start()
        for process, log in processes:
            process.wait(timeout=900)
            run.writers.append((process.returncode, log.read_text(encoding="utf-8")))
    finally:
        for process, _ in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for reader in readers:
            if reader.is_alive():
                reader.join()
    run.seconds = time.perf_counter() - started
    return run


def ingest_sequentially(first: Path, second: Path, db: Path) -> None:
    """The reference: one folder after the other, in this process (the counts compared do not
    depend on the command's story placement)."""
    from newsdesk.archive import Archive, ingest

    with Archive(db) as archive:
        ingest([first], archive)
        ingest([second], archive)
