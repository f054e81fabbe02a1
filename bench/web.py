#!/usr/bin/env python3
"""Benchmark `newsdesk serve`: latency of the search, article, story and entity pages and their /api/ twins
on the 100,000-article benchmark archive.

    .venv/bin/python bench/web.py [--articles N] [--requests N] [--rebuild] [--no-results]

The archive is bench/archive.py's search archive (the same generator, seed and real captures: synthetic
articles recombining the real articles' sentences, dates 2018-2024, outlets as often as the real captures
have them), inserted with `Archive.add_capture`, then every article placed in stories and its entities
read with `Analysis.update()` chunk by chunk, as `newsdesk ingest` does after extracting. It is cached
under bench/out/web/ with a manifest (generator, seed, real captures, archive and analysis code) and
reused while they match; --rebuild forces a build.

A real `newsdesk serve` (uvicorn, one process) is started on a free port of 127.0.0.1; one client
(httpx, keep-alive) asks one request at a time. Each kind of request is warmed up (20 requests, not
timed) and then timed --requests times (default 200) over distinct articles, stories and entities
drawn at random (a request repeats an earlier one only when there are fewer than that many), plus
realistic queries in both scripts with and without filters. Times are wall-clock from request to the
last byte of the body, on a machine other helpers share (load average printed).

Results are printed and written to bench/RESULTS.md, section "## Web latency (bench/web.py)" (only that
section is replaced).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

from benchkit import replace_section

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out" / "web"
RESULTS = BENCH / "RESULTS.md"
SECTION = "## Web latency (bench/web.py)"
ANALYSIS_CODE = ["stories.py", "entities.py"]

# Issue 11's targets, p95 in ms.
TARGETS = {"search": 100.0, "article": 150.0, "story": 150.0, "entity": 150.0}
WARM_UP = 20
# Bumped whenever build() or replicate() changes what they make, so a cached archive is rebuilt.
BUILD_VERSION = 2
CHUNK = 5_000

# What a reader of Chinese news types: names in either script, places, topics, phrases, boolean queries.
QUERIES = [
    "普京", "普丁", "拉夫羅夫", "布林肯", "习近平 台湾", "習近平 台灣", "乌克兰", "烏克蘭 戰爭", "新冠 疫情",
    "\"外交部发言人\"", "美国 OR 欧盟", "香港 NOT 澳门", "北极理事会", "泽连斯基", "经济 增长",
]


def log(message: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


# --- the archive -------------------------------------------------------------------------------


def _digest(folder: Path, names: list[str]) -> str:
    h = hashlib.sha256()
    for name in names:
        path = folder / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def ensure_archive(n: int, copies: int, rebuild: bool) -> tuple[Path, dict[str, object]]:
    """The benchmark archive of `n` articles with stories and entities, built unless a matching one is cached."""
    import archive as archive_bench  # bench/archive.py: its generator and real captures

    sources, _ = archive_bench.load_reals()
    pool = archive_bench.pool_articles(sources)
    want = {
        "build": BUILD_VERSION, "generator": archive_bench.GENERATOR_VERSION, "seed": archive_bench.SEED, "articles": n, "copies": copies,
        "pool": archive_bench.pool_digest(pool), "code": archive_bench.code_digest(),
        "analysis": _digest(REPO / "src" / "newsdesk" / "analysis", ANALYSIS_CODE),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"web-{n}.db"
    manifest_path = db.with_suffix(".json")
    if not rebuild and db.exists() and manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if {k: manifest.get(k) for k in want} == want:
            log(f"reusing {db} (built {manifest.get('built')})")
            return db, {**manifest, "cached": True}
        log(f"cached {db.name} is stale (generator, captures or code changed): rebuilding")
    manifest = {**want, **build(db, pool, n, copies, archive_bench.synthetic_articles), "built": datetime.now(UTC).isoformat(timespec="seconds")}
    manifest_path.write_text(json.dumps(manifest, indent=1))
    return db, {**manifest, "cached": False}


def build(db: Path, pool: list, n: int, copies: int, synthetic_articles) -> dict[str, object]:  # type: ignore[type-arg]
    from newsdesk.analysis.stories import Analysis
    from newsdesk.archive.store import Archive

    for path in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        path.unlink(missing_ok=True)
    base = n // copies
    started = time.perf_counter()
    insert_s = place_s = 0.0
    with Archive(db) as archive:
        articles = synthetic_articles(pool, base)
        done = 0
        while done < base:
            # Chunk by chunk, as successive ingests would: insert, then place what arrived.
            t0 = time.perf_counter()
            archive.begin()
            for sha, article in articles:
                archive.add_capture(sha, article)
                done += 1
                if done % CHUNK == 0:
                    break
            archive.commit()
            t1 = time.perf_counter()
            archive.begin()
            Analysis(archive).update()
            archive.commit()
            t2 = time.perf_counter()
            insert_s += t1 - t0
            place_s += t2 - t1
            log(f"{done:,} articles: insert {t1 - t0:.0f} s, place {t2 - t1:.0f} s (total {t2 - started:.0f} s)")
    t3 = time.perf_counter()
    replicate(db, copies)
    replicate_s = time.perf_counter() - t3
    log(f"replicated x{copies} in {replicate_s:.0f} s")
    with Archive(db) as archive:
        counts = archive.counts()
    return {"base": base, "copies": copies, "insert_s": round(insert_s), "place_s": round(place_s),
            "replicate_s": round(replicate_s), "bytes": db.stat().st_size, "counts": counts}


def replicate(db: Path, copies: int) -> None:
    """Copies 2..`copies` of every placed article, under new ids, with its capture, revision, publication,
    mentions, story (a copy of the story, its terms and members) and full-text row: the archive then holds
    `copies` times as many articles, stories and mentions as were placed, with the generator's own spread
    of dates and outlets. Signatures and LSH bands (used only when folding new captures) are not copied."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous=OFF")

    def new_id(old: str | None, k: int) -> str | None:
        return None if old is None else hashlib.sha256(f"{old}:{k}".encode()).hexdigest()[:len(old)]

    conn.create_function("rid", 2, new_id, deterministic=True)
    top = {t: conn.execute(f"SELECT COALESCE(MAX(seq), 0) FROM {t}").fetchone()[0]
           for t in ("articles", "captures", "publications", "stories")}
    columns = {t: [row[1] for row in conn.execute(f"PRAGMA table_info({t})")]
               for t in ("articles", "captures", "revisions", "publications", "stories", "story_articles",
                         "story_terms", "mentions")}
    # Which columns hold ids that must be new in a copy; `seq` columns are offset; the rest is kept.
    ids = {"articles": {"id"}, "captures": {"sha256", "article_id", "publication_id"}, "revisions": {"article_id"},
           "publications": {"id", "article_id"}, "stories": {"id"}, "story_articles": {"article_id", "story_id"},
           "story_terms": {"story_id"}, "mentions": {"article_id"}}
    conn.execute("BEGIN")
    for k in range(1, copies):
        for table, names in columns.items():
            select = []
            for name in names:
                if name == "seq":
                    select.append(f"seq + {k * top[table]}")
                elif name in ids[table]:
                    select.append(f"rid({name}, {k})")
                elif name in {"best_capture", "first_capture"}:
                    select.append(f"{name} + {k * top['captures']}")  # a capture's seq
                elif table == "captures" and name == "path":
                    select.append(f"path || '#copy{k}'")
                else:
                    select.append(name)
            where = f" WHERE seq <= {top[table]}" if table in top else ""
            if table not in top:
                # Tables without seq: copy only the originals (their ids are the base's).
                key = "story_id" if table == "story_terms" else "article_id"
                source = "stories" if table == "story_terms" else "articles"
                where = f" WHERE {key} IN (SELECT id FROM {source} WHERE seq <= {top[source]})"
            conn.execute(f"INSERT INTO {table}({', '.join(names)}) SELECT {', '.join(select)} FROM {table}{where}")
        conn.execute(f"INSERT INTO article_fts(rowid, title, body, facets) SELECT rowid + {k * top['articles']},"
                     f" title, body, facets FROM article_fts WHERE rowid <= {top['articles']}")
        log(f"copy {k + 1} of {copies}")
    conn.execute(f"UPDATE term_df SET df = df * {copies}")
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: Path) -> tuple[subprocess.Popen[bytes], str]:
    import httpx

    port = free_port()
    newsdesk = Path(sys.executable).parent / "newsdesk"
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    process = subprocess.Popen([str(newsdesk), "serve", "--db", str(db), "--port", str(port)], env=env)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("newsdesk serve exited")
        try:
            if httpx.get(base + "/api/counts", timeout=5).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("newsdesk serve did not answer within 120 s")


