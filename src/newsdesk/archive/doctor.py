"""`newsdesk doctor`: is an archive sound, and what can be put right without losing anything?

Checks, read-only: SQLite's `integrity_check` and `foreign_key_check`; the schema version against
the migrations this code knows; the full-text index against the articles (FTS5's own
`integrity-check`, then rowids and the indexed titles and facets); rows that point at articles or
stories that are gone; the journal mode and the write-ahead log.

Repair (`repair`) changes only what is derived from what the archive keeps: the full-text index is
rebuilt or its rows put right from the articles, link rows of articles or stories that are gone are
deleted, story sizes follow their articles. Captures and articles are never deleted or rewritten:
a capture without an article or an article without captures is reported for a person to decide.
An archive whose pages are damaged is not touched at all (a repair could make it worse); the
message says how to recover it. Before changing anything, repair copies the archive with SQLite's
backup API, then makes every fix in one write transaction.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.archive import publications
from newsdesk.archive.schema import AGGREGATE_RECOUNTS, MIGRATIONS, aggregate_differences, migrate, recount_aggregate
from newsdesk.archive.text import facet_tokens, fts_row, index_text

# How many lines of `PRAGMA integrity_check` are read; the first few are shown.
INTEGRITY_LINES = 100
SHOWN_LINES = 3
# A write-ahead log this large means checkpoints are not keeping up (a reader held open for long).
LARGE_WAL_BYTES = 64 * 1024 * 1024


class NotAnArchive(Exception):
    """The file is a SQLite database, but not a newsdesk archive."""


@dataclass(slots=True)
class Finding:
    """One check's result. `status`: ok, problem, note (worth knowing, not wrong) or fixed."""

    check: str
    status: str
    detail: str
    count: int = 0
    # A problem `repair` puts right.
    repairable: bool = False

    def to_record(self) -> dict[str, Any]:
        return {"check": self.check, "status": self.status, "detail": self.detail, "count": self.count,
                "repairable": self.repairable}


@dataclass
class Diagnosis:
    findings: list[Finding] = field(default_factory=list)
    # Damage a repair must not touch: pages SQLite cannot read, a schema newer than this code.
    untouchable: str | None = None

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "problem"]

    @property
    def repairable(self) -> bool:
        return self.untouchable is None and any(f.repairable for f in self.problems)

    def add(self, check: str, status: str, detail: str, count: int = 0, repairable: bool = False) -> None:
        self.findings.append(Finding(check, status, detail, count, repairable))


@dataclass(frozen=True, slots=True)
class _Orphans:
    """Rows of `table` that point at something that is gone. `deletable`: derived rows a repair
    removes; otherwise they hold what the archive keeps and are reported only."""

    table: str
    where: str
    description: str
    deletable: bool
    needs: tuple[str, ...] = ()

    def applies(self, tables: set[str]) -> bool:
        """Whether this archive has the tables the check reads (older schemas lack some)."""
        return self.table in tables and set(self.needs) <= tables


