"""The search page (views.search: the page ranked by FTS5, the matches counted per outlet and month against facet
codes held in memory) answers exactly what the straightforward queries answer — the same articles in the same
order, the same snippets, total and counts per outlet and month, even the order of outlets with equal counts — on
the archive built from real captures, for queries in both scripts, broad and narrow, alone and with an outlet, a
date range, an entity, and on a later page; and its facet codes follow what another connection commits."""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from newsdesk.analysis.stories import Analysis
from newsdesk.archive.store import BM25, Archive
from newsdesk.archive.text import expand_query, query_terms
from newsdesk.records import entity_names
from newsdesk.web import views
from tests.conftest import copy_archive

CASES = [
    # query, outlet, since, until, entity, offset
    ("普京", None, None, None, None, 0),
    ("普丁", None, None, None, None, 20),
    ("拉夫羅夫", None, None, None, None, 0),
    ("拉夫罗夫", None, None, None, "普京", 0),
    ("烏克蘭 戰爭", None, None, None, "普京", 0),
    ("乌克兰", "GNews", None, None, None, 0),
    ("乌克兰 OR 俄罗斯", None, "2022-02-01", "2022-03-31", None, 0),
    ("俄羅斯 NOT 美國", None, "2022-01-01", None, "普京", 5),
    ("的", None, None, None, None, 40),
    ("的", None, None, None, "普京", 0),
    ("外交部", "大紀元", "2021-01-01", "2023-12-31", None, 0),
    ("NoSuchWordAnywhere", None, None, None, None, 0),
]


def straightforward(archive: Archive, searched: str, outlet: str | None, since: str | None, until: str | None,
                    entity_id: str | None, offset: int) -> tuple[list[int], Counter[str], Counter[str], views.Facets]:
    """The page's seqs, the counts per outlet and month, and the facets as the SQL join grouping by outlet and
    month gives them (with up to 10,000 outlets), each by its own plain query over the full-text index."""
    match = archive.match_expression(searched, outlet, since, until)
    assert match is not None
    entity = (" AND rowid IN (SELECT a.seq FROM mentions m JOIN articles a ON a.id = m.article_id"
              " WHERE m.entity_id = ?)") if entity_id else ""
    params = [match, *([entity_id] if entity_id else [])]
    conn = archive.conn
    seqs = [seq for (seq,) in conn.execute(
        f"SELECT rowid FROM article_fts WHERE article_fts MATCH ?{entity} ORDER BY {BM25}, rowid LIMIT 20 OFFSET ?",
        [*params, offset],
    )]
    outlets: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for outlet_name, day in conn.execute(
        f"SELECT outlet, event_day FROM articles WHERE seq IN (SELECT rowid FROM article_fts WHERE article_fts MATCH ?{entity})",
        params,
    ):
        outlets[outlet_name or "(unknown)"] += 1
        months[day[:7] if day else "unknown"] += 1
    joined = views._facets(conn.execute(
        "SELECT outlet, substr(event_day, 1, 7), COUNT(*) FROM articles WHERE seq IN"
        f" (SELECT rowid FROM article_fts WHERE article_fts MATCH ?{entity}) GROUP BY 1, 2", params,
    ), 10_000)
    return seqs, outlets, months, joined


@pytest.fixture(scope="module")
def archive(web_db: Path) -> Archive:
    with Archive(web_db, read_only=True) as opened:
        yield opened


def test_search_answers_what_the_straightforward_queries_answer(archive: Archive) -> None:
    analysis = Analysis(archive)
    names_of = entity_names(archive)
    last_seq = archive.conn.execute("SELECT max(seq) FROM articles").fetchone()[0]
    shares = []
    assert archive not in views._HELPERS
    for query, outlet, since, until, entity, offset in CASES:
        searched, _ = expand_query(query, names_of)
        entity_id = analysis.find_entity(entity).id if entity else None
        selection = views.select(archive, searched, outlet, since, until, entity_id)
        rows, found = views.search(archive, selection, 20, offset, top=10_000, slices=2)
        seqs, outlets, months, joined = straightforward(archive, searched, outlet, since, until, entity_id, offset)
        case = (query, outlet, since, until, entity, offset)
        assert rows == archive.rows_at(seqs, query_terms(searched)), case
        assert found.total == sum(months.values()), case
        assert dict(found.outlets) == outlets and found.months == sorted(months.items()), case
        assert found == joined, case
        # What `newsdesk search` and /api/search read (Archive.search and search_count, one plain query each).
        if entity is None:
            assert rows == archive.search(searched, outlet, since, until, 20, offset), case
            assert found.total == archive.search_count(searched, outlet, since, until), case
        # Read in one slice, on its own or inside a transaction the caller holds, the answer is the same.
        assert views.search(archive, selection, 20, offset, top=10_000, slices=1) == (rows, found), case
        archive.conn.execute("BEGIN")
        try:
            assert views.search(archive, selection, 20, offset, top=10_000, slices=2) == (rows, found), case
        finally:
            archive.conn.execute("COMMIT")
        # The page's outlets are the commonest, in order of count.
        top = views.search(archive, selection, 20, offset)[1].outlets
        assert top == found.outlets[:30] and [n for _, n in top] == sorted((n for _, n in top), reverse=True)
        shares.append(found.total / last_seq)
    # The searches read two slices, each on its own connection.
    assert archive in views._HELPERS
    # Broad queries (most of the archive, as the benchmark's 乌克兰 is) and narrow ones were compared.
    assert max(shares) > 0.5 and 0 < min(share for share in shares if share) < 0.05


def test_search_ends_its_transaction_and_reports_a_bad_query(archive: Archive) -> None:
    selection = views.select(archive, "普京", None, None, None, None)
    for slices in (1, 2):
        views.search(archive, selection, 20, 0, slices=slices)
        assert not archive.conn.in_transaction
    broken = views.Selection("FROM article_fts WHERE article_fts MATCH ?", ['(unbalanced'], "rowid", "", [], score=BM25)
    for slices in (1, 2):
        with pytest.raises(views.QueryError):
            views.search(archive, broken, 20, 0, slices=slices)
        assert not archive.conn.in_transaction
    again = views.search(archive, selection, 20, 0)
    assert again[1].total == views.count(archive, selection)


def test_facet_codes_follow_what_is_committed(web_db: Path, tmp_path: Path) -> None:
    """A revision that moves a matching article to another outlet (as an ingest of a better capture does) is
    counted under its new outlet by the next search, whether another process committed it or this connection."""
    db = copy_archive(web_db, tmp_path / "web.db")
    with Archive(db) as archive:
        selection = views.select(archive, "普京", None, None, None, None)
        _, before = views.search(archive, selection, 20, 0, top=10_000, slices=2)
        moved = archive.conn.execute(f"SELECT min(rowid) {selection.source}", selection.params).fetchone()[0]
        other = sqlite3.connect(db)
        with other:
            other.execute("UPDATE articles SET outlet = '另一家报社' WHERE seq = ?", (moved,))
        other.close()
        _, after = views.search(archive, selection, 20, 0, top=10_000, slices=2)
        assert dict(after.outlets)["另一家报社"] == 1 and after.total == before.total
        archive.conn.execute("UPDATE articles SET outlet = '第三家报社' WHERE seq = ?", (moved,))
        _, again = views.search(archive, selection, 20, 0, top=10_000, slices=2)
        assert dict(again.outlets)["第三家报社"] == 1 and "另一家报社" not in dict(again.outlets)
