#!/usr/bin/env python3
"""Benchmark newsdesk against peer extractors on the Chinese dev captures, the English AEB pages and,
when present, the project's labelled corpus (bench/data/corpus: per split, site group and script).

    .venv/bin/python bench/extraction.py [--shared DIR] [--only NAME,NAME] [--repeat N]
                                         [--json OUT] [--per-file] [--no-corpus]

Each extractor runs on each set in worker subprocesses (this same file with the hidden `--worker JOB`
option), one worker at a time. A worker pins itself to one core, refuses network access, imports
the extractor, loads every input into memory in the form that extractor takes (raw bytes for
newsdesk, a str decoded once for the peers) and then times only the extraction calls, once over
every document. The first worker is a cold pass that gives quality, crashes and memory; then
`--repeat` fresh workers, each warmed up on documents of the other set, give the times. No
extractor is ever timed on a document it has already seen (see `run_worker` for why).
Quality is scored with the shared scorers (`eval/score.py` for the dev captures,
`eval/score_aeb.py` for the AEB pages), so the numbers match what those scripts print for the
same predictions. Predictions and worker logs are kept under bench/out/.

Timing: docs/s is the number of documents over the median pass time; a pass time is the sum of
the per-document call times. The worker is alone on its core (the parent only waits), so docs/s
is also docs/s per core.
Memory: peak RSS (`ru_maxrss`) of the cold-pass worker, and its growth over the baseline taken
after the imports and the inputs are loaded, i.e. what extraction itself added.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import importlib.util
import io
import json
import os
import platform
import re
import resource
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

# Module-level imports are standard library only (extractors.py's too): the worker imports this
# module before the extractor under test, and anything more would inflate every memory baseline.
from extractors import BY_NAME, SPECS, Prediction, Spec

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_SHARED = REPO.parent / "shared"
FIELDS = ("title", "published", "outlet", "authors", "editor", "original_url")

# Issue targets, checked in the ratios section.
DEV_SPEEDUP_TARGET = 3.0
AEB_SPEEDUP_TARGET = 1.0
AEB_F1_TARGET = 0.960


# ---------------------------------------------------------------------------------------------
# The two document sets.


@dataclass(frozen=True, slots=True)
class DocSet:
    key: str
    title: str
    files: tuple[Path, ...]
    gold: Path | None = None  # gold records scored by eval/score.py; None for the AEB pages


def _captures(folder: Path) -> tuple[Path, ...]:
    return tuple(p for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith("."))


def dev_set(shared: Path) -> DocSet:
    captures = shared / "eval" / "dev" / "captures"
    return DocSet("dev", f"Chinese dev captures ({captures})", _captures(captures), shared / "eval" / "dev" / "gold")


CORPUS = BENCH / "data" / "corpus"


FRESH = BENCH / "data" / "corpus-fresh"


def corpus_set(folder: Path = CORPUS, key: str = "corpus", title: str = "newsdesk labelled corpus") -> DocSet | None:
    """A labelled corpus of the project's (issue 8), when present: every capture, train and held-out alike."""
    captures = folder / "captures"
    if not captures.is_dir():
        return None
    return DocSet(key, f"{title} ({captures.relative_to(REPO)})", _captures(captures), folder / "gold")


def aeb_set(shared: Path) -> DocSet:
    html = shared / "bench" / "article-extraction-benchmark" / "html"
    return DocSet("aeb", f"article-extraction-benchmark, English pages ({html})", tuple(sorted(html.glob("*.html.gz"))))


