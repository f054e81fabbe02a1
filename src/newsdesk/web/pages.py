"""The HTML pages: search, article, stories and story, entity, outlets, failures, stats, ingest.

Every page is a GET with its state in the query string (a shareable URL), rendered by Jinja2 with
autoescape on, so whatever a capture carried (titles, captions, outlet names, addresses) is text.
Charts are inline SVG (charts.py), each with a "data" link to exactly the table it draws.
"""

from __future__ import annotations

import asyncio
import csv
import io
import queue
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from newsdesk import records
from newsdesk.web import charts, views
from newsdesk.web.sanitize import snippet_html

router = APIRouter(include_in_schema=False)
PER_PAGE = 20
Page = Annotated[int, Query(ge=1, le=10**9)]
Text = Annotated[str, Query(max_length=2000)]


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("newsdesk.web", "templates"), autoescape=select_autoescape(default=True))
    env.filters["snippet"] = snippet_html
    env.filters["web_address"] = _web_address
    env.globals["path_part"] = lambda value: quote(str(value), safe="")
    env.globals["month_end"] = _month_end
    return env


def _month_end(month: str) -> str:
    """The last day of a YYYY-MM month."""
    import calendar

    year, number = int(month[:4]), int(month[5:7])
    return f"{month}-{calendar.monthrange(year, number)[1]:02d}"


def _web_address(url: str | None) -> str | None:
    """`url` if it is an http(s) address to link to, else None (javascript:, data: and the like stay text)."""
    from newsdesk.cli import web_address

    return url.strip() if web_address(url) else None


def render(request: Request, template: str, **context: Any) -> str:
    return _environment().get_template(template).render(
        request=request, allow_ingest=request.app.state.allow_ingest, **context
    )


def _page(request: Request, template: str, **context: Any) -> HTMLResponse:
    return HTMLResponse(render(request, template, **context))


def _access(request: Request) -> Any:
    return request.app.state.access


def _url(path: str, **params: Any) -> str:
    """A link to one of our pages: `path` with the non-empty parameters as its query string."""
    kept = [(k, v) for k, v in params.items() if v not in (None, "", False) and not (k == "page" and v == 1)]
    expanded = [(k, item) for k, v in kept for item in (v if isinstance(v, list) else [v])]
    return path + ("?" + urlencode(expanded) if expanded else "")


