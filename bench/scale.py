#!/usr/bin/env python3
"""Scale-out: a local ingest against `--engine ray` with 1 and 2 workers, on captures made from real ones.

    nice -n 10 .venv/bin/python bench/scale.py [--captures 20000] [--seed 13] [--per-file 250] [--work bench/out/scale]
        [--runs local,ray1,ray2,data1,data2,merge] [--no-results]
    # just the scaling of extraction, e.g. on a quiet machine:
    nice -n 10 .venv/bin/python bench/scale.py --captures 20000 --runs ray1,ray2

Captures. Every real capture (tests/data/dev, tests/data/stories-dev, examples/) is extracted once; its
headline, paragraphs, dates and addresses are then rewritten in its own bytes (its markup stays), so each
generated article is a real page with another article's text in it:
- a family's article: the base page with its paragraphs replaced by paragraphs drawn from every capture of
  its script (shuffled), a headline drawn likewise, its dates shifted by a per-family number of days, its
  original address given a per-family id;
- then, as a crawl meets them: a re-capture a few days later with one paragraph edited and two swapped
  (same address: folds), a copy in traditional script on a mirror (another publication), the very same
  bytes crawled again (unchanged), and a few damaged downloads (cut short: failures).
The captures go, in order, into WARC (.warc.gz) files and JSONL logs of `--per-file` each (250): one shard per file.

Runs. Each in a fresh archive, one after the other on this machine:
- local: `ingest()` then placing in stories, as `newsdesk ingest` does;
- ray N (N = 1, 2): a local Ray of N CPUs started (timed apart), then `extract_to_shards` (`--workers N`) with
  plain Ray tasks, as `newsdesk ingest --engine ray` runs;
- data N (N = 1, 2): the same as a Ray Data pipeline (`--ray-api data`);
- merge: the merge and stories of `newsdesk merge` on the 2-worker shards (the same serial code for every N);
  every run's shards are compared with them row for row.
`--runs` picks the runs to do now; runs done before in the same work folder are reported with them.
Reported: wall time and captures/s of each run, the 1 -> 2 worker speed-up of extraction with and without Ray's
start-up, the processor time per capture of each worker and of Ray itself (load-independent, so 1 and 2 workers
compare on a shared machine) and their ratio, Ray's own processor time by process (driver, raylet, GCS, ...),
the worker-seconds without a task (between tasks, the tail), the per-stage cost per capture (read/unpack, decode+extract,
MinHash, Parquet), and whether the archives are the same (a digest of every row of every table in rowid order
and of the full-text index).

Results are printed and written to bench/RESULTS.md, section "## Scale-out (bench/scale.py)".
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import itertools
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

from bench.benchkit import Report, Section, console, replace_section  # noqa: E402

from newsdesk.analysis.stories import Analysis  # noqa: E402
from newsdesk.archive.distributed import extract_to_shards  # noqa: E402
from newsdesk.archive.ingest import ingest  # noqa: E402
from newsdesk.archive.shards import ShardStats, merge_shards, plan  # noqa: E402
from newsdesk.archive.store import Archive  # noqa: E402
from newsdesk.extract import ExtractOptions, extract_capture  # noqa: E402

SOURCES = (ROOT / "tests/data/dev/captures", ROOT / "tests/data/stories-dev/captures", ROOT / "examples")
# Captures per generated file (one shard each): 80 shards at 20,000, so two workers end within a small shard of
# each other (shards are handed out largest first).
PER_CONTAINER = 250
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


def write_inputs(folder: Path, count: int, seed: int, per_file: int = PER_CONTAINER) -> list[Path]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    stamp = folder / f".complete-{count}-{seed}-{per_file}"
    if stamp.exists():
        return sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    captures = Generator(seed).captures(count)
    paths = []
    for number, start in enumerate(range(0, len(captures), per_file)):
        chunk = captures[start : start + per_file]
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


def _process_kind(pid: int, root: int, command: str) -> str:
    """What a process under the bench's is, from its command line (a Ray worker's is its title, `ray::...`)."""
    if pid == root:
        return "driver"
    for needle, kind in (("gcs_server", "GCS"), ("raylet/raylet", "raylet"), ("log_monitor.py", "log monitor"),
                         ("autoscaler/_private/monitor.py", "autoscaler monitor"), ("dashboard/dashboard.py",
                         "dashboard (usage stats)"), ("ray::DashboardAgent", "agents (dashboard, runtime env)"),
                         ("ray::RuntimeEnvAgent", "agents (dashboard, runtime env)")):
        if needle in command:
            return kind
    if command.startswith("ray::_") and "Actor" in command.split()[0]:
        return "Ray Data actors"  # _StatsActor, _AutoscalingCoordinatorActor
    return "workers"


def tree_cpu(root: int) -> dict[int, tuple[str, float]] | None:
    """Processor seconds used so far by a process and every process under it (Linux /proc), by process: a local
    Ray's daemons (GCS, raylet, agents) and its workers all descend from the driver that started it."""
    proc = Path("/proc")
    if not (proc / str(root) / "stat").exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    parent: dict[int, int] = {}
    used: dict[int, float] = {}
    commands: dict[int, str] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue  # ended meanwhile
        fields = text[text.rindex(")") + 2 :].split()
        parent[int(entry.name)] = int(fields[1])
        used[int(entry.name)] = (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
        commands[int(entry.name)] = command
    out: dict[int, tuple[str, float]] = {}
    for pid, seconds in used.items():
        ancestor = pid
        while ancestor not in (root, 0, 1) and ancestor in parent:
            ancestor = parent[ancestor]
        if ancestor == root:
            out[pid] = (_process_kind(pid, root, commands[pid]), seconds)
    return out


def cpu_by_kind(before: dict[int, tuple[str, float]] | None, after: dict[int, tuple[str, float]] | None
                ) -> dict[str, float] | None:
    """Processor seconds used between two `tree_cpu` readings, by kind of process (a process that ended between
    them is not counted: Ray's stay up until `ray.shutdown`)."""
    if before is None or after is None:
        return None
    out: dict[str, float] = {}
    for pid, (kind, seconds) in after.items():
        out[kind] = out.get(kind, 0.0) + seconds - (before[pid][1] if pid in before else 0.0)
    return out


def run_extract(inputs: list[Path], shards: Path, workers: int, api: str) -> dict[str, Any]:
    """Ray started (timed apart), the extraction with `api` (plain tasks or Ray Data), then Ray stopped; with the
    processor time of the tasks, of the driver and of every Ray process, so that Ray's own cost per capture shows."""
    import ray

    from newsdesk.archive.distributed import connect, warm_workers

    shutil.rmtree(shards, ignore_errors=True)
    options = ExtractOptions()
    units = plan(inputs, options, records_per_unit=RECORDS_PER_UNIT)
    started = time.perf_counter()
    connect(None, workers)
    try:
        # Start-up: Ray, then the worker processes loading extraction (one task each) and, for Ray Data, its actors.
        warmed = warm_workers(workers, options, api=api)
        startup = time.perf_counter() - started
        tree_before, driver_before = tree_cpu(os.getpid()), time.process_time()
        started = time.perf_counter()
        stats = extract_to_shards(units, shards, options, workers=workers, api=api)
        seconds = time.perf_counter() - started
        tree_after, driver_cpu = tree_cpu(os.getpid()), time.process_time() - driver_before
    finally:
        started = time.perf_counter()
        ray.shutdown()
        shutdown = time.perf_counter() - started
    by_kind = cpu_by_kind(tree_before, tree_after)
    return {"api": api, "workers": workers, "startup": startup, "seconds": seconds, "shutdown": shutdown,
            "driver_cpu": driver_cpu, "warmed": warmed, "cpu_by_kind": by_kind,
            "ray_cpu": sum(by_kind.values()) if by_kind is not None else None,
            "stats": [s.to_record() for s in stats]}


def run_merge(inputs: list[Path], shards: Path, db: Path) -> dict[str, float]:
    options = ExtractOptions()
    units = plan(inputs, options, records_per_unit=RECORDS_PER_UNIT)
    started, cpu = time.perf_counter(), time.process_time()
    with Archive(db) as archive:
        merge_shards([shards / u.name for u in units], archive)
    merged, merge_cpu = time.perf_counter() - started, time.process_time() - cpu
    stories, stories_cpu = place_stories(db)
    return {"merge": merged, "stories": stories, "merge_cpu": merge_cpu, "stories_cpu": stories_cpu}


# --records-per-shard: containers split into ranges of this many captures (`ingest --records-per-shard`); None:
# one shard per file. Use another --work folder for it: shards of either plan are compared row for row.
RECORDS_PER_UNIT: int | None = None


def stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%H:%M")


def remove_archive(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


# ray1, ray2: `--engine ray` as newsdesk runs it (plain Ray tasks); data1, data2: the same with `--ray-api data`
# (a Ray Data pipeline), so that both are measured in one invocation.
RUNS = ("local", "ray1", "ray2", "data1", "data2", "merge")
EXTRACT_RUNS = {"ray1": ("tasks", 1), "ray2": ("tasks", 2), "data1": ("data", 1), "data2": ("data", 2)}


def shard_folder(work: Path, key: str) -> Path:
    # ray1/ray2 keep the folder names of earlier runs (shards-1, shards-2)
    api, workers = EXTRACT_RUNS[key]
    return work / (f"shards-{workers}" if api == "tasks" else f"shards-{api}-{workers}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--captures", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--per-file", type=int, default=PER_CONTAINER, help="captures per generated WARC/JSONL file")
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "out" / "scale")
    parser.add_argument("--runs", default=",".join(RUNS),
                        help="runs to do now, of local,ray1,ray2,data1,data2,merge (ray: plain Ray tasks, data: Ray Data;"
                             " merge uses ray2's shards); the figures of runs done before in the same work folder are"
                             " reported with them")
    parser.add_argument("--no-results", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--records-per-shard", type=int, default=None,
                        help="split each file into shards of this many captures (as `ingest --records-per-shard`)")
    args = parser.parse_args()
    global RECORDS_PER_UNIT
    RECORDS_PER_UNIT = args.records_per_shard
    wanted = [run for run in args.runs.split(",") if run]
    if not wanted or set(wanted) - set(RUNS):
        parser.error(f"--runs takes some of {','.join(RUNS)}")
    work: Path = args.work
    section = Section(SECTION)
    load_before = os.getloadavg()

    started = time.perf_counter()
    inputs = write_inputs(work / "inputs", args.captures, args.seed, args.per_file)
    size = sum(p.stat().st_size for p in inputs)
    console.print(f"{args.captures} captures in {len(inputs)} files ({size / 1e6:.0f} MB): {time.perf_counter() - started:.0f} s")

    # Each run's figures are kept in the work folder, so a run can be repeated alone (on a quieter machine,
    # after a fix) and reported with the others.
    saved = work / f"runs-{args.captures}-{args.seed}-{args.per_file}.json"
    runs: dict[str, Any] = json.loads(saved.read_text()) if saved.exists() else {}
    if "local" in wanted:
        remove_archive(work / "local.db")
        runs["local"] = {**run_local(inputs, work / "local.db"), "at": stamp()}
        console.print(f"local: {runs['local']}")
        saved.write_text(json.dumps(runs))
    for key, (api, workers) in EXTRACT_RUNS.items():
        if key in wanted:
            runs[key] = {**run_extract(inputs, shard_folder(work, key), workers, api), "at": stamp()}
            console.print(f"{key} ({api}, {workers} worker(s)): start-up {runs[key]['startup']:.1f} s, extraction"
                          f" {runs[key]['seconds']:.1f} s")
            saved.write_text(json.dumps(runs))
    if "merge" in wanted:
        if not (work / "shards-2").is_dir():
            parser.error("merge needs the shards of a ray2 run in the work folder")
        remove_archive(work / "ray.db")
        runs["merge"] = {**run_merge(inputs, work / "shards-2", work / "ray.db"), "at": stamp()}
        console.print(f"merge: {runs['merge']}")
        saved.write_text(json.dumps(runs))
    report(section, runs, args.captures, inputs, size, work, load_before)
    if not args.no_results:
        write_results(section, args)


def _span(stats: list[ShardStats]) -> float | None:
    """From the first task's start to the last one's end: the run without Ray's start-up."""
    ran = [st for st in stats if st.started]
    return max(st.finished for st in ran) - min(st.started for st in ran) if ran else None


def _idle(stats: list[ShardStats]) -> tuple[float, float, float]:
    """Worker-seconds without a task within the span, in all: before a worker's first task, between its tasks (Ray
    handing it the next shard) and after its last (the tail); and the last two alone."""
    ran = [st for st in stats if st.started]
    if not ran:
        return 0.0, 0.0, 0.0
    first, last = min(st.started for st in ran), max(st.finished for st in ran)
    before = between = after = 0.0
    by_worker: dict[str, list[ShardStats]] = {}
    for st in ran:
        by_worker.setdefault(st.worker, []).append(st)
    for tasks in by_worker.values():
        tasks.sort(key=lambda st: st.started)
        before += tasks[0].started - first
        between += sum(max(0.0, b.started - a.finished) for a, b in itertools.pairwise(tasks))
        after += last - tasks[-1].finished
    return before + between + after, between, after


def _per_worker(stats: list[ShardStats]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for st in stats:
        worker = out.setdefault(st.worker or "?", {"shards": 0, "captures": 0, "cpu": 0.0, "warm": 0.0})
        worker["shards"] += 1
        worker["captures"] += st.captures
        worker["cpu"] += st.cpu_seconds
        worker["warm"] += getattr(st, "warm_seconds", 0.0)
    return out


def _label(key: str, run: dict[str, Any]) -> str:
    api, workers = EXTRACT_RUNS[key]
    api = run.get("api", "data")  # runs saved before plain tasks existed were Ray Data's
    flavour = "plain tasks" if api == "tasks" else "--ray-api data (Ray Data)"
    return f"--engine ray, {flavour}, {workers} worker{'s' if workers > 1 else ''}"


def report(section: Section, runs: dict[str, Any], n: int, inputs: list[Path], size: int, work: Path,
           load_before: tuple[float, float, float]) -> None:
    load_after = os.getloadavg()
    extracted = [key for key in EXTRACT_RUNS if key in runs]
    stats = {key: [ShardStats(**r) for r in runs[key]["stats"]] for key in extracted}
    spans = {key: _span(st) for key, st in stats.items()}
    merged = runs.get("merge")
    serial = merged["merge"] + merged["stories"] if merged else None
    when = "Runs (UTC): " + ", ".join(f"{k} {v['at']}" for k, v in runs.items()) + "."
    load = f"Load average before/after this invocation: {load_before[0]:.1f}/{load_after[0]:.1f} (1 min)."

    def one_worker(key: str) -> str | None:
        base = key[:-1] + "1"
        return base if base in runs else None

    rows = []
    if "local" in runs:
        local = runs["local"]
        rows.append(["local ingest (1 process)", "—", f"{local['ingest']:.0f}", f"{n / local['ingest']:.0f}", "—", "—",
                     "—", "—", "—", "—", f"{local['stories']:.0f}", f"{local['total']:.0f}"])
    for key in extracted:
        run = runs[key]
        base = runs.get(one_worker(key) or "")
        startup = run.get("startup")
        with_startup = run["seconds"] + (startup or 0.0)
        span = spans[key]
        base_span = spans.get(one_worker(key) or "")
        idle = _idle(stats[key])[0]
        rows.append([
            _label(key, run), f"{startup:.1f}" if startup else "n/a", f"{run['seconds']:.1f}", f"{n / run['seconds']:.0f}",
            f"{base['seconds'] / run['seconds']:.2f}×" if base else "n/a",
            f"{span:.1f}" if span else "n/a", f"{base_span / span:.2f}×" if span and base_span else "n/a",
            f"{idle:.1f}", f"{with_startup:.1f}",
            f"{(base['seconds'] + (base.get('startup') or 0.0)) / with_startup:.2f}×" if base else "n/a",
            f"{serial:.0f}" if serial else "n/a", f"{with_startup + serial:.0f}" if serial else "n/a",
        ])
    section.add(Report(
        f"Throughput, {n:,} captures ({len(inputs)} files, {size / 1e6:.0f} MB), this machine (2 cores)",
        ["run", "Ray start-up s", "extraction s", "captures/s", "vs 1 worker", "tasks' span s", "span vs 1 worker",
         "workers idle s", "with start-up s", "vs 1 worker", "merge+stories s", "total s"], rows,
        note=(f"{load} Extraction s is from handing the shards to Ray to the last one written, Ray already started"
              " (its start-up, the column before, is `ray.init` and a first run of one task per worker that loads"
              " extraction in the workers and, for Ray Data, starts its actors; 'with start-up' adds them); the tasks'"
              " span is from the first task's start to the last one's end; workers idle s is the worker-seconds"
              " within the span without a task (waiting for the first one, between two, after the last one). For the"
              f" local ingest, extraction s is `ingest()` (extraction and merge interleaved) and total s adds its"
              f" stories. {when}"),
    ))

    if stats:
        cpu_rows = []
        per_capture: dict[str, float] = {}
        kinds_seen: list[str] = []
        for key, shard_stats in stats.items():
            run = runs[key]
            for worker, w in sorted(_per_worker(shard_stats).items()):
                if w["captures"]:
                    cpu_rows.append([key, worker, str(int(w["shards"])), str(int(w["captures"])),
                                     f"{w['cpu'] * 1000 / w['captures']:.2f}", f"{w['warm']:.2f}"])
            task_cpu = sum(st.cpu_seconds for st in shard_stats)
            warm = sum(getattr(st, "warm_seconds", 0.0) for st in shard_stats)
            per_capture[key] = task_cpu * 1000 / n
            cpu_rows.append([key, "all workers: the tasks", str(len(shard_stats)), str(n),
                             f"{per_capture[key]:.2f}", f"{warm:.2f}"])
            if run.get("ray_cpu") is not None:
                overhead = run["ray_cpu"] - task_cpu - warm
                cpu_rows.append([key, "Ray itself (driver, daemons, workers outside tasks)", "", "",
                                 f"{overhead * 1000 / n:.3f}", ""])
            for kind in run.get("cpu_by_kind") or {}:
                if kind not in kinds_seen:
                    kinds_seen.append(kind)
        section.add(Report(
            "Processor time per capture (ms) of the extraction, by worker",
            ["run", "worker (host:pid)", "shards", "captures", "ms per capture", "one-time loading s"], cpu_rows,
            note=("Processor time, not wall time: it does not grow when other jobs share the cores, so 1 and 2 workers"
                  " compare on a loaded machine. 'One-time loading' is each worker's first import of extraction"
                  " (modules, dictionaries, MinHash permutations: shards.warm_up), kept out of the per-capture figure."
                  " Ray itself: every process under the bench's (Ray's daemons and workers) less the tasks."),
        ))
        if kinds_seen:
            order = ["driver", "raylet", "GCS", "log monitor", "autoscaler monitor", "dashboard (usage stats)",
                     "agents (dashboard, runtime env)", "Ray Data actors", "workers"]
            kinds_seen.sort(key=lambda k: order.index(k) if k in order else len(order))
            kind_rows = []
            for kind in kinds_seen:
                row = [kind if kind != "workers" else "workers outside tasks"]
                for key in extracted:
                    by_kind = runs[key].get("cpu_by_kind") or {}
                    seconds = by_kind.get(kind, 0.0)
                    if kind == "workers":
                        seconds -= sum(st.cpu_seconds + getattr(st, "warm_seconds", 0.0) for st in stats[key])
                    row.append(f"{seconds * 1000 / n:.3f}")
                kind_rows.append(row)
            kind_rows.append(["per second of extraction (ms of processor)", *(
                f"{(runs[key]['ray_cpu'] - sum(st.cpu_seconds + getattr(st, 'warm_seconds', 0.0) for st in stats[key])) * 1000 / runs[key]['seconds']:.1f}"
                if runs[key].get("ray_cpu") is not None else "n/a" for key in extracted)])
            section.add(Report(
                "Ray's own processor time per capture (ms), by process", ["process", *extracted], kind_rows,
                note="From /proc, between handing the shards to Ray and the last one written (start-up apart).",
            ))
        for api in ("ray", "data"):
            if f"{api}1" in per_capture and f"{api}2" in per_capture:
                one, two = per_capture[f"{api}1"], per_capture[f"{api}2"]
                section.say(f"{api}: processor time per capture in the tasks, 2 workers / 1 worker: {two / one:.2f}"
                            f" ({one:.2f} -> {two:.2f} ms): what two concurrent workers cost each other.")
        idle_rows = []
        for key in extracted:
            total, between, after = _idle(stats[key])
            tasks = sum(1 for st in stats[key] if st.started)
            idle_rows.append([key, str(tasks), f"{total:.2f}", f"{between:.2f}",
                              f"{between * 1000 / max(1, tasks):.0f}", f"{after:.2f}"])
        section.add(Report(
            "Workers without a task during the extraction (worker-seconds)",
            ["run", "tasks", "idle in all", "between tasks", "ms per task", "after the last (tail)"], idle_rows,
        ))

        def per_stage(shard_stats: list[ShardStats]) -> dict[str, float]:
            return {k: sum(getattr(s, f"{k}_seconds") for s in shard_stats) for k in ("read", "extract", "analysis", "write")}

        stages = {key: per_stage(st) for key, st in stats.items()}
        stage_rows = [[label, *(f"{stages[key][stage] * 1000 / n:.2f}" for key in stats)]
                      for stage, label in (("read", "read + unpack (WARC/JSONL)"), ("extract", "decode + extract"),
                                           ("analysis", "MinHash of the body"), ("write", "Parquet shard"))]
        if merged:
            stage_rows.append(["merge (fold, publications, FTS), serial", f"{merged['merge'] * 1000 / n:.2f}"
                               + (f" (processor {merged['merge_cpu'] * 1000 / n:.2f})" if "merge_cpu" in merged else "")]
                              + [""] * (len(stats) - 1))
            stage_rows.append(["stories and entities, serial", f"{merged['stories'] * 1000 / n:.2f}"
                               + (f" (processor {merged['stories_cpu'] * 1000 / n:.2f})" if "stories_cpu" in merged else "")]
                              + [""] * (len(stats) - 1))
        section.add(Report(
            "Cost per capture by stage (ms, wall time inside the tasks)", ["stage", *stats], stage_rows,
            note="Wall time summed inside the shard tasks: a task waiting for a busy core counts.",
        ))

    if "local" in runs and merged and (work / "local.db").exists() and (work / "ray.db").exists():
        local_digest = archive_digest(work / "local.db")
        ray_digest = archive_digest(work / "ray.db")
        differing = sorted(t for t in local_digest if local_digest[t] != ray_digest.get(t))
        section.add(Report(
            "Archives compared (every row of every table in rowid order, full-text index content)",
            ["table", "rows", "local digest", "ray digest"],
            [[t, str(local_digest[t][0]), local_digest[t][1], ray_digest.get(t, (0, "missing"))[1]]
             for t in sorted(local_digest)],
            note=f"local == ray (2 workers + merge): {not differing}" + (f"; differing: {differing}" if differing else ""),
        ))
    folders = [shard_folder(work, key) for key in EXTRACT_RUNS if shard_folder(work, key).is_dir()]
    if len(folders) > 1:
        digests = {folder.name: shard_digest(folder) for folder in folders}
        section.say(f"Shards of {', '.join(digests)} identical row for row: {len(set(digests.values())) == 1}.")
    for api in ("ray", "data"):
        if f"{api}1" in stats and f"{api}2" in stats:
            one, two = runs[f"{api}1"], runs[f"{api}2"]
            ratio = one["seconds"] / two["seconds"]
            with_startup = (one["seconds"] + (one.get("startup") or 0)) / (two["seconds"] + (two.get("startup") or 0))
            flavour = "plain tasks" if two.get("api", "data") == "tasks" else "Ray Data"
            section.say(f"{flavour}: extraction 1 -> 2 workers {ratio:.2f}× without Ray's start-up"
                        f" ({n / one['seconds']:.0f} -> {n / two['seconds']:.0f} captures/s), {with_startup:.2f}× with it.")


def write_results(section: Section, args: argparse.Namespace) -> None:
    command = (f"nice -n 10 .venv/bin/python bench/scale.py --captures {args.captures} --seed {args.seed}"
               f" --per-file {args.per_file} --runs {args.runs}")
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    body = [SECTION, "", f"Run of {when}: `{command}`", ""]
    for report in section.reports:
        body += [report.markdown(), ""]
    body += [f"- {finding}" for finding in section.findings] + [""]
    replace_section(RESULTS, SECTION, "\n".join(body))


if __name__ == "__main__":
    main()
