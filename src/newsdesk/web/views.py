"""What only the web pages ask of an archive: searches filtered by entity, facet counts, attention
over time, a story's first carriers and followers, paginated stories. Each is a handful of grouped
queries (never one query per row of the answer beyond a page of results).

Every chart's numbers come from here as a `Table` (columns and rows): the page draws it, and its
"data" link sends exactly that table as CSV or JSON.
"""

from __future__ import annotations

import os
import sqlite3
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

import numpy as np

from newsdesk.archive.store import BM25, ArticleRow
from newsdesk.archive.text import QueryError, published_day, query_terms

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from newsdesk.analysis.stories import Analysis, StoryRow
    from newsdesk.archive.store import Archive


@dataclass(slots=True)
class Table:
    """What a chart draws: named columns, one row per drawn value."""

    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


def check_day(value: str | None, name: str) -> str | None:
    """A `since`/`until` value: empty is none; anything else must be a day (QueryError otherwise)."""
    if not value:
        return None
    if published_day(value) is None:
        raise QueryError(f"{name} {value!r} is not a date: give it as YYYY-MM-DD, e.g. 2022-02-01")
    return value


@dataclass(slots=True)
class Selection:
    """The articles a search page selects: a query (optional) and filters. `source` is a FROM/WHERE
    clause giving each selected article's `seq` as `seq_expr`, `order` its ranking. With a query it
    runs inside the full-text index alone (articles are read for the page only: ranking a join would
    carry every match's body through the sort)."""

    source: str
    params: list[Any]
    seq_expr: str
    order: str
    terms: list[str]
    empty: bool = False
    # Neither query nor filter: every article.
    everything: bool = False
    # With a query: each match's BM25 score, the `order` (ties in seq order).
    score: str | None = None

    def seqs(self) -> str:
        return f"SELECT {self.seq_expr} {self.source}"


def select(
    archive: Archive, searched: str, outlet: str | None, since: str | None, until: str | None, entity_id: str | None
) -> Selection:
    """The selection for a (possibly expanded) query and filters; QueryError for an unreadable query."""
    entity_params = [entity_id] if entity_id else []
    if searched.strip():
        match = archive.match_expression(searched, outlet, since, until)
        if match is None:
            return Selection("", [], "", "", [], empty=True)
        # `+rowid`: the entity's articles filter the matches; offered to FTS5 as a rowid constraint instead,
        # it would run the whole MATCH once per article naming the entity (43 s for 30,000 of them).
        entity_sql = (" AND +rowid IN (SELECT a.seq FROM mentions m JOIN articles a ON a.id = m.article_id"
                      " WHERE m.entity_id = ?)") if entity_id else ""
        return Selection("FROM article_fts WHERE article_fts MATCH ?" + entity_sql, [match, *entity_params], "rowid",
                         f"ORDER BY {BM25}, rowid", query_terms(searched), score=BM25)
    where, params = archive._filters(outlet, since, until)
    entity_sql = " AND a.id IN (SELECT article_id FROM mentions WHERE entity_id = ?)" if entity_id else ""
    return Selection(f"FROM articles a WHERE 1=1{where}{entity_sql}", [*params, *entity_params], "a.seq",
                     "ORDER BY a.published, a.seq", [], everything=not (where or entity_id))