def _pages(page: int, shown: int, total: int, per_page: int = PER_PAGE) -> dict[str, Any]:
    first = (page - 1) * per_page
    return {"page": page, "first": first + 1 if shown else 0, "last": first + shown, "total": total,
            "has_prev": page > 1, "has_next": first + shown < total,
            "last_page": max(1, (total + per_page - 1) // per_page)}


# --- search ------------------------------------------------------------------------------------

def _selection(request: Request, q: str, outlet: str, since: str, until: str, entity: str, exact: bool) -> dict[str, Any]:
    from newsdesk.archive.text import expand_query

    access = _access(request)
    archive = access.archive()
    since_day, until_day = views.check_day(since, "since"), views.check_day(until, "until")
    entity_id = entity_name = None
    if entity.strip():
        found = access.analysis().find_entity(entity)
        if found is None:
            raise KeyError(f"no entity called {entity!r}")
        entity_id, entity_name = found.id, found.name
    searched, expanded = q, {}
    if q.strip() and not exact:
        searched, expanded = expand_query(q, _names_of(access))
    selection = views.select(archive, searched, outlet or None, since_day, until_day, entity_id)
    return {"archive": archive, "selection": selection, "expanded": expanded, "entity_name": entity_name}


def _names_of(access: Any) -> Any:
    """`records.entity_names` over the thread's cached gazetteer (reloaded when the archive changes)."""
    gazetteer = access.analysis().gazetteer

    def names_of(term: str) -> list[str] | None:
        entity = gazetteer.lookup(term)
        return entity.names() if entity is not None else None

    return names_of


@router.get("/", response_class=HTMLResponse)
@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request, q: Text = "", outlet: Text = "", since: Text = "", until: Text = "", entity: Text = "",
    exact: bool = False, page: Page = 1,
) -> HTMLResponse:
    chosen = _selection(request, q, outlet, since, until, entity, exact)
    archive, selection = chosen["archive"], chosen["selection"]
    access = _access(request)
    if selection.everything:
        found = access.cached("facets", lambda: views.facets(archive, selection))
        rows, total = views.page_rows(archive, selection, PER_PAGE, (page - 1) * PER_PAGE, total=found.total)
    else:
        # The facets count every selected article: the page's total comes with them.
        rows, found = views.search(archive, selection, PER_PAGE, (page - 1) * PER_PAGE)
        total = found.total
    params = {"q": q, "outlet": outlet, "since": since, "until": until, "entity": entity, "exact": exact}
    title = f"{q} — search" if q else "Articles"
    return _page(
        request, "search.html", title=title, params=params, rows=rows, facets=found, expanded=chosen["expanded"],
        entity_name=chosen["entity_name"], pages=_pages(page, len(rows), total),
        page_url=lambda n: _url("/search", **params, page=n),
        facet_url=lambda **changed: _url("/search", **{**params, **changed}),
        download_url=lambda fmt: _url("/search/download", **params, format=fmt),
        counts=access.cached("counts", archive.counts),
    )


class _QueueWriter(io.RawIOBase):
    """A binary stream whose writes go, as chunks, to a queue a response reads from."""

    def __init__(self, chunks: queue.Queue[bytes | BaseException | None]) -> None:
        self.chunks = chunks

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        if chunk:
            self.chunks.put(chunk)
        return len(chunk)


_MEDIA = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson", "parquet": "application/vnd.apache.parquet"}


@router.get("/search/download")
def download(
    request: Request, format: str = "jsonl", q: Text = "", outlet: Text = "", since: Text = "", until: Text = "",
    entity: Text = "", exact: bool = False,
) -> StreamingResponse:
    """Every matching article (no cap), in the export schema (archive/export.py), streamed as it is written:
    a thread of its own (its own read-only connection) writes, the response sends what it wrote."""
    from newsdesk.archive.export import write_stream

    if format not in _MEDIA:
        raise HTTPException(400, f"unknown format {format!r}: csv, jsonl or parquet")
    # Checked here, in the request: a bad query is an error page, not a broken download.
    _selection(request, q, outlet, since, until, entity, exact)
    access = _access(request)
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=64)
    cancelled = threading.Event()

    def produce() -> None:
        try:
            archive = access.open()
            try:
                # The selection is built again on this thread's own connection.
                selection = _rebuild(archive, access, q, outlet, since, until, entity, exact)
                ids = views.selected_ids(archive, selection)
                out = _QueueWriter(chunks)
                write_stream(_until_cancelled(archive.export_records(ids), cancelled), out, format)
            finally:
                archive.close()
        except BaseException as exc:
            chunks.put(exc)
        chunks.put(None)

    async def send() -> AsyncIterator[bytes]:
        thread = threading.Thread(target=produce, name="newsdesk-download", daemon=True)
        thread.start()
        try:
            while True:
                chunk = await asyncio.to_thread(chunks.get)
                if chunk is None:
                    return
                if isinstance(chunk, BaseException):
                    # Headers are sent: the download ends short, and the client sees it incomplete.
                    raise chunk
                yield chunk
        finally:
            cancelled.set()
            while thread.is_alive():
                # Unblock a producer waiting on a full queue.
                try:
                    chunks.get_nowait()
                except queue.Empty:
                    await asyncio.sleep(0.01)

    name = "newsdesk-" + ("search" if q else "articles") + "." + format
    return StreamingResponse(send(), media_type=_MEDIA[format],
                             headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _until_cancelled(items: Iterator[dict[str, Any]], cancelled: threading.Event) -> Iterator[dict[str, Any]]:
    for item in items:
        if cancelled.is_set():
            return
        yield item


def _rebuild(archive: Any, access: Any, q: str, outlet: str, since: str, until: str, entity: str, exact: bool) -> Any:
    from newsdesk.analysis.entities import archive_gazetteer
    from newsdesk.archive.text import expand_query

    entity_id = None
    if entity.strip():
        found = archive_gazetteer(archive.conn).lookup(entity)
        entity_id = found.id if found else "\x00none"
    searched = q
    if q.strip() and not exact:
        searched, _ = expand_query(q, records.entity_names(archive))
    return views.select(archive, searched, outlet or None, views.check_day(since, "since"),
                        views.check_day(until, "until"), entity_id)


# --- article -----------------------------------------------------------------------------------

@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, article_id: str) -> Response:
    access = _access(request)
    archive = access.archive()
    full_id = archive.resolve_id(article_id) if article_id.strip() else archive.resolve_id("\x00")
    if full_id != article_id:
        return RedirectResponse(f"/articles/{quote(full_id, safe='')}", status_code=307)
    info = archive.article_info(full_id)
    analysis = access.analysis()
    story = views.article_story(archive, full_id)
    return _page(
        request, "article.html", title=info["article"]["title"] or "(untitled)", info=info, article=info["article"],
        entities=views.article_entities(analysis, full_id), story=story,
    )


