"""Captures in, archive updated: extract each capture, fold it, commit in small batches."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.archive.store import Archive, IngestOutcome, capture_hash
from newsdesk.extract import ExtractOptions, extract_capture
from newsdesk.sources.containers import iter_all_captures
from newsdesk.sources.files import RawCapture

# Commit after this many captures or seconds, whichever comes first: a crash redoes at most one batch.
BATCH_CAPTURES = 200
BATCH_SECONDS = 2.0


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


def ingest_capture(archive: Archive, raw: RawCapture, options: ExtractOptions) -> IngestOutcome:
    if raw.data is None:
        key = _failure_key(raw)
        if archive.known(key):
            return IngestOutcome("unchanged")
        return archive.add_failure(key, raw.path, raw.error or "unreadable", raw.capture_url)
    sha = capture_hash(raw.data)
    if archive.known(sha):
        return IngestOutcome("unchanged")
    article = extract_capture(raw.data, raw.path, options)
    article.capture_url = article.capture_url or raw.capture_url
    article.captured_at = raw.captured_at
    return archive.add_capture(sha, article)


def ingest(
    paths: Iterable[str | Path],
    archive: Archive,
    options: ExtractOptions | None = None,
    on_capture: Callable[[RawCapture, IngestOutcome], None] | None = None,
) -> IngestSummary:
    """Ingest every capture under `paths`. Safe to interrupt and re-run: work already
    committed is recognised by content hash and skipped."""
    options = options or ExtractOptions()
    summary = IngestSummary()
    started = time.perf_counter()
    batch_started, in_batch = time.monotonic(), 0
    archive.begin()
    try:
        for raw in iter_all_captures(paths):
            archive.conn.execute("SAVEPOINT capture")
            try:
                outcome = ingest_capture(archive, raw, options)
            except BaseException:
                # A capture half-written when interrupted is undone; the batch before it stands.
                archive.conn.execute("ROLLBACK TO capture")
                archive.conn.execute("RELEASE capture")
                raise
            archive.conn.execute("RELEASE capture")
            summary.count(outcome)
            if on_capture:
                on_capture(raw, outcome)
            in_batch += 1
            if in_batch >= BATCH_CAPTURES or time.monotonic() - batch_started > BATCH_SECONDS:
                archive.commit()
                archive.begin()
                batch_started, in_batch = time.monotonic(), 0
    finally:
        archive.commit()
        summary.seconds = time.perf_counter() - started
    return summary
