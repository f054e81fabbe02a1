"""`fetch` against real HTTP servers on 127.0.0.1 serving fixture sites made of real captures:
feeds (RSS 2.0, Atom), a sitemap index and a Google News sitemap, pages, and every fault a crawler
meets (slow answers, 429 with Retry-After in seconds and as a date, 5xx then success, redirect loops,
huge bodies, robots.txt disallows, wrong and missing charsets). The server's request log is the judge."""

from __future__ import annotations

import asyncio
import gzip
import io
import itertools
import os
import signal
import sqlite3
import subprocess
import time
from email.utils import formatdate
from pathlib import Path

import pytest

from newsdesk.archive.follow import add_follow, follows, remove_follow, run_fetch
from newsdesk.archive.store import Archive
from newsdesk.sources.feeds import parse_listing
from newsdesk.sources.fetch import Fetcher, FetchFailed, FetchSettings, retry_after, user_agent
from tests.console import NEWSDESK, environment, needs_console_script, run_newsdesk
from tests.sources.fixture_site import FixtureSite, Reply, Request, static

CAPTURES = Path(__file__).resolve().parents[1] / "data" / "dev" / "captures"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


def page(name: str) -> bytes:
    return (CAPTURES / name).read_bytes()


def rss(site: FixtureSite, items: list[tuple[str, str]]) -> bytes:
    entries = "".join(
        f"<item><title>t</title><link>{site.url(path)}</link><pubDate>{date}</pubDate></item>" for path, date in items
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>fixture</title>'
            f"<link>{site.base}</link><description>d</description>{entries}</channel></rss>").encode()


def atom(site: FixtureSite, paths: list[str]) -> bytes:
    entries = "".join(
        f'<entry><title>t</title><id>{site.url(p)}</id><link rel="alternate" href="{p}"/>'
        f"<updated>2024-03-0{i + 1}T08:00:00Z</updated></entry>" for i, p in enumerate(paths)
    )
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>f</title>'
            f'<id>{site.base}/</id><updated>2024-03-01T08:00:00Z</updated><link rel="self" href="{site.url("/feeds/atom.xml")}"/>'
            f"{entries}</feed>").encode()


def news_sitemap(site: FixtureSite, paths: list[str]) -> bytes:
    urls = "".join(
        f"<url><loc>{site.url(p)}</loc><news:news><news:publication><news:name>f</news:name>"
        f"<news:language>zh</news:language></news:publication><news:publication_date>2024-03-05T10:00:00+08:00"
        f"</news:publication_date><news:title>t</news:title></news:news></url>" for p in paths
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
            f' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>').encode()


