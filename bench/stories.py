#!/usr/bin/env python3
"""Benchmark stories and entities: grouping quality, threshold sensitivity, alias resolution, speed.

    .venv/bin/python bench/stories.py [--only grouping,own,orders,sweep,aliases,speed,fresh] [--orders N] [--rebuild] [--retime]
                                      [--jobs N] [--speed-budget SECONDS] [--speed-max N]
                                      [--no-results]

grouping  stories-dev (../shared/eval/stories-dev): `newsdesk ingest DIR` into a fresh archive (which
          places the articles), `newsdesk stories --format jsonl`, scored with the logic of
          ../shared/eval/bcubed.py (B-cubed and pairwise) and cross-checked against that script's own
          output. Also: B-cubed over other arrival orders of same-day and undated articles (incremental
          placement depends on order), and whether one Analysis per article (one ingest per capture)
          gives the same stories as one for all.
own       Our labels, bench/data/stories-own/events.json: real captures from examples/, tests/data/dev
          and stories-dev, read and labelled by event: several reports of one event, look-alike events on
          the same people within days, singletons from the same days and outlets, and re-reported
          variants of real captures (bench/data/stories-own/variants/, made here: traditional script via
          OpenCC s2tw, paragraphs re-wrapped, another site's page) that must land in their source's story.
          Scored the same way; the five seeds of examples/ are checked alone and inside the set.
sweep     JOIN_THRESHOLD × TEXT_SHARE, and NEAR_DAY_BONUS, UNDATED_MARGIN, DAYS_AFTER, ENTITY_IDF_POWER,
          IDF_PSEUDO_DOCS, PLACES_ONLY_SHARE, WORDLESS_TEXT one at a time,
          monkeypatched in newsdesk.analysis.stories; every article placed again from scratch on a copy of
          each archive (analysis tables emptied), in the ingest order and two shuffled ones.
aliases   bench/data/alias-pairs.tsv: surface forms that must (or must not) be one entity with
          `bundled_gazetteer().lookup(a) is lookup(b)`; then the bilingual sentences of
          bench/data/alias-sentences.tsv (real captures, a few composed) through `extract_mentions`, on an
          empty `Gazetteer()` and on the bundled one, and the pairs they should teach.
          Problems found are re-run as small reproducers ("Problems found").
speed     CPU and wall seconds to place 1,000 articles added to an archive of N (a new Analysis,
          update(), commit: what `newsdesk ingest` does after extracting), pinned to one core. The archive
          is synthetic: mutated real articles (headlines, dates, outlets, paragraph order and mix varied;
          a share naming a person never seen before, at the rate real captures teach the gazetteer new
          names) inserted with `Archive.add_capture`, 1,000 per transaction, each batch then placed and
          timed. At N = 1k, 2k, 5k, 10k, 20k, ... the state is kept (snapshot) and the same batch is also
          placed with MAX_CANDIDATES lifted, to show what the cap changes. Snapshots and timings are cached
          under bench/out/stories/speed
          (--rebuild starts over, --retime times cached checkpoints again).

fresh     bench/data/stories-fresh/events.json: 72 real captures of 21 events (nine outlets, June-July 2020) labelled
          by reading before newsdesk ran on them, kept out of every tuning: scored through the CLI like the others,
          figures only (which events merge or split is not printed, so that nothing is tuned on it). Never part of
          the default run nor of sweep or orders: ask for it by name.
orders    The labelled real captures of both sets in --orders (20) random arrival orders: one ingest each,
          2-12 ingests each, and 2-12 ingests then Analysis.rebuild(); same stories (and ids) as the reference?

Results are printed and written to bench/RESULTS.md, section SECTION below (only that section is replaced). Scratch files go to bench/out/stories/ (git-ignored).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import hashlib
import html
import itertools
import json
import multiprocessing as mp
import os
import platform
import pstats
import random
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import opencc

import newsdesk.analysis.entities as entities_mod
import newsdesk.analysis.stories as stories_mod
import newsdesk.archive.store as store_mod
from benchkit import Report, Section, console, pin, replace_section, timed_core
from newsdesk.analysis.entities import Gazetteer, bundled_gazetteer, extract_mentions
from newsdesk.analysis.stories import Analysis
from newsdesk.archive import Archive, ingest
from newsdesk.extract import extract_capture
from newsdesk.model import Article

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out" / "stories"
DATA = BENCH / "data"
# The shared materials sit beside the main checkout (../shared), two levels up from a worktree.
SHARED = next((p / "shared" for p in REPO.parents if (p / "shared" / "eval").is_dir()), REPO.parent / "shared")
STORIES_DEV = SHARED / "eval" / "stories-dev"
SCORER = SHARED / "eval" / "bcubed.py"
OWN_EVENTS = DATA / "stories-own" / "events.json"
FRESH_EVENTS = DATA / "stories-fresh" / "events.json"
VARIANTS = DATA / "stories-own" / "variants"
ALIAS_PAIRS = DATA / "alias-pairs.tsv"
ALIAS_SENTENCES = DATA / "alias-sentences.tsv"
DEV = REPO / "tests" / "data" / "dev" / "captures"


def repo_path(relative: str) -> Path:
    """A path as the label files write it: from the repository root, `../shared/` for the shared materials."""
    return SHARED / relative.removeprefix("../shared/") if relative.startswith("../shared/") else REPO / relative


EXAMPLES = REPO / "examples"
RESULTS = BENCH / "RESULTS.md"
# Issue 12 writes its own section; the earlier "## Stories and entities (bench/stories.py)" stays as it was measured.
SECTION = "## Stories in canonical order, --rebuild, look-alike events (issue 12, bench/stories.py)"
NEWSDESK = str(Path(sys.executable).parent / "newsdesk")

# The tables Analysis fills; emptying them makes the next update() place every article from scratch.
ANALYSIS_TABLES = ("mentions", "stories", "story_articles", "story_terms", "term_df", "entities")
SEEDS = {
    "000": "000_b8f021c9504a85f9.txt", "001": "001_f89465e053944e23.txt", "002": "002_583555913b494f65.txt",
    "003": "003_8eeb793550cba062.txt", "004": "004_1de7367779586eca.txt",
}

THRESHOLDS = [0.25, 0.30, 0.35, 0.40, 0.45, 0.50]
TEXT_SHARES = [0.35, 0.5, 0.65, 0.8]
ONE_AT_A_TIME: dict[str, list[float]] = {
    "NEAR_DAY_BONUS": [0.0, 0.05, 0.1, 0.15, 0.2],
    "UNDATED_MARGIN": [0.0, 0.05, 0.1, 0.2, 0.3],
    "DAYS_AFTER": [2, 3, 5, 7, 10],
    "ENTITY_IDF_POWER": [0.0, 0.25, 0.5, 0.75, 1.0],
    "IDF_PSEUDO_DOCS": [0, 10, 50, 200, 1000],
    "PLACES_ONLY_SHARE": [0.2, 0.3, 0.5, 0.7, 1.0],
    "WORDLESS_TEXT": [0.0, 0.02, 0.05, 0.1, 0.15],
}
ORDERS = 5
ORDER_SPREAD: dict[str, float] = {}  # B³ F1 range over arrival orders, per label set (from the grouping run)
SWEEP_ORDERS = 2  # shuffled arrival orders per sweep setting, besides the ingest order

SEED = 20261202
CHUNK = 1000
CHECKPOINTS = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000]
SPEED_TARGET_S = 60.0  # 1,000 added to 100,000 in under a minute on one core
REQUIRED_N = 10_000    # always measured, whatever the budget
ARTICLES_PER_DAY = 100  # a mid-sized aggregator: 100,000 articles are about three years
START = date(2021, 1, 1)
PROFILE_ARTICLES = 200

S2TW = opencc.OpenCC("s2tw")
T2S = opencc.OpenCC("t2s")


# ---------------------------------------------------------------------------------------------
# Reporting: every table is printed with rich and kept as markdown for RESULTS.md.


def f3(x: float) -> str:
    return f"{x:.3f}"


# ---------------------------------------------------------------------------------------------
# Scoring: the logic of ../shared/eval/bcubed.py, kept exact so both agree to the last digit.


@dataclass(frozen=True)
class Score:
    items: int
    gold_events: int
    pred_stories: int
    b3_p: float
    b3_r: float
    b3_f1: float
    pair_p: float
    pair_r: float
    pair_f1: float

    def as_scorer(self) -> dict[str, Any]:
        """The JSON bcubed.py prints, for the cross-check."""
        return {"items": self.items, "gold_events": self.gold_events, "pred_stories": self.pred_stories,
                "bcubed_p": round(self.b3_p, 4), "bcubed_r": round(self.b3_r, 4), "bcubed_f1": round(self.b3_f1, 4),
                "pair_p": round(self.pair_p, 4), "pair_r": round(self.pair_r, 4), "pair_f1": round(self.pair_f1, 4)}


def predicted(gold: dict[str, str], stories: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Story of each gold capture (by base name, as bcubed.py keys them); unplaced ones stand alone."""
    pred: dict[str, Any] = {}
    for n, story in enumerate(stories):
        sid = story.get("id", n)
        for art in story.get("articles", []):
            for cap in art.get("captures", []):
                name = Path(str(cap)).name
                if name in gold:
                    pred[name] = sid
    for i, name in enumerate(sorted(set(gold) - set(pred))):
        pred[name] = ("unassigned", i)
    return pred


