"""A polite HTTP client for feeds, sitemaps and article pages (httpx, asyncio).

Politeness and bounds, for every request it makes (robots.txt included):
- robots.txt is read once per host and run (protego, which follows RFC 9309: longest match,
  wildcards, `Allow`); a URL it disallows for our user agent is never requested, and neither is a
  redirect target it disallows. A robots.txt answering 4xx allows everything; one that cannot be
  read (5xx, timeouts, refused connections) disallows everything on the host for this run, as the
  RFC asks. A `Crawl-delay` longer than our interval is honoured.
- Per host: request starts at least `interval` seconds apart, at most `per_host` in flight; a 429
  or 503's Retry-After holds back every request to that host, not only the one retried.
- Retries with exponential backoff on 429, 5xx, timeouts and broken connections, honouring
  Retry-After given in seconds or as an HTTP date; a wait longer than `max_retry_wait` is not
  waited for: the URL is left for a later run.
- Redirects are followed by hand (each hop is checked against robots.txt and rate-limited), at
  most `max_redirects`; a loop is reported as one.
- A whole request (each hop) must finish within `timeout` seconds, however slowly the server drips.
- Bodies are streamed and abandoned past `max_bytes` (after decompression: a gzip bomb stops there).
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import httpx

from newsdesk import __version__

# Statuses worth asking again: the server is busy or broken for now.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# robots.txt is small; one bigger than this is read up to here (Google reads 500 KiB).
MAX_ROBOTS_BYTES = 512 * 1024


def project_url() -> str | None:
    """The address the installed package's metadata gives for newsdesk (`[project.urls]` in pyproject.toml), if it
    gives one: never a made-up address a site owner would follow to the wrong place."""
    from importlib import metadata

    try:
        urls = metadata.metadata("newsdesk").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    # Entries read "Label, https://…"; a home page or repository says best what the crawler is.
    by_label = {label.strip().lower(): url.strip() for label, _, url in (entry.partition(",") for entry in urls)}
    for label in ("homepage", "repository", "source"):
        if by_label.get(label):
            return by_label[label]
    return next(iter(by_label.values()), None)


def user_agent(contact: str | None = None) -> str:
    """newsdesk's user agent: its name and version, then whom a site owner can reach: the operator's contact
    (`--contact` or `NEWSDESK_CONTACT`: an e-mail address or a URL) and the project's address when its metadata
    declares one: `newsdesk/0.1.0 (+mailto:me@example.org; +https://…)`."""
    reach = []
    if contact:
        contact = " ".join(contact.split())  # one line: a header cannot hold a line break
        reach.append(contact if contact.startswith("+") else f"+{contact}")
    url = project_url()
    if url:
        reach.append(f"+{url}")
    return f"newsdesk/{__version__} ({'; '.join(reach)})" if reach else f"newsdesk/{__version__}"


# The token robots.txt groups are matched against.
ROBOTS_TOKEN = "newsdesk"


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = field(default_factory=user_agent)
    interval: float = 1.0  # seconds between request starts to one host
    per_host: int = 2  # requests in flight to one host
    concurrency: int = 8  # requests in flight in all
    timeout: float = 30.0  # seconds for one request (one hop), connecting and reading all of it
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    attempts: int = 3  # tries of one URL in one run
    backoff: float = 1.0  # seconds before the first retry, doubled for each next one
    max_retry_wait: float = 120.0


class FetchFailed(Exception):
    """One URL could not be fetched; the message says why. `transient`: a later run may succeed."""

    def __init__(self, reason: str, transient: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class Forbidden(FetchFailed):
    """robots.txt disallows the URL (or a redirect to it)."""


@dataclass(slots=True)
class Fetched:
    url: str  # the URL asked for
    final_url: str  # where redirects led
    status: int  # 200, or 304 (body None) for a conditional request the server says is unchanged
    headers: httpx.Headers
    body: bytes | None
    fetched_at: str  # ISO 8601 UTC
    redirects: list[str] = field(default_factory=list)

    @property
    def validators(self) -> tuple[str | None, str | None]:
        """ETag and Last-Modified, for the next conditional request."""
        return self.headers.get("etag"), self.headers.get("last-modified")


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds a Retry-After header asks to wait: delta-seconds or an HTTP date; None if absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class _HostGate:
    """One host's share of politeness: start spacing, requests in flight, a hold after Retry-After."""

    def __init__(self, per_host: int) -> None:
        self.slots = asyncio.Semaphore(per_host)
        self.spacing = asyncio.Lock()
        self.next_start = 0.0
        self.interval = 0.0

    async def wait_turn(self, interval: float) -> None:
        loop = asyncio.get_running_loop()
        async with self.spacing:
            wait = self.next_start - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self.next_start = loop.time() + max(interval, self.interval)

    def hold(self, seconds: float) -> None:
        self.next_start = max(self.next_start, asyncio.get_running_loop().time() + seconds)