# --- stories -----------------------------------------------------------------------------------

@router.get("/stories", response_class=HTMLResponse)
def stories_page(
    request: Request, since: Text = "", until: Text = "", entity: Text = "", page: Page = 1
) -> HTMLResponse:
    analysis = _access(request).analysis()
    rows, total = views.stories_page(analysis, views.check_day(since, "since"), views.check_day(until, "until"),
                                     entity or None, PER_PAGE, (page - 1) * PER_PAGE)
    params = {"since": since, "until": until, "entity": entity}
    return _page(request, "stories.html", title="Stories", rows=rows, params=params,
                 pages=_pages(page, len(rows), total), page_url=lambda n: _url("/stories", **params, page=n))


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str) -> Response:
    access = _access(request)
    if not story_id.strip():
        raise KeyError("empty story id")
    row, related, carriers, timeline = access.cached(("story", story_id), lambda: _story(access, story_id))
    if row.id != story_id:
        return RedirectResponse(f"/stories/{quote(row.id, safe='')}", status_code=307)
    by_outlet: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for article in row.articles:
        by_outlet[article["outlet"] or "(unknown)"].append(article)
    points = [(t, outlet, title or "", f"/articles/{quote(aid, safe='')}")
              for t, _, outlet, aid, title, _ in timeline.rows]
    chart = charts.timeline_chart(points, f"Reports of {row.label or row.id} by date and outlet", "story-timeline")
    return _page(
        request, "story.html", title=row.label or f"Story {row.id}", story=row, related=related, carriers=carriers,
        by_outlet=dict(sorted(by_outlet.items(), key=lambda kv: -len(kv[1]))), chart=chart,
        data_url=lambda fmt: f"/data/story-timeline.{fmt}?" + urlencode({"id": row.id}),
    )


def _story(access: Any, story_id: str) -> tuple[Any, Any, list[views.Carrier], views.Table]:
    row, related = access.analysis().story(story_id)
    carriers, timeline = views.story_carriers(access.archive(), [a["id"] for a in row.articles])
    return row, related, carriers, timeline


# --- entity ------------------------------------------------------------------------------------

@router.get("/entities", response_class=HTMLResponse)
def entity_lookup(request: Request, name: Text = "") -> Response:
    if not name.strip():
        entities = _access(request).cached("top-entities", lambda: _top_entities(request))
        return _page(request, "entities.html", title="Entities", name=name, entities=entities)
    return RedirectResponse(f"/entities/{quote(name, safe='')}", status_code=303)


def _top_entities(request: Request, limit: int = 60) -> list[dict[str, Any]]:
    analysis = _access(request).analysis()
    out = []
    for entity_id, articles in analysis.conn.execute(
        # An article counts once per entity in entity_months, as in mentions (one row per article and entity).
        "SELECT entity_id, SUM(articles) AS n FROM entity_months GROUP BY entity_id ORDER BY n DESC, entity_id LIMIT ?",
        (limit,)
    ):
        entity = analysis.gazetteer.entities.get(entity_id)
        out.append({"id": entity_id, "name": entity.name if entity else entity_id,
                    "kind": entity.kind if entity else None, "articles": articles})
    return out


