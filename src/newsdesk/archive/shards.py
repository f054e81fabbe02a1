"""Ingest in two halves: captures extracted into Parquet shards anywhere, then shards merged into one archive.

Extraction (with decoding and the per-capture analysis that needs no archive: the body's MinHash signature)
is nearly all of an ingest's time and needs nothing but the capture, so it can run on many cores or
machines (archive/distributed.py runs it on Ray). Folding, publications and stories need the archive and
run once, in `merge_shards`, which stores each shard's captures exactly as a local `ingest` stores them,
in the same order: the same inputs give the same archive either way.

The inputs are planned as units: one per container file (WARC, JSONL log, zip, tar) and one per run of up
to `LOOSE_FILES_PER_SHARD` loose capture files, in the order a local ingest walks them; asked to, a container
of many captures is planned as ranges of them (`records_per_unit`), one unit each. Each unit becomes one
shard, named `<ordinal>-<first file>-<digest>.parquet`; the digest covers the unit's files (path, size,
modification time), the extraction options and the shard format, so a rerun over unchanged inputs finds
the shards already written and skips them. A shard is written under a temporary name and renamed when
complete: a shard that exists is whole, and a killed run leaves only temporary files, which are never read.
"""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import os
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk import __version__
from newsdesk.archive.ingest import IngestSummary, Prepared, _failure_key, store_batches
from newsdesk.archive.store import Archive, ArchiveError, IngestOutcome, capture_hash, storable
from newsdesk.extract import ExtractOptions
from newsdesk.model import Article
from newsdesk.sources.containers import container_kind, iter_all_captures, warc_captures_from
from newsdesk.sources.files import RawCapture, Skipped, iter_paths

# Bumped when the columns or their meaning change: shards of another format are planned again, never merged.
SHARD_FORMAT = 1
# Loose capture files (one page each) per shard: enough that a task's start-up is small beside its work.
LOOSE_FILES_PER_SHARD = 256
# Rows per Parquet row group, and per write transaction of the merge (ingest's batch size).
ROWS_PER_GROUP = 200
METADATA_KEY = b"newsdesk.shard"
SUFFIX = ".parquet"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class ShardError(ArchiveError):
    """A file given as a shard is not one this newsdesk can merge; the message says why, in one line."""


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([
        ("position", pa.int32()),  # the capture's place in its unit: the merge keeps this order
        ("path", pa.string()),
        ("sha256", pa.string()),  # the capture's key: SHA-256 of its bytes (of its path and error when unreadable)
        ("size", pa.int64()),
        ("unreadable", pa.bool_()),  # no bytes could be read: `error` says why
        ("error", pa.string()),  # why the capture gave no article (unreadable, or extraction's error)
        ("capture_url", pa.string()),
        ("captured_at", pa.string()),
        # The article's headline fields, for looking into shards with any Parquet reader; `record` is what merges.
        ("title", pa.string()),
        ("outlet", pa.string()),
        ("published", pa.string()),
        ("original_url", pa.string()),
        ("language", pa.string()),
        ("format", pa.string()),
        ("record", pa.string()),  # the Article as JSON (`newsdesk extract`'s record)
        ("signature", pa.binary()),  # the body's MinHash (fold.signature_bytes)
    ])


@dataclass(frozen=True, slots=True)
class Unit:
    """The input files of one shard, as the user's paths name them (captures keep those names). A unit of one
    container may hold only a range of its captures: the `first` to the one before `stop` (None: to the end), of
    the `records` the plan counted in it (0 when it was not counted). `seek`: where in a WARC file the range's
    first record starts, when reading can begin there (see `_container_units`)."""

    ordinal: int
    files: tuple[str, ...]
    name: str
    first: int = 0
    stop: int | None = None
    records: int = 0
    seek: int | None = None

    @property
    def ranged(self) -> bool:
        return self.first > 0 or self.stop is not None