# --- the measurement ---------------------------------------------------------------------------


@dataclass
class Kind:
    name: str       # search, article, story, entity
    api: bool
    urls: list[str]

    @property
    def label(self) -> str:
        return ("/api/ " if self.api else "page ") + self.name


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q * len(ordered) + 0.5)))
    return ordered[rank - 1]


def search_urls(outlets: list[str], rng: random.Random, requests: int, api: bool) -> list[str]:
    """Queries alone, with an outlet, a date range, an entity, and later pages, in turn."""
    urls = []
    for i in range(requests):
        query = QUERIES[i % len(QUERIES)]
        params: dict[str, str | int] = {"q": query}
        variant = (i // len(QUERIES)) % 5
        if variant == 1:
            params["outlet"] = rng.choice(outlets)
        elif variant == 2:
            year = rng.randrange(2018, 2025)
            params |= {"since": f"{year}-01-01", "until": f"{year}-06-30"}
        elif variant == 3:
            params["entity"] = rng.choice(["普京", "拜登", "习近平", "泽连斯基"])
        elif variant == 4:
            if api:
                params["offset"] = 20 * rng.randrange(1, 5)
            else:
                params["page"] = rng.randrange(2, 6)
        urls.append(("/api/search?" if api else "/search?") + urlencode(params))
    return urls


def sample(conn: sqlite3.Connection, sql: str, n: int, rng: random.Random) -> list[str]:
    values = [row[0] for row in conn.execute(sql)]
    rng.shuffle(values)
    if len(values) >= n:
        return values[:n]
    return [values[i % len(values)] for i in range(n)]


def plan(db: Path, requests: int, seed: int = 11) -> list[Kind]:
    rng = random.Random(seed)
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    articles = sample(conn, "SELECT id FROM articles", requests * 2, rng)
    stories = sample(conn, "SELECT id FROM stories", requests * 2, rng)
    # Entities as readers reach them: those the archive names (a link on an article page), the commonest
    # (hundreds of thousands of mentions: the slowest) among them as often as the archive has them.
    entities = sample(conn, "SELECT e.name FROM mentions m JOIN entities e ON e.id = m.entity_id"
                      " GROUP BY e.id HAVING COUNT(*) >= 5", requests * 2, rng)
    outlets = [row[0] for row in conn.execute("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL")]
    conn.close()
    kinds = []
    for api in (False, True):
        prefix = "/api" if api else ""
        offset = requests if api else 0  # the page and its twin ask for different items: no memo shared
        kinds += [
            Kind("search", api, search_urls(outlets, rng, requests, api)),
            Kind("article", api, [f"{prefix}/articles/{quote(a, safe='')}" for a in articles[offset:offset + requests]]),
            Kind("story", api, [f"{prefix}/stories/{quote(s, safe='')}" for s in stories[offset:offset + requests]]),
            Kind("entity", api, [f"{prefix}/entities/{quote(e, safe='')}" for e in entities[offset:offset + requests]]),
        ]
    return kinds


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the server process so far (Linux /proc): what a request costs the server,
    whatever else the machine is running meanwhile."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(base: str, kinds: list[Kind], pid: int) -> list[tuple[Kind, list[float], list[tuple[float, str]], float]]:
    import httpx

    results = []
    with httpx.Client(base_url=base, timeout=120) as client:
        for kind in kinds:
            # Warm-up on other requests of the same kind (the last ones, reversed): code paths, page cache.
            for url in kind.urls[::-1][:WARM_UP]:
                client.get(url)
            times = []
            slowest: list[tuple[float, str]] = []
            cpu_before = cpu_seconds(pid)
            for url in kind.urls:
                started = time.perf_counter()
                response = client.get(url)
                _ = response.content
                elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {response.status_code} {response.text[:300]}")
                times.append(elapsed)
                slowest.append((elapsed, url))
            cpu_ms = (cpu_seconds(pid) - cpu_before) * 1000 / len(times)
            slowest.sort(reverse=True)
            results.append((kind, times, slowest[:3], cpu_ms))
            log(f"{kind.label}: p50 {quantile(times, 0.5):.1f} ms, p95 {quantile(times, 0.95):.1f} ms,"
                f" server CPU {cpu_ms:.1f} ms/request, load {os.getloadavg()[0]:.1f}")
    return results


def table(results: list[tuple[Kind, list[float], list[tuple[float, str]], float]]) -> list[str]:
    lines = ["| request | n | p50 ms | p95 ms | max ms | server CPU ms/request (mean) | target p95 | met |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for kind, times, _, cpu_ms in results:
        p95 = quantile(times, 0.95)
        target = TARGETS[kind.name]
        lines.append(f"| {kind.label} | {len(times)} | {quantile(times, 0.5):.1f} | {p95:.1f} | {max(times):.1f} |"
                     f" {cpu_ms:.1f} | < {target:.0f} | {'yes' if p95 < target else 'NO'} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--copies", type=int, default=10,
                        help="articles placed = --articles / --copies; the rest are copies of them (see replicate)")
    parser.add_argument("--requests", type=int, default=200, help="timed requests of each kind")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached archive")
    parser.add_argument("--build-only", action="store_true", help="build (or check) the archive and stop")
    parser.add_argument("--no-results", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument("--only", help="time only these kinds of request, e.g. `search` or `search,entity`"
                        " (pages and /api/ twins; a comparison of two versions on a busy machine)")
    parser.add_argument("--db", type=Path, help="measure this archive as it is (e.g. an older build opened once by the "
                        "current newsdesk, so its migrations and quotes are done) instead of the cached or built one")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "src"))

    if args.db is not None:
        manifest_path = args.db.with_suffix(".json")
        manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {"seed": "?"}
        db, manifest = args.db, {**manifest, "cached": True}
    else:
        db, manifest = ensure_archive(args.articles, args.copies, args.rebuild)
    if args.build_only:
        return
    kinds = plan(db, args.requests)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        kinds = [kind for kind in kinds if kind.name in wanted]
    process, base = start_server(db)
    try:
        results = measure(base, kinds, process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    lines = table(results)
    print("\n".join(lines))
    slow = [f"- {kind.label}: " + ", ".join(f"{ms:.0f} ms {url}" for ms, url in worst) for kind, _, worst, _ in results]
    print("\n".join(slow))
    if args.no_results:
        return
    counts = manifest.get("counts", {})
    command = "python bench/web.py" + (f" --articles {args.articles}" if args.articles != 100_000 else "") + (
        f" --requests {args.requests}" if args.requests != 200 else "")
    body = "\n".join([
        SECTION, "",
        f"`{command}` ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f} on 2 cores"
        " shared with other sessions)", "",
        f"Archive: {counts.get('articles', '?'):,} articles" if isinstance(counts.get("articles"), int) else "Archive:",
        f"(bench/archive.py's generator, seed {manifest['seed']}), stories and entities placed by Analysis.update()"
        f" chunk by chunk; built in {manifest.get('insert_s')} s insert + {manifest.get('place_s')} s placing"
        f"{' (cached)' if manifest.get('cached') else ''}, {int(manifest.get('bytes', 0)) / 1e6:,.0f} MB.", "",
        "One `newsdesk serve` process on 127.0.0.1, one keep-alive client, one request at a time; "
        f"{WARM_UP} warm-up requests per kind, then distinct items (articles, stories, entities drawn at random;"
        " search: 15 queries in both scripts, alone, with an outlet, a half-year, an entity, or a later page).", "",
        *lines, "", "Slowest requests:", *slow, "",
    ])
    replace_section(RESULTS, SECTION, body)


if __name__ == "__main__":
    main()