def score(gold: dict[str, str], stories: Iterable[dict[str, Any]]) -> Score:
    pred = predicted(gold, stories)
    items = sorted(gold)
    by_gold: dict[Any, set[str]] = defaultdict(set)
    by_pred: dict[Any, set[str]] = defaultdict(set)
    for it in items:
        by_gold[gold[it]].add(it)
        by_pred[pred[it]].add(it)
    prec = sum(len(by_pred[pred[i]] & by_gold[gold[i]]) / len(by_pred[pred[i]]) for i in items) / len(items)
    rec = sum(len(by_pred[pred[i]] & by_gold[gold[i]]) / len(by_gold[gold[i]]) for i in items) / len(items)
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    tp = fp = fn = 0
    for a, b in itertools.combinations(items, 2):
        same_g, same_p = gold[a] == gold[b], pred[a] == pred[b]
        tp += same_g and same_p
        fp += same_p and not same_g
        fn += same_g and not same_p
    pp = tp / (tp + fp) if tp + fp else 1.0
    pr = tp / (tp + fn) if tp + fn else 1.0
    pf = 2 * pp * pr / (pp + pr) if pp + pr else 0.0
    return Score(len(items), len(by_gold), len(by_pred), prec, rec, f1, pp, pr, pf)


def scorer_agrees(events: Path, jsonl: Path, mine: Score) -> str:
    """Run bcubed.py itself on the same files: the bench must not drift from the official scorer."""
    if not SCORER.exists():
        return f"{SCORER} missing: not cross-checked"
    out = subprocess.run([sys.executable, str(SCORER), str(events), str(jsonl)], capture_output=True, text=True,
                         check=True).stdout
    theirs = json.loads(out)
    return "identical" if theirs == mine.as_scorer() else f"DIFFERS: bcubed.py says {theirs}, bench {mine.as_scorer()}"


def errors(gold: dict[str, str], stories: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """(stories merging several gold events, gold events split over several stories), for the report."""
    pred = predicted(gold, stories)
    by_pred: dict[Any, list[str]] = defaultdict(list)
    by_gold: dict[str, set[Any]] = defaultdict(set)
    for name in sorted(gold):
        by_pred[pred[name]].append(gold[name])
        by_gold[gold[name]].add(pred[name])
    merged = ["+".join(f"{e}×{n}" if n > 1 else e for e, n in Counter(evs).items())
              for evs in by_pred.values() if len(set(evs)) > 1]
    split = [f"{e}→{len(s)}" for e, s in by_gold.items() if len(s) > 1]
    return sorted(merged), sorted(split)


def score_row(name: str, s: Score) -> list[str]:
    return [name, str(s.items), str(s.gold_events), str(s.pred_stories), f3(s.b3_p), f3(s.b3_r), f3(s.b3_f1),
            f3(s.pair_p), f3(s.pair_r), f3(s.pair_f1)]


SCORE_COLUMNS = ["set", "captures", "gold events", "stories", "B³ P", "B³ R", "B³ F1", "pair P", "pair R", "pair F1"]


# ---------------------------------------------------------------------------------------------
# Archives: the CLI end to end, and replays of placement on copies.


def _remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)


def cli_archive(paths: Sequence[Path], db: Path) -> tuple[list[dict[str, Any]], Path]:
    """`newsdesk ingest PATHS --db F` (which places articles) then `newsdesk stories --format jsonl`."""
    db.parent.mkdir(parents=True, exist_ok=True)
    _remove_db(db)
    subprocess.run([NEWSDESK, "ingest", *map(str, paths), "--db", str(db)], capture_output=True, text=True, check=True)
    out = subprocess.run([NEWSDESK, "stories", "--db", str(db), "--format", "jsonl"], capture_output=True, text=True,
                         check=True).stdout
    jsonl = db.with_suffix(".stories.jsonl")
    jsonl.write_text(out, encoding="utf-8")
    return [json.loads(line) for line in out.splitlines() if line.strip()], jsonl


def copy_db(src: Path, dst: Path) -> None:
    """A consistent copy through SQLite's backup API (the source may have a WAL beside it)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    _remove_db(dst)
    with contextlib.closing(sqlite3.connect(src)) as s, contextlib.closing(sqlite3.connect(dst)) as d:
        s.backup(d)


@contextlib.contextmanager
def patched(overrides: dict[str, float]) -> Iterator[None]:
    """The module constants are read at call time, so setting them on the module retunes placement."""
    saved = {name: getattr(stories_mod, name) for name in overrides}
    try:
        for name, value in overrides.items():
            setattr(stories_mod, name, type(saved[name])(value))
        yield
    finally:
        for name, value in saved.items():
            setattr(stories_mod, name, value)


def reset_analysis(archive: Archive) -> None:
    archive.begin()
    for table in ANALYSIS_TABLES:
        archive.conn.execute(f"DELETE FROM {table}")
    archive.commit()


def replay(src: Path, scratch: Path, overrides: dict[str, float] | None = None,
           one_at_a_time: bool = False, order_seed: int | None = None) -> list[dict[str, Any]]:
    """Place every article of `src` again from scratch (on a copy), optionally with constants patched;
    `one_at_a_time` opens a new Analysis per article, as one `newsdesk ingest` per capture would;
    `order_seed` shuffles articles of the same day (and the undated ones), as another ingest order would."""
    copy_db(src, scratch)
    with Archive(scratch) as archive, patched(overrides or {}):
        reset_analysis(archive)
        if order_seed is not None:
            analysis = Analysis(archive)
            day = {a: (p or "")[:10] for a, p in archive.conn.execute("SELECT id, published FROM articles")}
            rng = random.Random(order_seed)
            shuffled = sorted(analysis.pending(), key=lambda a: (day[a] == "", day[a], rng.random()))
            analysis.pending = lambda: shuffled  # type: ignore[method-assign]
            archive.begin()
            analysis.update()
            archive.commit()
        elif one_at_a_time:
            order = Analysis(archive).pending()
            # Hide all but one pending article at a time: the same order, a new Analysis each time.
            for article_id in order:
                analysis = Analysis(archive)
                analysis.pending = lambda article_id=article_id: [article_id]  # type: ignore[method-assign]
                archive.begin()
                analysis.update()
                archive.commit()
        else:
            analysis = Analysis(archive)
            archive.begin()
            analysis.update()
            archive.commit()
        rows = [row.to_record() for row in Analysis(archive).stories()]
    _remove_db(scratch)
    return rows


def partition(stories: list[dict[str, Any]]) -> set[frozenset[str]]:
    return {frozenset(c for a in s["articles"] for c in a["captures"]) for s in stories}


# ---------------------------------------------------------------------------------------------
# Label sets.


@dataclass
class LabelSet:
    name: str
    events_file: Path
    events: list[dict[str, Any]]
    paths: list[Path]
    gold: dict[str, str]
    ingest: list[Path] = field(default_factory=list)  # what to pass to `newsdesk ingest` (else `paths`)

    @classmethod
    def load(cls, name: str, events_file: Path, base: Path) -> LabelSet:
        events = json.loads(events_file.read_text(encoding="utf-8"))["events"]
        paths, gold = [], {}
        for ev in events:
            for f in ev["files"]:
                path = repo_path(f) if base == REPO else (base / f).resolve()
                if not path.exists():
                    raise SystemExit(f"{events_file}: {f} does not exist")
                if path.name in gold:
                    raise SystemExit(f"{events_file}: two captures named {path.name} (bcubed.py keys by base name)")
                paths.append(path)
                gold[path.name] = ev["id"]
        return cls(name, events_file, events, paths, gold)


def stories_dev() -> LabelSet:
    ls = LabelSet.load("stories-dev", STORIES_DEV / "events.json", STORIES_DEV / "captures")
    ls.ingest = [STORIES_DEV / "captures"]  # as `newsdesk ingest DIR`: the folder, in its own order
    return ls


def own_set() -> LabelSet:
    make_variants()
    return LabelSet.load("own", OWN_EVENTS, REPO)


def fresh_set() -> LabelSet:
    return LabelSet.load("fresh", FRESH_EVENTS, REPO)


# ---------------------------------------------------------------------------------------------
# Re-reported variants of real captures (written once into bench/data, small, deterministic).


_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{title} - {outlet}</title>
<link rel="canonical" href="{url}">
<meta property="og:title" content="{title}">
<meta property="og:site_name" content="{outlet}">
<meta property="og:url" content="{url}">
<meta property="article:published_time" content="{published}">
</head>
<body>
<header><a href="/">{outlet}</a> | <a href="/world/">{world}</a></header>
<article>
<h1>{title}</h1>
<div class="meta">{day} {source}{outlet}</div>
{paragraphs}
</article>
<footer>© {outlet}</footer>
</body>
</html>
"""


@dataclass(frozen=True)
class Variant:
    name: str
    source: str  # relative to the repo
    how: str     # "reprint": the whole capture converted; "rereport": its article on another site's page
    script: str | None  # "s2tw", "t2s" or None
    rewrap: bool = False
    outlet: str | None = None
    url: str | None = None


VARIANT_SPECS = [
    Variant("v01_000_tw_rereport.html", "examples/000_b8f021c9504a85f9.txt", "rereport", "s2tw",
            outlet="看新聞網", url="https://tw.example-news.com/world/2022/02/02/blinken-lavrov.html"),
    Variant("v02_001_rewrapped.html", "examples/001_f89465e053944e23.txt", "rereport", None, rewrap=True,
            outlet="环球时事镜像", url="https://mirror.example-news.net/2022/02/02/aljazeera-blinken.html"),
    Variant("v03_ntd_a103653127_tw.html", "../shared/eval/stories-dev/captures/ntd_a103653127.md", "rereport", "s2tw",
            outlet="新唐人亞太台", url="https://tw.example-news.com/2023/02/20/blinken-wang-yi.html"),
    Variant("v04_et_n13934352_s2tw.md", "../shared/eval/stories-dev/captures/et_n13934352.md", "reprint", "s2tw"),
    Variant("v05_004_tw_rereport.html", "examples/004_1de7367779586eca.txt", "rereport", "s2tw",
            outlet="看新聞網", url="https://tw.example-news.com/world/2023/02/21/wang-yi-moscow.html"),
    Variant("v06_gna_1851114_s2tw.md", "../shared/eval/stories-dev/captures/gna_1851114.md", "reprint", "s2tw"),
    Variant("v07_gna_1851114_rewrapped.html", "../shared/eval/stories-dev/captures/gna_1851114.md", "rereport", None,
            rewrap=True, outlet="环球时事镜像", url="https://mirror.example-news.net/2023/10/18/lavrov-pyongyang.html"),
    Variant("v08_p9_1004010_tw.html", "tests/data/dev/captures/p9__1004010.md", "rereport", "s2tw",
            outlet="看新聞網", url="https://tw.example-news.com/world/2022/04/20/kreminna.html"),
    Variant("v09_hkcnews_48897_simplified.html", "tests/data/dev/captures/hkcnews__48897.md", "rereport", "t2s",
            outlet="环球时事镜像", url="https://mirror.example-news.net/2021/12/10/nicaragua-taiwan.html"),
]