@router.get("/entities/{name}", response_class=HTMLResponse)
def entity_page(request: Request, name: str, measure: str = "articles", page: Page = 1) -> HTMLResponse:
    access = _access(request)
    report, table, named_with = access.cached(("entity", name), lambda: _entity(access, name))
    if page > 1:
        # The stories a page at a time, like every list; the rest of the report is the first page's.
        report = {**report, "stories": access.analysis().entity_stories(
            report["id"], ENTITY_PAGE_STORIES, (page - 1) * ENTITY_PAGE_STORIES)}
    measure = "share" if measure == "share" else "articles"
    chart = _attention_chart(table, measure, report["name"])
    return _page(
        request, "entity.html", title=f"{report['name']} — entity", report=report, chart=chart, measure=measure,
        co_occurring=named_with, name=name,
        data_url=lambda fmt: f"/data/entity-attention.{fmt}?" + urlencode({"name": name}),
        pages=_pages(page, len(report["stories"]), report["story_count"], ENTITY_PAGE_STORIES),
        page_url=lambda n: _url(f"/entities/{quote(name, safe='')}", measure=measure if measure == "share" else "",
                                page=n),
    )


ENTITY_PAGE_STORIES = 50


def _entity(access: Any, name: str) -> tuple[dict[str, Any], views.Table, list[dict[str, Any]]]:
    """An entity's report (`newsdesk entity`), attention table and co-occurring entities."""
    analysis = access.analysis()
    # The page lists its stories a page at a time and says how many there are.
    report = analysis.entity_report(name, story_limit=ENTITY_PAGE_STORIES)
    if report is None:
        raise KeyError(f"no entity called {name!r}: try another spelling")
    totals = access.cached("outlet-weeks", lambda: views.outlet_weeks(analysis.archive))
    return report, views.attention(analysis.archive, report["id"], totals), views.co_occurring(analysis, report["id"])


def _attention_chart(table: views.Table, measure: str, name: str) -> Any:
    column = table.columns.index(measure)
    weeks = sorted({row[0] for row in table.rows})
    series: dict[str, dict[str, float]] = defaultdict(dict)
    for row in table.rows:
        series[row[1]][row[0]] = row[column]
    what = "share of each outlet's articles" if measure == "share" else "articles"
    return charts.series_chart(weeks, dict(series), f"{name}: {what} per week per outlet", "line", "entity-attention")


# --- outlets -----------------------------------------------------------------------------------

@router.get("/outlets", response_class=HTMLResponse)
def outlets_page(
    request: Request, q: Text = "", compare: Annotated[list[str] | None, Query()] = None, by: str = "article",
) -> HTMLResponse:
    access = _access(request)
    archive = access.archive()
    by = "publication" if by == "publication" else "article"
    monthly = access.cached(("outlet-months", by), lambda: views.outlet_months(archive, by))
    months = sorted({row[1] for row in monthly.rows})
    series: dict[str, dict[str, float]] = defaultdict(dict)
    for outlet, month, count in monthly.rows:
        series[outlet][month] = count
    chart = charts.series_chart(months, dict(series), f"{by}s per outlet per month", "bar", "outlet-months")
    compared = [c for c in (compare or []) if c.strip()]
    comparison = comparison_chart = None
    if compared:
        comparison = views.compare_outlets(archive, q, compared)
        compare_series: dict[str, dict[str, float]] = defaultdict(dict)
        for outlet, month, _, _, share in comparison.rows:
            compare_series[outlet][month] = share
        comparison_chart = charts.series_chart(
            sorted({row[1] for row in comparison.rows}), dict(compare_series),
            f"share of each outlet's articles matching {q!r} per month" if q else "articles per month",
            "line", "outlet-comparison",
        )
    pairs = access.cached("pairs", lambda: records.copies_records(archive))
    outlets = sorted(series, key=lambda o: -sum(series[o].values()))
    return _page(
        request, "outlets.html", title="Outlets", chart=chart, by=by, outlets=outlets, q=q, compared=compared,
        comparison=comparison, comparison_chart=comparison_chart, pairs=pairs[:200], pair_count=len(pairs),
        monthly_data=lambda fmt: f"/data/outlet-months.{fmt}?" + urlencode({"by": by}),
        compare_data=lambda fmt: f"/data/outlet-comparison.{fmt}?" + urlencode([("q", q), *(("compare", c) for c in compared)]),
    )


