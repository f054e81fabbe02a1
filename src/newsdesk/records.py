"""What newsdesk reads out of an archive, as the records `--format jsonl` prints and the web API
(`newsdesk serve`, /api/) answers: one place for both, so the two never drift apart.

Each function takes an open `Archive` (and, for stories and entities, its `Analysis`) and returns
plain dicts and lists, ready for `json.dumps`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsdesk.analysis.stories import Analysis, StoryRow
    from newsdesk.archive.store import Archive, ArticleRow


def article_record(row: ArticleRow, with_snippet: bool, expanded: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """A `search` (with snippet and `expanded`) or `list` line."""
    record = row.to_record(with_snippet)
    if expanded is not None:
        record["expanded"] = expanded
    return record


def entity_names(archive: Archive) -> Callable[[str], list[str] | None]:
    """Every name of the entity a query term names, if it names one: the bundled gazetteer, what the
    archive's articles taught (filled as `ingest` places them) and `newsdesk alias add`."""
    from newsdesk.analysis.entities import archive_gazetteer

    gazetteer = archive_gazetteer(archive.conn)

    def names_of(term: str) -> list[str] | None:
        entity = gazetteer.lookup(term)
        return entity.names() if entity is not None else None

    return names_of


@dataclass(slots=True)
class SearchPage:
    """One page of search results: the rows, how many match in all, and the other names searched."""

    rows: list[ArticleRow]
    total: int
    expanded: dict[str, list[str]] = field(default_factory=dict)
    searched: str = ""

    def records(self) -> list[dict[str, Any]]:
        return [article_record(row, True, self.expanded) for row in self.rows]


def search(
    archive: Archive, query: str, outlet: str | None = None, since: str | None = None, until: str | None = None,
    limit: int = 20, offset: int = 0, exact: bool = False,
    names_of: Callable[[str], list[str] | None] | None = None,
) -> SearchPage:
    """`newsdesk search`: the query widened to the other names of the entities it names (unless
    `exact`), the `limit` best after `offset`, and the total. QueryError for a query FTS5 cannot read."""
    from newsdesk.archive.text import expand_query

    searched, expanded = (query, {}) if exact else expand_query(query, names_of or entity_names(archive))
    rows = archive.search(searched, outlet=outlet, since=since, until=until, limit=limit, offset=offset)
    total = archive.search_count(searched, outlet=outlet, since=since, until=until)
    return SearchPage(rows, total, expanded, searched)


def show_record(archive: Archive, article_id: str) -> dict[str, Any]:
    """`newsdesk show ID` line: the article, its publications and captures, and its quotes as stored
    (or read now when it has not been analysed yet, as in a read-only archive)."""
    from newsdesk.analysis.entities import archive_gazetteer
    from newsdesk.analysis.quotes import find_quotes, stored_quotes

    info = archive.article_info(article_id)
    stored = stored_quotes(archive.conn, article_id)
    if stored is None:
        stored = find_quotes(archive_gazetteer(archive.conn), archive.article(article_id).body)
    info["quotes"] = [q.to_record() for q in stored]
    return info


def stats_records(
    rows: list[tuple[str, str, int]], by: str, inferred: dict[tuple[str, str], int] | None = None
) -> list[dict[str, Any]]:
    """`newsdesk stats` lines: `{"outlet", "month", "articles"|"publications"}`, and with `inferred`
    (articles only) how many of each month's are undated ones counted by the day their lead gives."""
    counted = f"{by}s"
    records: list[dict[str, Any]] = []
    for outlet, month, count in rows:
        record: dict[str, Any] = {"outlet": outlet, "month": month, counted: count}
        if inferred is not None:
            record["inferred"] = inferred.get((outlet, month), 0)
        records.append(record)
    return records


def story_record(row: StoryRow, related: list[StoryRow]) -> dict[str, Any]:
    """`newsdesk story ID` line: the story and its related stories."""
    record = row.to_record()
    record["related"] = [{"id": r.id, "label": r.label, "start": r.start, "end": r.end} for r in related]
    return record


def copies_records(
    archive: Archive, outlet: str | None = None, since: str | None = None, until: str | None = None,
    article_id: str | None = None, per_article: bool = False,
) -> list[dict[str, Any]]:
    """`newsdesk copies` lines: the outlet pairs, or with `per_article` every article published more
    than once, or one article's publications (`article_id`, a full id; KeyError if none)."""
    from newsdesk.archive.copies import article_copies, copied_articles, copy_pairs

    if article_id is not None:
        return [article_copies(archive, article_id).to_record()]
    if per_article:
        return [a.to_record() for a in copied_articles(archive, outlet, since, until)]
    return [row.to_record() for row in copy_pairs(archive, outlet, since, until)]


def entity_record(analysis: Analysis, name: str, limit: int | None = None, offset: int = 0) -> dict[str, Any] | None:
    """`newsdesk entity NAME [--limit N --offset K]` line, None when no entity goes by that name: its stories are
    `limit` of them (all when None) after the first `offset`, by start."""
    found = entity_record_page(analysis, name, limit, offset)
    return found[0] if found is not None else None


def entity_record_page(
    analysis: Analysis, name: str, limit: int | None = None, offset: int = 0
) -> tuple[dict[str, Any], int] | None:
    """`entity_record` and how many stories name the entity (what its `limit`/`offset` page through)."""
    report = analysis.entity_report(name, story_limit=limit, story_offset=offset)
    if report is None:
        return None
    # Counted by entity_report only for a page; without a limit every story is listed.
    return report, report.pop("story_count", len(report["stories"]))