def _convert(text: str, script: str | None) -> str:
    return S2TW.convert(text) if script == "s2tw" else T2S.convert(text) if script == "t2s" else text


def variant_bytes(spec: Variant) -> bytes:
    src = repo_path(spec.source)
    data = src.read_bytes()
    if spec.how == "reprint":
        # A mirror that converts its whole page (as Taiwan mirrors of mainland sites do): same article,
        # same original address, another script.
        return _convert(data.decode("utf-8"), spec.script).encode("utf-8")
    a = extract_capture(data, str(src))
    paragraphs = [_convert(p, spec.script) for p in a.body]
    if spec.rewrap:
        # Another site's paragraphing: pairs of paragraphs run together.
        paragraphs = ["".join(paragraphs[i:i + 2]) for i in range(0, len(paragraphs), 2)]
    title = _convert(a.title or "", spec.script)
    trad = spec.script == "s2tw"
    return _PAGE.format(
        lang="zh-Hant" if trad else "zh-Hans", title=html.escape(title), outlet=html.escape(spec.outlet or ""),
        url=html.escape(spec.url or ""), published=html.escape(a.published or ""), day=(a.published or "")[:10],
        world="國際" if trad else "国际", source="來源：" if trad else "来源：",
        paragraphs="\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs),
    ).encode("utf-8")


def make_variants() -> None:
    VARIANTS.mkdir(parents=True, exist_ok=True)
    for spec in VARIANT_SPECS:
        path = VARIANTS / spec.name
        data = variant_bytes(spec)
        if not path.exists() or path.read_bytes() != data:
            # Extraction changes can change a re-report page; the labels stay valid (same event).
            path.write_bytes(data)


# ---------------------------------------------------------------------------------------------
# 1 and 2: grouping quality.


def run_grouping(section: Section, sets: list[LabelSet]) -> dict[str, Path]:
    """Scores each label set through the CLI; returns the archives for the sweep."""
    rows, notes, dbs = [], [], {}
    for ls in sets:
        db = OUT / f"{ls.name}.db"
        stories, jsonl = cli_archive(ls.ingest or ls.paths, db)
        s = score(ls.gold, stories)
        rows.append(score_row(ls.name, s))
        if any(ev.get("kind") == "singleton" for ev in ls.events):
            # Singletons are easy to get right; the harder part alone: events with several reports and
            # their look-alikes.
            hard = {name: e for name, e in ls.gold.items()
                    if next(ev for ev in ls.events if ev["id"] == e).get("kind") != "singleton"}
            rows.append(score_row(f"{ls.name}, without singleton events", score(hard, stories)))
        # Incremental placement depends on arrival order: other orders of the same-day (and undated) articles.
        shuffled = [score(ls.gold, replay(db, OUT / f"{ls.name}-order.db", order_seed=k)).b3_f1 for k in range(ORDERS)]
        ORDER_SPREAD[ls.name] = max(shuffled) - min(shuffled)
        notes.append(f"{ls.name}: B³ F1 over {ORDERS} other arrival orders of same-day and undated articles:"
                     f" min {min(shuffled):.3f}, median {sorted(shuffled)[len(shuffled) // 2]:.3f}, max {max(shuffled):.3f}")
        merged, split = errors(ls.gold, stories)
        notes.append(f"{ls.name}: scorer cross-check (bcubed.py on the same JSONL): {scorer_agrees(ls.events_file, jsonl, s)};"
                     f" merged events: {', '.join(merged) or 'none'}; split events: {', '.join(split) or 'none'}")
        dbs[ls.name] = db
        # Placement must not depend on how articles are batched into ingests (the gazetteer is saved and
        # reloaded between them): one Analysis per article must give the same stories as one for all.
        single = replay(db, OUT / f"{ls.name}-single.db", one_at_a_time=True)
        s1 = score(ls.gold, single)
        same = partition(single) == partition(stories)
        notes.append(f"{ls.name}: one Analysis per article (one ingest per capture) gives "
                     f"{'the same stories' if same else f'different stories: B³ F1 {f3(s1.b3_f1)}'}")
        if ls.name == "own":
            section_own_details(section, ls, stories)
    section.add(Report("Story grouping (newsdesk ingest + newsdesk stories --format jsonl)", SCORE_COLUMNS, rows,
                       "\n".join(f"- {n}" for n in notes)))
    return dbs


def run_fresh(section: Section) -> None:
    """The unseen set: one ingest, scores and the scorer cross-check only. Its misses are deliberately not listed:
    it measures placement tuned elsewhere, and a list of its merged and split events would invite tuning on it."""
    ls = fresh_set()
    stories, jsonl = cli_archive(ls.paths, OUT / "fresh.db")
    s = score(ls.gold, stories)
    kinds = Counter(ev.get("kind", "?") for ev in ls.events)
    section.add(Report("Unseen events (bench/data/stories-fresh, never tuned on)", SCORE_COLUMNS, [score_row(ls.name, s)],
                       f"- {len(ls.gold)} captures, {len(ls.events)} events ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))});"
                       f" scorer cross-check (bcubed.py on the same JSONL): {scorer_agrees(ls.events_file, jsonl, s)}"))