def read_input(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


# ---------------------------------------------------------------------------------------------
# Worker side: runs in its own interpreter, one extractor on one set.


class DocTimeout(BaseException):
    """Raised into an extractor that overran its per-document time.

    A BaseException so that a peer's own `except Exception:` cannot swallow it.
    """


class Deadline:
    """A per-document time limit through SIGALRM.

    The handler only raises while armed, so an alarm that lands just after the call returned
    cannot escape into the benchmark loop. C code that never returns to the interpreter is not
    interrupted; the parent's whole-worker timeout covers that case.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.armed = False
        signal.signal(signal.SIGALRM, self._fire)

    def _fire(self, signum: int, frame: FrameType | None) -> None:
        if self.armed:
            raise DocTimeout

    def __enter__(self) -> Deadline:
        self.armed = True
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc: object) -> None:
        self.armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)


def go_offline() -> None:
    """No extractor may touch the network while it is measured.

    newspaper4k fetches images by default (switched off in its adapter) and tldextract, which it
    uses, downloads the public suffix list on first use; an empty URL list makes tldextract use
    its bundled snapshot. Refusing sockets outright turns anything else into a visible crash
    instead of a silent wait or outside traffic.
    """
    os.environ["TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"] = ""

    def refuse(*args: object, **kwargs: object) -> Any:
        raise OSError("network access is disabled in benchmark workers")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse
    socket.getaddrinfo = refuse


def rss_mb() -> float:
    # ru_maxrss is in KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def distribution_version(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def load_inputs(items: Sequence[dict[str, str]], spec: Spec) -> list[tuple[str, bytes | str]]:
    """Read and decode inputs once, in the form this extractor takes."""
    inputs: list[tuple[str, bytes | str]] = []
    for item in items:
        data = read_input(Path(item["path"]))
        inputs.append((item["name"], data if spec.wants == "bytes" else data.decode(item["encoding"], errors="replace")))
    return inputs


def run_worker(job_path: Path) -> int:
    """One pass of one extractor over one set, in a fresh process.

    Every pass gets its own process because the extractors memoise per string: htmldate (under
    trafilatura's metadata) caches each date expression it parses, and a second pass over the
    same dev captures in one process ran 4× faster than the first, a speed no stream of new
    captures would see. A timed pass is first warmed up on documents of the *other* set, which
    absorbs one-time costs (lazy imports such as dateparser's locale data, compiled patterns,
    data files read on first use) without showing the extractor anything it is timed on.
    The first pass, which gives quality, crashes and memory, is not warmed up: its memory
    numbers must not carry the warm-up documents, and its (cold) time is kept in the JSON only.
    """
    job = json.loads(job_path.read_text(encoding="utf-8"))
    spec = BY_NAME[job["extractor"]]
    result: dict[str, Any] = {"extractor": spec.name, "set": job["set"], "available": False}
    out = Path(job["result"])

    os.sched_setaffinity(0, {job["core"]})
    go_offline()
    started = time.perf_counter()
    try:
        extract = spec.build()
    except Exception as exc:  # an extractor that cannot be imported is reported, not fatal
        result["error"] = f"{type(exc).__name__}: {exc}"
        out.write_text(json.dumps(result), encoding="utf-8")
        return 0
    result["import_s"] = time.perf_counter() - started
    result["version"] = distribution_version(spec.dist)

    inputs = load_inputs(job["inputs"], spec)
    warmup = load_inputs(job["warmup"], spec)
    baseline = rss_mb()
    deadline = Deadline(job["timeout"])
    for name, data in warmup:
        with contextlib.suppress(Exception, DocTimeout), deadline:
            extract(data, name)
    del warmup

    skip = set(job["skip"])
    predictions: dict[str, dict[str, Any]] = {}
    crashes: dict[str, str] = {}
    doc_seconds: dict[str, float] = {}
    total = 0.0
    for name, data in inputs:
        if name in skip:
            # Timed out in the first pass: not run again, but it costs the time limit in every
            # pass, so a peer that hangs is not timed as fast.
            crashes[name] = f"timed out after {job['timeout']} s"
            total += job["timeout"]
            continue
        prediction = Prediction()
        t0 = time.perf_counter()
        try:
            with deadline:
                prediction = extract(data, name)
            elapsed = time.perf_counter() - t0
        except DocTimeout:
            elapsed = job["timeout"]
            crashes[name] = f"timed out after {job['timeout']} s"
        except Exception as exc:
            elapsed = time.perf_counter() - t0
            first_line = next(iter(str(exc).strip().splitlines()), "")
            crashes[name] = f"{type(exc).__name__}: {first_line}"
        total += elapsed
        doc_seconds[name] = elapsed
        if job["quality"]:
            predictions[name] = asdict(prediction)

    peak = rss_mb()
    result.update(
        available=True, docs=len(inputs), seconds=total, doc_seconds=doc_seconds, crashes=crashes,
        rss_baseline_mb=baseline, rss_peak_mb=peak, rss_delta_mb=peak - baseline, predictions=predictions,
    )
    out.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


# ---------------------------------------------------------------------------------------------
# Parent side: start the workers, score, report.


@dataclass(slots=True)
class Run:
    """One extractor on one set, as reported."""

    extractor: str
    set: str
    available: bool
    version: str | None = None
    error: str | None = None
    docs: int = 0
    passes: list[float] = field(default_factory=list)
    cold_s: float | None = None
    docs_per_s: float | None = None
    rss_baseline_mb: float | None = None
    rss_peak_mb: float | None = None
    rss_delta_mb: float | None = None
    import_s: float | None = None
    crashes: dict[str, str] = field(default_factory=dict)
    doc_seconds: dict[str, float] = field(default_factory=dict)  # per document, cold pass
    pass_errors: list[str] = field(default_factory=list)  # timed passes whose worker failed
    empty: int = 0
    scores: dict[str, Any] = field(default_factory=dict)
    per_file: list[dict[str, Any]] = field(default_factory=list)


def load_script(path: Path, name: str) -> ModuleType:
    """The shared scorers are scripts, not a package: load them by path."""
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load scorer {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Declared names whose real encoding is a superset, as browsers treat them.
_SUPERSET = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "big5": "big5hkscs", "x-big5": "big5hkscs"}


def peer_encoding(data: bytes) -> str:
    """How the peers are handed a capture: UTF-8 if it decodes, else the page's declared charset,
    else charset-normalizer's guess. Independent of newsdesk's own detector, so neither side is
    scored on the other's decoding."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    declared = _DECLARED.search(data[:8192])
    if declared:
        name = declared[1].decode("ascii", "replace").lower()
        name = _SUPERSET.get(name, name)
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            data.decode(name)
            return name
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    return best.encoding if best else "utf-8"


def detect_encodings(doc_set: DocSet) -> dict[Path, str]:
    """How to decode each input for the peers (newsdesk decodes for itself, inside the timing)."""
    return {path: peer_encoding(read_input(path)) for path in doc_set.files}


def start_worker(spec: Spec, doc_set: DocSet, warmup_set: DocSet, encodings: dict[Path, str],
                 args: argparse.Namespace, pass_no: int, skip: Sequence[str]) -> dict[str, Any]:
    """Pass 0 is the cold quality pass; passes 1… are the warmed, timed ones."""
    logs = args.out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    # Spread the warm-up over the other set so it reaches every kind of input that set has.
    step = max(1, len(warmup_set.files) // max(1, args.warmup))
    warmup = list(warmup_set.files[::step][: args.warmup]) if pass_no else []
    with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
        job_path, result_path = Path(tmp) / "job.json", Path(tmp) / "result.json"
        job = {
            "extractor": spec.name, "set": doc_set.key, "core": args.core, "timeout": args.timeout,
            "skip": list(skip), "quality": pass_no == 0, "result": str(result_path),
            "inputs": [{"name": p.name, "path": str(p), "encoding": encodings[p]} for p in doc_set.files],
            "warmup": [{"name": p.name, "path": str(p), "encoding": encodings[p]} for p in warmup],
        }
        job_path.write_text(json.dumps(job), encoding="utf-8")
        command = [sys.executable, str(Path(__file__).resolve()), "--worker", str(job_path)]
        log_path = logs / f"{spec.name}-{doc_set.key}.log"
        with log_path.open("w" if pass_no == 0 else "a", encoding="utf-8") as log:
            log.write(f"--- pass {pass_no} ({'quality, cold' if pass_no == 0 else 'timed, warmed up'})\n")
            log.flush()
            try:
                proc = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO, timeout=args.worker_timeout, check=False)
            except subprocess.TimeoutExpired:
                return {"available": False, "error": f"worker exceeded {args.worker_timeout:g} s and was stopped"}
        if not result_path.exists():
            return {"available": False, "error": f"worker died (exit {proc.returncode}); see {log_path}"}
        return json.loads(result_path.read_text(encoding="utf-8"))


def run_all(chosen: Sequence[Spec], sets: Sequence[DocSet], encodings: dict[Path, str],
            args: argparse.Namespace) -> dict[tuple[str, str], dict[str, Any]]:
    """A cold pass per extractor and set (quality, crashes, memory), then up to `--repeat` timed rounds.

    The rounds are interleaved (every extractor's pass 1, then every extractor's pass 2, …)
    rather than run extractor by extractor: this machine's speed drifts by a quarter or more over
    a few minutes, and interleaving spreads that drift over all extractors instead of letting it
    land on one and skew the ratios between them.
    """
    started = time.perf_counter()
    raws: dict[tuple[str, str], dict[str, Any]] = {}
    for round_no in range(args.repeat + 1):
        # Each set warms up on the next one, so no set is ever its own warm-up.
        for index, doc_set in enumerate(sets):
            warmup_set = sets[(index + 1) % len(sets)]
            for spec in chosen:
                key = (doc_set.key, spec.name)
                if round_no == 0:
                    skip: list[str] = []
                else:
                    raw = raws[key]
                    passes = raw.get("passes", [])
                    # A very slow extractor gets fewer timed passes rather than none: no pass
                    # that would take its timing over the budget.
                    if not raw.get("available") or raw.get("pass_errors") or (passes and sum(passes) + passes[-1] > args.budget):
                        continue
                    skip = [name for name, msg in raw["crashes"].items() if msg.startswith("timed out")]
                label = "cold pass" if round_no == 0 else f"timed pass {round_no}/{args.repeat}"
                print(f"[{time.perf_counter() - started:6.1f}s] {spec.name} on {doc_set.key}, {label}…", file=sys.stderr, flush=True)
                result = start_worker(spec, doc_set, warmup_set, encodings, args, round_no, skip)
                if round_no == 0:
                    raws[key] = result
                    result["cold_s"], result["passes"] = result.get("seconds"), []
                elif result.get("available"):
                    raws[key]["passes"].append(result["seconds"])
                else:
                    raws[key].setdefault("pass_errors", []).append(result.get("error"))
    return raws


def write_predictions(path: Path, predictions: dict[str, dict[str, Any]], names: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for name in names:
            record = {"file": name, **predictions.get(name, asdict(Prediction()))}
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def score_gold(scorer: ModuleType, gold: Path, pred_path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return scorer.score(gold, pred_path)


def score_aeb(scorer: ModuleType, shared: Path, pred_path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    truth_path = shared / "bench" / "article-extraction-benchmark" / "ground-truth.json"
    # The summary comes from the scorer's own main(), so it cannot drift from what it prints.
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        scorer.main([str(truth_path), str(pred_path), "--json"])
    summary = json.loads(buffer.getvalue())
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    preds = {}
    for line in pred_path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        preds[Path(rec["file"]).name.split(".")[0]] = "\n\n".join(rec.get("body") or [])
    rows = []
    for key in sorted(truth):
        p, r, _, _ = scorer.page_scores(truth[key].get("articleBody", ""), preds.get(key, ""))
        rows.append({"file": key, "body_p": p, "body_r": r, "body_f1": 2 * p * r / (p + r) if p + r else 0.0})
    return summary, rows


def collect(spec: Spec, doc_set: DocSet, raw: dict[str, Any], scorers: dict[str, ModuleType], shared: Path, out: Path) -> Run:
    run = Run(spec.name, doc_set.key, bool(raw.get("available")), raw.get("version"), raw.get("error"))
    if not run.available:
        return run
    run.docs = raw["docs"]
    run.passes, run.cold_s = raw["passes"], raw["cold_s"]
    run.docs_per_s = run.docs / statistics.median(run.passes) if run.passes and statistics.median(run.passes) > 0 else None
    run.rss_baseline_mb, run.rss_peak_mb, run.rss_delta_mb = raw["rss_baseline_mb"], raw["rss_peak_mb"], raw["rss_delta_mb"]
    run.import_s, run.crashes, run.doc_seconds = raw["import_s"], raw["crashes"], raw["doc_seconds"]
    run.pass_errors = raw.get("pass_errors", [])
    predictions = raw["predictions"]
    run.empty = sum(1 for name, p in predictions.items() if not p["body"] and name not in run.crashes)
    names = [p.name for p in doc_set.files]
    pred_path = out / doc_set.key / f"{spec.name}.jsonl"
    write_predictions(pred_path, predictions, names)
    if doc_set.gold is not None:
        run.scores, run.per_file = score_gold(scorers["dev"], doc_set.gold, pred_path)
    else:
        run.scores, run.per_file = score_aeb(scorers["aeb"], shared, pred_path)
    return run


# ---------------------------------------------------------------------------------------------
# Report.


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[bool]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right, strict=True)) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if r else ("-" * (w + 2)) for w, r in zip(widths, right, strict=True)) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def speed_cells(run: Run) -> list[str]:
    timeouts = sum(1 for msg in run.crashes.values() if msg.startswith("timed out"))
    crashes = str(len(run.crashes)) + (f" ({timeouts} t/o)" if timeouts else "")
    spread = None
    if len(run.passes) > 1:
        spread = 100 * (max(run.passes) - min(run.passes)) / 2 / statistics.median(run.passes)
    return [fmt(run.docs_per_s, 1), fmt(spread, 0), fmt(run.rss_peak_mb, 0), fmt(run.rss_delta_mb, 0), crashes,
            str(run.empty), str(len(run.passes))]


def dev_table(runs: Sequence[Run]) -> str:
    headers = ["extractor", "version", "body P", "body R", "body F1", "title", "published", "outlet", "authors",
               "editor", "orig. URL", "docs/s/core", "±%", "peak MB", "+MB", "crashes", "empty", "passes"]
    rows = []
    for run in runs:
        if not run.available:
            rows.append([run.extractor, f"unavailable: {run.error}", *[""] * (len(headers) - 2)])
            continue
        s, mapped = run.scores, BY_NAME[run.extractor].fields
        rows.append([
            run.extractor, run.version or "?", fmt(s["body_p"]), fmt(s["body_r"]), fmt(s["body_f1"]),
            *[fmt(s[f], 2) if f in mapped else "–" for f in FIELDS], *speed_cells(run),
        ])
    return markdown_table(headers, rows, [False, False, *[True] * (len(headers) - 2)])


def aeb_table(runs: Sequence[Run]) -> str:
    headers = ["extractor", "version", "body P", "body R", "body F1", "docs/s/core", "±%", "peak MB", "+MB", "crashes", "empty", "passes"]
    rows = []
    for run in runs:
        if not run.available:
            rows.append([run.extractor, f"unavailable: {run.error}", *[""] * (len(headers) - 2)])
            continue
        s = run.scores
        rows.append([run.extractor, run.version or "?", fmt(s["precision"]), fmt(s["recall"]), fmt(s["f1"]), *speed_cells(run)])
    return markdown_table(headers, rows, [False, False, *[True] * (len(headers) - 2)])


def gold_labels(gold: Path) -> dict[str, dict[str, str]]:
    """Per capture: its split (train/heldout), site group and script, from the corpus gold records."""
    from newsdesk.extract.language import detect_language

    labels = {}
    for path in sorted(gold.glob("*.gold.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        labels[record["file"]] = {
            "split": record.get("split", "?"), "group": record.get("group", "?"), "site": record.get("site", "?"),
            "script": detect_language(" ".join(record.get("body") or [])[:4000]) or "?",
        }
    return labels


def breakdown_table(runs: Sequence[Run], labels: dict[str, dict[str, str]], facet: str) -> str:
    """Body F1 and field accuracy of each extractor per value of `facet` (split, group or script).

    Body F1 is taken from the averaged P and R of the facet's captures, as the scorer does overall;
    each capture is scored once, by rules that were never fitted to it only on the held-out split.
    """
    values = sorted({label[facet] for label in labels.values()})
    available = [run for run in runs if run.available]
    headers = [facet, "docs", "sites", *[f"{run.extractor} F1" for run in available], "newsdesk title/date/outlet/authors"]
    rows = []
    for value in values:
        files = {name for name, label in labels.items() if label[facet] == value}
        sites = {labels[name]["site"] for name in files}
        cells = [value, str(len(files)), str(len(sites))]
        for run in available:
            mine = [row for row in run.per_file if row["file"] in files]
            p = statistics.fmean(row["body_p"] for row in mine) if mine else 0.0
            r = statistics.fmean(row["body_r"] for row in mine) if mine else 0.0
            cells.append(fmt(2 * p * r / (p + r) if p + r else 0.0))
        ours = next((run for run in available if run.extractor == "newsdesk"), None)
        if ours:
            mine = [row for row in ours.per_file if row["file"] in files]
            cells.append(" / ".join(fmt(statistics.fmean(float(row[f]) for row in mine), 2) if mine else "–"
                                    for f in ("title", "published", "outlet", "authors")))
        else:
            cells.append("–")
        rows.append(cells)
    return markdown_table(headers, rows, [False, True, True, *[True] * len(available), True])


def ratios(results: dict[str, dict[str, Run]]) -> tuple[list[str], dict[str, Any]]:
    """newsdesk's speed over trafilatura's on each set, and the AEB quality targets."""
    lines, numbers = [], {}

    def get(set_key: str, name: str) -> Run | None:
        run = results.get(set_key, {}).get(name)
        return run if run and run.available else None

    for set_key, label, target in (("dev", "dev captures", DEV_SPEEDUP_TARGET), ("corpus", "corpus captures", DEV_SPEEDUP_TARGET),
                                   ("aeb", "AEB pages", AEB_SPEEDUP_TARGET)):
        if set_key not in results:
            continue
        ours = get(set_key, "newsdesk")
        for peer in ("trafilatura", "trafilatura-body"):
            theirs = get(set_key, peer)
            if not (ours and theirs and ours.docs_per_s and theirs.docs_per_s):
                lines.append(f"- {label}: no speed ratio against {peer} (newsdesk or {peer} not run or unavailable)")
                continue
            ratio = ours.docs_per_s / theirs.docs_per_s
            numbers[f"{set_key}_speed_vs_{peer}"] = ratio
            verdict = "met" if ratio >= target else "NOT met"
            lines.append(f"- {label}: newsdesk {ours.docs_per_s:.1f} docs/s ÷ {peer} {theirs.docs_per_s:.1f} docs/s "
                         f"= **{ratio:.2f}×** (target ≥ {target:g}×: {verdict})")
    ours, theirs = get("aeb", "newsdesk"), get("aeb", "trafilatura-body") or get("aeb", "trafilatura")
    if ours:
        f1 = ours.scores["f1"]
        numbers["aeb_f1_newsdesk"] = f1
        verdict = "met" if f1 >= AEB_F1_TARGET else "NOT met"
        line = f"- AEB body F1: newsdesk **{f1:.4f}** (target ≥ {AEB_F1_TARGET:.3f}: {verdict})"
        if theirs:
            numbers[f"aeb_f1_{theirs.extractor}"] = theirs.scores["f1"]
            verdict = "met" if f1 >= theirs.scores["f1"] else "NOT met"
            line += f"; {theirs.extractor} {theirs.scores['f1']:.4f} (not below trafilatura: {verdict})"
        lines.append(line)
    return lines, numbers


LEGEND = """
- body P/R/F1: 4-token shingles, precision and recall averaged over documents, F1 from the averages (the shared scorers).
- title … orig. URL: share of dev captures whose field the scorer counts right; "–": the extractor has no such field.
- docs/s/core: documents ÷ median timed pass, one core, warmed up on the other set; ±%: half the range of the
  timed passes over their median; passes: timed passes run (interleaved across extractors).
- peak MB: peak RSS of the cold pass; +MB: its growth over the baseline after imports and loading the inputs.
- crashes: documents where the extractor raised (scored as empty predictions); empty: no body returned."""


def crash_report(results: dict[str, dict[str, Run]]) -> list[str]:
    """What made each extractor crash, most frequent message first."""
    lines = []
    for set_key, by_name in results.items():
        for run in by_name.values():
            counts = Counter(run.crashes.values())
            for message, count in counts.most_common():
                lines.append(f"- {run.extractor} on {set_key}: {count} × {message}")
            for error in run.pass_errors:
                lines.append(f"- {run.extractor} on {set_key}: a timed pass failed: {error}")
    return lines


def machine_note(core: int, rev: str | None) -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "nproc": os.cpu_count(),
        "cpu": cpu, "python": platform.python_version(), "platform": platform.platform(), "pinned_core": core,
        "newsdesk_revision": newsdesk_revision(rev),
    }


def git(*argv: str) -> str:
    done = subprocess.run(["git", "-C", str(REPO), *argv], capture_output=True, text=True, check=False)
    return done.stdout.strip() if done.returncode == 0 else ""


def newsdesk_revision(rev: str | None) -> str:
    """Which newsdesk was measured: src/ is installed editable and may hold uncommitted work."""
    if rev:
        return f"{git('rev-parse', '--short', rev) or rev} (src/ of {rev!r} via git archive; the working tree was not used)"
    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" + uncommitted changes in src/" if git("status", "--porcelain", "--", "src") else "")


@contextlib.contextmanager
def newsdesk_at(rev: str | None) -> Iterator[None]:
    """With a revision, put that revision's src/ ahead of the editable install, here and in the workers.

    src/ is installed editable and other work may be in progress in it: a named revision gives
    numbers that are reproducible and not moved by someone's half-done edit.
    """
    if rev is None:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="newsdesk-rev-") as tmp:
        archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", rev, "src"], capture_output=True, check=False)
        if archive.returncode:
            raise SystemExit(f"git archive {rev} failed: {archive.stderr.decode(errors='replace').strip()}")
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        src = str(Path(tmp) / "src")
        # PYTHONPATH entries precede the editable install's .pth entry on sys.path.
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [src, os.environ.get("PYTHONPATH")]))
        sys.path.insert(0, src)
        yield