def sitemap_index(site: FixtureSite, paths: list[str]) -> bytes:
    maps = "".join(f"<sitemap><loc>{site.url(p)}</loc><lastmod>2024-03-05</lastmod></sitemap>" for p in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>').encode()


def answers(*replies: Reply) -> callable:
    """A route answering with each reply in turn, then the last one for ever."""
    sequence = itertools.chain(replies, itertools.repeat(replies[-1]))
    return lambda request: next(sequence)


def html(body: bytes, charset: str | None = "utf-8", **headers: str) -> Reply:
    content_type = "text/html" + (f"; charset={charset}" if charset else "")
    return Reply(200, {"Content-Type": content_type, **headers}, body)


def fault_site() -> FixtureSite:
    site = FixtureSite()
    gbk = page("thepaper__2.html").decode("utf-8").encode("gbk", errors="xmlcharrefreplace")
    # Big5 bytes, no charset in the header and the page's own `<meta charset="utf-8">` taken out.
    big5 = page("appledaily__30135550.html").replace(b'<meta charset="utf-8" />', b"").decode().encode("big5")

    def huge(request: Request) -> Reply:
        return Reply(200, {"Content-Type": "text/html; charset=utf-8"},
                     itertools.repeat(b"<p>" + b"x" * 65533, HUGE_BYTES // 65536))

    flaky_answers = answers(Reply(500), html(page("wealth__58979cfd.html")))

    def flaky(request: Request) -> Reply:
        # First a 503 whose Retry-After is a date about 2 s ahead (1-2 s: HTTP dates count whole seconds).
        if not any(r.path == request.path for r in site.requests()[:-1]):
            return Reply(503, {"Retry-After": formatdate(time.time() + 2, usegmt=True)})
        return flaky_answers(request)

    site.routes.update({
        "/robots.txt": lambda r: Reply(200, {"Content-Type": "text/plain"}, ROBOTS),
        "/news/people.html": lambda r: html(page("people__1.html")),
        "/news/xinhua.html": lambda r: html(page("xinhuanet__1.html")),
        "/news/gbk.html": lambda r: html(gbk, "utf-8"),  # GBK bytes declared UTF-8 (header and meta)
        "/news/big5.html": lambda r: html(big5, None),
        "/news/busy.html": answers(Reply(429, {"Retry-After": "1"}, b"slow down"), html(page("baijiahao__2.html"))),
        "/news/flaky.html": flaky,
        "/news/slow.html": lambda r: Reply(200, {"Content-Type": "text/html"}, page("huanqiu__1.html"), delay=3),
        "/news/loop-a.html": lambda r: Reply(302, {"Location": "/news/loop-b.html"}),
        "/news/loop-b.html": lambda r: Reply(302, {"Location": site.url("/news/loop-a.html")}),
        "/news/to-private.html": lambda r: Reply(301, {"Location": "/private/moved.html"}),
        "/private/secret.html": lambda r: html(page("guancha__2.html")),
        "/private/moved.html": lambda r: html(page("guancha__2.html")),
        "/news/huge.html": huge,
        "/news/gone.html": lambda r: Reply(404),
    })
    day = "Tue, 05 Mar 2024 08:00:00 GMT"
    site.routes["/feeds/rss.xml"] = static(
        rss(site, [(p, day) for p in ("/news/people.html", "/news/xinhua.html", "/news/busy.html", "/news/slow.html",
                                      "/private/secret.html", "/news/loop-a.html", "/news/huge.html")]),
        "application/rss+xml", etag='"rss-1"',
    )
    site.routes["/feeds/atom.xml"] = static(
        atom(site, ["/news/gbk.html", "/news/big5.html", "/news/to-private.html", "/news/gone.html"]),
        "application/atom+xml", modified=1709625600,
    )
    site.routes["/sitemap_index.xml"] = static(sitemap_index(site, ["/sitemaps/news.xml"]), "application/xml", '"idx"')
    site.routes["/sitemaps/news.xml"] = static(
        news_sitemap(site, ["/news/flaky.html", "/news/xinhua.html"]), "application/xml", '"news-1"'
    )
    return site


INTERVAL = 0.15
# The huge page's body: 100 MiB, a hundred times the fetch's cap.
HUGE_BYTES = 1600 * 65536
# Half an interval: a limiter letting requests through at twice the rate still fails the five-interval check.
JITTER = 0.075
SETTINGS = FetchSettings(interval=INTERVAL, per_host=2, timeout=0.5, attempts=3, backoff=0.05,
                         max_bytes=1024 * 1024, max_retry_wait=5)


def test_fetch_handles_every_fault_politely(tmp_path: Path) -> None:
    with fault_site() as site, Archive(tmp_path / "a.db") as archive:
        for listing in ("/feeds/rss.xml", "/feeds/atom.xml", "/sitemap_index.xml"):
            assert add_follow(archive, site.url(listing))
        summary = run_fetch(archive, tmp_path / "captures", SETTINGS)
        log = site.requests()

        # Nothing robots.txt forbids was asked for: neither listed nor reached by a redirect.
        assert not [r.path for r in log if r.path.startswith("/private/")]
        assert {r.headers["user-agent"] for r in log} == {user_agent()}
        assert log[0].path == "/robots.txt" and len(site.requests("/robots.txt")) == 1

        # The per-host rate limit holds: request starts at least INTERVAL apart. The server sees a request
        # when it arrives, some milliseconds after the client started it (more for a new connection on a
        # busy machine: 65 ms seen at load 10), so one gap is allowed JITTER of slack; that error does not add up over longer
        # runs of requests: any k+1 consecutive requests span k intervals, less the same slack.
        starts = sorted(r.started for r in log)
        for k in (1, 5):
            spans = [b - a for a, b in zip(starts, starts[k:], strict=False)]
            assert min(spans) >= k * INTERVAL - JITTER, (k, spans)

        # 429 with Retry-After: 1 (seconds), then a 503 whose Retry-After is an HTTP date ~2 s ahead.
        busy = site.requests("/news/busy.html")
        assert [r.status for r in busy] == [429, 200] and busy[1].started - busy[0].started >= 1.0
        flaky = site.requests("/news/flaky.html")
        assert [r.status for r in flaky] == [503, 500, 200] and flaky[1].started - flaky[0].started >= 1.0

        # A slow server times out, tried `attempts` times; the huge body is abandoned (the client's side: the
        # failure below names the cap). What the server got written before it noticed is the cap plus whatever
        # the loopback's socket buffers held, which Linux grows up to tcp_rmem's maximum (32 MiB here): 10 MB
        # was seen on a busy machine. Far short of the whole body all the same.
        assert len(site.requests("/news/slow.html")) == 3
        (huge,) = site.requests("/news/huge.html")
        assert not huge.finished and huge.sent < HUGE_BYTES // 2
        # A page two listings name is fetched once.
        assert len(site.requests("/news/xinhua.html")) == 1

        reasons = dict(summary.failures)
        assert "timed out after 0.5 s" in reasons[site.url("/news/slow.html")]
        assert reasons[site.url("/news/slow.html")].endswith("tried again by the next fetch")
        assert reasons[site.url("/news/loop-a.html")].startswith("redirect loop: ")
        assert "over the 1,048,576-byte limit" in reasons[site.url("/news/huge.html")]
        assert reasons[site.url("/news/gone.html")] == "HTTP 404"
        assert summary.forbidden == 2  # /private/secret.html listed, /private/moved.html redirected to
        assert summary.fetched == 6 and summary.left == 1

        # Every fetched page was ingested; GBK declared as UTF-8 and undeclared Big5 read correctly.
        assert summary.ingest.read == 6 and summary.ingest.failed == 0
        titles = {row[0] for row in archive.conn.execute("SELECT title FROM articles")}
        assert "定了！广州南沙邮轮母港即将开通！地铁直达+无敌免税城......" in titles  # the GBK page
        assert "夫猝逝 婦扛20萬債茫然" in titles  # the Big5 page
        assert "法国全国大罢工再次严重影响交通" in titles
        # Each capture names its WARC record and fetch time (its capture_url is the page's own, when it gives one).
        captures = archive.conn.execute("SELECT path, captured_at FROM captures").fetchall()
        assert all(".warc.gz#" in path and at for path, at in captures)
        rows = archive.conn.execute("SELECT state, status, fetched_at, etag FROM fetched_pages WHERE state='fetched'")
        assert all(status == 200 and fetched_at for _state, status, fetched_at, _etag in rows)

        listed = {row["url"]: row for row in follows(archive)}
        assert listed[site.url("/sitemap_index.xml")]["sitemaps"] == 1
        assert listed[site.url("/feeds/atom.xml")]["kind"] == "atom"


def conditional_site() -> FixtureSite:
    site = FixtureSite()
    pages = {"/a.html": "people__1.html", "/b.html": "xinhuanet__1.html", "/c.html": "baijiahao__2.html"}
    for path, name in pages.items():
        site.routes[path] = static(page(name), "text/html; charset=utf-8", etag=f'"{path}-v1"')
    site.routes["/robots.txt"] = lambda r: Reply(404)
    site.routes["/rss.xml"] = static(rss(site, [("/a.html", "Tue, 05 Mar 2024 08:00:00 GMT"),
                                                ("/b.html", "Tue, 05 Mar 2024 09:00:00 GMT")]),
                                     "application/rss+xml", etag='"rss-v1"')
    site.routes["/news.xml"] = static(news_sitemap(site, ["/c.html"]), "application/xml", modified=1709625600)
    return site


def test_second_fetch_of_unchanged_feeds_transfers_no_article_bodies(tmp_path: Path) -> None:
    settings = FetchSettings(interval=0.0, attempts=1)
    with conditional_site() as site, Archive(tmp_path / "a.db") as archive:
        add_follow(archive, site.url("/rss.xml"))
        add_follow(archive, site.url("/news.xml"))
        first = run_fetch(archive, tmp_path / "captures", settings)
        assert first.fetched == 3 and first.ingest.new == 3
        seen = len(site.log)

        second = run_fetch(archive, tmp_path / "captures", settings)
        again = site.log[seen:]
        # Only the listings were asked for, conditionally, and both answered 304: no page was requested.
        assert sorted(r.path for r in again) == ["/news.xml", "/robots.txt", "/rss.xml"]
        assert site.requests("/rss.xml")[-1].headers["if-none-match"] == '"rss-v1"'
        assert site.requests("/news.xml")[-1].headers["if-modified-since"] == formatdate(1709625600, usegmt=True)
        assert [r.status for r in again if r.path != "/robots.txt"] == [304, 304]
        assert second.fetched == 0 and second.listings_unchanged == 2 and not second.capture_files

        # The feed changes: a.html is dated later. It is asked for again, conditionally, and is unchanged.
        site.routes["/rss.xml"] = static(rss(site, [("/a.html", "Wed, 06 Mar 2024 08:00:00 GMT"),
                                                    ("/b.html", "Tue, 05 Mar 2024 09:00:00 GMT")]),
                                         "application/rss+xml", etag='"rss-v2"')
        seen = len(site.log)
        third = run_fetch(archive, tmp_path / "captures", settings)
        pages = [r for r in site.log[seen:] if r.path.endswith(".html")]
        assert [(r.path, r.headers.get("if-none-match"), r.status, r.sent) for r in pages] == [
            ("/a.html", '"/a.html-v1"', 304, 0)
        ]
        assert third.unchanged == 1 and third.fetched == 0
        assert archive.counts()["captures"] == 3


def test_robots_txt_that_cannot_be_read_disallows_the_host(tmp_path: Path) -> None:
    with FixtureSite() as site, Archive(tmp_path / "a.db") as archive:
        site.routes["/robots.txt"] = lambda r: Reply(500)
        site.routes["/rss.xml"] = static(rss(site, [("/a.html", "Tue, 05 Mar 2024 08:00:00 GMT")]), "text/xml")
        site.routes["/a.html"] = static(page("people__1.html"), "text/html")
        add_follow(archive, site.url("/rss.xml"))
        summary = run_fetch(archive, tmp_path / "captures", FetchSettings(interval=0.0, attempts=2, backoff=0.01))
        assert [r.path for r in site.log] == ["/robots.txt", "/robots.txt"]
        assert summary.failures == [(site.url("/rss.xml"), "nothing is fetched from this host: its robots.txt could"
                                                           " not be read (HTTP 500 (after 2 tries))")]
        # Once robots.txt can be read, the next run fetches the feed and its page.
        site.routes["/robots.txt"] = lambda r: Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
        summary = run_fetch(archive, tmp_path / "captures", FetchSettings(interval=0.0, attempts=2, backoff=0.01))
        assert summary.fetched == 1 and not summary.failures


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("120") == 120.0
    assert retry_after(formatdate(1_000_030, usegmt=True), now=1_000_000) == 30.0
    assert retry_after(formatdate(1_000_000, usegmt=True), now=1_000_030) == 0.0
    assert retry_after("soon") is None and retry_after(None) is None


def test_listings_parse_rss_atom_news_sitemaps_and_indexes() -> None:
    site = FixtureSite()  # only for its addresses: never started
    listing = parse_listing(atom(site, ["/x.html"]), site.url("/feeds/atom.xml"))
    assert listing.kind == "atom" and listing.pages[0].url == site.url("/x.html")
    assert listing.pages[0].updated == "2024-03-01T08:00:00Z"
    news = parse_listing(news_sitemap(site, ["/y.html"]), site.url("/news.xml"))
    assert news.kind == "sitemap" and news.pages[0].updated == "2024-03-05T02:00:00Z" and news.pages[0].title == "t"
    index = parse_listing(gzip.compress(sitemap_index(site, ["/s1.xml"])), site.url("/index.xml.gz"))
    assert index.kind == "sitemap-index" and [x.url for x in index.listings] == [site.url("/s1.xml")]
    site.server.server_close()


def test_requests_in_flight_to_one_host_stay_under_the_cap() -> None:
    async def fetch_all(site: FixtureSite) -> list[int]:
        settings = FetchSettings(interval=0.0, per_host=2, concurrency=8, attempts=1)
        async with Fetcher(settings) as fetcher:
            fetched = await asyncio.gather(*(fetcher.get(site.url(f"/p{i}")) for i in range(6)))
        return [f.status for f in fetched]

    with FixtureSite() as site:
        site.routes["/robots.txt"] = lambda r: Reply(404)
        for i in range(6):
            site.routes[f"/p{i}"] = lambda r: Reply(200, {"Content-Type": "text/html"}, b"<p>x</p>", delay=0.3)
        assert asyncio.run(fetch_all(site)) == [200] * 6
        pages = [r for r in site.log if r.path != "/robots.txt"]
        # The most requests the server was answering at one time.
        overlap = max(sum(1 for o in pages if o.started <= r.started < o.ended) for r in pages)
        assert overlap == 2


def test_oversized_declared_body_is_not_read() -> None:
    async def fetch(site: FixtureSite) -> str:
        async with Fetcher(FetchSettings(interval=0.0, attempts=1, max_bytes=1000)) as fetcher:
            try:
                await fetcher.get(site.url("/big"))
            except FetchFailed as exc:
                return exc.reason
        return "fetched"

    with FixtureSite() as site:
        site.routes["/big"] = lambda r: Reply(200, {"Content-Type": "text/html"}, b"x" * 5_000_000)
        assert asyncio.run(fetch(site)) == "body is 5,000,000 bytes, over the 1,000-byte limit: not read"
        (big,) = site.requests("/big")
        assert big.sent < 5_000_000


def test_crawl_delay_and_redirect_limit() -> None:
    async def fetch(site: FixtureSite) -> list[str]:
        outcomes = []
        async with Fetcher(FetchSettings(interval=0.0, attempts=1, max_redirects=5)) as fetcher:
            for path in ("/hop0", "/a", "/b"):
                try:
                    outcomes.append(str((await fetcher.get(site.url(path))).status))
                except FetchFailed as exc:
                    outcomes.append(exc.reason)
        return outcomes

    with FixtureSite() as site:
        site.routes["/robots.txt"] = lambda r: Reply(200, {"Content-Type": "text/plain"}, b"User-agent: *\nCrawl-delay: 0.3\n")
        for i in range(8):
            site.routes[f"/hop{i}"] = lambda r, i=i: Reply(302, {"Location": f"/hop{i + 1}"})
        site.routes["/a"] = site.routes["/b"] = lambda r: Reply(200, {"Content-Type": "text/html"}, b"<p>x</p>")
        assert asyncio.run(fetch(site)) == [f"more than 5 redirects (last to {site.url('/hop6')})", "200", "200"]
        assert [r.path for r in site.log] == ["/robots.txt", *(f"/hop{i}" for i in range(6)), "/a", "/b"]
        starts = [r.started for r in site.log[1:]]
        assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.3 - JITTER


def fetched_count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT COUNT(*) FROM fetched_pages WHERE state='fetched'").fetchone()[0]
    except sqlite3.OperationalError:
        return 0
    finally:
        conn.close()


@needs_console_script
def test_killed_fetch_resumes_without_fetching_anything_twice(tmp_path: Path) -> None:
    names = ["people__1.html", "xinhuanet__1.html", "baijiahao__2.html", "wealth__58979cfd.html", "appledaily__30135550.html"]
    hang = {"on": True}
    with FixtureSite() as site:
        for i, name in enumerate(names):
            body = page(name)
            if i == 3:
                site.routes[f"/p{i}.html"] = lambda r, body=body: Reply(
                    200, {"Content-Type": "text/html"}, body, delay=30 if hang["on"] else 0
                )
            else:
                site.routes[f"/p{i}.html"] = lambda r, body=body: html(body)
        site.routes["/rss.xml"] = static(
            rss(site, [(f"/p{i}.html", "Tue, 05 Mar 2024 08:00:00 GMT") for i in range(5)]), "application/rss+xml", '"1"'
        )
        db = tmp_path / "a.db"
        bad = run_newsdesk("follow", "add", "ftp://example.org/feed", "--db", db)
        assert bad.returncode == 2 and "not a web address" in bad.stderr and "Traceback" not in bad.stderr
        assert run_newsdesk("follow", "add", site.url("/rss.xml"), "--db", db).returncode == 0
        args = ["fetch", "--db", str(db), "--interval", "0", "--per-host", "1", "--timeout", "60"]
        process = subprocess.Popen([str(NEWSDESK), *args], env=environment(), stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, start_new_session=True)
        try:
            deadline = time.monotonic() + 60
            while not (site.requests("/p3.html") and fetched_count(db) == 3):
                assert time.monotonic() < deadline and process.poll() is None
                time.sleep(0.05)
        finally:
            os.kill(process.pid, signal.SIGKILL)
            process.communicate()
        hang["on"] = False

        done = run_newsdesk(*args)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert "pages: 2 fetched" in done.stderr and "ingested: 5 captures, 5 new articles" in done.stderr
        for i in range(5):
            served = [r for r in site.requests(f"/p{i}.html") if r.finished]
            assert len(served) == 1, (i, len(served))
        listed = run_newsdesk("follow", "list", "--db", db, "--format", "jsonl")
        assert '"fetched": 5' in listed.stdout and '"pending": 0' in listed.stdout
        removed = run_newsdesk("follow", "remove", site.url("/rss.xml"), "--db", db)
        assert removed.returncode == 0
        assert sqlite3.connect(db).execute("SELECT COUNT(*) FROM follows").fetchone()[0] == 0
        assert run_newsdesk("follow", "remove", site.url("/rss.xml"), "--db", db).returncode == 2
    nowhere = run_newsdesk("fetch", "--db", tmp_path / "none.db")
    assert nowhere.returncode == 2 and "follow add" in nowhere.stderr and not (tmp_path / "none.db").exists()


def test_remove_follow_drops_the_sitemaps_an_index_listed(tmp_path: Path) -> None:
    with Archive(tmp_path / "a.db") as archive:
        add_follow(archive, "http://127.0.0.1:9/index.xml")
        archive.conn.execute("INSERT INTO follows(url, parent, added) VALUES ('http://127.0.0.1:9/s.xml',"
                             " 'http://127.0.0.1:9/index.xml', 'now')")
        assert remove_follow(archive, "http://127.0.0.1:9/index.xml") == 2
        assert archive.conn.execute("SELECT COUNT(*) FROM follows").fetchone()[0] == 0


@pytest.mark.parametrize("url", ["feed.xml", "file:///etc/passwd", "http://"])
def test_follow_refuses_what_is_not_a_web_address(tmp_path: Path, url: str) -> None:
    from newsdesk.archive.follow import FollowError

    with Archive(tmp_path / "a.db") as archive, pytest.raises(FollowError):
        add_follow(archive, url)


RUSSIAN = "<html><body><p>Привет мир, это короткая новость.</p></body></html>"


def test_the_http_header_charset_decides_what_the_bytes_leave_open() -> None:
    from newsdesk.sources.decode import decode

    # Short KOI8-R: statistical detection alone takes it for Shift JIS; the header says what it is.
    assert decode(RUSSIAN.encode("koi8-r"), "koi8-r").text == RUSSIAN
    # A header is a declaration like `<meta>`: GBK bytes a header calls UTF-8 still read as GBK.
    gbk = page("thepaper__2.html").decode("utf-8").encode("gbk", errors="xmlcharrefreplace")
    assert decode(gbk, "utf-8").encoding == "gb18030"
    # A charset Python does not know is no declaration at all.
    assert decode(RUSSIAN.encode("utf-8"), "x-unheard-of").text == RUSSIAN


def test_a_warc_records_header_charset_reaches_decoding(tmp_path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from newsdesk.extract import extract_capture
    from newsdesk.sources.containers import iter_all_captures

    path = tmp_path / "koi8.warc.gz"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", 'text/html; charset="KOI8-R"')], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "http://example.ru/a.html", "response", payload=io.BytesIO(RUSSIAN.encode("koi8-r")), http_headers=http
        ))
    (raw,) = iter_all_captures([path])
    assert raw.charset == "KOI8-R"
    article = extract_capture(raw.data, raw.path, charset=raw.charset)
    assert article.encoding == "koi8-r" and "Привет мир" in str(article.to_record()["body"])


def test_requests_in_flight_in_all_stay_under_the_cap() -> None:
    """`--concurrency` bounds the requests in flight across hosts (here three servers, three ports), whatever
    `--per-host` allows each."""
    async def fetch_all(sites: list[FixtureSite]) -> list[int]:
        settings = FetchSettings(interval=0.0, per_host=4, concurrency=2, attempts=1)
        async with Fetcher(settings) as fetcher:
            fetched = await asyncio.gather(*(fetcher.get(site.url(f"/p{i}")) for site in sites for i in range(3)))
        return [f.status for f in fetched]

    with FixtureSite() as a, FixtureSite() as b, FixtureSite() as c:
        sites = [a, b, c]
        for site in sites:
            site.routes["/robots.txt"] = lambda r: Reply(404)
            for i in range(3):
                site.routes[f"/p{i}"] = lambda r: Reply(200, {"Content-Type": "text/html"}, b"<p>x</p>", delay=0.3)
        assert asyncio.run(fetch_all(sites)) == [200] * 9
        pages = [r for site in sites for r in site.log if r.path != "/robots.txt"]
        overlap = max(sum(1 for o in pages if o.started <= r.started < o.ended) for r in pages)
        assert overlap == 2


def test_fetch_reports_progress_listing_by_listing_and_page_by_page(tmp_path: Path) -> None:
    from newsdesk.archive.follow import FetchEvent

    events: list[FetchEvent] = []
    with conditional_site() as site, Archive(tmp_path / "a.db") as archive:
        add_follow(archive, site.url("/rss.xml"))
        add_follow(archive, site.url("/news.xml"))
        run_fetch(archive, tmp_path / "captures", FetchSettings(interval=0.0, attempts=1), on_event=events.append)
    listings = [e for e in events if e.what == "listing"]
    pages = [e for e in events if e.what == "page" and e.outcome != "queued"]
    assert sorted(e.url for e in listings) == [site.url("/news.xml"), site.url("/rss.xml")]
    assert sorted(e.url for e in pages) == [site.url(p) for p in ("/a.html", "/b.html", "/c.html")]
    assert {e.outcome for e in pages} == {"fetched"}
    # What is left counts down to nothing, so a display can show "n of total".
    assert pages[-1].pending == 0 and [e.pending for e in pages] == sorted((e.pending for e in pages), reverse=True)


@needs_console_script
def test_the_user_agent_names_newsdesk_and_the_operators_contact(tmp_path: Path) -> None:
    """Site owners see who fetches: newsdesk, its version and the contact the operator gave
    (`NEWSDESK_CONTACT` or `--contact`); never an address the project does not declare as its own."""
    from newsdesk import __version__
    from newsdesk.sources.fetch import project_url

    assert user_agent() == f"newsdesk/{__version__}" + (f" (+{project_url()})" if project_url() else "")
    assert "pypi.org" not in user_agent()
    assert user_agent("mailto:ops@example.org\r\nX: y") == (
        f"newsdesk/{__version__} (+mailto:ops@example.org X: y"
        + (f"; +{project_url()})" if project_url() else ")")
    )
    with conditional_site() as site:
        db = tmp_path / "a.db"
        assert run_newsdesk("follow", "add", site.url("/rss.xml"), "--db", db).returncode == 0
        env = {**environment(), "NEWSDESK_CONTACT": "https://ops.example.org/crawler"}
        done = subprocess.run([str(NEWSDESK), "fetch", "--db", str(db), "--interval", "0"], env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        agents = {r.headers["user-agent"] for r in site.log}
        assert agents == {user_agent("https://ops.example.org/crawler")}
        assert agents.pop().startswith(f"newsdesk/{__version__} (+https://ops.example.org/crawler")


def test_retries_back_off_exponentially_and_retry_after_holds_the_whole_host() -> None:
    """Without Retry-After, retries wait `backoff`, then twice that; a 429's Retry-After holds back every request
    to that host (here another page asked for meanwhile), not only the one retried."""
    async def fetch(site: FixtureSite) -> tuple[int, int]:
        settings = FetchSettings(interval=0.0, per_host=2, attempts=3, backoff=0.3)
        async with Fetcher(settings) as fetcher:
            first = (await fetcher.get(site.url("/errors"))).status

            async def other_later() -> int:
                await asyncio.sleep(0.2)  # after /busy's 429 has come back
                return (await fetcher.get(site.url("/other"))).status

            busy, other = await asyncio.gather(fetcher.get(site.url("/busy")), other_later())
        return first, busy.status + other

    with FixtureSite() as site:
        site.routes["/robots.txt"] = lambda r: Reply(404)
        site.routes["/errors"] = answers(Reply(500), Reply(502), html(b"<p>x</p>"))
        site.routes["/busy"] = answers(Reply(429, {"Retry-After": "1"}), html(b"<p>x</p>"))
        site.routes["/other"] = lambda r: html(b"<p>y</p>")
        assert asyncio.run(fetch(site)) == (200, 400)
        errors = [r.started for r in site.requests("/errors")]
        assert len(errors) == 3
        assert errors[1] - errors[0] >= 0.3 - JITTER and errors[2] - errors[1] >= 0.6 - JITTER
        (busy, again), (other,) = site.requests("/busy"), site.requests("/other")
        assert busy.status == 429 and again.started - busy.started >= 1.0 - JITTER
        assert other.started - busy.started >= 1.0 - JITTER