def _arrive(files: Sequence[Path], db: Path, runs: int) -> Archive:
    """The captures ingested in this order, in `runs` ingests each placing what it brought (as `newsdesk
    ingest` does)."""
    _remove_db(db)
    archive = Archive(db)
    size = -(-len(files) // runs)
    for at in range(0, len(files), size):
        ingest(list(files[at : at + size]), archive)
        with archive.writing():
            Analysis(archive).update()
    return archive


def _grouping(archive: Archive) -> dict[frozenset[str], str]:
    """Each story as the set of its captures' file names, with its id."""
    return {frozenset(Path(c).name for a in row.articles for c in a["captures"]): row.id
            for row in Analysis(archive).stories()}


def run_orders(section: Section, sets: list[LabelSet], orders: int) -> None:
    """The same real captures in `orders` random arrival orders: in one ingest (placement follows the
    canonical order, so the stories and their ids must be identical), in several ingests of random sizes
    (what the take-back repairs, and what IDF and learned names drifting between ingests leave), and after
    `stories --rebuild` of those (identical again)."""
    files = sorted({p for ls in sets for p in ls.paths}, key=lambda p: p.name)
    gold = {k: v for ls in sets for k, v in ls.gold.items()}
    scratch = OUT / "orders"
    scratch.mkdir(parents=True, exist_ok=True)
    reference = _grouping(_arrive(files, scratch / "ref.db", 1))
    ref_pairs = _pairs(reference)
    rows = []
    for mode in ("one ingest", "2-12 ingests", "2-12 ingests, then --rebuild"):
        same_partition = same_ids = 0
        pair_diffs, f1s, seconds = [], [], []
        for k in range(orders):
            rng = random.Random(SEED + k)
            shuffled = files[:]
            rng.shuffle(shuffled)
            runs = 1 if mode == "one ingest" else rng.randint(2, 12)
            t0 = time.perf_counter()
            archive = _arrive(shuffled, scratch / "order.db", runs)
            if mode.endswith("--rebuild"):
                with archive.writing():
                    Analysis(archive).rebuild()
            seconds.append(time.perf_counter() - t0)
            got = _grouping(archive)
            archive.close()
            same_partition += set(got) == set(reference)
            same_ids += got == reference
            pair_diffs.append(len(_pairs(got) ^ ref_pairs))
            f1s.append(score(gold, [{"id": sid, "articles": [{"captures": sorted(caps)}]} for caps, sid in got.items()]).b3_f1)
        rows.append([mode, str(orders), f"{same_partition}/{orders}", f"{same_ids}/{orders}", str(max(pair_diffs)),
                     f"{min(f1s):.3f}–{max(f1s):.3f}", f"{sum(seconds) / len(seconds):.1f}"])
    section.add(Report(
        f"Arrival order: {len(files)} real captures ({' + '.join(ls.name for ls in sets)}) in {orders} random orders",
        ["arrival", "orders", "same stories", "same stories and ids", "max capture pairs grouped otherwise",
         "B³ F1 (both label sets)", "s per order"], rows,
        "Reference: the captures in file-name order, one ingest. Pairs grouped otherwise: capture pairs together in"
        " one grouping and apart in the other."))


def _pairs(grouping: dict[frozenset[str], str]) -> set[frozenset[str]]:
    return {frozenset(pair) for caps in grouping for pair in itertools.combinations(sorted(caps), 2)}


def section_own_details(section: Section, ls: LabelSet, stories: list[dict[str, Any]]) -> None:
    pred = predicted(ls.gold, stories)
    article_of = {Path(c).name: a["id"] for s in stories for a in s["articles"] for c in a["captures"]}
    rows = []
    for spec in VARIANT_SPECS:
        src = Path(spec.source).name
        folded = article_of.get(spec.name) == article_of.get(src)
        ok = pred[spec.name] == pred[src]
        rows.append([spec.name, spec.how + (f" ({spec.script})" if spec.script else "") + (" re-wrapped" if spec.rewrap else ""),
                     "same article (folded)" if folded else "own article", "yes" if ok else "NO"])
    section.add(Report("Own set: re-reported variants land in their source's story", ["variant", "made as", "archive", "same story"],
                       rows))
    kinds = Counter(ev.get("kind", "?") for ev in ls.events)
    sizes = Counter(len(ev["files"]) for ev in ls.events)
    section.say(f"Own set: {len(ls.gold)} captures in {len(ls.events)} events ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))});"
                f" event sizes {dict(sorted(sizes.items()))}.")


def check_seeds(section: Section, own_stories_db: Path | None) -> None:
    """The README's promise on examples/: 000 and 001 report one call; 002, 003, 004 are other events."""
    stories, _ = cli_archive(sorted(EXAMPLES.iterdir()), OUT / "seeds.db")
    contexts: list[tuple[str, list[dict[str, Any]]]] = [("examples/ alone", stories)]
    if own_stories_db is not None:
        contexts.append(("inside the own set", [r.to_record() for r in _stories_of(own_stories_db)]))
    rows = []
    for label, rows_in in contexts:
        gold = {name: key for key, name in SEEDS.items()}
        pred = predicted(gold, rows_in)
        checks = [("000 and 001 together", pred[SEEDS["000"]] == pred[SEEDS["001"]])]
        for key in ("002", "003", "004"):
            others = [k for k in SEEDS if k != key]
            checks.append((f"{key} apart from the others", all(pred[SEEDS[key]] != pred[SEEDS[o]] for o in others)))
        size = {s["id"]: sum(len(a["captures"]) for a in s["articles"]) for s in rows_in}
        for what, ok in checks:
            rows.append([label, what, "pass" if ok else "FAIL",
                         ", ".join(f"{k}:{str(pred[SEEDS[k]])[:6]}({size.get(pred[SEEDS[k]], 1)})" for k in SEEDS)])
    section.add(Report("The five seeds (examples/)", ["archive", "requirement", "result", "story id (captures in it) per seed"],
                       rows))


def _stories_of(db: Path) -> list[stories_mod.StoryRow]:
    with Archive(db) as archive:
        return Analysis(archive).stories()


def _same_story(paths: list[str], scratch: Path) -> bool:
    """Do these captures (repo-relative) end up in one story, ingested and placed through the API?"""
    _remove_db(scratch)
    with Archive(scratch) as archive:
        ingest([repo_path(p) for p in paths], archive)
        archive.begin()
        analysis = Analysis(archive)
        analysis.update()
        archive.commit()
        rows = analysis.stories()
    _remove_db(scratch)
    return len(rows) == 1


def run_problems(section: Section) -> None:
    """Problems this bench found, each re-run as its smallest reproducer so the table says whether it still
    happens with the code of the day."""
    sd = "../shared/eval/stories-dev/captures/"
    scratch = OUT / "problem.db"
    rows: list[list[str]] = []

    def check(what: str, how: str, happens: bool) -> None:
        rows.append([what, how, "yes" if happens else "no (fixed?)"])

    check("an undated article joins a story of any date (no date window without a date)",
          f"ingest examples/000_b8f021c9504a85f9.txt {sd}gn_2417476.md: one story (2022-02-01 call + undated Lavrov, April)",
          _same_story(["examples/000_b8f021c9504a85f9.txt", sd + "gn_2417476.md"], scratch))
    check("two unrelated articles naming one and the same entity merge (entity cosine of one-entity vectors is 1.0)",
          "ingest tests/data/dev/captures/guancha__2.html …/nf4514__n11232880.md: one story (chip imports + imperial exams, both only 中国)",
          _same_story(["tests/data/dev/captures/guancha__2.html", "tests/data/dev/captures/nf4514__n11232880.md"], scratch))
    check("two meetings of one trip on one day share a story: 古特雷斯+拉夫罗夫 joins 古特雷斯+普京",
          f"ingest {sd}gn_2417919.md {sd}gn_2420649.md: one story",
          _same_story([sd + "gn_2417919.md", sd + "gn_2420649.md"], scratch))
    g = Gazetteer()
    extract_mentions(g, None, ["美国总统乔·拜登（Joe Biden）周四表示，他为儿子亨特·拜登（Hunter Biden）感到骄傲。"])
    check("learning merges two people who share a surname", "extract_mentions(Gazetteer(), None, ['…乔·拜登（Joe Biden）…亨特·拜登（Hunter Biden）…']):"
          " lookup('Hunter Biden') is lookup('Joe Biden')", g.lookup("Hunter Biden") is not None and g.lookup("Hunter Biden") is g.lookup("Joe Biden"))
    g = bundled_gazetteer()
    extract_mentions(g, None, ["資深人權律師關尚義（John Clancey）因民主派初選被捕。"])
    learned = g.lookup("John Clancey")
    check("a traditional-script name is cut when learned", "bundled_gazetteer() + '…律師關尚義（John Clancey）…': lookup('關尚義') is None,"
          f" John Clancey learned as {learned.name if learned else None!r}", g.lookup("關尚義") is None)
    noise = []
    for path, word in (("tests/data/dev/captures/prog647__a103559413.md", "唐人"), ("tests/data/dev/captures/soh_rdzz__n3171162.md", "顾问"),
                       ("tests/data/dev/captures/hkcnews__19549.md", "智慧")):
        g = bundled_gazetteer()
        a = extract_capture(repo_path(path).read_bytes(), path)
        extract_mentions(g, a.title, a.body)
        e = g.lookup(word)
        if e is not None and e.kind == "person":
            noise.append(f"{word} ({Path(path).name})")
    check("common words and outlet names learned as people from part-of-speech tags",
          "extract_mentions(bundled_gazetteer(), article) of the capture: lookup(word).kind == 'person': " + (", ".join(noise) or "none"),
          bool(noise))
    g = bundled_gazetteer()
    list(g.scan("预热"))
    g.add_alias(next(iter(g.entities)), "新学会的名字")
    t0 = time.perf_counter()
    list(g.scan("预热"))
    compile_ms = (time.perf_counter() - t0) * 1000
    check("every newly learned alias recompiles one regex of all aliases at the next scan",
          f"bundled_gazetteer(), add_alias(), scan(): {compile_ms:.0f} ms with {_alias_count(g):,} aliases (grows with the archive's names)",
          compile_ms > 5)
    _remove_db(scratch)
    with Archive(scratch) as archive:
        plan = " ".join(str(r[-1]) for r in archive.conn.execute("EXPLAIN QUERY PLAN DELETE FROM story_terms WHERE story_id = ?", ("x",)))
    _remove_db(scratch)
    check("story_terms has no index on story_id: _grow's DELETE reads the whole table for every article placed",
          f"EXPLAIN QUERY PLAN DELETE FROM story_terms WHERE story_id = ? → {plan!r} (see the speed profile: _grow grows with N)",
          plan.upper().startswith("SCAN"))
    meta_file = OUT / "speed" / "meta.json"
    if meta_file.exists() and hasattr(stories_mod, "MAX_CANDIDATES"):
        changed = {c["n"]: c["changed"] for c in json.loads(meta_file.read_text())["chunks"] if c.get("changed") is not None}
        if changed:
            check("the cap on stories compared per article (MAX_CANDIDATES, those in the date window sharing most terms)"
                  " places more than 1% of new articles otherwise than comparing every such story would",
                  "speed archive (bench/out/stories/speed): share of 1,000 new articles placed otherwise than with no cap: "
                  + ", ".join(f"N={k:,}: {v:.1%}" for k, v in sorted(changed.items())),
                  max(changed.values()) > 0.01)
    section.add(Report("Problems found, re-run as reproducers", ["problem", "reproducer", "still happens"], rows))


# ---------------------------------------------------------------------------------------------
# 3: sensitivity.


_SWEEP_SETS: dict[str, tuple[Path, dict[str, str]]] = {}


def _sweep_job(job: tuple[str, dict[str, float], int | None]) -> tuple[str, dict[str, float], int | None, Score]:
    name, overrides, order = job
    db, gold = _SWEEP_SETS[name]
    scratch = OUT / "sweep" / f"{name}-{os.getpid()}.db"
    return name, overrides, order, score(gold, replay(db, scratch, overrides, order_seed=order))


def _mean_score(scores: list[Score]) -> Score:
    """Field-wise mean (counts included, as floats rounded): one row for several arrival orders."""
    n = len(scores)
    return Score(scores[0].items, scores[0].gold_events, round(sum(s.pred_stories for s in scores) / n),
                 *(sum(getattr(s, f) for s in scores) / n for f in ("b3_p", "b3_r", "b3_f1", "pair_p", "pair_r", "pair_f1")))


def run_sweep(section: Section, sets: list[LabelSet], dbs: dict[str, Path], jobs: int) -> None:
    for ls in sets:
        _SWEEP_SETS[ls.name] = (dbs[ls.name], ls.gold)
    defaults = {name: getattr(stories_mod, name) for name in ("JOIN_THRESHOLD", "TEXT_SHARE", *ONE_AT_A_TIME)}
    configs: list[dict[str, float]] = [{"JOIN_THRESHOLD": t, "TEXT_SHARE": s} for t in THRESHOLDS for s in TEXT_SHARES]
    for name, values in ONE_AT_A_TIME.items():
        configs += [{name: v} for v in values if v != defaults[name]]
    # Each setting in the ingest order and in SWEEP_ORDERS other orders of same-day and undated articles:
    # arrival order alone moves B³ F1 by a few hundredths (see the grouping notes), as much as many settings do.
    orders: list[int | None] = [None, *range(SWEEP_ORDERS)]
    work = [(ls.name, cfg, order) for cfg in configs for ls in sets for order in orders]
    started = time.perf_counter()
    # fork: the workers inherit the label sets and the imported newsdesk; each patches only itself.
    with mp.get_context("fork").Pool(jobs) as pool:
        results = pool.map(_sweep_job, work, chunksize=1)
    section.say(f"Sweep: {len(configs)} settings × {len(sets)} sets × {len(orders)} arrival orders placed from scratch in"
                f" {time.perf_counter() - started:.0f} s ({jobs} processes). Every cell is the mean over the {len(orders)} orders.")

    def key(cfg: dict[str, float]) -> tuple[tuple[str, float], ...]:
        return tuple(sorted((defaults | cfg).items()))

    grouped: dict[tuple[str, tuple[tuple[str, float], ...]], list[Score]] = defaultdict(list)
    for name, cfg, _order, s in results:
        grouped[(name, key(cfg))].append(s)
    by = {k: _mean_score(v) for k, v in grouped.items()}

    def get(name: str, cfg: dict[str, float]) -> Score:
        return by[(name, key(cfg))]

    names = [ls.name for ls in sets]
    for metric, label, shown in (("b3_f1", "B³ F1", [*names, "mean"]), ("pair_f1", "pairwise F1", ["mean"])):
        for name in shown:
            rows = []
            for t in THRESHOLDS:
                cells = []
                for s_ in TEXT_SHARES:
                    cfg = {"JOIN_THRESHOLD": t, "TEXT_SHARE": s_}
                    vals = [getattr(get(n, cfg), metric) for n in names]
                    v = sum(vals) / len(vals) if name == "mean" else getattr(get(name, cfg), metric)
                    mark = "*" if (t, s_) == (defaults["JOIN_THRESHOLD"], defaults["TEXT_SHARE"]) else ""
                    cells.append(f"{v:.3f}{mark}")
                rows.append([f"{t:.2f}", *cells])
            section.add(Report(f"Sweep, {label}, {name}: JOIN_THRESHOLD (rows) × TEXT_SHARE (columns)",
                               ["threshold", *[f"{s_:.2f}" for s_ in TEXT_SHARES]], rows,
                               "* = current default." + (" Mean of the two sets." if name == "mean" else "")))
    # One constant at a time, the others at their defaults.
    rows = []
    for cname, values in ONE_AT_A_TIME.items():
        for v in values:
            cfg = {} if v == defaults[cname] else {cname: v}
            scores = [get(n, cfg) for n in names]
            rows.append([cname, f"{v:g}" + (" (default)" if v == defaults[cname] else ""),
                         *[f3(sc.b3_f1) for sc in scores], *[f3(sc.pair_f1) for sc in scores]])
    section.add(Report("Sweep, one constant at a time (others at defaults)",
                       ["constant", "value", *[f"B³ F1 {n}" for n in names], *[f"pair F1 {n}" for n in names]], rows))

    # Recommendation. The surface is jagged (one article moving flips a cell), so a setting is judged with its
    # neighbours: the mean B³ F1 (both sets) of its 3×3 neighbourhood in the grid.
    mean_f1 = {(t, s_): sum(get(n, {"JOIN_THRESHOLD": t, "TEXT_SHARE": s_}).b3_f1 for n in names) / len(names)
               for t in THRESHOLDS for s_ in TEXT_SHARES}

    def smoothed(t: float, s_: float) -> float:
        ti, si = THRESHOLDS.index(t), TEXT_SHARES.index(s_)
        near = [mean_f1[(THRESHOLDS[a], TEXT_SHARES[b])] for a in range(max(0, ti - 1), min(len(THRESHOLDS), ti + 2))
                for b in range(max(0, si - 1), min(len(TEXT_SHARES), si + 2))]
        return sum(near) / len(near)

    default = (defaults["JOIN_THRESHOLD"], defaults["TEXT_SHARE"])
    best = max(mean_f1, key=lambda c: mean_f1[c])
    best_smooth = max(mean_f1, key=lambda c: smoothed(*c))
    rank = 1 + sum(1 for c in mean_f1 if mean_f1[c] > mean_f1[default] + 1e-9)
    rank_s = 1 + sum(1 for c in mean_f1 if smoothed(*c) > smoothed(*default) + 1e-9)
    rows = [[label, f"{c[0]:.2f}", f"{c[1]:.2f}", *[f3(get(n, {"JOIN_THRESHOLD": c[0], "TEXT_SHARE": c[1]}).b3_f1) for n in names],
             f3(mean_f1[c]), f3(smoothed(*c))]
            for label, c in (("default", default), ("best cell", best), ("best neighbourhood", best_smooth))]
    section.add(Report("Sweep summary (B³ F1, mean over arrival orders)",
                       ["setting", "JOIN_THRESHOLD", "TEXT_SHARE", *names, "mean", "3×3 neighbourhood mean"], rows,
                       f"The default ranks {rank} of {len(mean_f1)} by its cell and {rank_s} of {len(mean_f1)} by its neighbourhood."))
    # A change is worth making only if it beats the default by more than arrival order alone moves the score.
    noise = sum(ORDER_SPREAD.get(n, 0.0) for n in names) / len(names) / 2
    gain = smoothed(*best_smooth) - smoothed(*default)
    if best_smooth == default or gain <= noise:
        section.say(f"Sweep verdict: keep JOIN_THRESHOLD={default[0]:.2f}, TEXT_SHARE={default[1]:.2f}: the best neighbourhood"
                    f" ({best_smooth[0]:.2f}, {best_smooth[1]:.1f}) is {gain:+.3f} B³ F1 from the default's, within the ±{noise:.3f}"
                    " that arrival order alone moves it.")
    else:
        section.say(f"Sweep verdict: JOIN_THRESHOLD={best_smooth[0]:.2f}, TEXT_SHARE={best_smooth[1]:.2f} beats the default by"
                    f" {gain:+.3f} B³ F1 over its neighbourhood, more than the ±{noise:.3f} arrival order alone moves it.")


# ---------------------------------------------------------------------------------------------
# 4: entity resolution.


@dataclass(frozen=True)
class Pair:
    set: str
    expect: str
    kind: str
    a: str
    b: str
    note: str


def load_pairs() -> list[Pair]:
    pairs = []
    for line in ALIAS_PAIRS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("set\t"):
            continue
        cols = line.split("\t")
        pairs.append(Pair(*cols[:5], cols[5] if len(cols) > 5 else ""))
    return pairs


def load_sentences() -> list[tuple[str, str]]:
    """(source, sentence); a sentence from a capture must be in that capture's extracted text as is."""
    out, texts = [], {}
    for line in ALIAS_SENTENCES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("source\t"):
            continue
        source, sentence = line.split("\t", 1)
        if source != "composed":
            if source not in texts:
                a = extract_capture(repo_path(source).read_bytes(), source)
                texts[source] = "\n".join([a.title or "", *a.body])
            if sentence not in texts[source]:
                raise SystemExit(f"{ALIAS_SENTENCES}: not found verbatim in {source}: {sentence[:40]}…")
        out.append((source, sentence))
    return out


def decide(g: Gazetteer, p: Pair) -> tuple[bool, str]:
    ea, eb = g.lookup(p.a), g.lookup(p.b)
    same = ea is not None and ea is eb
    if p.expect == "same":
        right = same
        why = "" if right else ("unknown: " + " & ".join(x for x, e in ((p.a, ea), (p.b, eb)) if e is None)
                                if ea is None or eb is None else f"{ea.id} ≠ {eb.id}")
    else:
        # `lookup(a) is lookup(b)` with both unknown is None is None: not a merge, so not counted wrong;
        # how many negatives rest on an unknown side is reported next to the score.
        right = not same
        why = "" if right else f"both → {ea.id}"  # type: ignore[union-attr]
    return right, why


def run_aliases(section: Section) -> None:
    pairs = load_pairs()
    bundled = bundled_gazetteer()
    gz = [p for p in pairs if p.set == "gazetteer"]
    rows, failures = [], []
    for kind in sorted({p.kind for p in gz}, key=lambda k: (k == "negative", k)):
        of_kind = [p for p in gz if p.kind == kind]
        results = [decide(bundled, p) for p in of_kind]
        unknown = sum(1 for p in of_kind if bundled.lookup(p.a) is None or bundled.lookup(p.b) is None)
        rows.append([kind, of_kind[0].expect, str(len(of_kind)), str(sum(r for r, _ in results)),
                     f3(sum(r for r, _ in results) / len(of_kind)), str(unknown)])
        failures += [f"{p.a} / {p.b} ({p.kind}{', ' + p.note if p.note else ''}): {why}"
                     for p, (r, why) in zip(of_kind, results, strict=True) if not r]
    pos = [p for p in gz if p.expect == "same"]
    neg = [p for p in gz if p.expect == "different"]
    acc_pos = sum(decide(bundled, p)[0] for p in pos) / len(pos)
    acc_neg = sum(decide(bundled, p)[0] for p in neg) / len(neg)
    acc_all = sum(decide(bundled, p)[0] for p in gz) / len(gz)
    rows.append(["all positive", "same", str(len(pos)), str(round(acc_pos * len(pos))), f3(acc_pos), ""])
    rows.append(["all negative", "different", str(len(neg)), str(round(acc_neg * len(neg))), f3(acc_neg), ""])
    rows.append(["all", "", str(len(gz)), str(round(acc_all * len(gz))), f3(acc_all), ""])
    section.add(Report("Entity resolution: bundled_gazetteer().lookup(a) is lookup(b)",
                       ["kind", "expect", "pairs", "right", "accuracy", "a side unknown"], rows,
                       "Wrong: " + "; ".join(failures) if failures else "No pair wrong."))

    # Learning from text: the bilingual sentences, in order, through extract_mentions.
    sentences = load_sentences()
    learned = [p for p in pairs if p.set == "learned"]
    rows, notes = [], []
    for label, g in (("empty Gazetteer()", Gazetteer()), ("bundled_gazetteer()", bundled_gazetteer())):
        before = len(g.entities)
        for _, sentence in sentences:
            extract_mentions(g, None, [sentence])
        results = [decide(g, p) for p in learned]
        pos_r = [r for p, (r, _) in zip(learned, results, strict=True) if p.expect == "same"]
        neg_r = [r for p, (r, _) in zip(learned, results, strict=True) if p.expect == "different"]
        rows.append([label, f"{sum(pos_r)}/{len(pos_r)}", f3(sum(pos_r) / len(pos_r)), f"{sum(neg_r)}/{len(neg_r)}",
                     f3(sum(neg_r) / len(neg_r)), f3((sum(pos_r) + sum(neg_r)) / len(results)), str(len(g.entities) - before)])
        wrong = [f"{p.a} / {p.b}: {why}" for p, (r, why) in zip(learned, results, strict=True) if not r]
        notes.append(f"{label}, wrong: " + ("; ".join(wrong) or "none"))
        if label.startswith("bundled"):
            after = sum(decide(g, p)[0] for p in gz)
            notes.append(f"{label}: the gazetteer pairs after this learning: {after}/{len(gz)} right"
                         f" (before: {round(acc_all * len(gz))}/{len(gz)})")
        else:
            new_people = sorted(e.name + (f" ({e.en})" if e.en else "") for e in g.entities.values())
            notes.append(f"{label}: entities learned ({len(new_people)}): " + "、".join(new_people))
    section.add(Report(f"Entity resolution after learning from {len(sentences)} bilingual sentences "
                       f"({sum(1 for s, _ in sentences if s != 'composed')} from real captures)",
                       ["gazetteer", "same: right", "acc", "different: right", "acc", "all acc", "entities added"], rows,
                       "\n".join(f"- {n}" for n in notes)))


# ---------------------------------------------------------------------------------------------
# 5: speed. The synthetic archive.


def real_articles() -> list[Article]:
    """Every real capture we have, extracted once, byte-identical duplicates dropped."""
    seen: set[bytes] = set()
    out = []
    for folder in (DEV, EXAMPLES, STORIES_DEV / "captures"):
        for path in sorted(folder.iterdir()):
            data = path.read_bytes()
            if data in seen:
                continue
            seen.add(data)
            out.append(extract_capture(data, str(path)))
    return out


@dataclass
class Pool:
    articles: list[Article]
    novel_rate: float
    novel_note: str
    outlets: list[str] = field(default_factory=list)
    weights: list[int] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        counts = Counter(a.outlet for a in self.articles if a.outlet)
        self.outlets, self.weights = list(counts), list(counts.values())
        self.titles = [a.title or "" for a in self.articles]

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"articles": [a.to_record() for a in self.articles], "novel_rate": self.novel_rate,
                                    "novel_note": self.novel_note}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Pool:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls([Article.from_record(r) for r in data["articles"]], data["novel_rate"], data["novel_note"])


