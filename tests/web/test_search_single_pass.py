"""The search page's single pass (views.search: the MATCH once, into a temporary table the page and both facets
are read from) answers exactly what the straightforward queries answer — the same articles in the same order,
the same snippets, total and counts per outlet and month — on the archive built from real captures, for queries in
both scripts, alone and with an outlet, a date range, an entity, and on a later page."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from newsdesk.analysis.stories import Analysis
from newsdesk.archive.store import BM25, Archive
from newsdesk.archive.text import expand_query, query_terms
from newsdesk.records import entity_names
from newsdesk.web import views

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
                    entity_id: str | None, offset: int) -> tuple[list[int], Counter[str], Counter[str]]:
    """The page's seqs and the counts per outlet and month, each by its own plain query over the full-text index."""
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
    return seqs, outlets, months


@pytest.fixture(scope="module")
def archive(web_db: Path) -> Archive:
    with Archive(web_db, read_only=True) as opened:
        yield opened


def test_single_pass_answers_what_the_straightforward_queries_answer(archive: Archive) -> None:
    analysis = Analysis(archive)
    names_of = entity_names(archive)
    last_seq = archive.conn.execute("SELECT max(seq) FROM articles").fetchone()[0]
    scanned = set()
    for query, outlet, since, until, entity, offset in CASES:
        searched, _ = expand_query(query, names_of)
        entity_id = analysis.find_entity(entity).id if entity else None
        selection = views.select(archive, searched, outlet, since, until, entity_id)
        rows, found = views.search(archive, selection, 20, offset, top=10_000)
        seqs, outlets, months = straightforward(archive, searched, outlet, since, until, entity_id, offset)
        case = (query, outlet, since, until, entity, offset)
        assert rows == archive.rows_at(seqs, query_terms(searched)), case
        assert found.total == sum(months.values()), case
        assert dict(found.outlets) == outlets and found.months == sorted(months.items()), case
        # The page's outlets are the commonest, in order of count.
        top = views.search(archive, selection, 20, offset)[1].outlets
        assert top == found.outlets[:30] and [n for _, n in top] == sorted((n for _, n in top), reverse=True)
        if found.total:
            scanned.add(found.total >= views.HITS_SCAN_SHARE * last_seq)
    # Both ways of counting the facets (scanning the archive's index, looking each match up) were compared.
    assert scanned == {True, False}


def test_single_pass_leaves_nothing_behind_and_reports_a_bad_query(archive: Archive) -> None:
    selection = views.select(archive, "普京", None, None, None, None)
    views.search(archive, selection, 20, 0)
    assert archive.conn.execute("SELECT COUNT(*) FROM temp.search_hits").fetchone()[0] == 0
    assert not archive.conn.in_transaction
    broken = views.Selection("FROM article_fts WHERE article_fts MATCH ?", ['(unbalanced'], "rowid", "", [], score=BM25)
    with pytest.raises(views.QueryError):
        views.search(archive, broken, 20, 0)
    assert not archive.conn.in_transaction
    again = views.search(archive, selection, 20, 0)
    assert again[1].total == views.count(archive, selection)
