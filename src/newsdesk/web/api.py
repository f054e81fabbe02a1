"""The JSON API under /api/: what the CLI reads, in the shapes of its `--format jsonl` lines
(newsdesk.records builds both). A command printing several lines answers a JSON array of them;
`show`, `story` and `entity` answer the one object. Pages of a list say the total in `X-Total-Count`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response

from newsdesk import records
from newsdesk.web import views

router = APIRouter(prefix="/api", tags=["api"])

Day = Annotated[str | None, Query(description="YYYY-MM-DD", max_length=40)]
Limit = Annotated[int, Query(ge=1, le=100_000)]
Offset = Annotated[int, Query(ge=0, le=10**12)]


def _access(request: Request) -> Any:
    return request.app.state.access


@router.get("/search", summary="newsdesk search QUERY --format jsonl")
def search(
    request: Request, response: Response, q: Annotated[str, Query(min_length=1, max_length=2000)],
    outlet: str | None = None, since: Day = None, until: Day = None, limit: Limit = 20, offset: Offset = 0,
    exact: bool = False,
) -> list[dict[str, Any]]:
    archive = _access(request).archive()
    found = records.search(archive, q, outlet or None, views.check_day(since, "since"), views.check_day(until, "until"),
                           limit, offset, exact)
    response.headers["X-Total-Count"] = str(found.total)
    return found.records()


@router.get("/list", summary="newsdesk list --format jsonl")
def list_articles(
    request: Request, response: Response, outlet: str | None = None, since: Day = None, until: Day = None,
    limit: Limit = 100, offset: Offset = 0,
) -> list[dict[str, Any]]:
    archive = _access(request).archive()
    since, until = views.check_day(since, "since"), views.check_day(until, "until")
    rows = list(archive.list(outlet=outlet or None, since=since, until=until, limit=limit, offset=offset))
    response.headers["X-Total-Count"] = str(archive.list_count(outlet=outlet or None, since=since, until=until))
    return [records.article_record(row, False) for row in rows]


@router.get("/articles/{article_id}", summary="newsdesk show ID --format jsonl")
def show(request: Request, article_id: str) -> dict[str, Any]:
    archive = _access(request).archive()
    return records.show_record(archive, archive.resolve_id(_not_blank(article_id)))


@router.get("/stories", summary="newsdesk stories --format jsonl")
def stories(
    request: Request, response: Response, since: Day = None, until: Day = None, entity: str | None = None,
    limit: Limit = 100, offset: Offset = 0,
) -> list[dict[str, Any]]:
    rows, total = views.stories_page(_access(request).analysis(), views.check_day(since, "since"),
                                     views.check_day(until, "until"), entity or None, limit, offset)
    response.headers["X-Total-Count"] = str(total)
    return [row.to_record() for row in rows]


@router.get("/stories/{story_id}", summary="newsdesk story ID --format jsonl")
def story(request: Request, story_id: str) -> dict[str, Any]:
    row, related = _access(request).analysis().story(_not_blank(story_id))
    return records.story_record(row, related)


@router.get("/entities/{name}", summary="newsdesk entity NAME --format jsonl")
def entity(
    request: Request, response: Response, name: str, limit: Limit = 100, offset: Offset = 0,
) -> dict[str, Any]:
    """The entity; its `stories` a page at a time (by start), their number in `X-Total-Count`."""
    found = records.entity_record_page(_access(request).analysis(), name, limit, offset)
    if found is None:
        raise HTTPException(404, f"no entity called {name!r}")
    report, story_count = found
    response.headers["X-Total-Count"] = str(story_count)
    return report


@router.get("/stats", summary="newsdesk stats --format jsonl")
def stats(request: Request, by: Literal["article", "publication"] = "article") -> list[dict[str, Any]]:
    archive = _access(request).archive()
    inferred = archive.stats_inferred() if by == "article" else None
    return records.stats_records(archive.stats(by), by, inferred)


@router.get("/counts", summary="How many articles, publications, captures and failures the archive holds")
def counts(request: Request) -> dict[str, int]:
    return _access(request).archive().counts()


@router.get("/failures", summary="newsdesk failures --format jsonl")
def failures(request: Request) -> list[dict[str, Any]]:
    return _access(request).archive().failures()


@router.get("/copies", summary="newsdesk copies --format jsonl")
def copies(
    request: Request, outlet: str | None = None, since: Day = None, until: Day = None,
    article: str | None = None, articles: bool = False,
) -> list[dict[str, Any]]:
    archive = _access(request).archive()
    article_id = archive.resolve_id(_not_blank(article)) if article is not None else None
    return records.copies_records(archive, outlet or None, views.check_day(since, "since"),
                                  views.check_day(until, "until"), article_id, articles)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise HTTPException(400, "empty id: give an id or a unique prefix of one")
    return value