def per_file_report(runs: dict[str, dict[str, Run]]) -> list[str]:
    lines = []
    for set_key in runs:
        run = runs.get(set_key, {}).get("newsdesk")
        if not run or not run.available:
            continue
        lines += ["", f"newsdesk per-file scores, {set_key}:", ""]
        for row in run.per_file:
            wrong = [f for f in FIELDS if f in row and not row[f]]
            extra = f"  wrong: {' '.join(wrong) or '-'}" if set_key != "aeb" else ""
            crash = f"  CRASH {run.crashes[row['file']]}" if row["file"] in run.crashes else ""
            lines.append(f"{row['file']:70s} F1 {row['body_f1']:.3f}  P {row['body_p']:.3f}  R {row['body_r']:.3f}{extra}{crash}")
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help=f"the shared/ folder (default {DEFAULT_SHARED})")
    parser.add_argument("--only", default="", help=f"comma-separated extractors to run, of: {','.join(BY_NAME)}")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes over each set, after the cold quality pass (default 3)")
    parser.add_argument("--json", type=Path, dest="json_out", help="write the raw numbers here as JSON")
    parser.add_argument("--per-file", action="store_true", help="print newsdesk's score for every document")
    parser.add_argument("--out", type=Path, default=BENCH / "out", help="predictions and worker logs go here (default bench/out)")
    parser.add_argument("--warmup", type=int, default=20, help="documents of the other set run before each timed pass (default 20)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per-document time limit in seconds (default 30)")
    parser.add_argument("--budget", type=float, default=120.0,
                        help="seconds of timed passes per extractor and set before repeats are cut (default 120)")
    parser.add_argument("--worker-timeout", type=float, default=900.0, help="limit for one worker process (default 900 s)")
    parser.add_argument("--core", type=int, default=max(os.sched_getaffinity(0)), help="core the workers are pinned to (default: the last one)")
    parser.add_argument("--newsdesk-rev", metavar="REV",
                        help="measure src/ as committed at this git revision instead of the working tree")
    parser.add_argument("--no-corpus", action="store_true", help="leave out bench/data/corpus even when it is present")
    parser.add_argument("--fresh", action="store_true",
                        help="also score bench/data/corpus-fresh, the held-out set of unseen sites (never tune on it)")
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    unknown = [n for n in args.only.split(",") if n and n not in BY_NAME]
    if unknown:
        parser.error(f"unknown extractor(s) {', '.join(unknown)}; choose from {', '.join(BY_NAME)}")
    if args.core not in os.sched_getaffinity(0):
        parser.error(f"--core {args.core} is not available to this process (have {sorted(os.sched_getaffinity(0))})")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return run_worker(args.worker)
    with newsdesk_at(args.newsdesk_rev):
        return benchmark(args)