def _alias_count(g: Gazetteer) -> int:
    return len(g._by_alias)


def learning_rate(articles: list[Article]) -> tuple[float, float, str]:
    """How often a real article teaches the gazetteer a name it did not know, in date order, and how many
    aliases it adds; the later half, once the common names are learned, stands for a growing archive."""
    g = bundled_gazetteer()
    added = []
    for a in sorted(articles, key=lambda a: (a.published or "9999", a.file)):
        before = _alias_count(g)
        extract_mentions(g, a.title, a.body)
        added.append(_alias_count(g) - before)
    half = added[len(added) // 2:]
    rate = sum(1 for x in half if x) / len(half)
    per = sum(half) / len(half)
    return rate, per, (f"{sum(1 for x in added if x)}/{len(added)} real articles taught the gazetteer new aliases;"
                       f" in the later half {sum(1 for x in half if x)}/{len(half)} did ({rate:.2f}, the rate used for"
                       f" synthetic new people), {per:.2f} aliases per article")


def build_pool() -> Pool:
    articles = [a for a in real_articles() if len("".join(a.body)) >= 100 and a.title]
    rate, _, note = learning_rate(articles)
    return Pool(articles, rate, note)


# Syllables of transliterated names, with a romanisation, for people no gazetteer has heard of.
_SYLLABLES = [("阿", "a"), ("巴", "ba"), ("卡", "ka"), ("达", "da"), ("埃", "e"), ("法", "fa"), ("加", "ga"), ("哈", "ha"),
              ("伊", "i"), ("科", "ko"), ("拉", "la"), ("马", "ma"), ("纳", "na"), ("奥", "o"), ("帕", "pa"), ("萨", "sa"),
              ("塔", "ta"), ("乌", "u"), ("瓦", "va"), ("亚", "ya"), ("扎", "za"), ("里", "ri"), ("尼", "ni"), ("洛", "lo")]
_ENDINGS = [("诺夫", "nov"), ("斯基", "ski"), ("维奇", "vich"), ("耶夫", "yev"), ("森", "sen"), ("蒂", "ti"), ("多", "do")]
_ROLES = ["外交部长", "发言人", "国防部长", "议员", "大使", "总理", "副总统", "部长"]
_VERBS = ["当天表示，双方将继续保持沟通。", "对此发表评论称，局势仍在变化。", "在声明中说，将密切关注事态发展。",
          "接受采访时表示，目前还没有作出最终决定。"]
_PREFIXES = ["", "", "", "【快讯】", "【禁闻】", "樱花时政┃", "有声｜", "独家：", "【秘翻在线】", "【短讯】"]


def novel_name(i: int, rng: random.Random) -> tuple[str, str]:
    """A unique (Chinese, English surname) pair for article `i`: the counter's digits pick the surname's
    syllables, so no two synthetic people share a surname and none is in the bundled gazetteer."""
    digits, n = [], i
    while True:
        digits.append(n % len(_SYLLABLES))
        n //= len(_SYLLABLES)
        if n == 0:
            break
    sur = [_SYLLABLES[d] for d in digits] + [rng.choice(_SYLLABLES)]
    end = rng.choice(_ENDINGS)
    given = "".join(rng.choice(_SYLLABLES)[0] for _ in range(2))
    return f"{given}‧{''.join(s for s, _ in sur)}{end[0]}", ("".join(r for _, r in sur) + end[1]).capitalize()


def _renumber(text: str, rng: random.Random) -> str:
    return re.sub(r"\d+", lambda m: str(rng.randrange(10 ** (len(m[0]) - 1), 10 ** len(m[0]))) if len(m[0]) > 1
                  else str(rng.randrange(1, 10)), text)


def _mutate(base: Article, pool: Pool, rng: random.Random, day: date, i: int) -> Article:
    """One outlet's report of the event `base` stands for: its own headline, paragraph order and mix."""
    roll = rng.random()
    title = base.title or ""
    if roll < 0.35:
        title = _renumber(title, rng)
    elif roll < 0.65:
        head = re.split(r"[\s，：:｜|]", title)[0] or title
        tail = re.split(r"[\s，：:｜|]", rng.choice(pool.titles))[-1]
        title = f"{head} {tail}"
    else:
        title = rng.choice(_PREFIXES) + title
    paragraphs = list(base.body)
    lead, rest = (paragraphs[:1], paragraphs[1:]) if rng.random() < 0.7 else ([], paragraphs)
    if rng.random() < 0.6:
        rng.shuffle(rest)
    body = lead + [p for p in rest if rng.random() > 0.15]
    for _ in range(rng.randint(0, 2)):
        other = rng.choice(pool.articles)
        body.insert(rng.randint(min(1, len(body)), len(body)), rng.choice(other.body))
    body = [_renumber(p, rng) if rng.random() < 0.3 else p for p in body] or list(base.body)
    if rng.random() < pool.novel_rate:
        # A person the archive has not met, as Chinese reports introduce one: title, dotted name, the
        # original in brackets. It teaches three aliases (the real later-half rate is printed beside).
        zh, en = novel_name(i, rng)
        body.insert(min(len(body), rng.randint(1, 3)), f"{rng.choice(_ROLES)}{zh}（{en}）{rng.choice(_VERBS)}")
    published = day.isoformat() + (f"T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+08:00" if rng.random() < 0.4 else "")
    return Article(file=f"synthetic/{i:06d}.md", format="mirror-md", title=title, published=published,
                   outlet=rng.choices(pool.outlets, pool.weights)[0], original_url=f"https://news.example/s/{SEED}/{i}.html",
                   body=body, language="zh")


def synthetic_stream(pool: Pool) -> Iterator[tuple[str, Article]]:
    """Articles in arrival order: events of 1–6 reports over 0–2 days, ARTICLES_PER_DAY a day, arrivals
    shuffled within a few hundred so reports of one event interleave with others."""
    rng = random.Random(SEED)
    weights = [50, 20, 12, 8, 5, 5]
    events_per_day = ARTICLES_PER_DAY / (sum((k + 1) * w for k, w in enumerate(weights)) / sum(weights))
    pending: list[tuple[date, Article]] = []
    event = emitted = 0
    while True:
        day = START + timedelta(days=int(event / events_per_day))
        base = rng.choice(pool.articles)
        for _ in range(rng.choices(range(1, len(weights) + 1), weights)[0]):
            pending.append((day + timedelta(days=rng.choice([0, 0, 0, 1, 1, 2])), base))
        event += 1
        while len(pending) > 300:
            when, art = pending.pop(rng.randrange(len(pending)))
            yield hashlib.sha256(f"synthetic-stories:{SEED}:{emitted}".encode()).hexdigest(), _mutate(art, pool, rng, when, emitted)
            emitted += 1


def skip(stream: Iterator[tuple[str, Article]], count: int) -> None:
    for _ in range(count):
        next(stream)


def code_digest() -> str:
    h = hashlib.sha256()
    for folder in ("analysis", "archive"):
        for path in sorted((REPO / "src" / "newsdesk" / folder).glob("*.py")):
            h.update(path.read_bytes())
    h.update((REPO / "src" / "newsdesk" / "data" / "gazetteer.toml").read_bytes())
    return h.hexdigest()[:12]






# --- chunks ----------------------------------------------------------------------------------------------


@dataclass
class Chunk:
    n: int         # articles in the archive before the chunk
    code: str      # "newsdesk" (as it is) or "no cap" (MAX_CANDIDATES lifted)
    wall: float    # seconds: new Analysis + update() + commit
    cpu: float     # process CPU seconds of the same
    init: float    # of which Analysis(archive)
    stories: int   # stories after the chunk
    aliases: int   # folded aliases the gazetteer holds after the chunk
    measured: str
    rev: str = ""  # code_digest() when measured: src/ changes under a long run
    changed: float | None = None  # "no cap" runs: share of the 1,000 placed in another story than with the cap


def add_articles(archive: Archive, batch: list[tuple[str, Article]]) -> None:
    archive.begin()
    for sha, article in batch:
        archive.add_capture(sha, Article.from_record(article.to_record()))  # add_capture edits its argument
    archive.commit()


def add_new_articles(archive: Archive, stream: Iterator[tuple[str, Article]]) -> list[tuple[str, Article]]:
    """Captures from the stream until CHUNK of them are new articles (a mutated report close enough to an
    earlier one folds into it as another publication, as the archive should): returns what was added."""
    added: list[tuple[str, Article]] = []

    def articles() -> int:
        return archive.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]

    archive.begin()
    start = articles()
    # A capture that agrees with two articles merges them: counted again until CHUNK more articles stand.
    while (missing := CHUNK - (articles() - start)) > 0:
        new = 0
        while new < missing:
            sha, article = next(stream)
            added.append((sha, article))
            new += archive.add_capture(sha, Article.from_record(article.to_record())).status == "new"
    archive.commit()
    return added


