"""Following feeds: the feeds and sitemaps an archive follows, and `fetch`, which polls them,
fetches the pages they list that are new (or, by the listing's date, changed), keeps every page as a
capture in a WARC file beside the archive and ingests it like any other capture.

What a fetch knows lives in the archive (tables `follows`, `fetched_pages`, `fetch_files`), written
as it goes, so a fetch that is killed resumes where it stopped:
- a listing's ETag/Last-Modified are stored in the transaction that queues the pages it lists,
  so what a killed run polled is not polled again for nothing, and what it listed is not lost;
- a page is marked fetched in the transaction that records where its WARC record ends, after the
  record is flushed; the next run cuts the file back to the last recorded end (a record half-written
  when the run died is dropped: its page is still queued) and ingests what a run left un-ingested.
A page already fetched is asked for again only when its listing gives it a later date than it
had, and then conditionally (If-None-Match / If-Modified-Since): a 304 transfers no body.
"""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsdesk.archive.store import Archive
from newsdesk.sources.feeds import Link, ListingError, parse_listing
from newsdesk.sources.fetch import Fetched, Fetcher, FetchFailed, FetchSettings, Forbidden

# A page fetch that failed for now (timeouts, 5xx, 429) is tried again by this many runs in all.
MAX_RUNS_PER_PAGE = 3
# Sitemap indexes listing indexes: followed this deep, no deeper (an index listing itself is not a loop).
MAX_LISTING_DEPTH = 3
# Content types kept as captures; anything else (images, PDF, archives) is reported and skipped.
_TEXT_TYPES = ("html", "text/", "xml", "json", "markdown")
# Headers that describe the transfer, not the payload: the WARC holds the decoded body, so they would lie.
_TRANSFER_HEADERS = frozenset({"content-encoding", "transfer-encoding", "content-length"})


class FollowError(ValueError):
    """A URL that cannot be followed (not a web address)."""


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_url(url: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FollowError(f"{url!r} is not a web address: give an http:// or https:// URL of a feed or sitemap")
    return url


def add_follow(archive: Archive, url: str) -> bool:
    """Follow `url`; False if it was followed already."""
    url = check_url(url)
    with archive.writing():
        row = archive.conn.execute("SELECT parent FROM follows WHERE url=?", (url,)).fetchone()
        if row is not None and row[0] is None:
            return False
        # A sitemap an index listed becomes followed in its own right.
        archive.conn.execute(
            "INSERT INTO follows(url, added) VALUES (?,?) ON CONFLICT(url) DO UPDATE SET parent=NULL", (url, _now())
        )
    return True


def remove_follow(archive: Archive, url: str) -> int:
    """Stop following `url` (and the sitemaps it listed); how many listings were dropped. The pages
    fetched from them stay in the archive."""
    url = url.strip()
    with archive.writing():
        dropped = archive.conn.execute("DELETE FROM follows WHERE url=? AND parent IS NULL", (url,)).rowcount
        if dropped:
            dropped += _drop_children(archive.conn, url)
    return dropped


def _drop_children(conn: sqlite3.Connection, parent: str) -> int:
    children = [u for (u,) in conn.execute("SELECT url FROM follows WHERE parent=?", (parent,))]
    conn.execute("DELETE FROM follows WHERE parent=?", (parent,))
    return len(children) + sum(_drop_children(conn, child) for child in children)


def follows(archive: Archive) -> list[dict[str, Any]]:
    """The listings followed, each with what its last poll gave and the pages fetched from it."""
    conn = archive.conn
    rows = conn.execute(
        "SELECT url, kind, polled_at, status, error, added FROM follows WHERE parent IS NULL ORDER BY added, url"
    ).fetchall()
    result = []
    for url, kind, polled_at, status, error, added in rows:
        listings = [url, *_descendants(conn, url)]
        marks = ",".join("?" * len(listings))
        counts = dict(conn.execute(
            f"SELECT state, COUNT(*) FROM fetched_pages WHERE listing IN ({marks}) GROUP BY state", listings
        ).fetchall())
        result.append({
            "url": url, "kind": kind, "added": added, "polled_at": polled_at, "status": status, "error": error,
            "sitemaps": len(listings) - 1, "pages": sum(counts.values()), "fetched": counts.get("fetched", 0)
            + counts.get("unchanged", 0), "pending": counts.get("pending", 0),
            "failed": counts.get("failed", 0) + counts.get("forbidden", 0),
        })
    return result


def _descendants(conn: sqlite3.Connection, parent: str, depth: int = 0) -> list[str]:
    if depth > MAX_LISTING_DEPTH:
        return []
    children = [u for (u,) in conn.execute("SELECT url FROM follows WHERE parent=? AND url<>?", (parent, parent))]
    return children + [d for child in children for d in _descendants(conn, child, depth + 1)]


# --- one fetch run ----------------------------------------------------------------------------


@dataclass
class FetchEvent:
    """What the run just did, for progress displays: `what` is "listing" or "page"."""

    what: str
    url: str
    outcome: str  # "fetched", "unchanged", "failed", "forbidden", "queued" (pages discovered)
    detail: str = ""
    pending: int = 0  # pages left to fetch


@dataclass
class FetchSummary:
    listings: int = 0
    listings_unchanged: int = 0
    discovered: int = 0
    fetched: int = 0
    unchanged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason), listings and pages
    forbidden: int = 0
    left: int = 0  # pages still queued (transient failures, a later run tries them again)
    capture_files: list[Path] = field(default_factory=list)
    ingest: Any = None  # the IngestSummary of this run's captures


