#!/usr/bin/env python3
"""Scale-out: a local ingest against `--engine ray` with 1 and 2 workers, on captures made from real ones.

    nice -n 10 .venv/bin/python bench/scale.py [--captures 20000] [--seed 13] [--work bench/out/scale] [--no-results]

Captures. Every real capture (tests/data/dev, tests/data/stories-dev, examples/) is extracted once; its
headline, paragraphs, dates and addresses are then rewritten in its own bytes (its markup stays), so each
generated article is a real page with another article's text in it:
- a family's article: the base page with its paragraphs replaced by paragraphs drawn from every capture of
  its script (shuffled), a headline drawn likewise, its dates shifted by a per-family number of days, its
  original address given a per-family id;
- then, as a crawl meets them: a re-capture a few days later with one paragraph edited and two swapped
  (same address: folds), a copy in traditional script on a mirror (another publication), the very same
  bytes crawled again (unchanged), and a few damaged downloads (cut short: failures).
The captures go, in order, into WARC (.warc.gz) files and JSONL logs of 500 each: one shard per file.

Runs. Each in a fresh archive, one after the other on this machine:
- local: `ingest()` then placing in stories, as `newsdesk ingest` does;
- ray N (N = 1, 2): `extract_to_shards` with a local Ray of N CPUs (`--workers N`; Ray's start-up counted),
  then the merge and stories of `newsdesk merge`. The merge is the same serial code for every N, so it is run
  once, on the 2-worker shards; the 1-worker shards are compared with them row for row.
Reported: wall time and captures/s of each run and stage, the 1 -> 2 worker speed-up of extraction, the
per-stage cost per capture in one worker (read/unpack, decode+extract, MinHash, Parquet), and whether the
archives are the same (a digest of every row of every table in rowid order and of the full-text index).

Results are printed and written to bench/RESULTS.md, section "## Scale-out (bench/scale.py)".
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import os
import random
import re
import shutil
import sqlite3
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from bench.benchkit import Report, Section, console  # noqa: E402

from newsdesk.analysis.stories import Analysis  # noqa: E402
from newsdesk.archive.distributed import extract_to_shards  # noqa: E402
from newsdesk.archive.ingest import ingest  # noqa: E402
from newsdesk.archive.shards import ShardStats, merge_shards, plan  # noqa: E402
from newsdesk.archive.store import Archive  # noqa: E402
from newsdesk.extract import ExtractOptions, extract_capture  # noqa: E402

SOURCES = (ROOT / "tests/data/dev/captures", ROOT / "tests/data/stories-dev/captures", ROOT / "examples")
PER_CONTAINER = 500
RESULTS = ROOT / "bench" / "RESULTS.md"
SECTION = "## Scale-out (bench/scale.py)"
_DATES = re.compile(r"(?<!\d)(20[012]\d)([-/年.])(0?[1-9]|1[0-2])([-/月.])(0?[1-9]|[12]\d|3[01])(?!\d)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


# --- captures ------------------------------------------------------------------------------------------


@dataclass
class Base:
    name: str
    text: str
    title: str | None
    paragraphs: list[str]  # body paragraphs found verbatim in the page's text
    original_url: str | None
    script: str


def _bases() -> list[Base]:
    seen, bases = set(), []
    for folder in SOURCES:
        for path in sorted(folder.iterdir()):
            data = path.read_bytes()
            digest = hashlib.sha256(data).digest()
            if digest in seen or path.suffix not in {".html", ".md", ".txt"}:
                continue
            seen.add(digest)
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue  # a page in another encoding would be re-encoded by the rewrite: left out
            article = extract_capture(data, path.name)
            if article.error or not _CJK.search("".join(article.body)):
                continue
            paragraphs = [p for p in article.body if len(p) >= 12 and p in text]
            if len(paragraphs) < 2:
                continue
            bases.append(Base(path.name, text, article.title if article.title and article.title in text else None,
                              paragraphs, article.original_url if article.original_url and article.original_url in text
                              else None, article.language or "zh-Hans"))
    return bases


def _shift_dates(text: str, days: int) -> str:
    def shifted(m: re.Match[str]) -> str:
        try:
            day = dt.date(int(m.group(1)), int(m.group(3)), int(m.group(5))) + dt.timedelta(days=days)
        except ValueError:
            return m.group(0)
        width = 2 if len(m.group(3)) == 2 else 1
        return f"{day.year}{m.group(2)}{day.month:0{width}d}{m.group(4)}{day.day:0{width}d}"

    return _DATES.sub(shifted, text)


def _family_url(url: str, family: int) -> str:
    head, _, tail = url.rstrip("/").rpartition("/")
    stem, dot, extension = tail.partition(".")
    return f"{head}/{stem}-{family}{dot}{extension}"


class Generator:
    def __init__(self, seed: int) -> None:
        import opencc

        self.rng = random.Random(seed)
        self.bases = _bases()
        self.pools: dict[str, list[str]] = {}
        self.titles: dict[str, list[str]] = {}
        for base in self.bases:
            self.pools.setdefault(base.script, []).extend(base.paragraphs)
            if base.title:
                self.titles.setdefault(base.script, []).append(base.title)
        self.s2tw = opencc.OpenCC("s2tw")

    def article(self, family: int) -> tuple[Base, str, str | None]:
        """A new article from a base page: other paragraphs, headline, dates and address."""
        rng = self.rng
        base = rng.choice(self.bases)
        pool = self.pools[base.script]
        text = base.text
        replacements = rng.sample(pool, min(len(pool), len(base.paragraphs)))
        rng.shuffle(replacements)
        for old, new in zip(base.paragraphs, replacements, strict=False):
            text = text.replace(old, new, 1)
        if base.title:
            titles = self.titles.get(base.script) or [base.title]
            text = text.replace(base.title, f"{rng.choice(titles)[:16]}{rng.choice(pool)[:8]}")
        text = _shift_dates(text, rng.randrange(-900, 900))
        url = None
        if base.original_url:
            url = _family_url(base.original_url, family)
            text = text.replace(base.original_url, url)
        return base, text, url

    def edited(self, text: str, base: Base) -> str:
        """A re-capture: one paragraph changed in a few places, two paragraphs swapped."""
        rng = self.rng
        found = [p for p in self.pools[base.script] if p in text][:12]
        if len(found) >= 2:
            a, b = rng.sample(found, 2)
            text = text.replace(a, "\0").replace(b, a).replace("\0", b)
            target = found[0]
            chars = list(target)
            for _ in range(max(1, len(chars) // 20)):
                chars[rng.randrange(len(chars))] = rng.choice("的一是在不了有和人这中大为上个国我以要他时来用们")
            text = text.replace(target, "".join(chars), 1)
        return text

    def captures(self, count: int) -> list[tuple[str, bytes, str]]:
        """(capture url, bytes, crawl time) in crawl order."""
        out: list[tuple[str, bytes, str]] = []
        family = 0
        rng = self.rng
        while len(out) < count:
            base, text, _ = self.article(family)
            host = f"https://crawl{family % 7}.example"
            when = dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=family * 37)
            page = f"{host}/{family}/{base.name}"
            out.append((page, text.encode(), when.isoformat()))
            if rng.random() < 0.35:
                out.append((page, self.edited(text, base).encode(), (when + dt.timedelta(days=3)).isoformat()))
            if rng.random() < 0.2:
                out.append((f"https://tw.mirror.example/{family}", self.s2tw.convert(text).encode(),
                            (when + dt.timedelta(days=1)).isoformat()))
            if rng.random() < 0.05:
                out.append((page, text.encode(), (when + dt.timedelta(days=30)).isoformat()))
            if rng.random() < 0.01:
                data = text.encode()
                out.append((f"{host}/{family}/cut", data[: len(data) // 50], when.isoformat()))
            family += 1
        return out[:count]


def write_inputs(folder: Path, count: int, seed: int) -> list[Path]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    stamp = folder / f".complete-{count}-{seed}"
    if stamp.exists():
        return sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    captures = Generator(seed).captures(count)
    paths = []
    for number, start in enumerate(range(0, len(captures), PER_CONTAINER)):
        chunk = captures[start : start + PER_CONTAINER]
        if number % 3 == 2:
            path = folder / f"{number:04d}-log.jsonl"
            path.write_text("".join(json.dumps({"url": u, "fetched_at": at, "content": data.decode("utf-8", "replace")},
                                               ensure_ascii=False) + "\n" for u, data, at in chunk), encoding="utf-8")
        else:
            path = folder / f"{number:04d}-crawl.warc.gz"
            with path.open("wb") as out:
                writer = WARCWriter(out, gzip=True)
                for url, data, at in chunk:
                    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
                    writer.write_record(writer.create_warc_record(
                        url, "response", payload=io.BytesIO(data), http_headers=headers,
                        warc_headers_dict={"WARC-Date": at.replace("+00:00", "Z")},
                    ))
        paths.append(path)
    stamp.touch()
    return paths


# --- runs ---------------------------------------------------------------------------------------------


def archive_digest(db: Path) -> dict[str, tuple[int, str]]:
    """Rows and a SHA-256 per table, rows in rowid order (as tests.archive.helpers.dump compares them),
    and the full-text index's content; streamed, so a 20,000-capture archive is never held in memory."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        out = {}
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND sql NOT LIKE 'CREATE VIRTUAL%'"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'article_fts_%' ORDER BY name")]
        queries = {t: f"SELECT rowid, * FROM {t} ORDER BY rowid" for t in tables}
        queries["article_fts"] = "SELECT rowid, title, body FROM article_fts ORDER BY rowid"
        for table, sql in queries.items():
            digest, rows = hashlib.sha256(), 0
            for row in conn.execute(sql):
                digest.update(repr(row).encode("utf-8", "surrogatepass"))
                rows += 1
            out[table] = (rows, digest.hexdigest()[:16])
        out["user_version"] = (conn.execute("PRAGMA user_version").fetchone()[0], "")
    finally:
        conn.close()
    return out