def place_chunk(archive: Archive, n: int, code: str) -> Chunk:
    """What `newsdesk ingest` does once the captures are in: a new Analysis, update(), commit."""
    # "no cap": every story in the date window sharing a query term is compared.
    cap = patched({"MAX_CANDIDATES": 10**9}) if code.endswith("no cap") else contextlib.nullcontext()
    with cap:
        w0, c0 = time.perf_counter(), time.process_time()
        analysis = Analysis(archive)
        init = time.perf_counter() - w0
        archive.begin()
        placed = analysis.update()
        archive.commit()
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
    # More when a capture folded into an article already placed changed what it shows (placed again).
    if placed < CHUNK:
        raise RuntimeError(f"placed {placed} articles, expected at least {CHUNK}: a synthetic article folded into another")
    stories = archive.conn.execute("SELECT COUNT(*) FROM stories").fetchone()[0]
    return Chunk(n, code, wall, cpu, init, stories, _alias_count(analysis.gazetteer), _now(), code_digest())


def placements(db: Path, since_seq: int) -> dict[str, str]:
    with contextlib.closing(sqlite3.connect(db)) as conn:
        return dict(conn.execute("SELECT a.id, sa.story_id FROM articles a JOIN story_articles sa ON sa.article_id = a.id"
                                 " WHERE a.seq > ?", (since_seq,)))


