"""The FastAPI app behind `newsdesk serve`.

The archive is read through read-only SQLite connections (one per worker thread, WAL), so a CLI
`ingest` can write the same archive while pages are served: readers never wait for writers. Every
response carries a strict Content-Security-Policy: the pages run no script at all, load nothing but
their own stylesheet, and whatever a capture carried is text (Jinja autoescape) or, where HTML is
shown, sanitised (sanitize.py).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Hashable, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from newsdesk.archive.store import Archive, ArchiveError
from newsdesk.archive.text import QueryError

if TYPE_CHECKING:
    from newsdesk.analysis.stories import Analysis

# Nothing runs but our own pages; nothing loads but our own stylesheet; no frames, plugins, or
# forms posting elsewhere. Inline SVG charts use presentation attributes, not style attributes.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self';"
    " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
# Largest upload `--allow-ingest` accepts (all files of one form together).
DEFAULT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024

T = TypeVar("T")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]]


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response, errors and streams included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Message]],
                       send: Callable[[Message], Awaitable[None]]) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in SECURITY_HEADERS}
                message["headers"] = [*(h for h in message.get("headers", []) if h[0].lower() not in names),
                                      *SECURITY_HEADERS]
            await send(message)

        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await with_headers(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as exc:
            # A bug: logged for whoever runs the server; the user gets one line, never a traceback.
            logging.getLogger("newsdesk.web").exception("unexpected error serving %s", scope.get("path"))
            if started:
                raise
            body = f"newsdesk failed: {type(exc).__name__}".encode()
            await with_headers({"type": "http.response.start", "status": 500,
                                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                            (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})


@dataclass
class _Reader:
    archive: Archive
    analysis: Analysis | None = None
    # PRAGMA data_version when `analysis` was loaded: it changes when another connection commits.
    version: int = -1

    def current(self) -> None:
        """Forget what was derived from the archive if another process has written it since."""
        version = self.archive.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self.version:
            self.analysis = None
            self.version = version


# Answers kept (archive-wide aggregates, entity and story pages) until the archive changes.
MEMO_ENTRIES = 256


class ArchiveAccess:
    """Read-only archives for the request threads: one connection per thread (sqlite3 connections stay
    in their thread), and per connection an `Analysis` (entities, stories) reloaded only when another
    process has committed since (`PRAGMA data_version`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._memo: dict[Hashable, Any] = {}
        self._memo_stamp: tuple[Any, ...] | None = None
        self._memo_lock = threading.Lock()

    def archive(self) -> Archive:
        return self._reader().archive

    def _reader(self) -> _Reader:
        reader: _Reader | None = getattr(self._local, "reader", None)
        if reader is None:
            reader = _Reader(Archive(self.path, read_only=True))
            self._local.reader = reader
        return reader

    def analysis(self) -> Analysis:
        from newsdesk.analysis.stories import Analysis

        reader = self._reader()
        reader.current()
        if reader.analysis is None:
            reader.analysis = Analysis(reader.archive)
        return reader.analysis

    def _stamp(self) -> tuple[Any, ...]:
        """What changes when anyone commits to the archive: the file's and its WAL's time and size."""
        stamps: list[Any] = []
        for path in (self.path, Path(f"{self.path}-wal")):
            try:
                stat = path.stat()
                stamps.append((stat.st_mtime_ns, stat.st_size))
            except OSError:
                stamps.append(None)
        return tuple(stamps)

    def cached(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, remembered (by every request thread) until the archive changes: for answers that
        read much of the archive (the republication network, articles per outlet per month) and for
        entity and story pages. Values are plain data, never tied to a connection."""
        stamp = self._stamp()
        with self._memo_lock:
            if stamp != self._memo_stamp:
                self._memo.clear()
                self._memo_stamp = stamp
            if key in self._memo:
                return self._memo[key]  # type: ignore[no-any-return]
        value = compute()
        with self._memo_lock:
            if self._memo_stamp == stamp:
                if len(self._memo) >= MEMO_ENTRIES:
                    self._memo.clear()
                self._memo[key] = value
        return value

    def open(self) -> Archive:
        """A read-only archive of its own, for work that outlives a request thread (a download)."""
        return Archive(self.path, read_only=True)


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(db: str | Path, allow_ingest: bool = False, max_upload_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> FastAPI:
    """The app serving the archive at `db` (which must exist and be current: `newsdesk serve` checks)."""
    from newsdesk import __version__
    from newsdesk.web import api, pages

    app = FastAPI(
        title="newsdesk", version=__version__,
        description="The archive's articles, stories, entities and outlets, in the shapes of `newsdesk … --format jsonl`.",
        # The interactive docs load scripts from a CDN: the schema is served, the docs pages are not.
        openapi_url="/api/openapi.json", docs_url=None, redoc_url=None,
    )
    app.state.access = ArchiveAccess(Path(db))
    app.state.allow_ingest = allow_ingest
    app.state.max_upload_bytes = max_upload_bytes
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(packages=[("newsdesk.web", "static")]), name="static")
    app.add_middleware(SecurityHeaders)  # type: ignore[arg-type]

    @app.exception_handler(QueryError)
    async def bad_query(request: Request, exc: QueryError) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(KeyError)
    async def not_found(request: Request, exc: KeyError) -> Response:
        return _error(request, 404, str(exc.args[0]) if exc.args else "not found")

    @app.exception_handler(ArchiveError)
    async def archive_error(request: Request, exc: ArchiveError) -> Response:
        return _error(request, 503, str(exc))

    @app.exception_handler(sqlite3.Error)
    async def sqlite_error(request: Request, exc: sqlite3.Error) -> Response:
        from newsdesk.archive.store import describe

        return _error(request, 503, describe(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = _error(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    return app


def _error(request: Request, status: int, message: str) -> Response:
    if wants_json(request):
        return JSONResponse({"error": message}, status_code=status)
    from newsdesk.web.pages import render

    return HTMLResponse(render(request, "error.html", title=f"Error {status}", status=status, message=message),
                        status_code=status)


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8000, allow_ingest: bool = False) -> None:
    """Run the server until interrupted."""
    import uvicorn

    uvicorn.run(create_app(db, allow_ingest), host=host, port=port, log_level="warning", access_log=False,
                server_header=False)
