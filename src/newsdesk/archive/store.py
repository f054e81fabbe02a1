"""The archive: captures folded into articles, in SQLite (WAL), searchable with FTS5.

Every capture is kept (provenance); an article's fields come from its best capture. A
capture is identified by the SHA-256 of its bytes, so re-ingesting changes nothing, and an
interrupted ingest (Ctrl-C, kill -9) loses at most the batch in flight, which the next run
redoes. Article ids derive from the article's captures (its first address, else its least
capture: `Archive._canonical_id`), so the same captures give the same articles under the same ids
whatever order they came in; an id an article had before a capture joined it (or before it merged
into another) still finds it (`resolve_id`).
"""

from __future__ import annotations

import builtins
import hashlib
import json
import random
import sqlite3
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from newsdesk.archive import DEFAULT_DB
from newsdesk.archive import fold as folding
from newsdesk.archive import publications as publishing
from newsdesk.archive.export import FIELDS as EXPORT_FIELDS
from newsdesk.archive.schema import MIGRATIONS, migrate
from newsdesk.archive.text import (
    QueryError,
    facet_query,
    fold,
    fts_row,
    published_day,
    query_terms,
    snippet,
    to_fts_query,
)
from newsdesk.model import Article, Image

T = TypeVar("T")
# bm25 weights of the full-text columns: a title hit counts four body hits; facets are filters only.
BM25 = "bm25(article_fts, 4.0, 1.0, 0.0)"


def capture_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def storable(text: str) -> str:
    """`text` as SQLite can store it (UTF-8). A file name with bytes that are not UTF-8 reaches us
    with surrogate escapes (PEP 383); it is kept with those bytes written as `\\xNN` rather than
    failing the whole batch on one name."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        try:
            raw = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raw = text.encode("utf-8", "surrogatepass")
        return raw.decode("utf-8", "backslashreplace")


def _article_id(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()[:16]


@dataclass(slots=True)
class IngestOutcome:
    """What became of one capture: `new`, `folded`, `revision`, `unchanged` or `failed`."""

    status: str
    article_id: str | None = None
    reason: str = ""


@dataclass(slots=True)
class ArticleRow:
    id: str
    title: str | None
    outlet: str | None
    published: str | None
    captures: list[str] = field(default_factory=list)
    snippet: str | None = None
    # {"outlet", "url", "published", "captures"} per publication, earliest first.
    publications: list[dict[str, Any]] = field(default_factory=list)
    # The day the article is placed by: its publication day, else (inferred) the day its lead gives.
    day: str | None = None

    @property
    def day_inferred(self) -> bool:
        return self.published is None and self.day is not None

    def to_record(self, with_snippet: bool) -> dict[str, Any]:
        record: dict[str, Any] = {
            "id": self.id, "title": self.title, "outlet": self.outlet, "published": self.published,
            "day": self.day, "day_inferred": self.day_inferred, "captures": self.captures, "publications": self.publications,
        }
        if with_snippet:
            record["snippet"] = self.snippet
        return record


def _event_day(article: Article) -> str | None:
    """The day the article is placed by in stories (analysis/stories.py decides it), as YYYY-MM-DD."""
    from newsdesk.analysis.stories import event_day

    day = event_day(article)
    return day.isoformat() if day else None


class ArchiveError(Exception):
    """The archive cannot be opened or used as asked; the message says why, in one line."""


class ArchiveBusy(ArchiveError):
    """Another process held the archive's write lock for longer than this one would wait."""


class ArchiveUnwritable(ArchiveError):
    """The archive exists but cannot be opened for writing here (read-only storage or folder)."""