_MISSING_ARTICLE = "article_id NOT IN (SELECT id FROM articles)"
# Folding data of a missing article is kept while captures still name that article: they and it are
# what a person restoring the article would need.
_MISSING_UNCAPTURED = _MISSING_ARTICLE + " AND article_id NOT IN (SELECT article_id FROM captures)"
_ORPHANS = (
    _Orphans("captures", _MISSING_ARTICLE, "captures belong to no article (kept: they are the provenance)", False),
    _Orphans(
        "articles", "NOT EXISTS (SELECT 1 FROM captures c WHERE c.article_id = articles.id)",
        "articles have no capture (kept: restore their captures from a copy, or re-ingest the files)", False,
    ),
    _Orphans(
        "articles", "best_capture IS NOT NULL AND best_capture NOT IN (SELECT seq FROM captures c WHERE c.article_id = articles.id)",
        "articles show a capture that is not theirs (kept)", False,
    ),
    _Orphans("revisions", _MISSING_UNCAPTURED, "revisions of articles that are gone", True),
    _Orphans("signatures", _MISSING_UNCAPTURED, "near-duplicate signatures of articles that are gone", True),
    _Orphans("lsh_bands", _MISSING_UNCAPTURED, "near-duplicate index rows of articles that are gone", True),
    _Orphans("mentions", _MISSING_ARTICLE, "entity mentions in articles that are gone", True, ("mentions",)),
    _Orphans("story_articles", _MISSING_ARTICLE, "story places of articles that are gone", True, ("story_articles",)),
    _Orphans(
        "story_articles", "story_id NOT IN (SELECT id FROM stories)",
        "articles placed in stories that are gone (the next `newsdesk stories` places them again)", True,
        ("story_articles", "stories"),
    ),
    _Orphans("stories", "NOT EXISTS (SELECT 1 FROM story_articles sa WHERE sa.story_id = stories.id)",
             "stories without articles", True, ("stories", "story_articles")),
    _Orphans("story_terms", "story_id NOT IN (SELECT id FROM stories)", "story terms of stories that are gone", True,
             ("story_terms", "stories")),
    _Orphans("publications", _MISSING_UNCAPTURED, "publications of articles that are gone", True, ("publications",)),
    _Orphans("quotes", _MISSING_ARTICLE, "quotes of articles that are gone", True, ("quotes",)),
    _Orphans("quote_scans", _MISSING_ARTICLE, "quote readings of articles that are gone", True, ("quote_scans",)),
)
# Captures of a living article that no publication of it holds: publications are derived from an
# article's captures (archive/publications.py), so a repair recomputes that article's publications.
_UNPUBLISHED = (
    "SELECT DISTINCT c.article_id FROM captures c JOIN articles a ON a.id = c.article_id"
    " WHERE c.publication_id IS NULL OR NOT EXISTS"
    " (SELECT 1 FROM publications p WHERE p.id = c.publication_id AND p.article_id = c.article_id)"
)
# Tables whose rows the checks above cover; foreign keys of any other table are reported as they are.
_COVERED = {o.table for o in _ORPHANS}


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def connect(path: Path, writable: bool = False) -> sqlite3.Connection:
    """A connection that never creates the file; read-only unless `writable`."""
    uri = path.resolve().as_uri() + ("?mode=rw" if writable else "?mode=ro")
    conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=30.0)
    conn.execute("PRAGMA busy_timeout = 30000")
    # Repairs keep the entity aggregates exact through their triggers, REPLACE's deletions included.
    conn.execute("PRAGMA recursive_triggers=ON")
    return conn


def diagnose(path: Path) -> Diagnosis:
    """Every check, without changing the archive. Raises NotAnArchive for a foreign database."""
    report = Diagnosis()
    try:
        conn = connect(path)
    except sqlite3.Error as exc:
        report.untouchable = f"it cannot be opened ({exc})"
        report.add("integrity", "problem", f"cannot be opened: {exc}")
        return report
    try:
        # One read transaction: every check sees the same snapshot while another process writes.
        conn.execute("BEGIN")
        _diagnose(conn, path, report)
    except sqlite3.DatabaseError as exc:
        # A damaged page met by a later check, or a header that is not SQLite's.
        report.untouchable = f"SQLite cannot read it ({exc})"
        report.add("integrity", "problem", f"SQLite cannot read it: {exc}")
    finally:
        conn.close()
    return report


def _diagnose(conn: sqlite3.Connection, path: Path, report: Diagnosis) -> None:
    tables = _tables(conn)
    if "meta" not in tables:
        raise NotAnArchive(f"{path} is a SQLite database but not a newsdesk archive")
    if not _integrity(conn, report):
        return
    version = _schema(conn, report)
    if version > len(MIGRATIONS):
        return
    _foreign_keys(conn, report, tables)
    if version == len(MIGRATIONS):
        _full_text(path, conn, report)
    _orphans(conn, report, tables)
    if version == len(MIGRATIONS):
        _aggregates(conn, report)
    _journal(conn, path, report)


