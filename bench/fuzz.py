#!/usr/bin/env python3
"""Fuzz extraction and ingest with hostile captures (issue 9), reproducibly.

    .venv/bin/python bench/fuzz.py [--count 10000] [--seed 9] [--scale 1.0] [--cli-sample 300]
                                   [--batch 500] [--no-results]

Cases come from tests/fuzz/hostile.py (the CI slice in tests/test_fuzz.py uses the same): real
captures (examples/, tests/data, bench/data/corpus/captures) mutated (bit flips, splices between
captures, truncation, repetition, encoding swaps, hostile fragments), the defect classes of issue 9
built at full size (`--scale 1`: inline data: URIs of ~9 MB, >10 MB paragraphs, 100,000-deep tags
and markdown, giant attributes, YAML bombs and python tags, UTF-16 without BOM, wrong charsets, NUL
bytes, broken tags), and containers (JSONL logs with deep nesting, truncated or garbage WARC and
gzip, zip and tar with odd members, overlapping zips). One seed, one `random.Random`: the same
arguments give the same cases.

extract  Every case is written to a file and read as `newsdesk extract`/`ingest` read it
         (`iter_all_captures`), and every capture goes through `extract_capture` (the pure
         function), timed, with the process's peak RSS before and after. Each result is held to
         tests/fuzz/hostile.py's `check_article` contract; an exception that escapes is counted.
ingest   The same cases, `--batch` files to a folder, ingested folder by folder with `ingest()` into
         one new SQLite archive; then a sample of `--cli-sample` cases through the installed console
         script (`newsdesk ingest`, then `failures`, `list`, `search`, `stories`, `export`), where no
         traceback may reach stderr. Both archives: captures + failures stored equals captures read,
         `PRAGMA integrity_check` and FTS5's integrity-check.
zipbomb  A 5,000-member overlapping zip (tests/fuzz/zips.py): time to refuse it through `ingest()`,
         against the time the same members cost when unpacked and extracted (the overlap check
         turned off for 40 of them, extrapolated).

Results are printed and written to bench/RESULTS.md, section "## Fuzzing (bench/fuzz.py)". Scratch
files go to bench/out/fuzz/ (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
import warnings
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO))

from tests.fuzz.hostile import Case, cases, check_article, error_reason  # noqa: E402
from tests.fuzz.zips import overlapping_zip  # noqa: E402

from benchkit import Report, Section, console, replace_section  # noqa: E402
from newsdesk.archive.ingest import ingest  # noqa: E402
from newsdesk.archive.store import Archive  # noqa: E402
from newsdesk.extract import extract_capture  # noqa: E402
from newsdesk.sources import containers  # noqa: E402
from newsdesk.sources.containers import iter_all_captures  # noqa: E402

OUT = BENCH / "out" / "fuzz"
RESULTS = BENCH / "RESULTS.md"
SECTION = "## Fuzzing (bench/fuzz.py)"
NEWSDESK = Path(sys.executable).parent / "newsdesk"


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


@dataclass
class Tally:
    captures: int = 0
    unhandled: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)
    problem_cases: list[str] = field(default_factory=list)
    warned: int = 0
    seconds: list[float] = field(default_factory=list)
    slowest: list[tuple[float, int, str]] = field(default_factory=list)
    rss_growth: list[tuple[float, str]] = field(default_factory=list)


def write_batches(all_cases: list[Case], batch: int) -> list[Path]:
    shutil.rmtree(OUT / "cases", ignore_errors=True)
    folders = []
    for start in range(0, len(all_cases), batch):
        folder = OUT / "cases" / f"batch-{start // batch:03d}"
        folder.mkdir(parents=True)
        for case in all_cases[start : start + batch]:
            (folder / case.name).write_bytes(case.data)
        folders.append(folder)
    return folders


def run_extract(all_cases: list[Case], folders: list[Path], batch: int, section: Section) -> Tally:
    tally = Tally()
    for index, case in enumerate(all_cases):
        path = folders[index // batch] / case.name
        try:
            for raw in iter_all_captures([path]):
                tally.captures += 1
                if raw.data is None:
                    tally.errors[error_reason(raw.error or "")] += 1
                    continue
                before = peak_rss_mib()
                started = time.perf_counter()
                article = extract_capture(raw.data, raw.path)
                elapsed = time.perf_counter() - started
                tally.seconds.append(elapsed)
                tally.slowest.append((elapsed, len(raw.data), case.how))
                tally.rss_growth.append((peak_rss_mib() - before, case.how))
                if article.error:
                    tally.errors[error_reason(article.error)] += 1
                tally.warned += bool(article.warnings)
                whole = raw.path == str(path)
                for problem in check_article(article, case.expect if whole else None):
                    tally.problems[problem.split(":")[0]] += 1
                    tally.problem_cases.append(f"{case.name} ({case.how}): {problem[:200]}")
                    console.print(f"PROBLEM {tally.problem_cases[-1]}", markup=False)
        except Exception as exc:  # what the contract says never happens: counted, not fatal
            tally.unhandled.append(f"{case.name} ({case.how}): {type(exc).__name__}: {exc}"[:300])
            console.print(f"UNHANDLED {tally.unhandled[-1]}", markup=False)
        if (index + 1) % 1000 == 0:
            console.print(f"extract: {index + 1:,} cases, {tally.captures:,} captures", style="dim")
    tally.slowest.sort(reverse=True)
    tally.rss_growth.sort(reverse=True)
    return tally


def archive_checks(db: Path) -> tuple[str, bool, int, int]:
    conn = sqlite3.connect(db)
    try:
        integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
        try:
            conn.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
            fts = True
        except sqlite3.DatabaseError:
            fts = False
        stored = conn.execute("SELECT COUNT(*) FROM captures").fetchone()[0]
        failed = conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0]
        return integrity, fts, stored, failed
    finally:
        conn.close()


@dataclass
class IngestRun:
    read: int = 0
    new: int = 0
    failed: int = 0
    unchanged: int = 0
    unhandled: list[str] = field(default_factory=list)
    batch_seconds: list[tuple[float, int]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)


def run_ingest(folders: list[Path]) -> tuple[IngestRun, Path]:
    db = OUT / "fuzz.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    run = IngestRun()
    with Archive(db) as archive:
        for folder in folders:
            started = time.perf_counter()
            try:
                summary = ingest([folder], archive)
            except Exception as exc:
                run.unhandled.append(f"{folder.name}: {type(exc).__name__}: {exc}"[:300])
                continue
            run.batch_seconds.append((time.perf_counter() - started, summary.read))
            run.read += summary.read
            run.new += summary.new + summary.folded + summary.revisions
            run.failed += summary.failed
            run.unchanged += summary.unchanged
            run.reasons.update(summary.reasons)
            console.print(f"ingest: {folder.name}: {summary.read} captures in {run.batch_seconds[-1][0]:.1f} s", style="dim")
    return run, db


def run_cli(all_cases: list[Case], sample: int) -> dict[str, object]:
    """A sample of cases through the installed console script: ingest, then every reading command."""
    folder = OUT / "cli-cases"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    step = max(1, len(all_cases) // sample)
    chosen = all_cases[::step][:sample]
    for case in chosen:
        (folder / case.name).write_bytes(case.data)
    db = OUT / "cli.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    export = OUT / "cli-export.jsonl"
    export.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "160", "NO_COLOR": "1"}
    env.pop("NEWSDESK_DEBUG", None)
    commands = [
        ["ingest", str(folder)], ["failures", "--format", "jsonl"], ["list", "--format", "jsonl"],
        ["search", "记者"], ["stats"], ["stories", "--format", "jsonl"], ["export", str(export)],
    ]
    outcome: dict[str, object] = {"cases": len(chosen), "tracebacks": 0, "codes": {}}
    for command in commands:
        started = time.perf_counter()
        done = subprocess.run([str(NEWSDESK), *command, "--db", str(db)], capture_output=True, text=True, env=env,
                              timeout=3600, check=False)
        outcome["codes"][command[0]] = (done.returncode, time.perf_counter() - started)  # type: ignore[index]
        if "Traceback" in done.stderr or done.returncode not in (0, 1):
            outcome["tracebacks"] = int(outcome["tracebacks"]) + 1  # type: ignore[call-overload]
            console.print(f"{command[0]}: exit {done.returncode}\n{done.stderr[-2000:]}", markup=False)
    outcome["db"] = db
    return outcome


def run_zipbomb(section: Section) -> None:
    work = OUT / "zipbomb"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    bomb = work / "bomb.zip"
    # Each member unpacks a 20 MB page (under the 64 MiB member limit, so nothing stopped it).
    kernel = b"<html><body><h1>x</h1><p>" + "记者在现场看到了很多市民。".encode() * 540_000 + b"</p></body></html>"
    bomb.write_bytes(overlapping_zip(5_000, kernel))
    db = work / "a.db"
    started, cpu = time.perf_counter(), time.process_time()
    with Archive(db) as archive:
        summary = ingest([bomb], archive)
        reason = archive.failures()[0]["error"] if summary.failed else "(not refused)"
    refused, refused_cpu = time.perf_counter() - started, time.process_time() - cpu
    # The cost it used to have: the same construction with the overlap check off, a few members.
    sample = work / "sample.zip"
    sample.write_bytes(overlapping_zip(4, kernel, with_crc=True))
    check = containers.overlapping_members
    containers.overlapping_members = lambda archive: 0  # type: ignore[assignment]
    try:
        cpu = time.process_time()
        with Archive(work / "b.db") as archive:
            unpacked = ingest([sample], archive)
        per_member = (time.process_time() - cpu) / max(1, unpacked.read)
    finally:
        containers.overlapping_members = check  # type: ignore[assignment]
    section.add(Report("5,000-member overlapping zip (the better-zip-bomb construction)", ["", "value"], [
        ["zip size", f"{bomb.stat().st_size:,} bytes"],
        ["refused through ingest() in", f"{refused:.2f} s wall, {refused_cpu:.2f} s CPU"],
        ["reason stored", reason[:200]],
        ["unpacked and extracted (check off), CPU per member", f"{per_member:.2f} s (4 members)"],
        ["the same for 5,000 members, extrapolated", f"{per_member * 5_000 / 60:.0f} min CPU"],
    ]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--scale", type=float, default=1.0, help="size of the large constructions (1 = the issue's)")
    parser.add_argument("--cli-sample", type=int, default=300)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    command = "python bench/fuzz.py " + " ".join(sys.argv[1:])
    started_at = datetime.now(UTC)
    started = time.perf_counter()
    warnings.simplefilter("ignore")  # zipfile warns about the duplicate member names it is asked to write
    all_cases = cases(args.count, args.seed, args.scale)
    OUT.mkdir(parents=True, exist_ok=True)
    folders = write_batches(all_cases, args.batch)
    kinds = Counter(re.sub(r"^\d+-", "", c.name).split(".")[0] for c in all_cases)
    section = Section("Fuzzing")
    section.say(f"{len(all_cases):,} cases (seed {args.seed}, scale {args.scale}): "
                + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))

    extract_started = time.perf_counter()
    tally = run_extract(all_cases, folders, args.batch, section)
    extract_seconds = time.perf_counter() - extract_started
    ingest_started = time.perf_counter()
    ingested, db = run_ingest(folders)
    ingest_seconds = time.perf_counter() - ingest_started
    integrity, fts, stored, failed = archive_checks(db)
    cli = run_cli(all_cases, args.cli_sample)
    cli_integrity, cli_fts, cli_stored, cli_failed = archive_checks(Path(str(cli["db"])))

    ms = [s * 1000 for s in tally.seconds]
    per_capture = [s / n * 1000 for s, n in ingested.batch_seconds if n]
    section.add(Report("extract_capture over every capture the cases hold", ["", "value"], [
        ["cases / captures read from them", f"{len(all_cases):,} / {tally.captures:,}"],
        ["unhandled exceptions (must be 0)", str(len(tally.unhandled))],
        ["caught but unexpected exceptions, 'extraction failed: …' (must be 0)", str(tally.problems["unexpected exception"])],
        ["empty body without an error (must be 0)", str(tally.problems["empty body without an error"])],
        ["silently truncated: a cut without warning and marker, or a construction's text missing (must be 0)",
         str(sum(n for p, n in tally.problems.items() if p.startswith(("silently", "cut without", "truncation marker"))))],
        ["other contract breaks (a record that cannot be written)", str(tally.problems["record cannot be written"])],
        ["captures with an error (reason counted below)", f"{sum(tally.errors.values()):,}"],
        ["captures with a warning", f"{tally.warned:,}"],
        ["time per capture p50 / p99 / max", f"{quantile(ms, 0.5):.1f} / {quantile(ms, 0.99):.0f} / {max(ms, default=0):.0f} ms"],
        ["largest peak-RSS growth during one capture", f"{tally.rss_growth[0][0]:.0f} MiB" if tally.rss_growth else "-"],
        ["peak RSS of the run (extract, then ingest)", f"{peak_rss_mib():.0f} MiB"],
        ["wall time", f"{extract_seconds:.0f} s"],
    ]))
    section.add(Report("Errors by reason (extract)", ["reason", "captures"],
                       [[reason, f"{count:,}"] for reason, count in tally.errors.most_common()]))
    section.add(Report("Slowest captures", ["how the case was made", "bytes", "seconds"],
                       [[how[:90], f"{size:,}", f"{sec:.1f}"] for sec, size, how in tally.slowest[:8]]))
    section.add(Report(f"ingest() into one SQLite archive, {args.batch} cases a batch", ["", "value"], [
        ["captures read / stored / failures stored", f"{ingested.read:,} / {stored:,} / {failed:,}"],
        ["captures with the bytes of an earlier case (unchanged)", f"{ingested.unchanged:,}"],
        ["nothing lost (captures + failures stored = read - unchanged)",
         "yes" if stored + failed == ingested.read - ingested.unchanged else
         f"NO ({stored + failed} stored, {ingested.read} read, {ingested.unchanged} unchanged)"],
        ["unhandled exceptions (must be 0)", str(len(ingested.unhandled))],
        ["time per capture, per batch: p50 / max", f"{quantile(per_capture, 0.5):.0f} / {max(per_capture, default=0):.0f} ms"],
        ["PRAGMA integrity_check / FTS5 integrity-check", f"{integrity} / {'ok' if fts else 'FAILED'}"],
        ["wall time", f"{ingest_seconds:.0f} s"],
    ]))
    codes = cli["codes"]
    section.add(Report(f"Console script on a sample of {cli['cases']} cases", ["command", "exit code", "seconds"],
                       [[name, str(code), f"{sec:.1f}"] for name, (code, sec) in codes.items()]  # type: ignore[union-attr]
                       + [["tracebacks or exit codes other than 0/1 (must be 0)", str(cli["tracebacks"]), ""],
                          ["captures / failures stored; integrity_check; FTS5",
                           f"{cli_stored} / {cli_failed}; {cli_integrity}; {'ok' if cli_fts else 'FAILED'}", ""]]))
    run_zipbomb(section)
    for line in tally.unhandled[:20] + ingested.unhandled[:20] + tally.problem_cases[:20]:
        section.say(line)
    seconds = time.perf_counter() - started
    if not args.no_results:
        write_results(command, section, seconds, started_at)
    broken = len(tally.unhandled) + len(ingested.unhandled) + sum(tally.problems.values()) + int(cli["tracebacks"])  # type: ignore[call-overload]
    return 1 if broken or integrity != "ok" or not fts else 0


def write_results(command: str, section: Section, seconds: float, started_at: datetime) -> None:
    revision = "unknown"
    with contextlib.suppress(Exception):
        revision = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                                  check=True).stdout.strip()
    lines = [SECTION, "", f"- Command: `{command}`",
             f"- Date: {started_at:%Y-%m-%d %H:%M} UTC. Wall time: {seconds:.0f} s, 2 cores shared with other work.",
             f"- newsdesk at {revision}; Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}.", ""]
    for report in section.reports:
        lines += [report.markdown(), ""]
    if section.findings:
        lines += ["Notes from the run:", ""] + [f"- {f}" for f in section.findings] + [""]
    replace_section(RESULTS, SECTION, "\n".join(lines))
    console.print(f"wrote {RESULTS.relative_to(REPO)} ({SECTION})")


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
    sys.exit(130)