@dataclass
class _Robots:
    parser: object | None  # a Protego parser; None with `allow_all`
    allow_all: bool
    why: str = ""  # why everything is disallowed, when robots.txt could not be read

    def allows(self, url: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, ROBOTS_TOKEN))  # type: ignore[attr-defined]

    def crawl_delay(self) -> float:
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(ROBOTS_TOKEN)  # type: ignore[attr-defined]
        return float(delay) if delay else 0.0


class Fetcher:
    """Fetches URLs politely (see the module's doc). Use inside `async with`."""

    def __init__(self, settings: FetchSettings | None = None, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.settings = settings or FetchSettings()
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._gates: dict[str, _HostGate] = {}
        self._robots: dict[str, _Robots] = {}
        self._robots_loading: dict[str, asyncio.Lock] = {}
        self._all_slots: asyncio.Semaphore | None = None

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        self._client = httpx.AsyncClient(
            headers={"User-Agent": s.user_agent},
            timeout=httpx.Timeout(s.timeout),
            follow_redirects=False,
            transport=self._transport,
            # Proxies from the environment would be a surprise in a crawler's logs: none unless set in code.
            trust_env=False,
        )
        self._all_slots = asyncio.Semaphore(s.concurrency)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _gate(self, url: str) -> _HostGate:
        host = _host(url)
        if host not in self._gates:
            self._gates[host] = _HostGate(self.settings.per_host)
        return self._gates[host]

    # --- robots.txt ----------------------------------------------------------------------

    async def robots(self, url: str) -> _Robots:
        """The robots.txt rules of `url`'s host, read once per run."""
        host = _host(url)
        if host in self._robots:
            return self._robots[host]
        lock = self._robots_loading.setdefault(host, asyncio.Lock())
        async with lock:
            if host not in self._robots:
                self._robots[host] = await self._load_robots(host)
        return self._robots[host]

    async def _load_robots(self, host: str) -> _Robots:
        from protego import Protego

        try:
            fetched = await self._with_retries(f"{host}/robots.txt", {}, check_robots=False,
                                               max_bytes=MAX_ROBOTS_BYTES, truncate=True)
        except FetchFailed as exc:
            status = getattr(exc, "status", None)
            if status is not None and 400 <= status < 500 and status not in RETRY_STATUSES:
                return _Robots(None, allow_all=True)
            return _Robots(None, allow_all=False, why=f"its robots.txt could not be read ({exc.reason})")
        text = (fetched.body or b"").decode("utf-8", errors="replace")
        parser = Protego.parse(text)
        robots = _Robots(parser, allow_all=True)
        delay = robots.crawl_delay()
        if delay > self.settings.interval:
            # Capped: a Crawl-delay of a day would stall the run; past max_retry_wait the URLs wait for later runs.
            self._gate(host).interval = min(delay, self.settings.max_retry_wait)
        return robots

    async def _check_robots(self, url: str) -> None:
        robots = await self.robots(url)
        if not robots.allows(url):
            if robots.why:
                # Not a refusal but a robots.txt that could not be read: a later run asks again.
                raise Forbidden(f"nothing is fetched from this host: {robots.why}", transient=True)
            raise Forbidden("robots.txt forbids it")

    # --- requests ------------------------------------------------------------------------

    async def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET `url` (conditionally, given validators). Raises FetchFailed (Forbidden for robots.txt)."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return await self._with_retries(url, headers)

    async def _with_retries(
        self, url: str, headers: Mapping[str, str], check_robots: bool = True, max_bytes: int | None = None,
        truncate: bool = False,
    ) -> Fetched:
        s = self.settings
        last: FetchFailed | None = None
        for attempt in range(max(1, s.attempts)):
            if attempt:
                wait = getattr(last, "wait", None)
                wait = s.backoff * 2 ** (attempt - 1) if wait is None else wait
                if wait > s.max_retry_wait:
                    raise FetchFailed(f"{last.reason if last else 'busy'}; the server asks to wait {wait:.0f} s:"
                                      " left for a later fetch", transient=True)
                await asyncio.sleep(wait)
            try:
                return await self._follow(url, headers, check_robots, max_bytes or s.max_bytes, truncate)
            except FetchFailed as exc:
                # robots.txt was read (or tried) once for the run: asking again changes nothing.
                if not exc.transient or isinstance(exc, Forbidden):
                    raise
                last = exc
        assert last is not None
        tries = max(1, s.attempts)
        raise FetchFailed(f"{last.reason} (after {tries} tr{'y' if tries == 1 else 'ies'})", transient=True)

    async def _follow(
        self, url: str, headers: Mapping[str, str], check_robots: bool, max_bytes: int, truncate: bool
    ) -> Fetched:
        seen = [url]
        current = url
        while True:
            if check_robots:
                await self._check_robots(current)
            status, response_headers, body = await self._one(current, headers, max_bytes, truncate)
            if status in REDIRECT_STATUSES and response_headers.get("location"):
                target = urljoin(current, response_headers["location"]).split("#", 1)[0]
                if urlsplit(target).scheme not in ("http", "https"):
                    raise FetchFailed(f"redirected to a non-web address: {target}")
                if target in seen:
                    raise FetchFailed("redirect loop: " + " → ".join([*seen[seen.index(target):], target]))
                if len(seen) > self.settings.max_redirects:
                    raise FetchFailed(f"more than {self.settings.max_redirects} redirects (last to {target})")
                seen.append(target)
                current = target
                continue
            if status == 304 and headers:
                return Fetched(url, current, 304, response_headers, None, _now(), seen[1:])
            if 200 <= status < 300:
                return Fetched(url, current, status, response_headers, body, _now(), seen[1:])
            failure = FetchFailed(f"HTTP {status}", transient=status in RETRY_STATUSES)
            failure.status = status  # type: ignore[attr-defined]
            if status in (429, 503):
                wait = retry_after(response_headers.get("retry-after"))
                if wait is not None:
                    failure.wait = wait  # type: ignore[attr-defined]
                    self._gate(current).hold(min(wait, self.settings.max_retry_wait))
            raise failure

    async def _one(
        self, url: str, headers: Mapping[str, str], max_bytes: int, truncate: bool
    ) -> tuple[int, httpx.Headers, bytes | None]:
        """One request, no redirects followed: status, headers and (for a 2xx) the body."""
        assert self._client is not None and self._all_slots is not None
        gate = self._gate(url)
        async with self._all_slots, gate.slots:
            await gate.wait_turn(self.settings.interval)
            try:
                async with asyncio.timeout(self.settings.timeout):
                    return await self._exchange(url, headers, max_bytes, truncate)
            except TimeoutError as exc:
                raise FetchFailed(f"timed out after {self.settings.timeout:g} s", transient=True) from exc
            except httpx.TimeoutException as exc:
                raise FetchFailed(f"timed out after {self.settings.timeout:g} s", transient=True) from exc
            except httpx.DecodingError as exc:
                raise FetchFailed(f"body cannot be decompressed: {exc}") from exc
            except (httpx.TransportError, OSError) as exc:
                raise FetchFailed(f"connection failed: {type(exc).__name__}: {exc}".rstrip(": "), transient=True) from exc
            except httpx.InvalidURL as exc:
                raise FetchFailed(f"invalid address: {exc}") from exc

    async def _exchange(
        self, url: str, headers: Mapping[str, str], max_bytes: int, truncate: bool
    ) -> tuple[int, httpx.Headers, bytes | None]:
        assert self._client is not None
        async with self._client.stream("GET", url, headers=dict(headers)) as response:
            if not 200 <= response.status_code < 300:
                return response.status_code, response.headers, None
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes and not truncate:
                raise FetchFailed(f"body is {int(declared):,} bytes, over the {max_bytes:,}-byte limit: not read")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > max_bytes:
                    if truncate:
                        break
                    raise FetchFailed(f"body is over the {max_bytes:,}-byte limit: abandoned after {size:,} bytes")
            return response.status_code, response.headers, b"".join(chunks)[:max_bytes]