def _integrity(conn: sqlite3.Connection, report: Diagnosis) -> bool:
    lines = [line for (line,) in conn.execute(f"PRAGMA integrity_check({INTEGRITY_LINES})")]
    if lines == ["ok"]:
        report.add("integrity", "ok", "SQLite integrity_check: ok")
        return True
    more = f" (and {len(lines) - SHOWN_LINES} more)" if len(lines) > SHOWN_LINES else ""
    report.untouchable = "SQLite's integrity_check finds damaged pages"
    report.add("integrity", "problem", "integrity_check: " + "; ".join(lines[:SHOWN_LINES]) + more, len(lines))
    return False


def _schema(conn: sqlite3.Connection, report: Diagnosis) -> int:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    known = len(MIGRATIONS)
    if version == known:
        report.add("schema", "ok", f"schema version {version}, the newest this newsdesk knows")
    elif version > known:
        report.untouchable = f"its schema (version {version}) is newer than this newsdesk knows ({known})"
        report.add("schema", "problem",
                   f"schema version {version} is newer than this newsdesk knows ({known}): upgrade newsdesk to use it")
    else:
        report.add("schema", "problem",
                   f"schema version {version} is older than this newsdesk's ({known}): `newsdesk doctor --repair`"
                   " (or any writing command, such as `newsdesk ingest`) migrates it", repairable=True)
    return version


def _foreign_keys(conn: sqlite3.Connection, report: Diagnosis, tables: set[str]) -> None:
    violations: dict[str, int] = {}
    for table, _rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check"):
        violations[f"{table} → {parent}"] = violations.get(f"{table} → {parent}", 0) + 1
    if not violations:
        report.add("foreign keys", "ok", "foreign_key_check: every reference resolves")
        return
    total = sum(violations.values())
    listed = ", ".join(f"{where}: {n}" for where, n in sorted(violations.items()))
    report.add("foreign keys", "note", f"foreign_key_check: {total} rows point at missing rows ({listed}); see orphans", total)
    for table in sorted({key.split(" → ")[0] for key in violations} - _COVERED - set(_article_linked(conn, tables))):
        # A table doctor does not know (added by a newer feature): reported, never changed.
        count = sum(n for key, n in violations.items() if key.split(" → ")[0] == table)
        report.add("orphans", "problem", f"{count} rows of {table} point at missing rows (kept: doctor does not"
                   " change tables it does not know)", count)


@dataclass
class FullTextState:
    """How the full-text index differs from the articles (rowids are `articles.seq`)."""

    index_sound: bool | None  # None: FTS5's integrity-check could not run (read-only storage)
    missing: list[int]
    stale: list[int]
    differing: list[int]

    @property
    def in_sync(self) -> bool:
        return self.index_sound is not False and not (self.missing or self.stale or self.differing)


def _dated(conn: sqlite3.Connection) -> str:
    """The day an article's date facets hold: its publication date, else (since the schema has it) its event day."""
    if "event_day" in {row[1] for row in conn.execute("PRAGMA table_info(articles)")}:
        return "COALESCE(published, event_day)"
    return "published"


def full_text_state(conn: sqlite3.Connection, index_sound: bool | None) -> FullTextState:
    """Rowids of articles the index lacks, of index rows no article has, and of rows whose title or
    facets are not the article's (the body is checked by FTS5's own integrity-check only: folding
    every body again would take as long as indexing the archive)."""
    stored = conn.execute("SELECT value FROM meta WHERE key='tokenizer'").fetchone()
    tokenizer = stored[0] if stored else "bigram"
    indexed = {rowid: (title, facets) for rowid, title, facets in conn.execute("SELECT rowid, title, facets FROM article_fts")}
    missing, differing = [], []
    seen = set()
    for seq, title, outlet, published in conn.execute(f"SELECT seq, title, outlet, {_dated(conn)} FROM articles ORDER BY seq"):
        seen.add(seq)
        row = indexed.get(seq)
        if row is None:
            missing.append(seq)
        elif row != (index_text(title or "", tokenizer), facet_tokens(outlet, published)):
            differing.append(seq)
    stale = sorted(set(indexed) - seen)
    return FullTextState(index_sound, missing, stale, differing)