def shard_digest(folder: Path) -> str:
    import pyarrow.parquet as pq

    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.parquet")):
        digest.update(path.name.encode())
        for batch in pq.ParquetFile(path).iter_batches():
            digest.update(repr(batch.to_pylist()).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


def place_stories(db: Path) -> tuple[float, float]:
    """Wall and processor seconds of placing the archive's new articles in stories."""
    started, cpu = time.perf_counter(), time.process_time()
    with Archive(db) as archive, archive.writing():
        Analysis(archive).update()
    return time.perf_counter() - started, time.process_time() - cpu


def run_local(inputs: list[Path], db: Path) -> dict[str, float]:
    started, cpu = time.perf_counter(), time.process_time()
    with Archive(db) as archive:
        summary = ingest(inputs, archive)
    ingested, ingest_cpu = time.perf_counter() - started, time.process_time() - cpu
    stories, stories_cpu = place_stories(db)
    return {"ingest": ingested, "stories": stories, "total": ingested + stories, "read": summary.read,
            "ingest_cpu": ingest_cpu, "stories_cpu": stories_cpu}


def run_extract(inputs: list[Path], shards: Path, workers: int) -> tuple[float, list[ShardStats]]:
    shutil.rmtree(shards, ignore_errors=True)
    options = ExtractOptions()
    units = plan(inputs, options)
    started = time.perf_counter()
    stats = extract_to_shards(units, shards, options, workers=workers)
    return time.perf_counter() - started, stats


def run_merge(inputs: list[Path], shards: Path, db: Path) -> dict[str, float]:
    options = ExtractOptions()
    units = plan(inputs, options)
    started, cpu = time.perf_counter(), time.process_time()
    with Archive(db) as archive:
        merge_shards([shards / u.name for u in units], archive)
    merged, merge_cpu = time.perf_counter() - started, time.process_time() - cpu
    stories, stories_cpu = place_stories(db)
    return {"merge": merged, "stories": stories, "merge_cpu": merge_cpu, "stories_cpu": stories_cpu}


def stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%H:%M")


def remove_archive(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--captures", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "scale")
    parser.add_argument("--runs", default="local,ray1,ray2,merge",
                        help="runs to (re)do; the others are taken from the work folder when it has them")
    parser.add_argument("--no-results", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    work: Path = args.work
    section = Section(SECTION)
    load_before = os.getloadavg()

    started = time.perf_counter()
    inputs = write_inputs(work / "inputs", args.captures, args.seed)
    size = sum(p.stat().st_size for p in inputs)
    console.print(f"{args.captures} captures in {len(inputs)} files ({size / 1e6:.0f} MB): {time.perf_counter() - started:.0f} s")

    # Each run's figures are kept in the work folder, so a run can be repeated alone (on a quieter machine,
    # after a fix) and reported with the others.
    saved = work / f"runs-{args.captures}-{args.seed}.json"
    runs: dict[str, Any] = json.loads(saved.read_text()) if saved.exists() else {}
    wanted = set(args.runs.split(","))
    if "local" in wanted or "local" not in runs:
        remove_archive(work / "local.db")
        runs["local"] = {**run_local(inputs, work / "local.db"), "at": stamp()}
        console.print(f"local: {runs['local']}")
    for workers in (1, 2):
        key = f"ray{workers}"
        if key in wanted or key not in runs:
            seconds, stats = run_extract(inputs, work / f"shards-{workers}", workers)
            runs[key] = {"seconds": seconds, "stats": [s.to_record() for s in stats], "at": stamp()}
            console.print(f"ray {workers} worker(s): {seconds:.1f} s")
        saved.write_text(json.dumps(runs))
    if "merge" in wanted or "merge" not in runs:
        remove_archive(work / "ray.db")
        runs["merge"] = {**run_merge(inputs, work / "shards-2", work / "ray.db"), "at": stamp()}
        console.print(f"merge: {runs['merge']}")
    saved.write_text(json.dumps(runs))
    load_after = os.getloadavg()
    same_shards = shard_digest(work / "shards-1") == shard_digest(work / "shards-2")
    local, merged = runs["local"], runs["merge"]
    extract_1, extract_2 = runs["ray1"]["seconds"], runs["ray2"]["seconds"]
    stats_1 = [ShardStats(**r) for r in runs["ray1"]["stats"]]
    stats_2 = [ShardStats(**r) for r in runs["ray2"]["stats"]]

    n = args.captures
    serial = merged["merge"] + merged["stories"]
    def span(stats: list[ShardStats]) -> float | None:
        """From the first task's start to the last one's end: the run without Ray's start-up."""
        ran = [st for st in stats if st.started]
        return max(st.finished for st in ran) - min(st.started for st in ran) if ran else None

    def cpu_ms(stats: list[ShardStats]) -> str:
        cpu = sum(st.cpu_seconds for st in stats)
        return f"{cpu * 1000 / n:.2f}" if cpu else "n/a"

    spans = {1: span(stats_1), 2: span(stats_2)}
    rows = [
        ["local ingest (1 process)", f"{local['ingest']:.0f}", "—", f"{n / local['ingest']:.0f}", "—", "—",
         f"{local['stories']:.0f}", f"{local['total']:.0f}", f"{n / local['total']:.0f}"],
    ]
    for workers, seconds in ((1, extract_1), (2, extract_2)):
        tasks = spans[workers]
        rows.append([
            f"--engine ray, {workers} worker{'s' if workers > 1 else ''}", f"{seconds:.0f}",
            f"{tasks:.0f}" if tasks else "n/a", f"{n / seconds:.0f}", f"{extract_1 / seconds:.2f}×",
            f"{spans[1] / tasks:.2f}×" if tasks and spans[1] else "n/a", f"{serial:.0f}", f"{seconds + serial:.0f}",
            f"{n / (seconds + serial):.0f}",
        ])
    section.add(Report(
        f"Throughput, {n:,} captures ({len(inputs)} files, {size / 1e6:.0f} MB), this machine (2 cores, shared)",
        ["run", "extraction s", "tasks' span s", "captures/s", "vs 1 worker", "span vs 1 worker", "merge+stories s",
         "total s", "captures/s overall"], rows,
        note=(f"Load average before/after this invocation: {load_before[0]:.1f}/{load_after[0]:.1f} (1 min). Extraction s"
              " includes Ray's start-up; the tasks' span is from the first task's start to the last one's end. For the"
              " local ingest, extraction s is `ingest()` (extraction and merge interleaved) and merge+stories s its stories."
              " Runs (UTC): " + ", ".join(f"{k} {v['at']}" for k, v in runs.items()) + "."),
    ))

    def per_stage(stats: list[ShardStats]) -> dict[str, float]:
        return {k: sum(getattr(s, f"{k}_seconds") for s in stats) for k in ("read", "extract", "analysis", "write")}

    stage_1, stage_2 = per_stage(stats_1), per_stage(stats_2)
    stage_rows = []
    for key, label in (("read", "read + unpack (WARC/JSONL)"), ("extract", "decode + extract"),
                       ("analysis", "MinHash of the body"), ("write", "Parquet shard")):
        stage_rows.append([label, f"{stage_1[key] * 1000 / n:.2f}", f"{stage_2[key] * 1000 / n:.2f}", ""])

    def serial_cpu(run: dict[str, Any], key: str) -> str:
        return f"{run[key] * 1000 / n:.2f}" if key in run else "n/a"

    stage_rows.append(["merge (fold, publications, FTS)", f"{merged['merge'] * 1000 / n:.2f}", "(serial)",
                       serial_cpu(merged, "merge_cpu")])
    stage_rows.append(["stories and entities", f"{merged['stories'] * 1000 / n:.2f}", "(serial)",
                       serial_cpu(merged, "stories_cpu")])
    stage_rows.append(["local ingest, all of it", f"{local['total'] * 1000 / n:.2f}", "",
                       f"{(local['ingest_cpu'] + local['stories_cpu']) * 1000 / n:.2f}" if "ingest_cpu" in local else "n/a"])
    stage_rows.append(["extraction tasks, all stages", "", "", f"{cpu_ms(stats_1)} (1 worker), {cpu_ms(stats_2)} (2)"])
    section.add(Report(
        "Cost per capture by stage (ms)", ["stage", "wall, 1 worker", "wall, 2 workers", "processor time"], stage_rows,
        note="Stage times are wall time summed inside the shard tasks (a task waiting for a busy core counts); the"
             " processor time is what the tasks used of a core.",
    ))

    local_digest = archive_digest(work / "local.db")
    ray_digest = archive_digest(work / "ray.db")
    differing = sorted(t for t in local_digest if local_digest[t] != ray_digest.get(t))
    section.add(Report(
        "Archives compared (every row of every table in rowid order, full-text index content)",
        ["table", "rows", "local digest", "ray digest"],
        [[t, str(local_digest[t][0]), local_digest[t][1], ray_digest.get(t, (0, "missing"))[1]] for t in sorted(local_digest)],
        note=(f"local == ray (2 workers + merge): {not differing}" + (f"; differing: {differing}" if differing else "")
              + f". Shards of 1 and 2 workers identical row for row: {same_shards}."),
    ))
    speedup = extract_1 / extract_2
    section.say(f"Extraction 1 -> 2 workers: {speedup:.2f}× ({n / extract_1:.0f} -> {n / extract_2:.0f} captures/s).")

    if not args.no_results:
        write_results(section, args)


def write_results(section: Section, args: argparse.Namespace) -> None:
    command = f"nice -n 10 .venv/bin/python bench/scale.py --captures {args.captures} --seed {args.seed} --runs {args.runs}"
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [SECTION, "", f"Run of {when}: `{command}`", ""]
    for report in section.reports:
        body += [report.markdown(), ""]
    body += [f"- {finding}" for finding in section.findings] + [""]
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + "\n".join(body) + (text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(body)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