# --- failures, stats ---------------------------------------------------------------------------

@router.get("/failures", response_class=HTMLResponse)
def failures_page(request: Request, page: Page = 1) -> HTMLResponse:
    archive = _access(request).archive()
    total = archive.conn.execute("SELECT COUNT(*) FROM failures").fetchone()[0]
    rows = [
        {"sha256": sha, "path": path, "error": error, "capture_url": url}
        for sha, path, error, url in archive.conn.execute(
            "SELECT sha256, path, error, capture_url FROM failures ORDER BY path LIMIT ? OFFSET ?",
            (PER_PAGE, (page - 1) * PER_PAGE),
        )
    ]
    return _page(request, "failures.html", title="Ingest failures", rows=rows, pages=_pages(page, len(rows), total),
                 page_url=lambda n: _url("/failures", page=n))


@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request) -> HTMLResponse:
    archive = _access(request).archive()
    counts = archive.counts()
    stories, entities = archive.conn.execute("SELECT (SELECT COUNT(*) FROM stories), (SELECT COUNT(*) FROM entities)").fetchone()
    outlets = _access(request).cached("outlets", lambda: archive.conn.execute(
        "SELECT outlet, COUNT(*), MIN(published), MAX(published) FROM articles GROUP BY outlet ORDER BY COUNT(*) DESC"
    ).fetchall())
    return _page(request, "stats.html", title="Archive stats", counts=counts, stories=stories, entities=entities,
                 outlets=outlets, path=str(archive.path.name))


# --- chart data --------------------------------------------------------------------------------

@router.get("/data/{chart}.{fmt}")
def chart_data(request: Request, chart: str, fmt: str, by: str = "article", name: Text = "", id: Text = "",
               q: Text = "", compare: Annotated[list[str] | None, Query()] = None) -> Response:
    access = _access(request)
    if chart == "outlet-months":
        by = "publication" if by == "publication" else "article"
        table = access.cached(("outlet-months", by), lambda: views.outlet_months(access.archive(), by))
    elif chart == "entity-attention":
        _, table, _ = access.cached(("entity", name), lambda: _entity(access, name))
    elif chart == "story-timeline":
        _, _, _, table = access.cached(("story", id), lambda: _story(access, id))
    elif chart == "outlet-comparison":
        table = views.compare_outlets(access.archive(), q, [c for c in (compare or []) if c.strip()])
    else:
        raise HTTPException(404, f"no chart called {chart!r}")
    if fmt == "json":
        return JSONResponse(table.records())
    if fmt != "csv":
        raise HTTPException(404, "data comes as .csv or .json")
    from newsdesk.archive.export import spreadsheet_cell

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([spreadsheet_cell(v) if isinstance(v, str) else ("" if v is None else v) for v in row])
    return Response("\ufeff" + out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{chart}.csv"'})


# --- ingest ------------------------------------------------------------------------------------

@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    if not request.app.state.allow_ingest:
        raise HTTPException(403, "this server is read-only: start it with `newsdesk serve --allow-ingest` to upload")
    return _page(request, "ingest.html", title="Add captures", summary=None,
                 limit_mb=request.app.state.max_upload_bytes // (1024 * 1024))


@router.post("/ingest", response_class=HTMLResponse)
async def ingest_upload(request: Request) -> HTMLResponse:
    from newsdesk.web.upload import receive_and_ingest

    if not request.app.state.allow_ingest:
        raise HTTPException(403, "this server is read-only: start it with `newsdesk serve --allow-ingest` to upload")
    summary = await receive_and_ingest(request)
    return _page(request, "ingest.html", title="Add captures", summary=summary,
                 limit_mb=request.app.state.max_upload_bytes // (1024 * 1024))