@dataclass
class ShardStats:
    """What writing one shard cost, stage by stage (seconds of one worker)."""

    name: str
    captures: int = 0
    failures: int = 0
    skipped: bool = False  # written completely by an earlier run
    read_seconds: float = 0.0  # reading and unpacking files and containers
    extract_seconds: float = 0.0  # decoding and extraction
    analysis_seconds: float = 0.0  # body text and MinHash signature
    write_seconds: float = 0.0  # Parquet encoding and writing
    cpu_seconds: float = 0.0  # processor time of the task (the stages above are wall time, which waits for a busy core)
    warm_seconds: float = 0.0  # processor time of the worker's one-time loading, when this task did it (`warm_up`)
    started: float = 0.0  # when the task began and ended (Unix time): the span of a run, without Ray's start-up
    finished: float = 0.0
    worker: str = ""  # host:process that wrote it, for the cost per worker

    def to_record(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _fingerprint(path: str) -> list[Any]:
    try:
        info = os.stat(path)
        return [path, info.st_size, info.st_mtime_ns]
    except OSError:
        return [path, None, None]


def _options_fingerprint(options: ExtractOptions) -> list[Any]:
    return [[_fingerprint(p) for p in options.outlet_files], options.max_chars, options.timeout_seconds,
            sorted(options.extra.items())]


def _unit(ordinal: int, files: list[str], options: ExtractOptions, first: int = 0, stop: int | None = None,
          records: int = 0, seek: int | None = None) -> Unit:
    identity: list[Any] = [SHARD_FORMAT, __version__, _options_fingerprint(options),
                           [_fingerprint(os.path.abspath(f)) for f in files]]
    stem = _UNSAFE.sub("_", Path(files[0]).name)[:40] or "capture"
    if first > 0 or stop is not None:
        # Only a range's shard names it: a whole container's shard keeps the name it always had.
        identity.append([first, stop])
        stem += f"-r{first}-{'end' if stop is None else stop}"
    digest = hashlib.sha256(json.dumps(identity, ensure_ascii=True).encode()).hexdigest()[:16]
    return Unit(ordinal, tuple(files), f"{ordinal:05d}-{stem}-{digest}{SUFFIX}", first, stop, records, seek)


def count_captures(path: str | Path, every: int = 0) -> tuple[int, list[int] | None]:
    """How many captures a container yields, read as a worker reads it (unpacked, nothing extracted); and, for
    a WARC file that read without damage, the byte offset of every `every`-th capture's record (None otherwise)."""
    absolute = os.path.abspath(path)
    warc = container_kind(Path(absolute)) == "warc"
    count, offsets = 0, []
    for raw in iter_all_captures([absolute], follow_symlinks=True):
        if warc and (raw.data is None or raw.warning):
            warc = False  # damage: its readers' recovery depends on what came before, so ranges read from the start
        if warc and every and count % every == 0:
            offsets.append(int(raw.path.rpartition("#")[2]))
        count += 1
    return count, offsets if warc else None


def _container_units(first_ordinal: int, path: str, options: ExtractOptions, records_per_unit: int | None) -> list[Unit]:
    """One container's units: the whole file, or runs of `records_per_unit` captures when it holds more. A
    range of an undamaged WARC file is read from its first record's offset (each record is read on its own:
    the captures are the same as reading from the start); other ranges are read from the start."""
    if not records_per_unit:
        return [_unit(first_ordinal, [path], options)]
    records, offsets = count_captures(path, records_per_unit)
    if records <= records_per_unit:
        return [_unit(first_ordinal, [path], options)]
    starts = range(0, records, records_per_unit)
    # The last range is open: whatever the file holds past the count is still read by someone.
    return [_unit(first_ordinal + i, [path], options, start, start + records_per_unit if i < len(starts) - 1 else None,
                  records, offsets[i] if offsets is not None and i > 0 else None) for i, start in enumerate(starts)]


def plan(
    paths: Iterable[str | Path], options: ExtractOptions, follow_symlinks: bool = False, skipped: Skipped | None = None,
    records_per_unit: int | None = None,
) -> list[Unit]:
    """The shards the inputs make, in the order a local ingest reads them: each container file alone, loose
    files in runs of up to LOOSE_FILES_PER_SHARD between containers. With `records_per_unit`, a container of more
    captures is split into ranges of that many, each its own shard, so one large crawl file keeps several workers
    busy; planning then reads each container once to count its captures."""
    units: list[Unit] = []
    loose: list[str] = []
    for path in iter_paths(paths, follow_symlinks, skipped):
        if container_kind(path) is None:
            loose.append(str(path))
            if len(loose) >= LOOSE_FILES_PER_SHARD:
                units.append(_unit(len(units), loose, options))
                loose = []
            continue
        if loose:
            units.append(_unit(len(units), loose, options))
            loose = []
        units.extend(_container_units(len(units), str(path), options, records_per_unit))
    if loose:
        units.append(_unit(len(units), loose, options))
    return units


# A compressed container holds about this many times its size in captures (WARC.gz compresses record by record,
# ~2.4 on bench/scale.py's captures, more on real crawls' markup).
_COMPRESSED_FACTOR = 3
_COMPRESSED = (".gz", ".tgz", ".bz2", ".xz", ".zip")


def estimated_work(unit: Unit) -> int:
    """About how many bytes of captures the unit holds: its files' sizes, compressed ones weighted. Shards are
    handed to workers largest first, so the last ones to finish are small and the workers end together."""
    total = 0
    for name in unit.files:
        try:
            size = os.stat(name).st_size
        except OSError:
            continue
        total += size * _COMPRESSED_FACTOR if name.lower().endswith(_COMPRESSED) else size
    if unit.ranged and unit.records:
        # A range's share of its container's captures.
        stop = unit.records if unit.stop is None else min(unit.stop, unit.records)
        total = total * max(stop - unit.first, 0) // unit.records
    return total


# --- writing (in workers) ----------------------------------------------------------------------------


def _unit_captures(unit: Unit) -> Iterator[RawCapture]:
    """The unit's captures, read through absolute paths (a worker's folder is not the user's) and named as
    the user's paths name them, as a local ingest names them. A range of an undamaged WARC file is read from its
    first record's offset; any other range from the container's start, the captures before it passed over
    unextracted: those readers recover from damage and count their limits from the start, so reading from there
    is what makes the ranges together exactly the container's captures."""
    for given in unit.files:
        absolute = os.path.abspath(given)
        # The plan already applied the walk's rules (links, special files): these are the files it chose.
        if unit.seek is not None:
            stop = None if unit.stop is None else unit.stop - unit.first
            captures = itertools.islice(warc_captures_from(absolute, unit.seek), 0, stop)
        else:
            captures = iter_all_captures([absolute], follow_symlinks=True)
            if unit.ranged:
                captures = itertools.islice(captures, unit.first, unit.stop)
        for raw in captures:
            if raw.path.startswith(absolute):
                raw.path = given + raw.path[len(absolute):]
            yield raw


# What a worker reads before its first capture: one page in each common shape, so its modules, dictionaries
# (OpenCC, credits grammar, outlet registry, region model) and the MinHash permutations are loaded once.
_WARM_UP_CAPTURES = (
    ("warm-up.html", "<!doctype html><html><head><meta charset='utf-8'><title>北京举行新闻发布会 - 人民网</title>"
     "<meta property='og:site_name' content='人民网'></head><body><h1>北京举行新闻发布会</h1>"
     "<p class='time'>2024年3月5日 10:21 来源：人民网 作者：张三</p><article><p>新华社北京3月5日电（记者 李四）"
     "国务院新闻办公室5日上午举行新闻发布会，介绍有关情况。</p><p>發布會上，有關負責人回答了記者提問。</p>"
     "</article></body></html>"),
    ("warm-up.md", "# 北京举行新闻发布会\n\n来源：人民网 2024-03-05\n\n国务院新闻办公室5日上午举行新闻发布会，介绍有关情况。\n"),
)
_WARMED: set[str] = set()


def warm_up(options: ExtractOptions, freeze: bool = False) -> float:
    """Load, once per process and options, what extraction loads on first use, so that a worker's first shard
    costs what its others do and the one-time cost is counted apart. The processor seconds it took (0.0 when
    the process was warm already). `freeze`: for a process that does nothing but extract (a Ray worker), what
    is loaded is then left out of the garbage collector's passes."""
    key = json.dumps(_options_fingerprint(options), ensure_ascii=True, default=str)
    if key in _WARMED:
        return 0.0
    from newsdesk.archive import fold as folding
    from newsdesk.extract import extract_capture

    cpu = time.process_time()
    for name, page in _WARM_UP_CAPTURES:
        article = extract_capture(page.encode(), name, options)
        folding.signature(folding.body_text(article))
    _WARMED.add(key)
    if freeze:
        # What is loaded now (modules, dictionaries, models: ~70,000 objects) lives as long as the worker; frozen,
        # it is left out of the collector's full passes, which otherwise walk all of it every few hundred captures
        # (~1 % of a capture's processor time). Not in other processes: what they free later would stay frozen.
        gc.collect()
        gc.freeze()
    return time.process_time() - cpu


def _json(record: dict[str, Any]) -> str:
    text = json.dumps(record, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # A name with bytes that are not UTF-8 (PEP 383 escapes): escaped, and read back the same.
        text = json.dumps(record, ensure_ascii=True)
    return text


def _row(position: int, raw: RawCapture, options: ExtractOptions, stats: ShardStats) -> dict[str, Any]:
    """One capture made ready to merge: what `ingest.prepare` does, without an archive to ask."""
    from newsdesk.archive import fold as folding
    from newsdesk.extract import extract_capture

    row: dict[str, Any] = {
        "position": position, "path": storable(raw.path), "size": 0, "unreadable": False, "error": None,
        "capture_url": raw.capture_url and storable(raw.capture_url),
        "captured_at": raw.captured_at and storable(raw.captured_at),
        "title": None, "outlet": None, "published": None, "original_url": None, "language": None, "format": None,
        "record": None, "signature": None,
    }
    if raw.data is None:
        stats.failures += 1
        return {**row, "sha256": _failure_key(raw), "unreadable": True, "error": storable(raw.error or "unreadable")}
    started = time.perf_counter()
    article = extract_capture(raw.data, raw.path, options, charset=raw.charset)
    article.capture_url = article.capture_url or raw.capture_url
    article.captured_at = raw.captured_at
    if raw.warning:
        article.warnings.append(raw.warning)
    analysed = time.perf_counter()
    stats.extract_seconds += analysed - started
    signature = None
    if article.error:
        stats.failures += 1
    else:
        signature = folding.signature_bytes(folding.signature(folding.body_text(article)))
    stats.analysis_seconds += time.perf_counter() - analysed
    return {
        **row, "sha256": capture_hash(raw.data), "size": len(raw.data), "error": article.error and storable(article.error),
        "title": article.title, "outlet": article.outlet, "published": article.published,
        "original_url": article.original_url and storable(article.original_url), "language": article.language,
        "format": article.format, "record": _json(article.to_record()), "signature": signature,
    }


def write_shard(unit: Unit, directory: str | Path, options: ExtractOptions, worker: bool = False) -> ShardStats:
    """Extract the unit's captures into `directory/unit.name`, unless a complete shard is there already.
    Written under a temporary name and renamed when whole. `worker`: this process only extracts (warm_up's
    `freeze`)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    directory = Path(directory)
    final = directory / unit.name
    stats = ShardStats(unit.name)
    if final.exists():
        stats.skipped = True
        return stats
    directory.mkdir(parents=True, exist_ok=True)
    stats.warm_seconds = warm_up(options, freeze=worker)
    stats.started, cpu = time.time(), time.process_time()
    stats.worker = f"{socket.gethostname()}:{os.getpid()}"
    # Host and process in the name: on a shared file system, a retried task may run beside the one it replaces.
    temporary = directory / f".{unit.name}.{socket.gethostname()}.{os.getpid()}.tmp"
    schema = _schema().with_metadata({METADATA_KEY: json.dumps(
        {"format": SHARD_FORMAT, "version": __version__, "ordinal": unit.ordinal, "files": list(unit.files),
         "first": unit.first, "stop": unit.stop},
        ensure_ascii=True,
    ).encode()})
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        started = time.perf_counter()
        writer.write_table(pa.Table.from_pylist(rows, schema=schema))
        rows.clear()
        stats.write_seconds += time.perf_counter() - started

    try:
        with pq.ParquetWriter(temporary, schema, compression="zstd") as writer:
            captures = _unit_captures(unit)
            while True:
                started = time.perf_counter()
                raw = next(captures, None)
                stats.read_seconds += time.perf_counter() - started
                if raw is None:
                    break
                rows.append(_row(stats.captures, raw, options, stats))
                stats.captures += 1
                if len(rows) >= ROWS_PER_GROUP:
                    flush()
            if rows or stats.captures == 0:
                flush()
        with temporary.open("rb") as done:
            os.fsync(done.fileno())
        os.replace(temporary, final)
    finally:
        temporary.unlink(missing_ok=True)
    stats.cpu_seconds, stats.finished = time.process_time() - cpu, time.time()
    return stats


# --- merging -----------------------------------------------------------------------------------------


def shard_files(paths: Iterable[str | Path]) -> list[Path]:
    """Shard files named, and the shards in folders named (in name order: the order they were planned);
    temporary files of unfinished shards are left out."""
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            out.extend(sorted(p for p in path.iterdir() if p.name.endswith(SUFFIX) and not p.name.startswith(".")))
        else:
            out.append(path)
    return out


def check_shard(path: Path) -> int:
    """The number of captures in a shard; ShardError when it is missing, damaged or not a newsdesk shard."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        meta = pq.read_schema(path)
        rows = pq.ParquetFile(path).metadata.num_rows
    except (OSError, pa.ArrowException) as exc:
        raise ShardError(f"{path} cannot be read as a Parquet shard: {exc}") from exc
    info = (meta.metadata or {}).get(METADATA_KEY)
    if info is None:
        raise ShardError(f"{path} is a Parquet file but not a newsdesk shard")
    found = json.loads(info).get("format")
    if found != SHARD_FORMAT:
        raise ShardError(f"{path} is a shard of format {found}, this newsdesk merges format {SHARD_FORMAT}: write it again")
    missing = set(_schema().names) - set(meta.names)
    if missing:
        raise ShardError(f"{path} lacks the columns {', '.join(sorted(missing))}")
    return int(rows)


def _prepared(row: dict[str, Any]) -> Prepared:
    raw = RawCapture(row["path"], None, row["error"], row["capture_url"], row["captured_at"])
    if row["unreadable"]:
        return Prepared(raw, row["sha256"], unreadable=True)
    article = Article.from_record(json.loads(row["record"]))
    return Prepared(RawCapture(row["path"], None, None, row["capture_url"], row["captured_at"]), row["sha256"],
                    row["size"], article, signature=row["signature"])


def read_shard(path: Path) -> Iterator[list[Prepared]]:
    """A shard's captures in their order, a row group at a time."""
    import pyarrow.parquet as pq

    shard = pq.ParquetFile(path)
    for batch in shard.iter_batches(batch_size=ROWS_PER_GROUP):
        # Rows were written in the order they were read: `position` says so, for readers of the shard.
        yield [_prepared(row) for row in batch.to_pylist()]


def merge_shards(
    shards: Iterable[Path], archive: Archive,
    on_capture: Callable[[RawCapture, IngestOutcome], None] | None = None,
) -> IngestSummary:
    """Store the shards' captures in the archive, shard after shard, as a local ingest stores captures
    (same batches, same checks: captures already in the archive are `unchanged`). Stories are placed by
    the caller afterwards, as after an ingest. Every shard is checked before anything is written."""
    paths = list(shards)
    for path in paths:
        check_shard(path)
    summary = IngestSummary()
    started = time.perf_counter()
    try:
        for path in paths:
            store_batches(read_shard(path), archive, summary, on_capture)
    finally:
        summary.seconds = time.perf_counter() - started
    return summary
