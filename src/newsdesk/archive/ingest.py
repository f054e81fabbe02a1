"""Captures in, archive updated: extract each capture, fold it, commit in small batches."""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.archive.store import Archive, IngestOutcome, capture_hash
from newsdesk.extract import ExtractOptions, extract_capture
from newsdesk.model import Article
from newsdesk.sources.containers import iter_all_captures
from newsdesk.sources.files import RawCapture, Skipped

# A batch is this many captures, or what was extracted in this many seconds, whichever comes first:
# a crash redoes at most one batch, and other writers wait at most for one batch's inserts.
BATCH_CAPTURES = 200
BATCH_SECONDS = 2.0
BATCH_BYTES = 64 * 1024 * 1024


@dataclass
class IngestSummary:
    read: int = 0
    new: int = 0
    folded: int = 0
    revisions: int = 0
    unchanged: int = 0
    failed: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    # Symbolic links and special files the walk left out (see sources.files.iter_paths).
    skipped: Skipped = field(default_factory=Skipped)

    def count(self, outcome: IngestOutcome) -> None:
        self.read += 1
        if outcome.status == "new":
            self.new += 1
        elif outcome.status == "folded":
            self.folded += 1
        elif outcome.status == "revision":
            self.revisions += 1
        elif outcome.status == "unchanged":
            self.unchanged += 1
        else:
            self.failed += 1
            self.reasons[outcome.reason.split(":")[0]] += 1

    @property
    def rate(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def _failure_key(raw: RawCapture) -> str:
    # An unreadable capture has no bytes to hash: its path and error identify it across runs.
    # surrogatepass: a file name that is not UTF-8 (PEP 383 escapes) still hashes.
    return capture_hash(f"unreadable\0{raw.path}\0{raw.error}".encode("utf-8", "surrogatepass"))


@dataclass(slots=True)
class Prepared:
    """A capture made ready to store, without the write lock: hashed and, unless the archive
    already knew it, extracted. The capture's bytes are not kept: a batch holds articles only."""

    raw: RawCapture  # path, error and crawl facts; data dropped
    key: str
    size: int = 0  # bytes read
    article: Article | None = None  # None: unreadable or already known
    unreadable: bool = False  # no bytes could be read: raw.error says why
    # The body's MinHash (fold.signature_bytes), when it was computed with the extraction (a Ray worker).
    signature: bytes | None = None


def _without_data(raw: RawCapture) -> RawCapture:
    return RawCapture(raw.path, None, raw.error, raw.capture_url, raw.captured_at, raw.warning)


def prepare(archive: Archive, raw: RawCapture, options: ExtractOptions) -> Prepared:
    """The slow part of ingesting a capture, done outside any transaction (other processes may
    write meanwhile: `store` checks again under the lock)."""
    if raw.data is None:
        return Prepared(_without_data(raw), _failure_key(raw), unreadable=True)
    sha = capture_hash(raw.data)
    if archive.known(sha):
        return Prepared(_without_data(raw), sha, len(raw.data))
    article = extract_capture(raw.data, raw.path, options, charset=raw.charset)
    article.capture_url = article.capture_url or raw.capture_url
    article.captured_at = raw.captured_at
    if raw.warning:
        article.warnings.append(raw.warning)
    return Prepared(_without_data(raw), sha, len(raw.data), article)


def store(archive: Archive, prepared: Prepared) -> IngestOutcome:
    """Fold a prepared capture into the archive: inside the current write transaction."""
    raw = prepared.raw
    if prepared.unreadable:
        if archive.known(prepared.key):
            return IngestOutcome("unchanged")
        return archive.add_failure(prepared.key, raw.path, raw.error or "unreadable", raw.capture_url)
    if prepared.article is None:
        return IngestOutcome("unchanged")
    return archive.add_capture(prepared.key, prepared.article, prepared.signature)


def ingest_capture(archive: Archive, raw: RawCapture, options: ExtractOptions) -> IngestOutcome:
    """One capture, prepared and stored (inside the current write transaction)."""
    return store(archive, prepare(archive, raw, options))


def _batches(captures: Iterable[RawCapture], archive: Archive, options: ExtractOptions) -> Iterator[list[Prepared]]:
    """Prepared captures in batches of BATCH_CAPTURES, or fewer when preparing them took
    BATCH_SECONDS or they came from BATCH_BYTES of captures (which bounds the articles held)."""
    batch: list[Prepared] = []
    started, size = time.monotonic(), 0
    for raw in captures:
        prepared = prepare(archive, raw, options)
        batch.append(prepared)
        size += prepared.size
        if len(batch) >= BATCH_CAPTURES or size >= BATCH_BYTES or time.monotonic() - started > BATCH_SECONDS:
            yield batch
            batch, started, size = [], time.monotonic(), 0
    if batch:
        yield batch


def _end_batch_after(archive: Archive, exc: BaseException) -> None:
    """After `exc` stopped a batch: keep the captures it stored (Ctrl-C), unless the database
    itself failed (a full disk), and never hide `exc` behind a second error."""
    try:
        if isinstance(exc, sqlite3.Error):
            archive.rollback()
        else:
            archive.commit()
    except sqlite3.Error:
        with contextlib.suppress(sqlite3.Error):
            archive.rollback()


def ingest(
    paths: Iterable[str | Path],
    archive: Archive,
    options: ExtractOptions | None = None,
    on_capture: Callable[[RawCapture, IngestOutcome], None] | None = None,
    follow_symlinks: bool = False,
) -> IngestSummary:
    """Ingest every capture under `paths`. Safe to interrupt and re-run: work already
    committed is recognised by content hash and skipped.

    A batch is read and extracted first, with no lock held; then it is stored in one short
    write transaction (BEGIN IMMEDIATE … COMMIT), so other writers and readers of the archive
    wait at most for one batch's inserts. An interrupted run loses at most the batch in flight."""
    options = options or ExtractOptions()
    summary = IngestSummary()
    started = time.perf_counter()
    try:
        captures = iter_all_captures(paths, follow_symlinks, summary.skipped)
        store_batches(_batches(captures, archive, options), archive, summary, on_capture)
    finally:
        summary.seconds = time.perf_counter() - started
    return summary


def store_batches(
    batches: Iterable[list[Prepared]], archive: Archive, summary: IngestSummary,
    on_capture: Callable[[RawCapture, IngestOutcome], None] | None = None,
) -> None:
    """Store prepared captures, one write transaction per batch, counting outcomes in `summary`: the
    storing half of `ingest`, shared with the merge of shards extracted elsewhere (archive/shards.py)."""
    for batch in batches:
        archive.begin()
        try:
            for prepared in batch:
                archive.conn.execute("SAVEPOINT capture")
                try:
                    outcome = store(archive, prepared)
                except BaseException:
                    # A capture half-written when interrupted is undone; the batch before it stands.
                    if archive.conn.in_transaction:
                        archive.conn.execute("ROLLBACK TO capture")
                        archive.conn.execute("RELEASE capture")
                    raise
                archive.conn.execute("RELEASE capture")
                summary.count(outcome)
                if on_capture:
                    on_capture(prepared.raw, outcome)
        except BaseException as exc:
            _end_batch_after(archive, exc)
            raise
        archive.commit()