# How long the FTS5 check waits for a writer (it needs the write lock, see _fts_integrity) before it is skipped.
FTS_CHECK_WAIT_MS = 2000


def _fts_integrity(path: Path) -> tuple[bool | None, str]:
    """FTS5's `integrity-check`: does the index agree with the text it holds? It is an INSERT to
    SQLite, so it needs a writable connection and the write lock, though it writes nothing (rolled
    back to be sure). None, with the reason, when it cannot run now."""
    try:
        conn = connect(path, writable=True)
    except sqlite3.Error:
        return None, "the archive cannot be opened for writing here"
    try:
        conn.execute(f"PRAGMA busy_timeout = {FTS_CHECK_WAIT_MS}")
        conn.execute("BEGIN")
        conn.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
        return True, ""
    except sqlite3.OperationalError as exc:
        name = getattr(exc, "sqlite_errorname", "") or ""
        if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
            return None, "another newsdesk process is writing the archive; run doctor again when it has finished"
        if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
            return None, "the archive cannot be opened for writing here"
        return False, ""
    except sqlite3.DatabaseError:
        return False, ""
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        conn.close()


def _full_text(path: Path, conn: sqlite3.Connection, report: Diagnosis) -> None:
    sound, why_not = _fts_integrity(path)
    state = full_text_state(conn, sound)
    if state.index_sound is False:
        report.add("full-text index", "problem", "FTS5 integrity-check: the index disagrees with its text (repair rebuilds it)",
                   repairable=True)
    elif state.index_sound is None:
        report.add("full-text index", "note", f"FTS5 integrity-check skipped: {why_not}")
    parts = [
        (state.missing, "articles are missing from the index (search cannot find them)"),
        (state.stale, "index rows belong to no article (search finds what is gone)"),
        (state.differing, "index rows hold another title or outlet/date than their article"),
    ]
    for rows, what in parts:
        if rows:
            report.add("full-text index", "problem", f"{len(rows)} {what}", len(rows), repairable=True)
    if state.in_sync and state.index_sound is not None:
        (articles,) = conn.execute("SELECT COUNT(*) FROM articles").fetchone()
        report.add("full-text index", "ok", f"in sync: {articles} articles, {articles} index rows, FTS5 integrity-check ok")


def _orphan_counts(conn: sqlite3.Connection, tables: set[str]) -> Iterator[tuple[_Orphans, int]]:
    for orphans in _ORPHANS:
        if not orphans.applies(tables):
            continue
        (count,) = conn.execute(f"SELECT COUNT(*) FROM {orphans.table} WHERE {orphans.where}").fetchone()
        if count:
            yield orphans, count


def _orphans(conn: sqlite3.Connection, report: Diagnosis, tables: set[str]) -> None:
    found = False
    for orphans, count in _orphan_counts(conn, tables):
        found = True
        fix = "; repair deletes them" if orphans.deletable else ""
        report.add("orphans", "problem", f"{count} {orphans.description}{fix}", count, repairable=orphans.deletable)
    if "stories" in tables and "story_articles" in tables:
        (sizes,) = conn.execute(
            "SELECT COUNT(*) FROM stories s WHERE size != (SELECT COUNT(*) FROM story_articles sa WHERE sa.story_id = s.id)"
        ).fetchone()
        if sizes:
            found = True
            report.add("orphans", "problem", f"{sizes} stories give a size other than their articles' count (repair"
                       " recounts them)", sizes, repairable=True)
    if "publications" in tables:
        unpublished = len(conn.execute(_UNPUBLISHED).fetchall())
        if unpublished:
            found = True
            report.add("orphans", "problem", f"{unpublished} articles have captures no publication holds (repair"
                       " recomputes their publications from the captures)", unpublished, repairable=True)
    for table in _article_linked(conn, tables):
        (count,) = conn.execute(f'SELECT COUNT(*) FROM "{table}" WHERE {_MISSING_ARTICLE}').fetchone()
        if count:
            found = True
            # A table a newer feature added (publications, say): reported, never changed.
            report.add("orphans", "problem", f"{count} rows of {table} name articles that are gone (kept: doctor does"
                       " not change tables it does not know)", count)
    if not found:
        report.add("orphans", "ok", "no rows point at missing articles or stories")