def _run(archive: Archive, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    return _execute(archive.conn, sql, params)


def _execute(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    try:
        return conn.execute(sql, params).fetchall()
    except sqlite3.OperationalError as exc:
        # FTS5's own messages (`fts5: syntax error near …`) name no fix.
        if any(word in str(exc).lower() for word in ("fts5", "syntax", "malformed match")):
            raise QueryError(
                "cannot search for that: use words, \"phrases\", AND / OR / NOT between them and balanced parentheses"
            ) from exc
        raise


def count(archive: Archive, selection: Selection) -> int:
    if selection.empty:
        return 0
    return int(_run(archive, f"SELECT COUNT(*) {selection.source}", selection.params)[0][0])


def page_rows(
    archive: Archive, selection: Selection, limit: int, offset: int, total: int | None = None
) -> tuple[list[ArticleRow], int]:
    """One page of the selection (with snippets when there is a query) and how many it holds (`total`,
    when the caller has counted it already: the facets do)."""
    if selection.empty:
        return [], 0
    if total is None:
        total = count(archive, selection)
    seqs = [row[0] for row in _run(archive, f"{selection.seqs()} {selection.order} LIMIT ? OFFSET ?",
                                   [*selection.params, limit, offset])]
    return archive.rows_at(seqs, selection.terms or None), total


def selected_ids(archive: Archive, selection: Selection) -> Iterator[str]:
    """Every selected article's id, best first, streamed a batch at a time."""
    if selection.empty:
        return
    cursor = archive.conn.execute(f"{selection.seqs()} {selection.order}", selection.params)
    while batch := [row[0] for row in cursor.fetchmany(500)]:
        ids = dict(archive.conn.execute(
            f"SELECT seq, id FROM articles WHERE seq IN ({','.join('?' * len(batch))})", batch
        ).fetchall())
        yield from (ids[seq] for seq in batch)


@dataclass(slots=True)
class Facets:
    outlets: list[tuple[str, int]]
    months: list[tuple[str, int]]
    # Every selected article, counted with them (the page's "of N" needs no COUNT of its own).
    total: int = 0


# A selection holding more than this share of the archive is counted per outlet and month by scanning the
# (outlet, event_day) index; a smaller one by looking its articles up in the narrow (seq, outlet, event_day) one.
SCAN_SHARE = 1 / 32


def facets(archive: Archive, selection: Selection, top: int = 30) -> Facets:
    """Counts of the selection per outlet (largest first, the `top` ones) and per month of the event day (in
    order: an undated article in the month its lead gives, as the date filters select it), and in all."""
    if selection.empty:
        return Facets([], [])
    # Never the rows (a page of body per match). Which index is cheaper depends on the selection's size, which
    # a bounded look at its first matches tells (it stops at the threshold: no full count).
    if selection.everything:
        index, where = "articles_outlet_event_day", ""
    else:
        threshold = max(1, int(SCAN_SHARE * _last_seq(archive)))
        (seen,) = _run(archive, f"SELECT COUNT(*) FROM ({selection.seqs()} LIMIT ?)", [*selection.params, threshold])[0]
        index = "articles_outlet_event_day" if seen >= threshold else "articles_facets"
        where = f" WHERE seq IN ({selection.seqs()})"
    sql = f"SELECT outlet, substr(event_day, 1, 7), COUNT(*) FROM articles INDEXED BY {index}{where} GROUP BY 1, 2"
    return _facets(_run(archive, sql, [] if selection.everything else selection.params), top)


def search(
    archive: Archive, selection: Selection, limit: int, offset: int, top: int = 30, slices: int | None = None,
) -> tuple[list[ArticleRow], Facets]:
    """A search page: `limit` of the selection after `offset` (with snippets when there is a query) and its
    facets, whose total is the page's "of N".

    With a query, the page comes from `_best_matches`, which also gives every match's seq: they are counted per
    outlet and month against facet codes held in memory (`facet_codes`); a join of the matches to `articles` in
    SQL cost as much as the ranking on a broad query (two thirds of 100,000 articles). `slices`: see
    `_shared_snapshot`."""
    if selection.empty:
        return [], Facets([], [])
    if selection.score is None:
        found = facets(archive, selection, top)
        rows, _ = page_rows(archive, selection, limit, offset, total=found.total)
        return rows, found
    with _shared_snapshot(archive, slices) as helper:
        best, matched = _best_matches(archive, helper, selection, offset + limit)
        found = _facets(facet_codes(archive).counts(matched), top)
        rows = archive.rows_at([seq for _, seq in best[offset:offset + limit]], selection.terms)
    return rows, found


def _best_matches(
    archive: Archive, helper: sqlite3.Connection | None, selection: Selection, keep: int,
) -> tuple[list[tuple[float, int]], np.ndarray[Any, np.dtype[np.int64]]]:
    """The `keep` best (score, seq) of a query's matches, and every match's seq.

    FTS5 scores every match with BM25 (most of a broad query's time: two thirds of 100,000 articles), one after
    the other. With a `helper` connection reading the same snapshot, the index is read in two slices of the seq
    range at once, the second in another thread (sqlite3 lets go of the GIL while SQLite works); each slice's
    scores are FTS5's for the whole archive (each statement reads the IDF and average length from the whole
    index), so the slices' best merge in `ORDER BY bm25, rowid` order."""
    if helper is None:
        return _ranked_slice(archive.conn, selection, None, None, keep)
    # Halves of the seq range: an even split of the matches when a query matches early and late articles alike.
    middle = _last_seq(archive) // 2
    other = _SLICE_THREADS.submit(_ranked_slice, helper, selection, None, middle, keep)
    try:
        best, matched = _ranked_slice(archive.conn, selection, middle + 1, None, keep)
    finally:
        wait([other])  # the helper's transaction may end only once its slice is read
    other_best, other_matched = other.result()
    return sorted(other_best + best)[:keep], np.concatenate([other_matched, matched])


def _ranked_slice(
    conn: sqlite3.Connection, selection: Selection, low: int | None, high: int | None, keep: int,
) -> tuple[list[tuple[float, int]], np.ndarray[Any, np.dtype[np.int64]]]:
    """The `keep` best (score, seq) of the matches with seqs from `low` to `high` (either end open), and every one
    of their seqs. One statement: the MATCH (and an entity filter's list of articles) runs once, its (seq, score)
    rows are held in a materialized table that the best and the seqs are both read from. Two statements (the second
    without BM25) cost an entity-filtered search its list of articles twice; a temporary table would count as
    this connection's writes (`total_changes`, which `facet_codes` watches)."""
    bounds = (" AND rowid >= ?" if low is not None else "") + (" AND rowid <= ?" if high is not None else "")
    params = [*selection.params, *(bound for bound in (low, high) if bound is not None)]
    found = _execute(
        conn,
        f"WITH hits(seq, score) AS MATERIALIZED (SELECT rowid, {selection.score} {selection.source}{bounds})"
        " SELECT score, seq FROM (SELECT score, seq FROM hits ORDER BY score, seq LIMIT ?)"
        " UNION ALL SELECT NULL, (SELECT group_concat(seq) FROM hits)",
        [*params, keep],
    )
    # The seqs' row is the one without a score (a match always has one): one string parsed in C, 67,000 seqs in
    # 2 ms (a row per match fetched into Python took 20).
    (seqs,) = [row[1] for row in found if row[0] is None]
    return sorted(row for row in found if row[0] is not None), np.fromstring(seqs or "", dtype=np.int64, sep=",")


# The threads reading a search's second slice (a request's own thread reads the first).
_SLICE_THREADS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="newsdesk-search-slice")
# Per open archive, the second connection its searches read a slice on.
_HELPERS: WeakKeyDictionary[Archive, sqlite3.Connection] = WeakKeyDictionary()


def _idle_core() -> bool:
    """Whether a second slice would find a core of its own: fewer processes wanted one than there are cores over
    the last minute (the load average). On a busy machine the second slice only waits for a core and adds work
    (each slice reads the phrases' document frequencies again): bench/web.py's search page p95 was 664 ms in two
    slices against 376 ms in one at load 8-9 on 2 cores. With a core idle the halves run side by side."""
    try:
        return os.getloadavg()[0] < (os.cpu_count() or 1)
    except (AttributeError, OSError):  # no load average (Windows): one slice, the cheaper on a busy machine
        return False


@contextmanager
def _shared_snapshot(archive: Archive, slices: int | None) -> Iterator[sqlite3.Connection | None]:
    """A read transaction on the archive's connection and, for two `slices` (by default: when a core is idle,
    `_idle_core`), one on a second connection that reads the same snapshot; None instead of that one for one
    slice, or when a commit came in between (or the caller's transaction was already open). SQLite cannot hand a
    snapshot to another connection, so the second one starts its own between two looks at `PRAGMA data_version`
    on the first: unchanged, nothing was committed in between."""
    conn = archive.conn
    if conn.in_transaction:  # the caller's: read as it is, in one slice
        yield None
        return
    if (slices or (2 if _idle_core() else 1)) < 2:
        conn.execute("BEGIN")
        try:
            yield None
        finally:
            conn.execute("COMMIT")
        return
    helper = _HELPERS.get(archive)
    if helper is None:
        helper = sqlite3.connect(f"{archive.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                                 timeout=archive.BUSY_TIMEOUT_SECONDS,
                                 check_same_thread=False)  # used by one thread at a time: a slice's, then ours
        _HELPERS[archive] = helper
    before = conn.execute("PRAGMA data_version").fetchone()[0]
    helper.execute("BEGIN")
    helper.execute("SELECT 1 FROM articles LIMIT 1").fetchall()  # the read that fixes its snapshot
    conn.execute("BEGIN")
    shared = conn.execute("PRAGMA data_version").fetchone()[0] == before
    if not shared:
        helper.execute("COMMIT")
    try:
        yield helper if shared else None
    finally:
        if shared:
            helper.execute("COMMIT")
        conn.execute("COMMIT")


@dataclass(slots=True)
class FacetCodes:
    """Every article's outlet and month (of its event day) as small integers indexed by seq, so that a search's
    matches are counted per outlet and month with one `np.bincount` instead of a join over the archive. Codes
    number the distinct values in SQL's order (NULL first, then by bytes), so the counts come out in the order
    `GROUP BY outlet, month` gives them, and `_facets` breaks ties among outlets the same way."""

    version: tuple[int, int]
    outlet_of: np.ndarray[Any, np.dtype[np.int32]]  # by seq; -1 where no article has that seq
    month_of: np.ndarray[Any, np.dtype[np.int32]]
    outlets: list[str | None]
    months: list[str | None]

    def counts(self, seqs: np.ndarray[Any, np.dtype[np.int64]]) -> list[tuple[str | None, str | None, int]]:
        """(outlet, month, articles) for the articles at these seqs, in (outlet, month) order."""
        seqs = seqs[(seqs >= 0) & (seqs < len(self.outlet_of))]
        outlet, month = self.outlet_of[seqs], self.month_of[seqs]
        known = outlet >= 0  # a full-text row without its article is not counted, as the join did not
        pairs = outlet[known].astype(np.int64) * len(self.months) + month[known]
        tally = np.bincount(pairs, minlength=len(self.outlets) * len(self.months))
        return [(self.outlets[pair // len(self.months)], self.months[pair % len(self.months)], int(tally[pair]))
                for pair in np.flatnonzero(tally).tolist()]


# Per open archive (a connection: the web server has one per request thread), its facet codes.
_FACET_CODES: WeakKeyDictionary[Archive, FacetCodes] = WeakKeyDictionary()


def facet_codes(archive: Archive) -> FacetCodes:
    """The archive's facet codes, read again whenever it has changed: `PRAGMA data_version` moves when another
    connection commits, `total_changes` when this one writes. Inside a read transaction both name the snapshot
    being read, so the codes always describe the articles the MATCH saw."""
    conn = archive.conn
    version = (int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes)
    cached = _FACET_CODES.get(archive)
    if cached is not None and cached.version == version:
        return cached
    rows = conn.execute(
        "SELECT seq, outlet, substr(event_day, 1, 7) FROM articles INDEXED BY articles_facets"
    ).fetchall()
    outlets = _sql_order({outlet for _, outlet, _ in rows})
    months = _sql_order({month for _, _, month in rows})
    outlet_code = {name: code for code, name in enumerate(outlets)}
    month_code = {name: code for code, name in enumerate(months)}
    size = (max((seq for seq, _, _ in rows), default=0)) + 1
    outlet_of = np.full(size, -1, dtype=np.int32)
    month_of = np.full(size, -1, dtype=np.int32)
    seqs = np.fromiter((seq for seq, _, _ in rows), dtype=np.int64, count=len(rows))
    outlet_of[seqs] = np.fromiter((outlet_code[outlet] for _, outlet, _ in rows), dtype=np.int32, count=len(rows))
    month_of[seqs] = np.fromiter((month_code[month] for _, _, month in rows), dtype=np.int32, count=len(rows))
    codes = FacetCodes(version, outlet_of, month_of, outlets, months)
    _FACET_CODES[archive] = codes
    return codes


def _sql_order(values: set[str | None]) -> list[str | None]:
    """Values in SQLite's order for text: NULL first, then by UTF-8 bytes (which is code point order)."""
    return sorted(values, key=lambda value: (value is not None, value or ""))


def _facets(counts: Iterable[tuple[str | None, str | None, int]], top: int) -> Facets:
    outlets: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for outlet, month, n in counts:
        outlets[outlet or "(unknown)"] += n
        months[month or "unknown"] += n
    return Facets(outlets.most_common(top), sorted(months.items()), sum(months.values()))


def _last_seq(archive: Archive) -> int:
    """About how many articles the archive holds, at the cost of one index probe."""
    return int(archive.conn.execute("SELECT coalesce(max(seq), 0) FROM articles").fetchone()[0])


# --- outlets -----------------------------------------------------------------------------------

def outlet_months(archive: Archive, by: str = "article") -> Table:
    """Articles (or publications) per outlet per month: `newsdesk stats` as a chart's table."""
    return Table(["outlet", "month", f"{by}s"], [list(row) for row in archive.stats(by)])


def compare_outlets(archive: Archive, searched: str, outlets: list[str]) -> Table:
    """Per outlet and month, how many of its articles match the query, of how many it published
    (share = matching / all): two or more outlets' attention side by side."""
    table = Table(["outlet", "month", "matching", "articles", "share"])
    for outlet in outlets:
        names = archive.outlet_names(outlet)
        if not names:
            continue
        marks = ",".join("?" * len(names))
        # By event day, as the monthly chart and the entity pages count (an undated article by its lead's day).
        totals = dict(archive.conn.execute(
            f"SELECT substr(event_day, 1, 7), COUNT(*) FROM articles INDEXED BY articles_outlet_event_day"
            f" WHERE outlet IN ({marks}) GROUP BY 1", names
        ).fetchall())
        matching: dict[str, int] = {}
        if searched.strip():
            selection = select(archive, searched, outlet, None, None, None)
            if not selection.empty:
                matching = dict(_run(
                    archive, "SELECT substr(event_day, 1, 7), COUNT(*) FROM articles INDEXED BY articles_outlet_event_day"
                    f" WHERE outlet IN ({marks}) AND seq IN ({selection.seqs()}) GROUP BY 1", [*names, *selection.params],
                ))
        for month in sorted(totals, key=lambda m: m or ""):
            count = matching.get(month, 0)
            table.rows.append([outlet, month or "unknown", count, totals[month], round(count / totals[month], 4)])
    return table


# --- entities ----------------------------------------------------------------------------------

def outlet_weeks(archive: Archive) -> dict[tuple[str | None, str], int]:
    """Every outlet's articles per week (starting Monday, by event day): the denominators of every entity's
    attention share, kept in `outlet_weeks` as articles are written (archive/schema.py)."""
    return {(outlet, wk): n for outlet, wk, n in archive.conn.execute(
        "SELECT NULLIF(outlet, ''), week, articles FROM outlet_weeks"
    )}


def attention(archive: Archive, entity_id: str, totals: dict[tuple[str | None, str], int]) -> Table:
    """Articles naming the entity per week (starting Monday) per outlet, and as a share of all the
    outlet's articles that week (`totals`, from outlet_weeks); an article counts in the week of its event
    day (its publication day, or for an undated one the day its lead gives), as everywhere else. Read from
    `entity_weeks`, kept as mentions are written (archive/schema.py)."""
    table = Table(["week", "outlet", "articles", "all_articles", "share"])
    for outlet, wk, n in archive.conn.execute(
        "SELECT NULLIF(outlet, ''), week, articles FROM entity_weeks WHERE entity_id = ? ORDER BY week, outlet",
        (entity_id,),
    ):
        total = totals.get((outlet, wk), n)
        table.rows.append([wk, outlet or "(unknown)", n, total, round(n / total, 4) if total else None])
    return table


# Articles co-occurrence is counted over, at most: the first in id order, and ids are hashes, so a
# uniform sample of an entity named in tens of thousands of articles.
CO_OCCURRENCE_SAMPLE = 2000


def co_occurring(analysis: Analysis, entity_id: str, limit: int = 20) -> list[dict[str, Any]]:
    """The entities most often named in the same articles as this one (over at most
    CO_OCCURRENCE_SAMPLE of its articles)."""
    out = []
    for other, articles in analysis.conn.execute(
        "SELECT m2.entity_id, COUNT(*) AS n FROM (SELECT article_id FROM mentions WHERE entity_id = ?"
        " ORDER BY article_id LIMIT ?) m1 JOIN mentions m2 ON m2.article_id = m1.article_id"
        " WHERE m2.entity_id != ? GROUP BY m2.entity_id ORDER BY n DESC, m2.entity_id LIMIT ?",
        (entity_id, CO_OCCURRENCE_SAMPLE, entity_id, limit),
    ):
        entity = analysis.gazetteer.entities.get(other)
        out.append({"id": other, "name": entity.name if entity else other, "kind": entity.kind if entity else None,
                    "articles": articles})
    return out


# --- stories -----------------------------------------------------------------------------------

def stories_page(
    analysis: Analysis, since: str | None = None, until: str | None = None, entity: str | None = None,
    limit: int | None = None, offset: int = 0,
) -> tuple[list[StoryRow], int]:
    """`newsdesk stories` a page at a time (the same order and filters), and how many there are."""
    selected = analysis.story_filter(since, until, entity)
    if selected is None:
        return [], 0
    where, params = selected
    total = analysis.conn.execute(f"SELECT COUNT(*) FROM stories s{where}", params).fetchone()[0]
    # Dated stories in order of start (the index on start serves it), then the undated ones; sorted
    # without their centroids (large JSON), then the page's rows read.
    joiner = " AND " if where else " WHERE "
    dated = analysis.conn.execute(f"SELECT COUNT(*) FROM stories s{where}{joiner}s.start IS NOT NULL", params).fetchone()[0]
    seqs = [seq for (seq,) in analysis.conn.execute(
        f"SELECT s.seq FROM stories s{where}{joiner}s.start IS NOT NULL ORDER BY s.start, s.seq LIMIT ? OFFSET ?",
        [*params, -1 if limit is None else limit, offset],
    )]
    if limit is None or len(seqs) < limit:
        seqs += [seq for (seq,) in analysis.conn.execute(
            f"SELECT s.seq FROM stories s{where}{joiner}s.start IS NULL ORDER BY s.seq LIMIT ? OFFSET ?",
            [*params, -1 if limit is None else limit - len(seqs), max(0, offset - dated)],
        )]
    rows = {row[0]: row[1:] for row in analysis.conn.execute(
        f"SELECT seq, id, label, start, end, centroid FROM stories WHERE seq IN ({','.join('?' * len(seqs))})", seqs
    )}
    return [analysis._story_row(*rows[seq]) for seq in seqs], int(total)


@dataclass(slots=True)
class Carrier:
    """An outlet's first publication of the story: when, and of which article."""

    outlet: str
    time: str | None
    timed_by: str | None
    article_id: str
    url: str | None
    lag_hours: float | None = None


def story_carriers(archive: Archive, article_ids: list[str]) -> tuple[list[Carrier], Table]:
    """Who carried the story first and who followed: each outlet's earliest publication of any of
    the story's articles, in time order (with its lag after the first), and the timeline table:
    one row per publication (time, outlet, article)."""
    from newsdesk.archive.copies import _place

    if not article_ids:
        return [], Table(["time", "timed_by", "outlet", "article", "title", "url"])
    marks = ",".join("?" * len(article_ids))
    timeline = Table(["time", "timed_by", "outlet", "article", "title", "url"])
    earliest: dict[str, Carrier] = {}
    moments: dict[str, Any] = {}
    for article_id, title, outlet, url, published, first_captured, event_day in archive.conn.execute(
        "SELECT p.article_id, a.title, p.outlet, p.url, p.published, p.first_captured, a.event_day FROM publications p"
        f" JOIN articles a ON a.id = p.article_id WHERE p.article_id IN ({marks}) ORDER BY p.seq", article_ids
    ):
        placed = _place(outlet, url, published, first_captured, 0)
        name = outlet or "(unknown)"
        when = placed.moment.isoformat() if placed.moment else None
        if when is None and event_day:
            # An undated report is drawn on the day the story placed it by (its lead's day), and said
            # to be inferred; it never decides who reported first.
            timeline.rows.append([event_day, "event day (inferred)", name, article_id, title, url])
            continue
        timeline.rows.append([when, placed.basis, name, article_id, title, url])
        if placed.moment is None:
            continue
        if name not in moments or placed.moment < moments[name]:
            moments[name] = placed.moment
            earliest[name] = Carrier(name, when, placed.basis, article_id, url)
    timeline.rows.sort(key=lambda r: (r[0] is None, r[0] or "", r[2]))
    carriers = sorted(earliest.values(), key=lambda c: (moments[c.outlet], c.outlet))
    if carriers:
        first = moments[carriers[0].outlet]
        for carrier in carriers:
            carrier.lag_hours = round((moments[carrier.outlet] - first).total_seconds() / 3600, 2)
    return carriers, timeline


def article_story(archive: Archive, article_id: str) -> tuple[str, str | None] | None:
    """The story holding the article: (id, label), None if it is in none yet."""
    row = archive.conn.execute(
        "SELECT s.id, s.label FROM story_articles sa JOIN stories s ON s.id = sa.story_id WHERE sa.article_id = ?",
        (article_id,),
    ).fetchone()
    return (row[0], row[1]) if row else None


def article_entities(analysis: Analysis, article_id: str) -> list[dict[str, Any]]:
    """The entities the article names, most mentioned first."""
    out = []
    for entity_id, count in analysis.conn.execute(
        "SELECT entity_id, count FROM mentions WHERE article_id = ? ORDER BY count DESC, entity_id", (article_id,)
    ):
        entity = analysis.gazetteer.entities.get(entity_id)
        out.append({"id": entity_id, "name": entity.name if entity else entity_id,
                    "kind": entity.kind if entity else None, "count": count})
    return out