def benchmark(args: argparse.Namespace) -> int:
    shared: Path = args.shared.resolve()
    for needed in (shared / "eval" / "score.py", shared / "eval" / "score_aeb.py"):
        if not needed.exists():
            raise SystemExit(f"{needed} not found: point --shared at the shared/ folder")
    chosen = [BY_NAME[n] for n in args.only.split(",") if n] or list(SPECS)
    scorers = {"dev": load_script(shared / "eval" / "score.py", "score_dev"),
               "aeb": load_script(shared / "eval" / "score_aeb.py", "score_aeb")}
    sets = [dev_set(shared), aeb_set(shared)]
    corpus = corpus_set()
    if corpus is not None and not args.no_corpus:
        sets.append(corpus)
    fresh = corpus_set(FRESH, "fresh", "fresh held-out set, sites seen nowhere else") if args.fresh else None
    if fresh is not None:
        sets.append(fresh)
    truth = shared / "bench" / "article-extraction-benchmark" / "ground-truth.json"
    gold_counts = {doc_set.key: len(list(doc_set.gold.glob("*.gold.json"))) for doc_set in sets if doc_set.gold}
    gold_counts["aeb"] = len(json.loads(truth.read_text(encoding="utf-8")))
    machine = machine_note(args.core, args.newsdesk_rev)
    command = shlex.join(sys.orig_argv)

    started = time.perf_counter()
    encodings = {path: enc for doc_set in sets for path, enc in detect_encodings(doc_set).items()}
    raws = run_all(chosen, sets, encodings, args)
    elapsed = time.perf_counter() - started
    results: dict[str, dict[str, Run]] = {}
    for doc_set in sets:
        for spec in chosen:
            results.setdefault(doc_set.key, {})[spec.name] = collect(spec, doc_set, raws[(doc_set.key, spec.name)], scorers, shared, args.out)

    print(f"command: {command}")
    print(f"date: {machine['date']}; nproc {machine['nproc']} ({machine['cpu']}); Python {machine['python']}; "
          f"{machine['platform']}; workers pinned to core {args.core}; total run {elapsed:.0f} s")
    print(f"newsdesk revision: {machine['newsdesk_revision']}")
    for doc_set in sets:
        runs = list(results[doc_set.key].values())
        print(f"\n## {doc_set.title}: {len(doc_set.files)} docs, {gold_counts[doc_set.key]} gold records\n")
        print(aeb_table(runs) if doc_set.gold is None else dev_table(runs))
        if doc_set.key == "corpus" and doc_set.gold is not None:
            labels = gold_labels(doc_set.gold)
            for facet in ("split", "group", "script"):
                print(f"\n### corpus by {facet}\n")
                print(breakdown_table(runs, labels, facet))
    crash_lines = crash_report(results)
    if crash_lines:
        print("\n## Crashes\n")
        print("\n".join(crash_lines))
    ratio_lines, ratio_numbers = ratios(results)
    if ratio_lines:
        print("\n## newsdesk against trafilatura\n")
        print("\n".join(ratio_lines))
    print(LEGEND)
    if args.per_file:
        print("\n".join(per_file_report(results)))

    if args.json_out:
        dump = {
            "command": command, "machine": machine, "elapsed_s": elapsed, "ratios": ratio_numbers,
            "extractors": {spec.name: spec.note for spec in chosen},
            "runs": [{k: v for k, v in asdict(run).items() if k != "per_file"} for by_name in results.values() for run in by_name.values()],
            "newsdesk_per_file": {key: by_name["newsdesk"].per_file for key, by_name in results.items() if "newsdesk" in by_name},
        }
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(dump, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