def analysis_digest(db: Path) -> str:
    """Everything placement writes, in a stable order: equal digests mean equal placements."""
    h = hashlib.sha256()
    with contextlib.closing(sqlite3.connect(db)) as conn:
        for sql in ("SELECT article_id, story_id, score, day, vector FROM story_articles ORDER BY article_id",
                    "SELECT id, label, start, end, size, centroid FROM stories ORDER BY id",
                    "SELECT article_id, entity_id, count, role FROM mentions ORDER BY article_id, entity_id",
                    "SELECT * FROM entities ORDER BY id", "SELECT term, df FROM term_df ORDER BY term",
                    "SELECT term, story_id FROM story_terms ORDER BY story_id, term"):
            for row in conn.execute(sql):
                h.update(repr(row).encode())
    return h.hexdigest()


def profile_chunk(db: Path, stream: Iterator[tuple[str, Article]], scratch: Path) -> list[list[str]]:
    """Where the time goes: a profiled, untimed placement of PROFILE_ARTICLES more articles on a copy."""
    copy_db(db, scratch)
    prof = cProfile.Profile()
    with Archive(scratch) as archive:
        archive.begin()
        for _ in range(PROFILE_ARTICLES):
            sha, article = next(stream)
            archive.add_capture(sha, article)
        archive.commit()
        analysis = Analysis(archive)
        fetched: list[int] = []
        candidates = analysis._candidates

        def counted(*args: Any) -> list[tuple[str, str | None]]:
            found = candidates(*args)
            fetched.append(len(found))
            return found

        analysis._candidates = counted  # type: ignore[method-assign]
        archive.begin()
        prof.enable()
        analysis.update()
        prof.disable()
        archive.commit()
    _remove_db(scratch)
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(prof).stats  # type: ignore[attr-defined]

    files = {"stories.py": str(Path(stories_mod.__file__).resolve()), "entities.py": str(Path(entities_mod.__file__).resolve()),
             "store.py": str(Path(store_mod.__file__).resolve()), "bench": str(Path(__file__).resolve())}

    def cumulative(file: str, func: str) -> float:
        return sum(v[3] for k, v in stats.items() if str(Path(k[0]).resolve()) == files[file] and k[2] == func)

    total = cumulative("stories.py", "update")
    picks = {
        "extract_mentions (learning, tagging, scan)": ("entities.py", "extract_mentions"),
        "alias scans (Gazetteer.scan)": ("entities.py", "scan"),
        "rjieba tagging (_tag_names)": ("entities.py", "_tag_names"),
        "candidate stories (_candidates)": ("stories.py", "_candidates"),
        "comparing with their reports (_scores)": ("stories.py", "_scores"),
        "taking back the reports from the first new day (_take_back_from)": ("stories.py", "_take_back_from"),
        "story update (_grow)": ("stories.py", "_grow"),
        "IDF lookups (_idf)": ("stories.py", "_idf"),
        # update() reads each pending article twice: once for its event day, once for its terms.
        "reading articles (Archive.article)": ("store.py", "article"),
        "event days (event_day)": ("stories.py", "event_day"),
    }
    rows = []
    for label, (file, func) in picks.items():
        cum = cumulative(file, func)
        rows.append([label, f"{cum / PROFILE_ARTICLES * 1000:.1f}", f"{cum / total:.0%}" if total else "–"])
    rows.append(["update() total", f"{total / PROFILE_ARTICLES * 1000:.1f}", "100%"])

    def spread(values: list[int]) -> str:
        v = sorted(values) or [0]
        return f"{v[len(v) // 2]} / {v[int(len(v) * 0.9)]} / {v[-1]}"

    rows.append(["candidate stories compared per article (median / p90 / max)", spread(fetched), ""])
    return rows


