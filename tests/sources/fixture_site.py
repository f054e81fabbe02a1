"""A real HTTP server on 127.0.0.1 (a random port, one thread per connection) serving fixture sites
for the fetch tests, and logging every request it gets: when it came, what it asked, what was answered
and how many body bytes went out. The tests judge the fetcher by that log, as a site owner would."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    started: float  # time.monotonic() when the request line arrived
    status: int = 0
    sent: int = 0  # body bytes written
    finished: bool = False  # the whole answer went out
    ended: float = 0.0  # time.monotonic() when the server was done with it


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""  # an iterable is streamed chunk by chunk, without Content-Length
    delay: float = 0.0  # seconds before answering


Route = Callable[[Request], Reply]


def static(body: bytes, content_type: str, etag: str | None = None, modified: float | None = None) -> Route:
    """A resource answering conditional requests as a well-behaved server does (304 when unchanged)."""
    last_modified = formatdate(modified, usegmt=True) if modified is not None else None

    def route(request: Request) -> Reply:
        headers = {"Content-Type": content_type}
        if etag:
            headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = last_modified
        if etag and request.headers.get("if-none-match") == etag:
            return Reply(304, headers)
        if last_modified and not etag and request.headers.get("if-modified-since") == last_modified:
            return Reply(304, headers)
        return Reply(200, headers, body)

    return route


class FixtureSite:
    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        self.log: list[Request] = []
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
                with site.lock:
                    site.log.append(request)
                route = site.routes.get(self.path.split("?")[0])
                reply = route(request) if route else Reply(404, {"Content-Type": "text/plain"}, b"not found")
                if reply.delay:
                    time.sleep(reply.delay)
                request.status = reply.status
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    if isinstance(reply.body, bytes):
                        self.send_header("Content-Length", str(len(reply.body)))
                        self.end_headers()
                        if reply.status != 304:
                            self.wfile.write(reply.body)
                            request.sent += len(reply.body)
                    else:
                        self.send_header("Connection", "close")
                        self.end_headers()
                        for chunk in reply.body:
                            self.wfile.write(chunk)
                            self.wfile.flush()
                            request.sent += len(chunk)
                        self.close_connection = True
                    request.finished = True
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                finally:
                    request.ended = time.monotonic()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the log above is the record

        class Server(ThreadingHTTPServer):
            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a client that hung up (a killed fetch) is part of the test, not an error

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def requests(self, path: str | None = None) -> list[Request]:
        with self.lock:
            return [r for r in self.log if path is None or r.path == path]

    def __enter__(self) -> FixtureSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