def _aggregates(conn: sqlite3.Connection, report: Diagnosis) -> None:
    """The counts kept by triggers (entity_months, entity_weeks, entity_stories, outlet_weeks) against a recount
    of mentions, articles and stories: a write that bypassed the triggers (another tool, a restored table) would
    leave the entity pages, attention shares and search facets of entities wrong without a word."""
    differing = {table: rows for table, rows in aggregate_differences(conn).items() if rows}
    if not differing:
        report.add("aggregates", "ok", "entity and outlet counts agree with a recount: " + ", ".join(AGGREGATE_RECOUNTS))
        return
    for table, rows in differing.items():
        report.add("aggregates", "problem", f"{rows} rows of {table} differ from a recount of the articles, mentions and"
                   " stories (repair counts the table again)", rows, repairable=True)


def _article_linked(conn: sqlite3.Connection, tables: set[str]) -> list[str]:
    """Tables the checks above do not know that name articles by an `article_id` column."""
    return sorted(
        table for table in tables - _COVERED
        if not table.startswith(("sqlite_", "article_fts"))
        and "article_id" in {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}
    )


def _journal(conn: sqlite3.Connection, path: Path, report: Diagnosis) -> None:
    mode = conn.execute("PRAGMA journal_mode").fetchone()[0].lower()
    wal = Path(f"{path}-wal")
    size = wal.stat().st_size if wal.exists() else 0
    if mode != "wal":
        report.add("wal", "problem", f"journal mode is {mode}, not WAL: readers and writers would block each other"
                   " (repair sets WAL)", repairable=True)
        return
    if size > LARGE_WAL_BYTES:
        report.add("wal", "note", f"journal mode WAL; the log holds {size / 2**20:.0f} MiB not yet copied into the"
                   " archive (a long-open reader delays it; --repair checkpoints it)", size)
    else:
        report.add("wal", "ok", f"journal mode WAL; log {size / 1024:.0f} KiB")


# --- repair ------------------------------------------------------------------------------------------


def backup(path: Path, target: Path) -> None:
    """A consistent copy of the archive (SQLite's online backup: a writer may go on meanwhile)."""
    source = connect(path)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
    except BaseException:
        # A full disk, say: no half-written copy is left to be taken for a backup.
        target.unlink(missing_ok=True)
        raise
    finally:
        source.close()