def describe(exc: sqlite3.Error, path: Path | None = None) -> str:
    """What a SQLite error means for the user of an archive, in one line."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    where = f"{path}" if path is not None else "the archive"
    if name == "SQLITE_NOTADB":
        return f"{where} is not a newsdesk archive (not a SQLite database)"
    if name.startswith("SQLITE_CORRUPT"):
        return f"{where} is damaged ({exc}): restore it from a copy"
    if name == "SQLITE_FULL":
        return f"the disk holding {where} is full: nothing more could be written"
    if name.startswith("SQLITE_READONLY"):
        return f"{where} is read-only here: it can be read but not changed"
    if name.startswith("SQLITE_IOERR"):
        return f"reading or writing {where} failed ({exc}; {name}): is the disk full or failing?"
    if name.startswith("SQLITE_CANTOPEN") and path is not None:
        if not path.parent.exists():
            return f"cannot open {path}: the folder {path.parent} does not exist"
        if path.is_dir():
            return f"cannot open {path}: it is a folder, not an archive file"
        return f"cannot open {path}: the folder or file is not writable here ({exc})"
    return f"{where}: {exc}"


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    # SQLITE_BUSY and SQLITE_LOCKED, as Python's sqlite3 words them.
    name = getattr(exc, "sqlite_errorname", "") or ""
    if name:
        return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def _backoff(attempt: int) -> float:
    """Seconds to sleep before write attempt `attempt + 1`: doubling from 50 ms to 2 s, with jitter,
    so two waiting writers do not retry in step."""
    return min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0)


class Archive:
    """One SQLite file. Not safe to share across threads; open one per process.

    Several processes may use one archive at once (WAL): readers never wait for writers, and
    writers take turns. A writer holds the write lock only for a batch's inserts (`begin()` …
    `commit()`, BEGIN IMMEDIATE), never while extracting; a writer that finds the lock taken
    waits (`PRAGMA busy_timeout`), and `begin()` retries with backoff for up to `write_wait`
    seconds before giving up with ArchiveBusy."""

    # SQLite's own wait for a lock, per statement; `begin()` adds retries on top of it.
    BUSY_TIMEOUT_SECONDS = 30.0
    # How long `begin()` keeps trying for the write lock: another ingest placing thousands of
    # articles in stories holds it for minutes.
    WRITE_WAIT_SECONDS = 900.0

    def __init__(
        self, path: str | Path = DEFAULT_DB, tokenizer: str = "bigram", write_wait: float | None = None,
        read_only: bool = False,
    ) -> None:
        """Open (or create) the archive at `path`. `read_only` opens an existing archive for reading
        where it cannot be written (read-only storage); it is never created, migrated or changed.
        Raises ArchiveError when the file cannot serve as an archive."""
        self.path = Path(path)
        self.write_wait = self.WRITE_WAIT_SECONDS if write_wait is None else write_wait
        self.read_only = read_only
        try:
            self.conn = self._connect()
        except sqlite3.Error as exc:
            raise self._open_error(exc) from exc
        try:
            self._set_busy_timeout(self.BUSY_TIMEOUT_SECONDS)
            self.conn.execute("PRAGMA foreign_keys=ON")
            # The rows INSERT OR REPLACE deletes fire delete triggers too (the entity aggregates, schema.py).
            self.conn.execute("PRAGMA recursive_triggers=ON")
            if read_only:
                self.tokenizer = self._check_read_only()
            else:
                self.conn.execute("PRAGMA synchronous=NORMAL")
                # Creating the archive (WAL mode, the schema, the tokenizer) may race with another
                # process creating it too: each step waits for the lock and re-checks under it.
                self.tokenizer = self._retrying(lambda: self._set_up(tokenizer))
        except sqlite3.Error as exc:
            self.conn.close()
            raise self._open_error(exc) from exc
        except BaseException:
            self.conn.close()
            raise

    def _connect(self) -> sqlite3.Connection:
        if not self.read_only:
            return sqlite3.connect(self.path, isolation_level=None, timeout=self.BUSY_TIMEOUT_SECONDS)
        if not self.path.is_file():
            raise ArchiveError(f"no archive at {self.path}")
        uri = self.path.resolve().as_uri()
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None, timeout=self.BUSY_TIMEOUT_SECONDS)
        try:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            return conn
        except sqlite3.OperationalError as exc:
            # No -shm file can be made beside a WAL archive in a folder this process cannot write.
            if not (getattr(exc, "sqlite_errorname", "") or "").startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY")):
                raise
            conn.close()
        # A WAL archive in a folder this process cannot write (no -shm can be made): read the file as
        # it stands. No one can be writing it there, so treating it as unchanging is safe.
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)

    def _open_error(self, exc: sqlite3.Error) -> ArchiveError:
        name = getattr(exc, "sqlite_errorname", "") or ""
        if self.path.is_file() and (name.startswith("SQLITE_CANTOPEN") or name.startswith("SQLITE_READONLY")):
            return ArchiveUnwritable(describe(exc, self.path))
        return ArchiveError(describe(exc, self.path))

    def _check_identity(self) -> None:
        """Refuse a SQLite database that is not an archive: the schema would be written into it."""
        tables = {name for (name,) in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if tables and "meta" not in tables:
            raise ArchiveError(
                f"{self.path} is a SQLite database but not a newsdesk archive: give another --db"
            )

    def _check_read_only(self) -> str:
        self._check_identity()
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version != len(MIGRATIONS):
            raise ArchiveError(
                f"{self.path} has schema version {version}, this newsdesk reads {len(MIGRATIONS)}, and it cannot be"
                " upgraded where it is (read-only): copy it somewhere writable"
            )
        stored = self.conn.execute("SELECT value FROM meta WHERE key='tokenizer'").fetchone()
        return str(stored[0]) if stored else "bigram"

    def _set_up(self, tokenizer: str) -> str:
        self._check_identity()
        if self.conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            self.conn.execute("PRAGMA journal_mode=WAL")
        try:
            migrate(self.conn)
        except RuntimeError as exc:  # a newer schema than this newsdesk knows
            raise ArchiveError(f"{self.path}: {exc}") from exc
        stored = self.conn.execute("SELECT value FROM meta WHERE key='tokenizer'").fetchone()
        if stored is None:
            self.conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('tokenizer', ?)", (tokenizer,))
            stored = self.conn.execute("SELECT value FROM meta WHERE key='tokenizer'").fetchone()
        return str(stored[0])

    def _set_busy_timeout(self, seconds: float) -> None:
        self.conn.execute(f"PRAGMA busy_timeout = {max(0, int(seconds * 1000))}")

    def _retrying(self, attempt: Callable[[], T], wait: float | None = None) -> T:
        """`attempt()`, tried again with backoff while the database is locked, for up to `wait` seconds."""
        deadline = time.monotonic() + (self.write_wait if wait is None else wait)
        tries = 0
        while True:
            remaining = deadline - time.monotonic()
            try:
                self._set_busy_timeout(max(0.0, min(self.BUSY_TIMEOUT_SECONDS, remaining)))
                return attempt()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc):
                    raise
                if time.monotonic() >= deadline:
                    raise ArchiveBusy(
                        f"the archive {self.path} is busy: another newsdesk process has been writing it for over"
                        f" {self.write_wait if wait is None else wait:.0f} s; try again when it has finished"
                    ) from exc
                time.sleep(min(_backoff(tries), max(0.0, deadline - time.monotonic())))
                tries += 1
            finally:
                self._set_busy_timeout(self.BUSY_TIMEOUT_SECONDS)

    # --- transactions --------------------------------------------------------------------

    def begin(self, wait: float | None = None) -> None:
        """Take the write lock (BEGIN IMMEDIATE), waiting up to `wait` seconds (default
        `write_wait`) for other writers; ArchiveBusy if they hold it longer."""
        if self.read_only:
            raise ArchiveUnwritable(f"{self.path} is opened read-only: it cannot be changed here")
        # The connection's own state, not a flag of ours: a Ctrl-C that lands between a statement
        # and the line after it would leave a flag saying the opposite of what SQLite did.
        if not self.conn.in_transaction:
            self._retrying(lambda: self.conn.execute("BEGIN IMMEDIATE"), wait)

    def commit(self) -> None:
        if self.conn.in_transaction:
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        # SQLite may have rolled the transaction back itself (a full disk does): no second error.
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")

    @contextmanager
    def writing(self, wait: float | None = None) -> Iterator[None]:
        """One write transaction: committed at the end of the block, rolled back if it raises."""
        self.begin(wait)
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def close(self) -> None:
        self.commit()
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is not None:
            self.rollback()
        self.close()

    # --- ingest --------------------------------------------------------------------------

    def known(self, sha256: str) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM captures WHERE sha256=? UNION ALL SELECT 1 FROM failures WHERE sha256=? LIMIT 1",
            (sha256, sha256),
        ).fetchone()
        return row is not None

    def add_failure(self, sha256: str, path: str, error: str, capture_url: str | None = None) -> IngestOutcome:
        self.conn.execute(
            "INSERT OR IGNORE INTO failures(sha256, path, error, capture_url) VALUES (?,?,?,?)",
            (sha256, storable(path), storable(error), capture_url and storable(capture_url)),
        )
        return IngestOutcome("failed", reason=error)

    def add_capture(self, sha256: str, article: Article, signature: bytes | None = None) -> IngestOutcome:
        """Fold one extracted capture into the archive (inside the current batch). `signature`: the MinHash of
        its body as `fold.signature_bytes` gives it, when it was computed where the capture was extracted."""
        if self.known(sha256):
            return IngestOutcome("unchanged")
        # Names and crawl fields come from file systems and capture logs, which allow what UTF-8 does not.
        article.file = storable(article.file)
        article.capture_url = article.capture_url and storable(article.capture_url)
        article.captured_at = article.captured_at and storable(article.captured_at)
        if article.error:
            return self.add_failure(sha256, article.file, article.error, article.capture_url)
        text = folding.body_text(article)
        minhash = folding.signature(text) if signature is None else folding.signature_from_bytes(signature)
        key = folding.identity_key(article.original_url)
        decision = self._decide(article, minhash, text, key)
        score, score_reason = folding.capture_score(article)
        # The ids articles are known by before this capture: the capture may change which id each should have.
        involved_keys: set[str | None] = {key}
        if decision.article_id is None:
            article_id = self._new_article_id(key, sha256)
            status = "new"
            revision = 1
            self._insert_article(article_id, article, key)
            self.conn.execute(
                "INSERT OR REPLACE INTO signatures(article_id, minhash) VALUES (?,?)",
                (article_id, folding.signature_bytes(minhash)),
            )
            self.conn.execute(
                "INSERT INTO revisions(article_id, number, signature, first_capture) VALUES (?,?,?,?)",
                (article_id, 1, folding.signature_bytes(minhash), self._next_capture_seq()),
            )
        else:
            article_id = decision.article_id
            involved_keys |= {self._min_key(involved) for involved in (article_id, *decision.merges)}
            for gone in decision.merges:
                self._merge(article_id, gone)
            revision, is_new_revision = self._revision_for(article_id, minhash)
            status = "revision" if is_new_revision else "folded"
            if key:
                self.conn.execute("UPDATE articles SET url_key=COALESCE(url_key, ?) WHERE id=?", (key, article_id))
        capture_seq = self._next_capture_seq()
        self.conn.execute(
            "INSERT INTO captures(seq, sha256, path, capture_url, captured_at, article_id, revision, fold_reason, score,"
            " score_reason, record, url_key, minhash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                capture_seq, sha256, article.file, article.capture_url, article.captured_at, article_id, revision,
                decision.reason, score, score_reason, json.dumps(article.to_record(), ensure_ascii=False), key,
                folding.signature_bytes(minhash),
            ),
        )
        # Every capture's text is findable, so a later capture is compared with each capture of an article, not
        # one representative: the articles are then the groups of captures linked by agreeing pairs, whatever
        # order they came in.
        self.conn.executemany(
            "INSERT INTO lsh_bands(band, key, article_id) VALUES (?,?,?)",
            [(band, band_key, article_id) for band, band_key in folding.band_keys(minhash)],
        )
        publishing.rebuild(self.conn, article_id)
        self._choose_best(article_id)
        article_id = self._settle_ids(article_id, involved_keys)
        return IngestOutcome(status, article_id, decision.reason)

    # --- article ids ---------------------------------------------------------------------

    def _new_article_id(self, key: str | None, sha256: str) -> str:
        """The id `_canonical_id` will call for when the capture opens an article alone: its address's, unless
        another article at that address holds a capture that sorts before it; else the capture's own. When
        another article holds the address's id for now, the capture's own, and `_settle_ids` sorts them out."""
        if key:
            taken = self.conn.execute("SELECT 1 FROM articles WHERE id=?", (_article_id(key),)).fetchone()
            if taken is None and not self._outranked_at(key, sha256):
                return _article_id(key)
        return _article_id(sha256)

    def _outranked_at(self, key: str, sha256: str, article_id: str | None = None) -> bool:
        """Whether another article than `article_id` whose first address is `key` holds a capture there that sorts
        before `sha256`: then that article has the address's id, whichever came first."""
        rivals = self.conn.execute(
            "SELECT article_id, MIN(sha256) FROM captures WHERE url_key=? AND article_id IS NOT ? GROUP BY article_id",
            (key, article_id),
        ).fetchall()
        return any(theirs < sha256 and self._min_key(other) == key for other, theirs in rivals)

    def _min_key(self, article_id: str) -> str | None:
        return self.conn.execute("SELECT MIN(url_key) FROM captures WHERE article_id=?", (article_id,)).fetchone()[0]

    def _canonical_id(self, article_id: str) -> str:
        """The id the article's captures call for, whatever order they came in: from its first address
        (the least identity key its captures name) when no other article whose first address that is
        has a capture there that sorts before its own (by SHA-256: another text at the same address is
        another article, and one of them must be told from the other without asking which came first);
        otherwise, and for an article without an address, from its least capture (by SHA-256)."""
        first = self._min_key(article_id)
        if first is not None:
            (mine,) = self.conn.execute(
                "SELECT MIN(sha256) FROM captures WHERE article_id=? AND url_key=?", (article_id, first)
            ).fetchone()
            if not self._outranked_at(first, mine, article_id):
                return _article_id(first)
        (least,) = self.conn.execute("SELECT MIN(sha256) FROM captures WHERE article_id=?", (article_id,)).fetchone()
        return _article_id(least)

    def _settle_ids(self, article_id: str, keys: set[str | None]) -> str:
        """Give `article_id`, and every article whose claim to an address `keys` (or the article's own
        first address) names may have changed, the id `_canonical_id` calls for; returns `article_id`'s.
        Only articles with a capture at one of those addresses can be affected: ids come from an
        article's own captures and from the rivals at its first address."""
        keys = {k for k in (*keys, self._min_key(article_id)) if k is not None}
        affected = {article_id}
        for k in sorted(keys):
            affected |= {a for (a,) in self.conn.execute("SELECT DISTINCT article_id FROM captures WHERE url_key=?", (k,))}
        pending = {a: target for a in sorted(affected) if (target := self._canonical_id(a)) != a}
        final = pending.get(article_id, article_id)
        while pending:
            progressed = False
            for current, target in sorted(pending.items()):
                holder = self.conn.execute("SELECT id FROM articles WHERE id=?", (target,)).fetchone()
                if holder is None:
                    self._rename(current, target)
                    del pending[current]
                    progressed = True
                elif target not in pending:
                    # An id given before ids followed from captures (an older archive): its article moves first.
                    own = self._canonical_id(target)
                    if own == target:  # cannot happen with canonical ids; keep both rather than fail the batch
                        del pending[current]
                        final = current if current == article_id else final
                    else:
                        pending[target] = own
                    progressed = True
            if not progressed:
                # Articles wanting each other's ids: one steps aside under a temporary id first.
                current = min(pending)
                self._rename(current, f"~{current}")
                pending[f"~{current}"] = pending.pop(current)
        return final

    def _rename(self, old: str, new: str) -> None:
        """The article `old` is `new` from now on; `old` still finds it (`resolve_id`). Its text is the same,
        so it keeps its place in its story and its mentions and quotes: placement goes by content (the
        article's day and least capture hash), never by its id. The entity aggregates' triggers follow the
        moved rows."""
        self.conn.execute("DELETE FROM publications WHERE article_id=?", (old,))
        # The article's rows point at its id: they follow it within the transaction, checked at its commit.
        self.conn.execute("PRAGMA defer_foreign_keys = ON")
        self.conn.execute("UPDATE articles SET id=? WHERE id=?", (new, old))
        for table in ("captures", "revisions", "signatures", "lsh_bands", "quotes", "quote_scans", "mentions",
                      "story_articles"):
            self.conn.execute(f"UPDATE {table} SET article_id=? WHERE article_id=?", (new, old))
        publishing.rebuild(self.conn, new)
        self._alias(old, new)

    def _alias(self, old: str, new: str) -> None:
        """Every id that named `old` names `new` now; `new` itself is no one's alias."""
        if old.startswith("~"):
            self.conn.execute("DELETE FROM article_aliases WHERE id=?", (old,))
        else:
            self.conn.execute("INSERT OR REPLACE INTO article_aliases(id, article_id) VALUES (?,?)", (old, new))
        self.conn.execute("UPDATE article_aliases SET article_id=? WHERE article_id=?", (new, old))
        self.conn.execute("DELETE FROM article_aliases WHERE id=?", (new,))

    def _next_capture_seq(self) -> int:
        return (self.conn.execute("SELECT COALESCE(MAX(seq), 0) FROM captures").fetchone()[0]) + 1

    def _decide(self, article: Article, minhash: Any, text: str, key: str | None) -> folding.FoldDecision:
        candidates = self._same_address(article, text, key) if key else {}
        if len(text) >= folding.MIN_TEXT:
            for candidate in self._near_duplicates(article, minhash, key):
                known = candidates.get(candidate.article_id)
                if known is None or candidate.strength > known.strength:
                    candidates[candidate.article_id] = candidate
        elif not candidates:
            return folding.FoldDecision(None, "new article (body too short to compare)")
        return folding.choose(list(candidates.values()), key)

    def _near_duplicates(self, article: Article, minhash: Any, key: str | None) -> list[folding.Candidate]:
        """Articles the LSH bands offer with a capture whose body is similar enough and whose
        title and date agree with the capture's."""
        offered: set[str] = set()
        for band, band_key in folding.band_keys(minhash):
            for (article_id,) in self.conn.execute(
                "SELECT article_id FROM lsh_bands WHERE band=? AND key=?", (band, band_key)
            ):
                offered.add(article_id)
        out = []
        for article_id in sorted(offered):
            # Every capture, not only the one the article shows nor one per revision: each is judged with its
            # own text, title and date, so whether two captures agree depends on those two alone, and the
            # articles do not depend on which capture happened to arrive first.
            best: tuple[float, str] | None = None
            keys: set[str] | None = None
            for seq, data, title, published in self.conn.execute(
                "SELECT seq, minhash, json_extract(record, '$.title'), json_extract(record, '$.published')"
                " FROM captures WHERE article_id=? AND minhash IS NOT NULL",
                (article_id,),
            ).fetchall():
                similarity = folding.similarity(data, minhash)
                if similarity < folding.SIMILARITY_THRESHOLD or (best is not None and similarity <= best[0]):
                    continue
                # A capture too short to be compared by its text is not compared when it comes second either.
                if not self._comparable(seq):
                    continue
                if keys is None:
                    keys = self._article_keys(article_id)
                why = folding.near_duplicate_verdict(similarity, key, keys, article.title, title, article.published, published)
                if why is not None:
                    best = (similarity, why)
            if best is not None and keys is not None:
                (order,) = self.conn.execute("SELECT seq FROM articles WHERE id=?", (article_id,)).fetchone()
                out.append(folding.Candidate(article_id, order, frozenset(keys), (0.0, best[0], 0.0), best[1]))
        return out

    def _comparable(self, capture_seq: int) -> bool:
        (body,) = self.conn.execute("SELECT json_extract(record, '$.body') FROM captures WHERE seq=?", (capture_seq,)).fetchone()
        return len(folding.paragraphs_text(json.loads(body or "[]"))) >= folding.MIN_TEXT

    def _article_keys(self, article_id: str) -> set[str]:
        """The original addresses every capture of the article names (identity keys only)."""
        return {k for (k,) in self.conn.execute(
            "SELECT DISTINCT url_key FROM captures WHERE article_id=? AND url_key IS NOT NULL", (article_id,)
        )}

    def _same_address(self, article: Article, text: str, key: str) -> dict[str, folding.Candidate]:
        """Articles with a capture at the capture's address whose text agrees with it, compared
        exactly with each such capture."""
        found: dict[str, folding.Candidate] = {}
        for article_id, order, record in self.conn.execute(
            "SELECT c.article_id, a.seq, c.record FROM captures c JOIN articles a ON a.id = c.article_id"
            " WHERE c.url_key=? ORDER BY c.seq",
            (key,),
        ).fetchall():
            version = Article.from_record(json.loads(record))
            evidence = folding.compare_texts(text, folding.body_text(version))
            why = folding.same_address_verdict(evidence, article.title, version.title)
            if why is None:
                continue
            strength = (1.0, evidence.similarity, evidence.containment)
            if article_id not in found or strength > found[article_id].strength:
                found[article_id] = folding.Candidate(
                    article_id, order, frozenset(self._article_keys(article_id)), strength, f"same original URL ({key}): {why}"
                )
        return found

    def _merge(self, keep: str, gone: str) -> None:
        """`gone` is `keep`'s article after all (a capture agrees with both): its captures, revisions
        and bands move to `keep`, its revisions numbered after `keep`'s; `gone` is removed."""
        (offset,) = self.conn.execute("SELECT COALESCE(MAX(number), 0) FROM revisions WHERE article_id=?", (keep,)).fetchone()
        self.conn.execute("UPDATE revisions SET article_id=?, number=number+? WHERE article_id=?", (keep, offset, gone))
        self.conn.execute("UPDATE captures SET article_id=?, revision=revision+? WHERE article_id=?", (keep, offset, gone))
        self.conn.execute("UPDATE lsh_bands SET article_id=? WHERE article_id=?", (keep, gone))
        self.conn.execute("DELETE FROM signatures WHERE article_id=?", (gone,))
        self.conn.execute("DELETE FROM publications WHERE article_id=?", (gone,))
        # `gone`'s text is read again as `keep`'s when it is the one `keep` shows.
        self.conn.execute("DELETE FROM quotes WHERE article_id=?", (gone,))
        self.conn.execute("DELETE FROM quote_scans WHERE article_id=?", (gone,))
        self._alias(gone, keep)
        self._unplace(gone)
        gone_seq, gone_key = self.conn.execute("SELECT seq, url_key FROM articles WHERE id=?", (gone,)).fetchone()
        self.conn.execute("DELETE FROM article_fts WHERE rowid=?", (gone_seq,))
        self.conn.execute("DELETE FROM articles WHERE id=?", (gone,))
        self.conn.execute(
            "UPDATE articles SET url_key=COALESCE(url_key, ?),"
            " revisions=(SELECT MAX(number) FROM revisions WHERE article_id=?) WHERE id=?",
            (gone_key, keep, keep),
        )

    def _insert_article(self, article_id: str, article: Article, key: str | None) -> None:
        self.conn.execute(
            "INSERT INTO articles(id, url_key, title, published, outlet, authors, editor, original_url, body, images, tags,"
            " language, format) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (article_id, key, *self._fields(article)),
        )

    @staticmethod
    def _fields(article: Article) -> tuple[Any, ...]:
        return (
            article.title, article.published, article.outlet, json.dumps(article.authors, ensure_ascii=False),
            article.editor, article.original_url, json.dumps(article.body, ensure_ascii=False),
            json.dumps([{"src": i.src, "caption": i.caption} for i in article.images], ensure_ascii=False),
            json.dumps(article.tags, ensure_ascii=False), article.language, article.format,
        )

    def _revision_for(self, article_id: str, minhash: Any) -> tuple[int, bool]:
        rows = self.conn.execute(
            "SELECT number, signature FROM revisions WHERE article_id=? ORDER BY number", (article_id,)
        ).fetchall()
        for number, data in rows:
            if folding.similarity(data, minhash) >= folding.SAME_REVISION:
                return number, False
        number = (rows[-1][0] if rows else 0) + 1
        self.conn.execute(
            "INSERT INTO revisions(article_id, number, signature, first_capture) VALUES (?,?,?,?)",
            (article_id, number, folding.signature_bytes(minhash), self._next_capture_seq()),
        )
        self.conn.execute("UPDATE articles SET revisions=? WHERE id=?", (number, article_id))
        return number, True

    def _choose_best(self, article_id: str) -> None:
        """The article shows its first publication (publications.group's order: the earliest), as
        the best capture of that publication's latest revision (`fold.latest_revision`: by crawl
        time, else ingest order); ties go to the earliest ingested. A later outlet's copy, edited or
        not, never becomes what the article shows: its title, outlet and date stay the first
        publisher's. When the choice changes, the full-text row follows and the article is placed in
        stories again."""
        captures = self.conn.execute(
            "SELECT seq, revision, captured_at, score FROM captures WHERE article_id=? AND publication_id ="
            " (SELECT id FROM publications WHERE article_id=? ORDER BY seq LIMIT 1)",
            (article_id, article_id),
        ).fetchall() or self.conn.execute(
            "SELECT seq, revision, captured_at, score FROM captures WHERE article_id=?", (article_id,)
        ).fetchall()
        current = self.conn.execute("SELECT seq, best_capture FROM articles WHERE id=?", (article_id,)).fetchone()
        if not captures or current is None:
            return
        latest = folding.latest_revision([(seq, revision, at) for seq, revision, at, _ in captures])
        best_seq = max(
            ((seq, score) for seq, revision, _, score in captures if revision == latest), key=lambda c: (c[1], -c[0])
        )[0]
        if current[1] == best_seq:
            return
        record, score_reason = self.conn.execute(
            "SELECT record, score_reason FROM captures WHERE seq=?", (best_seq,)
        ).fetchone()
        best = Article.from_record(json.loads(record))
        reason = f"best capture: {score_reason}"
        day = _event_day(best)
        self.conn.execute(
            "UPDATE articles SET title=?, published=?, outlet=?, authors=?, editor=?, original_url=?, body=?, images=?,"
            " tags=?, language=?, format=?, best_capture=?, best_reason=?, event_day=? WHERE id=?",
            (*self._fields(best), best_seq, reason, day, article_id),
        )
        self.conn.execute("DELETE FROM article_fts WHERE rowid=?", (current[0],))
        # An undated article is found by the day it is placed by (its lead's), as `list` and `stories` place it.
        self.conn.execute(
            "INSERT INTO article_fts(rowid, title, body, facets) VALUES (?,?,?,?)",
            (current[0], *fts_row(best.title, best.body, best.outlet, best.published or day, self.tokenizer)),
        )
        if current[1] is not None:
            self._unplace(article_id)

    def _unplace(self, article_id: str) -> None:
        """The article reads differently now: its mentions and its place in a story go, so the
        next `Analysis.update` (run by `newsdesk ingest` and `stories`) finds it unplaced and
        places it again. The story it leaves keeps its other reports; its size and dates follow,
        and a story left empty is removed."""
        self.conn.execute("DELETE FROM mentions WHERE article_id=?", (article_id,))
        row = self.conn.execute("SELECT story_id FROM story_articles WHERE article_id=?", (article_id,)).fetchone()
        if row is None:
            return
        story_id = row[0]
        self.conn.execute("DELETE FROM story_articles WHERE article_id=?", (article_id,))
        size, start, end = self.conn.execute(
            "SELECT COUNT(*), MIN(day), MAX(day) FROM story_articles WHERE story_id=?", (story_id,)
        ).fetchone()
        if size == 0:
            self.conn.execute("DELETE FROM story_terms WHERE story_id=?", (story_id,))
            self.conn.execute("DELETE FROM stories WHERE id=?", (story_id,))
            return
        self.conn.execute("UPDATE stories SET size=?, start=?, end=? WHERE id=?", (size, start, end, story_id))
        self.conn.execute("UPDATE story_terms SET start=? WHERE story_id=?", (start, story_id))

    # --- reading -------------------------------------------------------------------------

    def _capture_paths(self, article_id: str) -> list[str]:
        return [p for (p,) in self.conn.execute("SELECT path FROM captures WHERE article_id=? ORDER BY seq", (article_id,))]

    def provenance(
        self, ids: builtins.list[str]
    ) -> tuple[dict[str, builtins.list[str]], dict[str, builtins.list[dict[str, Any]]]]:
        """Capture paths and publications (as `publications` gives them) of a page of articles, in two
        queries rather than two per article."""
        if not ids:
            return {}, {}
        marks = ",".join("?" * len(ids))
        captures: dict[str, builtins.list[str]] = defaultdict(list)
        by_publication: dict[str, builtins.list[str]] = defaultdict(list)
        for article_id, publication_id, path in self.conn.execute(
            f"SELECT article_id, publication_id, path FROM captures WHERE article_id IN ({marks}) ORDER BY seq", ids
        ):
            captures[article_id].append(path)
            by_publication[publication_id].append(path)
        publications: dict[str, builtins.list[dict[str, Any]]] = defaultdict(list)
        for pub_id, article_id, outlet, url, published in self.conn.execute(
            f"SELECT id, article_id, outlet, url, published FROM publications WHERE article_id IN ({marks}) ORDER BY seq", ids
        ):
            publications[article_id].append({"outlet": outlet, "url": url, "published": published,
                                             "captures": by_publication.get(pub_id, [])})
        return captures, publications

    def publications(self, article_id: str, detail: bool = False) -> builtins.list[dict[str, Any]]:
        """The article's publications, earliest first: outlet, address, publication date and capture
        paths; with `detail`, also the id, edition key, first crawl time, and each capture's path,
        crawl time and why it folded into the article."""
        out = []
        for pub_id, outlet, url, edition, published, first_captured, best in self.conn.execute(
            "SELECT id, outlet, url, edition_key, published, first_captured, best_capture FROM publications"
            " WHERE article_id=? ORDER BY seq", (article_id,)
        ).fetchall():
            captures = self.conn.execute(
                "SELECT seq, path, captured_at, fold_reason FROM captures WHERE publication_id=? ORDER BY seq", (pub_id,)
            ).fetchall()
            record: dict[str, Any] = {"outlet": outlet, "url": url, "published": published,
                                      "captures": [path for _, path, _, _ in captures]}
            if detail:
                record = {"id": pub_id, **record, "edition_key": edition, "first_captured": first_captured,
                          "captures": [{"path": path, "captured_at": at, "fold_reason": why, "best": seq == best}
                                       for seq, path, at, why in captures]}
            out.append(record)
        return out

    def outlet_names(self, outlet: str) -> builtins.list[str]:
        """The outlet names stored in the archive that `outlet` means: the same name in either script,
        width or case (大紀元 = 大纪元), or another name the outlet registry gives the same outlet
        (The Epoch Times, 大纪元时报). Articles keep the name their capture prints, so a filter must
        gather them all."""
        from newsdesk.extract.outlets import load_registry

        registry = load_registry()
        wanted_key = fold(outlet)
        wanted = registry.by_name(outlet)
        names = []
        for (name,) in self.conn.execute("SELECT DISTINCT outlet FROM articles WHERE outlet IS NOT NULL"):
            if fold(name) == wanted_key or (wanted is not None and registry.by_name(name) is wanted):
                names.append(name)
        return sorted(names)

    def _filters(self, outlet: str | None, since: str | None, until: str | None) -> tuple[str, builtins.list[Any]]:
        clauses: builtins.list[str] = []
        params: builtins.list[Any] = []
        if outlet:
            names = self.outlet_names(outlet)
            clauses.append(f"a.outlet IN ({','.join('?' * len(names))})" if names else "0")
            params.extend(names)
        # By the day each article is placed by: its publication day, else the day its lead gives.
        if since:
            clauses.append("a.event_day >= ?")
            params.append(since[:10])
        if until:
            clauses.append("a.event_day <= ?")
            params.append(until[:10])
        return ("".join(f" AND {c}" for c in clauses), params)

    def search(
        self, query: str, outlet: str | None = None, since: str | None = None, until: str | None = None, limit: int = 20,
        offset: int = 0,
    ) -> list[ArticleRow]:
        """BM25-ranked articles matching `query` (title hits weigh more), with a marked snippet; the
        `limit` best after the first `offset`."""
        match = self.match_expression(query, outlet, since, until)
        if match is None:
            return []
        # Rank inside the full-text index and fetch only the winners' rows: joining first makes
        # SQLite carry every match, body and all, through the sort.
        seqs = [seq for (seq,) in self._matching(
            query, f"SELECT rowid FROM article_fts WHERE article_fts MATCH ? ORDER BY {BM25}, rowid LIMIT ? OFFSET ?",
            (match, limit, offset),
        )]
        return self.rows_at(seqs, query_terms(query))

    def rows_at(self, seqs: builtins.list[int], terms: builtins.list[str] | None = None) -> builtins.list[ArticleRow]:
        """The articles at these seqs, in that order, with their provenance; with `terms` (even none), a snippet
        marking them."""
        rows = {row[0]: row[1:] for row in self.conn.execute(
            f"SELECT seq, id, title, outlet, published, body, event_day FROM articles WHERE seq IN ({','.join('?' * len(seqs))})",
            seqs,
        )}
        captures, publications = self.provenance([rows[seq][0] for seq in seqs])
        out = []
        for seq in seqs:
            article_id, title, outlet_name, published, body, day = rows[seq]
            out.append(ArticleRow(
                article_id, title, outlet_name, published, captures.get(article_id, []),
                snippet(json.loads(body), terms) if terms is not None else None, publications.get(article_id, []), day,
            ))
        return out

    def search_count(
        self, query: str, outlet: str | None = None, since: str | None = None, until: str | None = None
    ) -> int:
        """How many articles `search` would find with no limit: one COUNT over the full-text match."""
        match = self.match_expression(query, outlet, since, until)
        if match is None:
            return 0
        return int(self._matching(query, "SELECT COUNT(*) FROM article_fts WHERE article_fts MATCH ?", (match,))[0][0])

    def _matching(self, query: str, sql: str, params: tuple[Any, ...]) -> builtins.list[tuple[Any, ...]]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.OperationalError as exc:
            # FTS5's own message (`syntax error near …`) names no fix; the cause stays chained.
            raise QueryError(
                f"cannot search for {query!r}: use words, \"phrases\", AND / OR / NOT between them and"
                " balanced parentheses, e.g. 布林肯 AND (王毅 OR 拉夫罗夫)"
            ) from exc

    def match_expression(
        self, query: str, outlet: str | None = None, since: str | None = None, until: str | None = None
    ) -> str | None:
        """The FTS5 MATCH expression for a query and its filters; None when the filters admit nothing."""
        match = "{title body} : (" + to_fts_query(query, self.tokenizer) + ")"
        facets = self._facet_filter(outlet, since, until)
        if facets == "":
            return None
        return match + (" AND facets : (" + facets + ")" if facets else "")

    def _facet_filter(self, outlet: str | None, since: str | None, until: str | None) -> str | None:
        """The filters as an expression over the facets column (see text.facet_query)."""
        first = self._filter_day(since, "--since")
        last = self._filter_day(until, "--until")
        if (first or last) and not (first and last):
            # An open end stops at the archive's oldest or newest dated article.
            (edge,) = self.conn.execute(
                "SELECT max(event_day) FROM articles" if first else
                "SELECT min(event_day) FROM articles WHERE event_day IS NOT NULL"
            ).fetchone()
            edge_day = published_day(edge)
            if edge_day is None:
                return ""
            first, last = first or edge_day, last or edge_day
        return facet_query(self.outlet_names(outlet) if outlet else None, first, last)

    @staticmethod
    def _filter_day(value: str | None, option: str) -> date | None:
        if not value:
            return None
        day = published_day(value)
        if day is None:
            raise QueryError(f"{option} {value!r} is not a date: give it as YYYY-MM-DD, e.g. 2022-02-01")
        return day

    def list(
        self, outlet: str | None = None, since: str | None = None, until: str | None = None, limit: int | None = None,
        offset: int = 0,
    ) -> Iterator[ArticleRow]:
        """Articles oldest first; `limit` of them (all when None) after the first `offset`."""
        where, params = self._filters(outlet, since, until)
        rows = self.conn.execute(
            f"SELECT a.id, a.title, a.outlet, a.published, a.event_day FROM articles a WHERE 1=1{where}"
            " ORDER BY COALESCE(a.published, a.event_day), a.seq LIMIT ? OFFSET ?",
            [*params, -1 if limit is None else limit, offset],
        ).fetchall()
        for article_id, title, outlet_name, published, day in rows:
            yield ArticleRow(
                article_id, title, outlet_name, published, self._capture_paths(article_id),
                publications=self.publications(article_id), day=day,
            )

    def list_count(self, outlet: str | None = None, since: str | None = None, until: str | None = None) -> int:
        """How many articles `list` would give with no limit."""
        where, params = self._filters(outlet, since, until)
        return int(self.conn.execute(f"SELECT COUNT(*) FROM articles a WHERE 1=1{where}", params).fetchone()[0])

    def resolve_id(self, prefix: str) -> str:
        # A prefix compared as text, not a LIKE pattern: `_` and `%` in what a user types are characters.
        rows = self.conn.execute(
            "SELECT id FROM articles WHERE substr(id, 1, ?) = ? LIMIT 2", (len(prefix), prefix)
        ).fetchall()
        if not rows:
            # An id the article had before a capture joined it or it merged into another still finds it.
            try:
                rows = self.conn.execute(
                    "SELECT DISTINCT article_id FROM article_aliases WHERE substr(id, 1, ?) = ? LIMIT 2", (len(prefix), prefix)
                ).fetchall()
            except sqlite3.OperationalError:  # an archive opened read-only before its aliases migration
                rows = []
        if not rows:
            raise KeyError(f"no article with id {prefix!r}: `newsdesk list` shows the ids")
        if len(rows) > 1:
            raise KeyError(f"id {prefix!r} is ambiguous: give more characters")
        return rows[0][0]

    def article(self, article_id: str) -> Article:
        # Warnings (a capture cut at the size budget) belong to the capture the article shows.
        row = self.conn.execute(
            "SELECT title, published, outlet, authors, editor, original_url, body, images, tags, language, format,"
            " (SELECT json_extract(record, '$.warnings') FROM captures WHERE captures.seq=articles.best_capture)"
            " FROM articles WHERE id=?",
            (article_id,),
        ).fetchone()
        if row is None:
            raise KeyError(article_id)
        title, published, outlet, authors, editor, url, body, images, tags, language, fmt, warnings = row
        return Article(
            file=article_id, format=fmt, title=title, published=published, outlet=outlet, authors=json.loads(authors),
            editor=editor, original_url=url, body=json.loads(body), images=[Image(**i) for i in json.loads(images)],
            tags=json.loads(tags), language=language, warnings=json.loads(warnings or "[]"),
        )

    def article_info(self, article_id: str) -> dict[str, Any]:
        """The article plus its provenance: every capture, its revision, and why it was chosen or folded."""
        row = self.conn.execute(
            "SELECT best_capture, best_reason, revisions FROM articles WHERE id=?", (article_id,)
        ).fetchone()
        captures = [
            {
                "seq": seq, "path": path, "sha256": sha, "capture_url": url, "captured_at": at, "revision": rev,
                "fold_reason": why, "score": round(score, 1), "score_reason": score_why, "best": seq == row[0],
            }
            for seq, path, sha, url, at, rev, why, score, score_why in self.conn.execute(
                "SELECT seq, path, sha256, capture_url, captured_at, revision, fold_reason, score, score_reason"
                " FROM captures WHERE article_id=? ORDER BY seq",
                (article_id,),
            )
        ]
        return {"id": article_id, "article": self.article(article_id).to_record(), "best_reason": row[1],
                "revisions": row[2], "captures": captures, "publications": self.publications(article_id, detail=True)}

    # `builtins.list`: in this class body, after `def list`, a bare `list` names that method.
    def failures(self) -> builtins.list[dict[str, Any]]:
        return [
            {"sha256": sha, "path": path, "error": error, "capture_url": url}
            for sha, path, error, url in self.conn.execute("SELECT sha256, path, error, capture_url FROM failures ORDER BY path")
        ]

    def stats(self, by: str = "article") -> builtins.list[tuple[str, str, int]]:
        """(outlet, month, count), months as YYYY-MM (`unknown` when undated): articles (by the
        outlet and date the article shows) or, `by="publication"`, publications (by each
        publication's own outlet and date)."""
        table = {"article": "articles", "publication": "publications"}.get(by)
        if table is None:
            raise ValueError(f"stats counts articles or publications, not {by!r}")
        return [
            (outlet or "(unknown)", month or "unknown", count)
            for outlet, month, count in self.conn.execute(
                # Articles by the day they are placed by (an undated one by its lead's day, see `stats_inferred`).
                f"SELECT outlet, substr({'event_day' if table == 'articles' else 'published'}, 1, 7) AS month, COUNT(*)"
                f" FROM {table} GROUP BY outlet, month ORDER BY outlet, month"
            )
        ]

    def stats_inferred(self) -> dict[tuple[str, str], int]:
        """(outlet, month) → how many of `stats`' articles there are undated, counted by the day their lead gives."""
        return {
            (outlet or "(unknown)", month): count
            for outlet, month, count in self.conn.execute(
                "SELECT outlet, substr(event_day, 1, 7) AS month, COUNT(*) FROM articles"
                " WHERE published IS NULL AND event_day IS NOT NULL GROUP BY outlet, month"
            )
        }

    def counts(self) -> dict[str, int]:
        one = self.conn.execute
        return {
            "articles": one("SELECT COUNT(*) FROM articles").fetchone()[0],
            "publications": one("SELECT COUNT(*) FROM publications").fetchone()[0],
            "captures": one("SELECT COUNT(*) FROM captures").fetchone()[0],
            "failures": one("SELECT COUNT(*) FROM failures").fetchone()[0],
        }

    def iter_articles(self) -> Iterator[dict[str, Any]]:
        """Every article with its capture paths, in id order: the export record, exactly the
        fields of `export.FIELDS` (an `Article`'s per-capture fields, such as `encoding` or
        `captured_at`, belong to captures, not to the article, and are not exported)."""
        return self.export_records(article_id for (article_id,) in self.conn.execute("SELECT id FROM articles ORDER BY id").fetchall())

    def export_records(self, article_ids: Iterable[str]) -> Iterator[dict[str, Any]]:
        """The export records (`export.FIELDS`) of these articles, in the order given."""
        for article_id in article_ids:
            record = self.article(article_id).to_record()
            record["id"] = article_id
            record["captures"] = self._capture_paths(article_id)
            record["publications"] = [
                {"id": p["id"], "outlet": p["outlet"], "url": p["url"], "published": p["published"],
                 "first_captured": p["first_captured"], "captures": [c["path"] for c in p["captures"]]}
                for p in self.publications(article_id, detail=True)
            ]
            yield {name: record[name] for name in EXPORT_FIELDS}