def run_speed(section: Section, rebuild: bool, budget: float, max_n: int, retime: bool) -> None:
    core = timed_core()
    pin(core)
    load = os.getloadavg()
    folder = OUT / "speed"
    if rebuild and folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    meta_file, pool_file = folder / "meta.json", folder / "pool.json"
    meta: dict[str, Any] = json.loads(meta_file.read_text()) if meta_file.exists() and pool_file.exists() else {}
    if not meta:
        # The pool is frozen with the cache: extraction keeps changing under us, the synthetic stream must not.
        for old in folder.glob("*.db*"):
            old.unlink()
        pool = build_pool()
        pool.save(pool_file)
        meta = {"code": code_digest(), "built": _now(), "chunks": [], "snapshots": [], "checks": []}
    else:
        pool = Pool.load(pool_file)
    if meta["code"] != code_digest():
        section.say(f"Speed: the cached archives were built by other analysis/archive code ({meta['code']}, now {code_digest()});"
                    " timings below use the current code on them; --rebuild builds them again.")
    section.say(f"Speed: pool of {len(pool.articles)} real articles; {pool.novel_note}. Pinned to core {core};"
                f" load average at start {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} on {os.cpu_count()} cores.")
    started = time.perf_counter()
    timed_at = {0, *CHECKPOINTS}
    done = {(c["n"], c["code"]) for c in meta["chunks"]}

    def record(chunk: Chunk) -> None:
        meta["chunks"] = [c for c in meta["chunks"] if (c["n"], c["code"]) != (chunk.n, chunk.code)] + [chunk.__dict__]
        meta_file.write_text(json.dumps(meta, indent=1))
        console.print(f"  N={chunk.n:,} ({chunk.code}): {chunk.wall:.1f} s wall, {chunk.cpu:.1f} s CPU, {chunk.stories:,} stories,"
                      f" {chunk.aliases:,} aliases", markup=False)

    have = max((n for n in meta["snapshots"] if n <= max_n and (folder / f"n{n}.db").exists()), default=0)
    build = folder / "build.db"
    if have:
        copy_db(folder / f"n{have}.db", build)
    else:
        _remove_db(build)
    # Captures drawn so far (some fold into earlier articles): where a snapshot resumes the stream.
    drawn = [meta.get("drawn", {}).get(str(have), have)]

    def counted(source: Iterator[tuple[str, Article]]) -> Iterator[tuple[str, Article]]:
        for item in source:
            drawn[0] += 1
            yield item

    raw_stream = synthetic_stream(pool)
    skip(raw_stream, drawn[0])
    stream = counted(raw_stream)
    n, required_done = have, None
    with Archive(build) as archive:
        while n < max_n and (required_done is None or time.perf_counter() - required_done < budget):
            if n in timed_at:
                snap = folder / f"n{n}.db"
                if not snap.exists():
                    copy_db(build, snap)
                    meta["snapshots"] = sorted(set(meta["snapshots"]) | {n})
                    meta.setdefault("drawn", {})[str(n)] = drawn[0]
                batch = add_new_articles(archive, stream)
                if hasattr(stories_mod, "MAX_CANDIDATES") and n in CHECKPOINTS and (retime or (n, "no cap") not in done):
                    # What the cap costs in placement: the same 1,000 from the same state, every story in the
                    # window that shares a term compared.
                    work = folder / "work.db"
                    copy_db(snap, work)
                    with Archive(work) as other:
                        add_articles(other, batch)
                        chunk = place_chunk(other, n, "no cap")
                    free = placements(work, n)
                    _remove_db(work)
                else:
                    free = None
                record(place_chunk(archive, n, "newsdesk"))
                if free is not None:
                    capped = placements(build, n)
                    chunk.changed = sum(1 for a in capped if capped[a] != free.get(a)) / len(capped)
                    record(chunk)
            else:
                add_new_articles(archive, stream)
                record(place_chunk(archive, n, "newsdesk"))
            n += CHUNK
            if required_done is None and n > REQUIRED_N:
                required_done = time.perf_counter()
    reached = n
    elapsed = time.perf_counter() - started

    current = {c["n"]: c for c in meta["chunks"] if c["code"] == "newsdesk"}
    free_runs = {c["n"]: c for c in meta["chunks"] if c["code"] == "no cap"}
    rows = []
    for at in sorted(k for k in current if k in timed_at or k + CHUNK >= reached):
        cur, fr = current[at], free_runs.get(at)
        rows.append([f"{at:,}", f"{cur['wall']:.1f}", f"{cur['cpu']:.1f}", "yes" if cur["cpu"] < SPEED_TARGET_S else "no",
                     f"{fr['cpu']:.1f}" if fr else "–", f"{fr['changed']:.1%}" if fr and fr.get("changed") is not None else "–",
                     f"{cur['stories']:,}", f"{cur['aliases']:,}", cur["measured"][5:16]])
    revs = {c.get("rev", "") for c in meta["chunks"]}
    section.add(Report(
        f"Placing 1,000 articles added to an archive of N, one core (target: < {SPEED_TARGET_S:.0f} s at N = 100,000)",
        ["N", "wall s", "CPU s", f"CPU < {SPEED_TARGET_S:.0f} s", "no cap CPU s", "placed otherwise without cap",
         "stories after", "aliases after", "measured (UTC)"],
        rows,
        "Every chunk of 1,000 is placed by newsdesk as it is (new Analysis, update(), commit) and timed; the table shows"
        " the checkpoints and the last chunk. no cap: the same 1,000 from the same state with MAX_CANDIDATES lifted, and"
        " the share of them it puts in another story."
        f" Built up to N = {reached:,} ({elapsed:.0f} s this run; budget {budget:.0f} s once N = {REQUIRED_N:,} is measured)."
        " Wall time includes waiting for the core when the machine is busy; CPU time is the process's own."
        + (f" Measured with {len(revs)} versions of src/ (others edited it during the runs)." if len(revs) > 1 else "")))
    prof_n = max((s for s in meta["snapshots"] if (folder / f"n{s}.db").exists()), default=None)
    if prof_n is not None:
        stream = synthetic_stream(pool)
        skip(stream, prof_n)
        rows = profile_chunk(folder / f"n{prof_n}.db", stream, folder / "profile.db")
        section.add(Report(f"Where the time goes at N = {prof_n:,} (cProfile, {PROFILE_ARTICLES} articles)",
                           ["part (cumulative; parts overlap)", "ms/article", "share of update()"], rows))
    last = max(current, default=0)
    pts = sorted((k, v) for k, v in current.items() if k in timed_at or k == last)
    if len(pts) >= 2:
        (n0, a), (n1, b) = pts[max(0, len(pts) - 3)], pts[-1]
        slope = (b["cpu"] - a["cpu"]) / (n1 - n0)
        section.say(f"Speed: CPU s per 1,000 grows by {slope * 10_000:.1f} s per 10,000 articles between N={n0:,} and"
                    f" N={n1:,}; a straight line reaches {b['cpu'] + slope * (100_000 - n1):.0f} s at N = 100,000"
                    + (" (measured there: see table)." if n1 >= 100_000 else " (extrapolated)."))


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


# ---------------------------------------------------------------------------------------------
# RESULTS.md and the command line.


def machine_note() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = ""
    with contextlib.suppress(OSError, IndexError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    return f"nproc {os.cpu_count()} ({cpu}){mem}; Python {platform.python_version()}; {platform.platform()}"


def git_note() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True).stdout.strip()
    rev = git("rev-parse", "--short", "HEAD")
    dirty = git("status", "--porcelain", "--", "src")
    return f"newsdesk {rev}" + (" with uncommitted changes in src/ (measured as in the working tree)" if dirty else " (src/ clean)")


def write_results(sections: list[Section], command: str, started: str, seconds: float) -> None:
    lines = [SECTION, "", f"- Command: `{command}`", f"- Date: {started}; wall time {seconds:.0f} s.",
             f"- Machine: {machine_note()}.", f"- Code: {git_note()}; stories.py defaults JOIN_THRESHOLD="
             f"{stories_mod.JOIN_THRESHOLD}, TEXT_SHARE={stories_mod.TEXT_SHARE}, NEAR_DAY_BONUS={stories_mod.NEAR_DAY_BONUS},"
             f" UNDATED_MARGIN={stories_mod.UNDATED_MARGIN}, DAYS_BEFORE/AFTER={stories_mod.DAYS_BEFORE}/{stories_mod.DAYS_AFTER},"
             f" ENTITY_IDF_POWER={stories_mod.ENTITY_IDF_POWER}, IDF_PSEUDO_DOCS={stories_mod.IDF_PSEUDO_DOCS},"
             f" PLACES_ONLY_SHARE={stories_mod.PLACES_ONLY_SHARE}.",
             "- Labels: stories-dev = ../shared/eval/stories-dev/events.json; own = bench/data/stories-own/events.json;"
             " alias pairs = bench/data/alias-pairs.tsv, sentences = bench/data/alias-sentences.tsv.", ""]
    for section in sections:
        lines += [f"### {section.name}", ""]
        for report in section.reports:
            lines += [report.markdown(), ""]
        if section.findings:
            lines += [*(f"- {f}" for f in section.findings), ""]
    text = "\n".join(lines).rstrip() + "\n"
    # Read just before writing: other benches write their own sections of the same file.
    replace_section(RESULTS, SECTION, text)
    console.print(f"wrote {RESULTS.relative_to(REPO)} ({SECTION})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="grouping,own,orders,sweep,aliases,speed",
                        help="comma-separated: grouping, own, orders, sweep, aliases, speed; fresh only when named")
    parser.add_argument("--rebuild", action="store_true", help="build the speed archives again from nothing")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1), help="processes for the sweep")
    parser.add_argument("--speed-budget", type=float, default=600.0,
                        help=f"seconds to keep growing the speed archive once N = {REQUIRED_N:,} is measured")
    parser.add_argument("--speed-max", type=int, default=100_000, help="largest N to build")
    parser.add_argument("--retime", action="store_true", help="time the cached checkpoints again (else their recorded times)")
    parser.add_argument("--no-results", action="store_true", help="print only; leave bench/RESULTS.md alone")
    parser.add_argument("--orders", type=int, default=20, help="random arrival orders for --only orders")
    args = parser.parse_args(argv)
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    unknown = only - {"grouping", "own", "orders", "sweep", "aliases", "speed", "fresh"}
    if unknown:
        parser.error(f"unknown --only parts: {', '.join(sorted(unknown))}")
    started, t0 = _now(), time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    console.print(f"{started}; {machine_note()}; {git_note()}", markup=False)
    sections: list[Section] = []

    sets: list[LabelSet] = []
    if only & {"grouping", "sweep"}:
        sets.append(stories_dev())
    if only & {"own", "sweep"}:
        sets.append(own_set())
    if "orders" in only and not sets:
        sets = [stories_dev(), own_set()]
    dbs: dict[str, Path] = {}
    if only & {"grouping", "own", "sweep"}:
        section = Section("Story grouping")
        dbs = run_grouping(section, sets)
        if "own" in only:
            check_seeds(section, dbs.get("own"))
        sections.append(section)
    if "orders" in only:
        section = Section("Arrival order")
        run_orders(section, [stories_dev(), own_set()], args.orders)
        sections.append(section)
    if "sweep" in only:
        section = Section("Sensitivity of the placement constants")
        run_sweep(section, sets, dbs, args.jobs)
        sections.append(section)
    if "aliases" in only:
        section = Section("Entity resolution")
        run_aliases(section)
        sections.append(section)
    if only & {"grouping", "own", "aliases"}:
        section = Section("Problems found")
        run_problems(section)
        sections.append(section)
    if "fresh" in only:
        section = Section("Unseen events")
        run_fresh(section)
        sections.append(section)
    if "speed" in only:
        section = Section("Incremental placement speed")
        run_speed(section, args.rebuild, args.speed_budget, args.speed_max, args.retime)
        sections.append(section)
    if not args.no_results:
        command = ".venv/bin/python bench/stories.py" + (f" {' '.join(sys.argv[1:])}" if len(sys.argv) > 1 else "")
        write_results(sections, command, started, time.perf_counter() - t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