def backup_path(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.before-repair-{stamp}")
    number = 1
    while target.exists():
        number += 1
        target = path.with_name(f"{path.name}.before-repair-{stamp}-{number}")
    return target


def repair(path: Path) -> list[str]:
    """Put right what `diagnose` found that is safe to put right; returns what was done, one line
    each. The caller has checked that nothing untouchable was found and made a backup."""
    done: list[str] = []
    conn = connect(path, writable=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version < len(MIGRATIONS):
            # Each migration is its own transaction (see schema.migrate), as when any command opens the archive.
            migrate(conn)
            done.append(f"migrated the schema from version {version} to {len(MIGRATIONS)}")
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0].lower()
        if mode != "wal":
            conn.execute("PRAGMA journal_mode=WAL")
            done.append(f"set the journal mode to WAL (was {mode})")
        # Checked again under the write lock: what is fixed is what is wrong now, whatever another
        # process did since the diagnosis.
        conn.execute("BEGIN IMMEDIATE")
        try:
            done += _repair_full_text(conn)
            done += _repair_orphans(conn)
            # After the orphans: deleting them fires the triggers, and the recount is of what remains.
            done += _repair_aggregates(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        busy, log_pages, copied = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if log_pages > 0 and not busy:
            done.append(f"checkpointed the write-ahead log ({copied} pages copied into the archive)")
    finally:
        conn.close()
    return done


def _repair_full_text(conn: sqlite3.Connection) -> list[str]:
    done = []
    try:
        conn.execute("INSERT INTO article_fts(article_fts) VALUES ('integrity-check')")
    except sqlite3.DatabaseError:
        conn.execute("INSERT INTO article_fts(article_fts) VALUES ('rebuild')")
        done.append("rebuilt the full-text index from the text it holds (FTS5 'rebuild')")
    state = full_text_state(conn, True)
    if state.stale:
        conn.executemany("DELETE FROM article_fts WHERE rowid=?", [(seq,) for seq in state.stale])
        done.append(f"deleted {len(state.stale)} full-text rows that belonged to no article")
    stored = conn.execute("SELECT value FROM meta WHERE key='tokenizer'").fetchone()
    tokenizer = stored[0] if stored else "bigram"
    redo = state.missing + state.differing
    if state.differing:
        conn.executemany("DELETE FROM article_fts WHERE rowid=?", [(seq,) for seq in state.differing])
    for seq in redo:
        title, body, outlet, published = conn.execute(
            f"SELECT title, body, outlet, {_dated(conn)} FROM articles WHERE seq=?", (seq,)
        ).fetchone()
        conn.execute(
            "INSERT INTO article_fts(rowid, title, body, facets) VALUES (?,?,?,?)",
            (seq, *fts_row(title, json.loads(body), outlet, published, tokenizer)),
        )
    if state.missing:
        done.append(f"indexed {len(state.missing)} articles that were missing from the full-text index")
    if state.differing:
        done.append(f"re-indexed {len(state.differing)} articles whose index rows held other text")
    return done


def _repair_orphans(conn: sqlite3.Connection) -> list[str]:
    done = []
    tables = _tables(conn)
    for orphans in _ORPHANS:
        if not orphans.deletable or not orphans.applies(tables):
            continue
        deleted = conn.execute(f"DELETE FROM {orphans.table} WHERE {orphans.where}").rowcount
        if deleted:
            done.append(f"deleted {deleted} {orphans.table} rows: {orphans.description}")
    if "publications" in tables:
        stale = [article_id for (article_id,) in conn.execute(_UNPUBLISHED).fetchall()]
        for article_id in stale:
            publications.rebuild(conn, article_id)
        if stale:
            done.append(f"recomputed the publications of {len(stale)} articles from their captures")
    if "stories" in tables and "story_articles" in tables:
        # A story keeps what is left of it: size and dates from its remaining articles (as
        # Archive._unplace does when one article leaves).
        resized = conn.execute(
            "UPDATE stories SET size = (SELECT COUNT(*) FROM story_articles sa WHERE sa.story_id = stories.id),"
            " start = (SELECT MIN(day) FROM story_articles sa WHERE sa.story_id = stories.id),"
            " end = (SELECT MAX(day) FROM story_articles sa WHERE sa.story_id = stories.id)"
            " WHERE size != (SELECT COUNT(*) FROM story_articles sa WHERE sa.story_id = stories.id)"
        ).rowcount
        if resized:
            conn.execute(
                "UPDATE story_terms SET start = (SELECT start FROM stories s WHERE s.id = story_terms.story_id)"
                " WHERE start IS NOT (SELECT start FROM stories s WHERE s.id = story_terms.story_id)"
            )
            done.append(f"recounted {resized} stories from the articles they still hold")
    return done


def _repair_aggregates(conn: sqlite3.Connection) -> list[str]:
    """Each kept count table that differs from a recount, counted again from the base tables (as the migration that
    made them did); the triggers keep it from then on."""
    done = []
    for table, rows in aggregate_differences(conn).items():
        if rows:
            recount_aggregate(conn, table)
            done.append(f"counted {table} again from the articles, mentions and stories ({rows} rows differed)")
    return done
