#!/usr/bin/env python3
"""Benchmark story placement at scale: 1,000 new articles into the 100,000-article archive (issue 12:
"placement of 1,000 new articles into a 100,000-article archive stays < 60 s on one core").

    .venv/bin/python bench/placement.py [--db FILE] [--new 1000] [--modes recent,backfill-quarter,...] [--profile]
        [--in-place] [--src DIR] [--digest]

--in-place works on --db itself (a copy made for the bench: every mode is rolled back); --src times another
commit's sources (`git archive COMMIT src | tar -x -C DIR`); --digest prints a hash of everything placement
stores after each update (two versions that place alike print the same) and how many of the reports placed
again store another vector or moved to another story.

The archive is bench/web.py's (`bench/web.py --build-only` builds it: bench/archive.py's generator,
10,000 articles placed by `Analysis.update()` and copied ten times, dates 2018-2024). It is copied, never
changed, from bench/out/web/web-100000.db to bench/out/placement/ (the copy is migrated when opened).

Each mode inserts `--new` articles from the same generator under another seed (new ids, new texts), in one
write transaction with `Archive.add_capture`, as an ingest does, then times `Analysis.update()` (which
reads their entities and places them, and places again the reports it takes back) in this one process:
wall-clock and CPU seconds. The transaction is rolled back afterwards, so every mode starts from the
same archive.

- recent: new news, dated the archive's last three days and the day after (what a daily ingest brings);
- backfill-quarter, backfill-year: dated uniformly over the archive's last 92 or 366 days (a late collection);
- backfill: dated uniformly over all of it, 2018-2024 (the spread backfill: an old collection added; every report
  after the earliest new day is placed again, a rebuild's work; ~100,000 placements, so not in the default modes).

--profile lists the update's functions by cumulative and by own time, both by the process's CPU clock.

Results are printed and, unless --no-results, written to bench/RESULTS.md, section SECTION (only it).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import os
import pstats
import random
import shutil
import sys
import time
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from benchkit import replace_section

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out" / "placement"
SOURCE = BENCH / "out" / "web" / "web-100000.db"
RESULTS = BENCH / "RESULTS.md"
SECTION = "## Placement at scale: 1,000 new articles into 100,000 (issue 12, bench/placement.py)"
NEW_SEED = 20261207
# Backfills: new articles dated uniformly over the archive's last this many days (None: all of it).
BACKFILL_DAYS: dict[str, int | None] = {"backfill-quarter": 92, "backfill-year": 366, "backfill": None}


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def archive_copy(source: Path) -> Path:
    """A copy of the benchmark archive to work on (the original is another bench's)."""
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"base-{source.stem.split('-')[-1]}.db"
    if not db.exists() or db.stat().st_mtime < source.stat().st_mtime:
        log(f"copying {source} to {db}")
        shutil.copyfile(source, db)
    return db


def new_articles(n: int, mode: str, last_day: date):  # type: ignore[no-untyped-def]
    """`n` articles from bench/archive.py's generator under another seed, dated for `mode`."""
    import archive as archive_bench  # bench/archive.py

    sources, _ = archive_bench.load_reals()
    pool = archive_bench.pool_articles(sources)
    rng = random.Random(f"{NEW_SEED}:{mode}")
    span = (archive_bench.END - archive_bench.START).days
    out = []
    for sha, article in archive_bench.synthetic_articles(pool, n, seed=NEW_SEED):
        if mode == "recent":
            day = last_day + timedelta(days=rng.randint(-2, 1))
        elif mode in BACKFILL_DAYS:
            days = BACKFILL_DAYS[mode] or span + 1
            day = last_day - timedelta(days=rng.randrange(days))
        else:
            raise ValueError(f"unknown mode {mode!r}")
        published = day.isoformat() + (article.published or "")[10:]
        out.append((sha, replace(article, published=published)))
    return out


def placement_digest(conn) -> str:  # type: ignore[no-untyped-def]
    """A hash of everything placement stores (stories, their reports and vectors, index terms, term
    frequencies): two placements that digest alike stored the same stories byte for byte."""
    digest = hashlib.sha256()
    for query in ("SELECT article_id, story_id, score, day, vector FROM story_articles ORDER BY article_id",
                  "SELECT id, label, start, end, size, centroid FROM stories ORDER BY id",
                  "SELECT term, story_id, start FROM story_terms ORDER BY story_id, term",
                  "SELECT term, df FROM term_df ORDER BY term"):
        for row in conn.execute(query):
            digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


def placement_changes(conn, stored: dict[str, tuple[str, str]]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Of the reports placed again: how many now store another vector, how many moved to another story (by its
    other members: a story renamed is the same story), and the last day one moved."""
    def partners(rows):  # type: ignore[no-untyped-def]
        members: dict[str, set[str]] = {}
        for article_id, (story_id, _) in rows.items():
            members.setdefault(story_id, set()).add(article_id)
        return {a: frozenset(members[s]) - {a} for a, (s, _) in rows.items()}

    now = {a: (s, v) for a, s, v in conn.execute("SELECT article_id, story_id, vector FROM story_articles")}
    mine = {a: now[a] for a in stored if a in now}
    old, new = partners(stored), partners(mine)
    days = dict(conn.execute("SELECT article_id, day FROM story_articles"))
    again = set(stored)
    moved = [a for a in mine if old[a] != new[a] & again]
    return {"vectors_changed": sum(stored[a][1] != mine[a][1] for a in mine), "moved": len(moved),
            "last_moved": max((days[a] or "undated" for a in moved), default=None)}


def run_mode(db: Path, mode: str, n: int, profile: bool, digest: bool = False) -> dict[str, object]:
    from newsdesk.analysis import stories as stories_mod
    from newsdesk.analysis.stories import Analysis
    from newsdesk.archive.store import Archive

    with Archive(db) as archive:
        last = archive.conn.execute("SELECT MAX(day) FROM story_articles").fetchone()[0]
        articles = new_articles(n, mode, date.fromisoformat(last))
        days = sorted(a.published[:10] for _, a in articles)
        before = archive.counts()["articles"]
        archive.begin()
        try:
            t0 = time.perf_counter()
            for sha, article in articles:
                archive.add_capture(sha, article)
            insert_s = time.perf_counter() - t0
            first = days[0]
            # What update() takes back: the reports from IDF_LOOKAHEAD_DAYS before the first new day on.
            since = date.fromisoformat(first) - timedelta(days=getattr(stories_mod, "IDF_LOOKAHEAD_DAYS", 0))
            again = archive.conn.execute(
                "SELECT COUNT(*) FROM story_articles WHERE day >= ? OR day IS NULL", (since.isoformat(),)
            ).fetchone()[0]
            # The reports update() will place again, as they are stored now: compared afterwards, they say how
            # many of them a one-window placement that kept stored decisions would have got wrong.
            stored = {a: (s, v) for a, s, v in archive.conn.execute(
                "SELECT article_id, story_id, vector FROM story_articles WHERE day >= ? OR day IS NULL", (since.isoformat(),)
            )} if digest else {}
            # Timed by this process's CPU clock: on shared cores a wall-clock profile charges other sessions' time
            # (and page-cache misses) to whatever function was running.
            profiler = cProfile.Profile(time.process_time) if profile else None
            wall0, cpu0 = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            analysis = Analysis(archive)
            placed = analysis.update()
            if profiler:
                profiler.disable()
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            # What update() says it placed again, where it says so (the bound above otherwise).
            again = getattr(analysis, "replaced", again)
            stories = archive.conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0]
            tables = placement_digest(archive.conn) if digest else ""
            changes = placement_changes(archive.conn, stored) if digest else {}
        finally:
            archive.rollback()
    if profiler:
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
        print(text.getvalue())
    return {"mode": mode, "archive": before, "new": n, "first_day": first, "last_day": days[-1], "placed": placed,
            "taken_back": again, "insert_s": insert_s, "wall_s": wall, "cpu_s": cpu, "stories": stories,
            "digest": tables, **changes}


def lookahead_sweep(values: list[int]) -> list[str]:
    """B³ F1 of stories-dev and the own set placed from scratch with each IDF_LOOKAHEAD_DAYS (bench/stories.py's
    cached archives of them: `bench/stories.py --only grouping,own` makes them)."""
    import stories as stories_bench  # bench/stories.py

    sets = [stories_bench.stories_dev(), stories_bench.own_set()]
    lines = ["| IDF_LOOKAHEAD_DAYS | " + " | ".join(f"B³ F1 {ls.name}" for ls in sets) + " |",
             "|---:|" + "---:|" * len(sets)]
    for days in values:
        cells = []
        for ls in sets:
            rows = stories_bench.replay(stories_bench.OUT / f"{ls.name}.db", OUT / f"lookahead-{ls.name}.db",
                                        {"IDF_LOOKAHEAD_DAYS": days})
            cells.append(f"{stories_bench.score(ls.gold, rows).b3_f1:.3f}")
        lines.append(f"| {days:,} | " + " | ".join(cells) + " |")
        log(lines[-1])
    return lines


def influence(names: list[str]) -> list[str]:
    """What one report more changes: the real captures (stories-dev's and examples/) placed in one ingest with
    and without the capture `name`; of the reports in both, before and from IDF_LOOKAHEAD_DAYS before its day,
    how many store another vector and how many are in a story with other reports."""
    import tempfile

    from newsdesk.analysis.stories import IDF_LOOKAHEAD_DAYS, Analysis
    from newsdesk.archive import Archive, ingest

    captures = sorted((REPO / "tests" / "data" / "stories-dev" / "captures").iterdir()) + sorted((REPO / "examples").glob("0*"))

    def placed(db: Path, files: list[Path]) -> dict[str, tuple[str, str | None, str]]:
        with Archive(db) as archive:
            ingest(files, archive)
            with archive.writing():
                Analysis(archive).update()
            return {a: (s, d, v) for a, s, d, v in archive.conn.execute("SELECT article_id, story_id, day, vector FROM story_articles")}

    def partners(rows: dict[str, tuple[str, str | None, str]]) -> dict[str, frozenset[str]]:
        members: dict[str, set[str]] = {}
        for article_id, (story_id, _, _) in rows.items():
            members.setdefault(story_id, set()).add(article_id)
        return {a: frozenset(members[s]) - {a} for a, (s, _, _) in rows.items()}

    lines = ["| capture added | its day | reports before day − 30 | vectors changed | changed story | reports from day − 30 on"
             " (and undated) | vectors changed | changed story |", "|---|---|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory() as tmp:
        for n, name in enumerate(names):
            every = placed(Path(tmp) / f"all{n}.db", captures)
            less = placed(Path(tmp) / f"less{n}.db", [p for p in captures if p.name != name])
            day = next(d for a, (_, d, _) in every.items() if a not in less)
            since = (date.fromisoformat(day) - timedelta(days=IDF_LOOKAHEAD_DAYS)).isoformat()
            old, new = partners(less), partners(every)
            cells = []
            for part in ([a for a in less if less[a][1] and less[a][1] < since], [a for a in less if not less[a][1] or less[a][1] >= since]):
                cells += [f"{len(part)}", f"{sum(every[a][2] != less[a][2] for a in part)}",
                          f"{sum((new[a] & less.keys()) != old[a] for a in part)}"]
            lines.append(f"| {name} | {day} | " + " | ".join(cells) + " |")
            log(lines[-1])
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, default=SOURCE, help="the benchmark archive (copied, never changed)")
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--modes", default="recent,backfill-quarter,backfill-year")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions of each update")
    parser.add_argument("--no-results", action="store_true")
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the newsdesk sources to time (another commit's)")
    parser.add_argument("--in-place", action="store_true",
                        help="use --db itself (a copy made for this bench: every mode is rolled back) instead of copying it")
    parser.add_argument("--influence", default="", help="only: what one more capture (of stories-dev's, by file name)"
                        " changes in the stories of the real captures")
    parser.add_argument("--digest", action="store_true", help="print a hash of the placement tables after each update")
    parser.add_argument("--lookahead", default="", help="only the IDF_LOOKAHEAD_DAYS sweep over these values (e.g. 0,7,30)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(args.src))
    sys.path.insert(0, str(BENCH))
    if args.influence:
        print("\n".join(influence(args.influence.split(","))))
        return 0
    if args.lookahead:
        OUT.mkdir(parents=True, exist_ok=True)
        print("\n".join(lookahead_sweep([int(v) for v in args.lookahead.split(",")])))
        return 0
    if not args.db.exists():
        parser.error(f"{args.db} does not exist: `python bench/web.py --build-only` builds it")
    db = args.db if args.in_place else archive_copy(args.db)
    started = time.perf_counter()
    rows = []
    for mode in args.modes.split(","):
        log(f"{mode}: inserting {args.new} articles and placing them")
        r = run_mode(db, mode, args.new, args.profile, args.digest)
        log(f"{mode}: {r}")
        rows.append(r)
    load = os.getloadavg()
    body = [SECTION, "",
            f"`python bench/placement.py --new {args.new} --modes {args.modes}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC,"
            f" one process; load average {load[0]:.1f} (2 cores shared by other sessions). Archive: bench/web.py's"
            " 100,000-article archive (10,000 generated articles placed, copied ten times), copied. New articles: the"
            " same generator under another seed. `Analysis.update()` reads their entities, takes back the reports"
            " placed from IDF_LOOKAHEAD_DAYS (30) before their first day on and places all of them in canonical order."
            " Wall-clock time counts waiting for the shared cores; CPU time is this process's own.", "",
            "| new articles dated | archive | new | first day | taken back and placed again | update wall s | update CPU s | insert s |",
            "|---|---:|---:|---|---:|---:|---:|---:|"]
    for r in rows:
        body.append(f"| {r['mode']} ({r['first_day']} – {r['last_day']}) | {r['archive']:,} | {r['new']:,} | {r['first_day']} |"
                    f" {r['taken_back']:,} | {r['wall_s']:.1f} | {r['cpu_s']:.1f} | {r['insert_s']:.1f} |")
    body.append("")
    log(f"done in {time.perf_counter() - started:.0f} s")
    print("\n".join(body))
    if not args.no_results:
        replace_section(RESULTS, SECTION, "\n".join(body))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