def captures_dir_for(db: Path) -> Path:
    """Where fetched captures go by default: a folder beside the archive, named after it."""
    return db.with_name(db.name + ".captures")


class _CaptureFile:
    """The WARC file one run writes, one gzip member per record, each flushed and its end recorded."""

    def __init__(self, path: Path) -> None:
        from warcio.warcwriter import WARCWriter

        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.stream = path.open("ab")
        self.writer = WARCWriter(self.stream, gzip=True)

    def write(self, fetched: Fetched) -> tuple[int, int]:
        from warcio.statusandheaders import StatusAndHeaders

        assert fetched.body is not None
        start = self.stream.tell()
        headers = [(k, v) for k, v in fetched.headers.multi_items() if k.lower() not in _TRANSFER_HEADERS]
        headers.append(("Content-Length", str(len(fetched.body))))
        http = StatusAndHeaders(f"{fetched.status} OK", headers, protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": fetched.fetched_at[:19] + "Z"}
        if fetched.final_url != fetched.url:
            # The address the listing gave, before redirects (WARC-Target-URI is the one answered).
            warc_headers["WARC-Source-URI"] = fetched.url
        record = self.writer.create_warc_record(
            fetched.final_url, "response", payload=io.BytesIO(fetched.body), http_headers=http,
            warc_headers_dict=warc_headers,
        )
        self.writer.write_record(record)
        self.stream.flush()
        return start, self.stream.tell()

    def close(self) -> None:
        self.stream.close()


def _cut_back(conn: sqlite3.Connection, path: Path) -> None:
    """Drop what a killed run wrote past its last recorded record (a half-written gzip member)."""
    end = conn.execute("SELECT MAX(warc_end) FROM fetched_pages WHERE warc=?", (str(path),)).fetchone()[0] or 0
    try:
        if path.stat().st_size > end:
            os.truncate(path, end)
    except FileNotFoundError:
        pass


class _Run:
    def __init__(
        self, archive: Archive, settings: FetchSettings, captures: Path,
        on_event: Callable[[FetchEvent], None] | None,
    ) -> None:
        self.archive = archive
        self.conn = archive.conn
        self.settings = settings
        self.captures = captures
        self.on_event = on_event or (lambda event: None)
        self.summary = FetchSummary()
        self.file: _CaptureFile | None = None
        self.file_path = captures / f"fetch-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{os.getpid()}.warc.gz"

    def _event(self, what: str, url: str, outcome: str, detail: str = "") -> None:
        pending = self.conn.execute("SELECT COUNT(*) FROM fetched_pages WHERE state='pending'").fetchone()[0]
        self.on_event(FetchEvent(what, url, outcome, detail, pending))

    # --- listings ---

    async def poll_listings(self, fetcher: Fetcher) -> None:
        roots = [u for (u,) in self.conn.execute("SELECT url FROM follows WHERE parent IS NULL ORDER BY added, url")]
        seen: set[str] = set(roots)
        level = roots
        for _depth in range(MAX_LISTING_DEPTH + 1):
            if not level:
                break
            found = await asyncio.gather(*(self.poll(fetcher, url) for url in level))
            level = [child for children in found for child in children if child not in seen]
            seen.update(level)

    async def poll(self, fetcher: Fetcher, url: str) -> list[str]:
        """Poll one listing; the sitemaps it lists (an index), to poll next."""
        row = self.conn.execute("SELECT etag, last_modified FROM follows WHERE url=?", (url,)).fetchone()
        etag, last_modified = row if row else (None, None)
        self.summary.listings += 1
        try:
            fetched = await fetcher.get(url, etag, last_modified)
        except FetchFailed as exc:
            self._listing_failed(url, exc.reason, getattr(exc, "status", None))
            return []
        except Exception as exc:  # an error no one foresaw costs this listing, not the run
            self._listing_failed(url, f"fetch failed: {type(exc).__name__}: {exc}", None)
            return []
        if fetched.status == 304:
            self.summary.listings_unchanged += 1
            with self.archive.writing():
                self.conn.execute("UPDATE follows SET polled_at=?, status=304, error=NULL WHERE url=?", (_now(), url))
            self._event("listing", url, "unchanged")
            # An index that has not changed lists the same sitemaps, each polled (conditionally) in turn.
            return [u for (u,) in self.conn.execute("SELECT url FROM follows WHERE parent=?", (url,))]
        try:
            listing = parse_listing(fetched.body or b"", fetched.final_url, fetched.headers.get("content-type"))
        except ListingError as exc:
            self._listing_failed(url, str(exc), fetched.status)
            return []
        except Exception as exc:  # whatever one listing holds, the others are still polled
            self._listing_failed(url, f"cannot be read as a feed or sitemap: {type(exc).__name__}: {exc}", fetched.status)
            return []
        new_etag, new_modified = fetched.validators
        with self.archive.writing():
            for child in listing.listings:
                self.conn.execute(
                    "INSERT INTO follows(url, parent, added) VALUES (?,?,?) ON CONFLICT(url) DO NOTHING",
                    (child.url, url, _now()),
                )
            queued = sum(self._queue(link, url) for link in listing.pages)
            self.conn.execute(
                "UPDATE follows SET kind=?, etag=?, last_modified=?, polled_at=?, status=?, error=NULL WHERE url=?",
                (listing.kind, new_etag, new_modified, _now(), fetched.status, url),
            )
        self.summary.discovered += queued
        self._event("listing", url, "fetched", f"{len(listing.pages)} pages listed, {queued} to fetch")
        return [child.url for child in listing.listings]

    def _listing_failed(self, url: str, reason: str, status: int | None) -> None:
        self.summary.failures.append((url, reason))
        with self.archive.writing():
            self.conn.execute("UPDATE follows SET polled_at=?, status=?, error=? WHERE url=?", (_now(), status, reason, url))
        self._event("listing", url, "failed", reason)

    def _queue(self, link: Link, listing: str) -> bool:
        """Queue a listed page unless it was fetched and the listing dates it no later than before."""
        row = self.conn.execute("SELECT state, listed_updated FROM fetched_pages WHERE url=?", (link.url,)).fetchone()
        if row is None:
            self.conn.execute(
                "INSERT INTO fetched_pages(url, listing, listed_updated, discovered, state) VALUES (?,?,?,?,'pending')",
                (link.url, listing, link.updated, _now()),
            )
            return True
        state, updated = row
        if state == "pending":
            return False
        if link.updated and (updated is None or link.updated > updated) and state in ("fetched", "unchanged", "failed"):
            # Changed since, by the listing: asked again, conditionally; a page that failed gets a new chance.
            self.conn.execute(
                "UPDATE fetched_pages SET state='pending', listed_updated=?, runs=0 WHERE url=?", (link.updated, link.url)
            )
            return True
        return False

    # --- pages ---

    async def fetch_pages(self, fetcher: Fetcher) -> None:
        pending = self.conn.execute(
            "SELECT url, etag, last_modified FROM fetched_pages WHERE state='pending' ORDER BY discovered, rowid"
        ).fetchall()
        # Tasks in listing order; the fetcher's per-host gates keep them polite, its global cap bounds them.
        await asyncio.gather(*(self.fetch_page(fetcher, *row) for row in pending))

    async def fetch_page(self, fetcher: Fetcher, url: str, etag: str | None, last_modified: str | None) -> None:
        try:
            try:
                fetched = await fetcher.get(url, etag, last_modified)
            except FetchFailed:
                raise
            except Exception as exc:  # an error no one foresaw costs this page, not the run
                raise FetchFailed(f"fetch failed: {type(exc).__name__}: {exc}") from exc
            content_type = fetched.headers.get("content-type", "")
            if fetched.status != 304 and content_type and not any(t in content_type.lower() for t in _TEXT_TYPES):
                raise FetchFailed(f"not a text page ({content_type})")
        except Forbidden as exc:
            if exc.transient:  # robots.txt could not be read this time
                self._page_failed(url, exc)
                return
            self.summary.forbidden += 1
            self._page_done(url, "forbidden", error=exc.reason)
            self._event("page", url, "forbidden", exc.reason)
            return
        except FetchFailed as exc:
            self._page_failed(url, exc)
            return
        if fetched.status == 304:
            self.summary.unchanged += 1
            self._page_done(url, "unchanged", status=304, fetched_at=fetched.fetched_at)
            self._event("page", url, "unchanged")
            return
        if self.file is None:
            self.file = _CaptureFile(self.file_path)
            with self.archive.writing():
                self.conn.execute("INSERT OR IGNORE INTO fetch_files(path, created) VALUES (?,?)",
                                  (str(self.file_path), _now()))
        start, end = self.file.write(fetched)
        new_etag, new_modified = fetched.validators
        self.summary.fetched += 1
        self._page_done(
            url, "fetched", status=fetched.status, fetched_at=fetched.fetched_at, final_url=fetched.final_url,
            etag=new_etag, last_modified=new_modified, warc=str(self.file_path), warc_offset=start, warc_end=end,
        )
        self._event("page", url, "fetched")

    def _page_failed(self, url: str, exc: FetchFailed) -> None:
        runs = self.conn.execute("SELECT runs FROM fetched_pages WHERE url=?", (url,)).fetchone()[0] + 1
        again = exc.transient and runs < MAX_RUNS_PER_PAGE
        self.summary.failures.append((url, exc.reason + ("; tried again by the next fetch" if again else "")))
        self._page_done(url, "pending" if again else "failed", error=exc.reason, status=getattr(exc, "status", None),
                        runs=runs)
        self._event("page", url, "failed", exc.reason)

    def _page_done(self, url: str, state: str, **values: Any) -> None:
        values.setdefault("error", None)
        values["state"] = state
        columns = ", ".join(f"{name}=?" for name in values)
        with self.archive.writing():
            self.conn.execute(f"UPDATE fetched_pages SET {columns} WHERE url=?", (*values.values(), url))


def _ingest_files(archive: Archive, options: Any, total: Any) -> None:
    """Ingest every capture file a fetch wrote and no ingest has finished (this run's, and a killed run's),
    adding what it did to `total` (an IngestSummary)."""
    from newsdesk.archive.ingest import IngestSummary, ingest

    paths = [Path(p) for (p,) in archive.conn.execute("SELECT path FROM fetch_files WHERE ingested IS NULL ORDER BY created")]
    for path in paths:
        _cut_back(archive.conn, path)
        summary = ingest([path], archive, options) if path.exists() else IngestSummary()
        with archive.writing():
            archive.conn.execute("UPDATE fetch_files SET ingested=? WHERE path=?", (_now(), str(path)))
        for name in ("read", "new", "folded", "revisions", "unchanged", "failed"):
            setattr(total, name, getattr(total, name) + getattr(summary, name))
        total.reasons.update(summary.reasons)
        total.seconds += summary.seconds


def run_fetch(
    archive: Archive,
    captures: Path,
    settings: FetchSettings | None = None,
    options: Any = None,
    on_event: Callable[[FetchEvent], None] | None = None,
    transport: Any = None,
) -> FetchSummary:
    """Poll every followed listing, fetch the pages to fetch, ingest them. Safe to kill and run again."""
    from newsdesk.archive.ingest import IngestSummary

    settings = settings or FetchSettings()
    run = _Run(archive, settings, captures, on_event)
    run.summary.ingest = IngestSummary()
    # What a killed run fetched and never ingested goes in first.
    _ingest_files(archive, options, run.summary.ingest)

    async def crawl() -> None:
        async with Fetcher(settings, transport) as fetcher:
            await run.poll_listings(fetcher)
            await run.fetch_pages(fetcher)

    try:
        asyncio.run(crawl())
    finally:
        if run.file is not None:
            run.file.close()
    if run.file is not None:
        run.summary.capture_files.append(run.file_path)
    _ingest_files(archive, options, run.summary.ingest)
    run.summary.left = archive.conn.execute("SELECT COUNT(*) FROM fetched_pages WHERE state='pending'").fetchone()[0]
    return run.summary
