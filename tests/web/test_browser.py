"""The pages in a real browser: Debian's chromium driven by Playwright against a real `newsdesk serve`
(uvicorn subprocess on a free port of 127.0.0.1) over the archive of real captures (conftest.web_db).

Each flow runs at desktop width and at 390 px, where no page may scroll sideways; a screenshot of every
page is kept under test-artifacts/browser/ (or $NEWSDESK_TEST_ARTIFACTS). Every response the browser sees
carries the Content-Security-Policy, no request leaves 127.0.0.1, and no page logs anything to the console
(a CSP violation, a failed load or a script error would). Skipped, with the reason, only where chromium or
Playwright is not installed; CI installs both (.ci/run, the dev extra)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from newsdesk.web.app import CONTENT_SECURITY_POLICY
from tests.web.conftest import REPO, start_server, stop_server

CHROMIUM = os.environ.get("NEWSDESK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("NEWSDESK_TEST_ARTIFACTS", REPO / "test-artifacts")) / "browser"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "mobile": {"width": 390, "height": 844}}

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')")
if not (Path(CHROMIUM).is_file() or shutil.which("chromium")):
    pytest.skip(f"chromium is not installed ({CHROMIUM}; apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    executable = CHROMIUM if Path(CHROMIUM).is_file() else shutil.which("chromium")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def server(web_db: Path) -> Iterator[str]:
    process, base = start_server(web_db)
    yield base
    stop_server(process)


@dataclass
class Watch:
    """What the browser did for one context: every request, response header set, console message, dialog."""

    requests: list[str] = field(default_factory=list)
    # Answers expected to be errors (a page that does not exist): the browser logs their status.
    missing: set[str] = field(default_factory=lambda: {"/favicon.ico"})
    responses: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("response", lambda response: self.responses.append((response.url, response.all_headers())))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

        def dialog(d: Any) -> None:
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)

    def _console(self, message: Any) -> None:
        # Chromium logs a failed load of the favicon it asks for by itself, or of a page meant to be missing.
        if message.text.startswith("Failed to load resource") and urlsplit(message.location.get("url", "")).path in self.missing:
            return
        self.console.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    def problems(self, base: str) -> list[str]:
        found = [f"console {m}" for m in self.console] + [f"dialog {d}" for d in self.dialogs]
        found += [f"page error {e}" for e in self.errors]
        host = urlsplit(base).netloc
        # Only http(s) to our own server: no other host, no data:/blob:/javascript: fetches.
        found += [f"request {url}" for url in self.requests if urlsplit(url).netloc != host]
        for url, headers in self.responses:
            if headers.get("content-security-policy") != CONTENT_SECURITY_POLICY:
                found.append(f"no CSP on {url}: {headers.get('content-security-policy')!r}")
        return found


@pytest.fixture(params=list(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def page(browser: Any, server: str, width: str) -> Iterator[tuple[Any, Watch]]:
    context = browser.new_context(viewport=WIDTHS[width], base_url=server, java_script_enabled=True)
    watch = Watch()
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    watch.attach(tab)
    yield tab, watch
    context.close()
    assert not watch.problems(server), "\n".join(watch.problems(server)[:30])


def shot(tab: Any, width: str, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(ARTIFACTS / f"{width}-{name}.png"), full_page=True)


def fits(tab: Any, width: str) -> None:
    """At 390 px nothing makes the page scroll sideways."""
    if width == "mobile":
        scroll = tab.evaluate("document.scrollingElement.scrollWidth")
        assert scroll <= 390, f"{tab.url}: page is {scroll} px wide at 390 px"


def visit(tab: Any, width: str, name: str) -> None:
    """Checks every page reached: titled, fits the width, screenshot kept."""
    assert tab.title().endswith(" · newsdesk"), tab.url
    fits(tab, width)
    shot(tab, width, name)


def test_search_article_story_entity_flow(page: tuple[Any, Watch], width: str) -> None:
    tab, _ = page
    tab.goto("/")
    visit(tab, width, "home")
    # A reader types the traditional spelling; the simplified articles are found and marked.
    tab.get_by_test_id("search-input").fill("拉夫羅夫")
    tab.get_by_test_id("search-submit").click()
    tab.wait_for_url(re.compile(r"/search\?q="))
    showing = tab.get_by_test_id("showing").inner_text()
    assert re.match(r"showing 1–\d+ of \d+ results", showing), showing
    assert tab.get_by_test_id("result").count() >= 2
    assert tab.locator("p.snippet b").first.inner_text() in {"拉夫罗夫", "拉夫羅夫"}
    assert tab.title() == "拉夫羅夫 — search · newsdesk"
    visit(tab, width, "search")

    first = tab.get_by_test_id("result").first
    title = first.locator("h2 a").inner_text()
    first.locator("h2 a").click()
    tab.wait_for_url(re.compile(r"/articles/"))
    assert tab.get_by_test_id("article-title").inner_text() == title
    assert tab.get_by_test_id("article-body").locator("p").count() >= 2
    assert tab.get_by_test_id("publication").count() >= 1
    assert tab.get_by_test_id("capture-row").count() >= 1
    assert tab.locator("img").count() == 0, "pictures are links, never loaded"
    visit(tab, width, "article")

    tab.locator("#story-link").click()
    tab.wait_for_url(re.compile(r"/stories/"))
    assert tab.get_by_test_id("story-title").is_visible()
    # The timeline draws the dated reports; a story of undated reports has none to draw.
    dated = [m for m in tab.locator("#headlines .meta").all_inner_texts() if m != "undated"]
    assert tab.get_by_test_id("timeline").locator("svg").count() == (1 if dated else 0)
    assert tab.get_by_test_id("headline-column").count() >= 1
    visit(tab, width, "story")

    entity = tab.get_by_test_id("story-entities").locator("a").first
    name = entity.inner_text()
    entity.click()
    tab.wait_for_url(re.compile(r"/entities/"))
    assert tab.get_by_test_id("entity-title").inner_text()
    assert name in tab.get_by_test_id("entity-title").inner_text() + tab.get_by_test_id("entity-aliases").inner_text()
    assert tab.get_by_test_id("attention").locator("svg").count() >= 1
    visit(tab, width, "entity")
    tab.get_by_test_id("measure-share").click()
    tab.wait_for_url(re.compile(r"measure=share"))
    visit(tab, width, "entity-share")
    # The chart's data link gives what it draws, from the same origin.
    response = tab.request.get(tab.get_by_test_id("data-csv").first.get_attribute("href"))
    assert response.ok and response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_search_filters_pagination_and_downloads(page: tuple[Any, Watch], width: str) -> None:
    tab, _ = page
    tab.goto("/search?q=" + quote("普京"))
    total = int(re.search(r"of (\d+) results", tab.get_by_test_id("showing").inner_text())[1])
    assert total > 20
    facet = tab.get_by_test_id("facet-outlets").locator("a").first
    facet.click()
    tab.wait_for_url(re.compile(r"outlet="))
    narrowed = int(re.search(r"of (\d+) results", tab.get_by_test_id("showing").inner_text())[1])
    assert 0 < narrowed <= total
    visit(tab, width, "search-outlet")

    tab.goto("/search?q=" + quote("普京"))
    tab.get_by_test_id("page-next").click()
    tab.wait_for_url(re.compile(r"page=2"))
    assert tab.get_by_test_id("showing").inner_text().startswith("showing 21–")
    visit(tab, width, "search-page2")

    # The date filter through the form (the details element opens the filters).
    tab.locator("details.filters summary").click()
    tab.get_by_test_id("filter-since").fill("2022-01-01")
    tab.get_by_test_id("filter-until").fill("2022-12-31")
    tab.get_by_test_id("search-submit").click()
    tab.wait_for_url(re.compile(r"since=2022-01-01"))
    for meta in tab.locator("li.result p.meta").all_inner_texts():
        assert "2022-" in meta, meta
    with tab.expect_download() as download:
        tab.get_by_test_id("download-jsonl").click()
    assert download.value.suggested_filename.endswith(".jsonl")


@pytest.mark.parametrize("path", ["/stories", "/entities", "/outlets", "/outlets?by=publication", "/failures",
                                  "/stats", "/search", "/nowhere"])
def test_listing_pages(page: tuple[Any, Watch], width: str, path: str) -> None:
    tab, watch = page
    watch.missing.add("/nowhere")
    response = tab.goto(path)
    assert response.status == (404 if path == "/nowhere" else 200)
    assert tab.locator("h1").first.is_visible()
    visit(tab, width, re.sub(r"\W+", "-", path.strip("/")) or "root")


def test_outlets_compare_a_query(page: tuple[Any, Watch], width: str, server: str) -> None:
    tab, _ = page
    tab.goto("/stats")
    outlets = [a.inner_text() for a in tab.locator("#outlet-stats a").all()][:2]
    assert len(outlets) == 2
    tab.goto("/outlets")
    tab.get_by_test_id("compare-query").fill("普京")
    boxes = tab.locator("#compare-form input[name=compare]")
    if boxes.count():  # checkboxes of the archive's outlets
        for outlet in outlets:
            tab.locator(f"#compare-form input[name=compare][value='{outlet}']").check()
        tab.get_by_test_id("compare-submit").click()
    else:
        tab.goto("/outlets?q=" + quote("普京") + "".join(f"&compare={quote(o)}" for o in outlets))
    tab.wait_for_url(re.compile(r"q="))
    assert tab.get_by_test_id("compare").locator("svg").count() >= 1
    visit(tab, width, "outlets-compare")


def test_stories_and_entities_lists_lead_to_their_pages(page: tuple[Any, Watch], width: str) -> None:
    tab, _ = page
    tab.goto("/stories")
    tab.get_by_test_id("story").first.locator("a").click()
    tab.wait_for_url(re.compile(r"/stories/\w"))
    visit(tab, width, "stories-first")
    tab.goto("/entities")
    tab.get_by_test_id("top-entities").locator("a").first.click()
    tab.wait_for_url(re.compile(r"/entities/."))
    assert tab.get_by_test_id("entity-title").is_visible()
    tab.goto("/entities")
    tab.get_by_test_id("entity-input").fill("Sergey Lavrov")
    tab.get_by_test_id("entity-input").press("Enter")
    tab.wait_for_load_state()
    assert "拉夫罗夫" in tab.locator("main").inner_text() or "Lavrov" in tab.locator("main").inner_text()
    visit(tab, width, "entity-typed")


# --- XSS: the payloads of tests/data/xss in a browser ---------------------------------------------

# Payload queries typed into the search box and the filters (the pages echo them back in inputs and titles).
HOSTILE_QUERIES = [
    "<script>alert('q')</script>", "\"><img src=x onerror=alert('q2')>", "javascript:alert('q3')",
    "</title><svg onload=alert('q4')>", "'><script>window.__xss='q5'</script>", "<img src=https://evil.example/q6>",
    "\" autofocus onfocus=\"window.__xss='q7'", "</textarea><iframe src=javascript:alert('q8')>",
]


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from tests.web.conftest import XSS, ingest

    folder = tmp_path_factory.mktemp("browser-xss")
    shutil.copytree(XSS, folder / "xss")
    db = folder / "xss.db"
    ingest(db, folder / "xss", REPO / "examples")
    process, base = start_server(db)
    yield base
    stop_server(process)


def hostile_urls(base: str) -> list[str]:
    """Every page that shows what the captures carry, and every page echoing a hostile query or name."""
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        articles = client.get("/api/list", params={"limit": 1000}).json()
        stories = client.get("/api/stories", params={"limit": 1000}).json()
    urls = ["/", "/search?q=alert", "/search?q=" + quote("普京"), "/stories", "/entities", "/outlets",
            "/outlets?by=publication", "/failures", "/stats"]
    urls += [f"/articles/{quote(a['id'], safe='')}" for a in articles]
    urls += [f"/stories/{quote(s['id'], safe='')}" for s in stories]
    outlets = sorted({a["outlet"] for a in articles if a["outlet"]})
    urls += ["/search?outlet=" + quote(o) for o in outlets]
    urls += ["/outlets?q=alert" + "".join("&compare=" + quote(o) for o in outlets)]
    for i, query in enumerate(HOSTILE_QUERIES):
        q = quote(query, safe="")
        urls += [f"/search?q={q}", f"/search?q=x&outlet={q}&entity={q}", f"/entities/{q}", f"/outlets?q={q}&compare={q}"]
        # Pages that are errors echo what was asked for too; one query each is enough for them.
        urls.append([f"/articles/{q}", f"/stories/{q}", f"/nowhere/{q}", f"/stories?entity={q}"][i % 4])
    return urls


# What a payload would leave in the page had it run or survived: the flag it sets, or an element or attribute
# that runs or loads something (handlers such as onmouseover need no click to count).
ACTIVE = """() => {
  const URL_ATTRIBUTES = ["href", "src", "action", "formaction", "data", "xlink:href", "poster", "background", "srcset"];
  const found = [];
  if (typeof window.__xss !== "undefined") found.push("window.__xss = " + String(window.__xss));
  for (const e of document.querySelectorAll("script, iframe, frame, object, embed, img, video, audio, style, math, base, form:not([action^='/'])"))
    found.push("<" + e.tagName.toLowerCase() + ">");
  for (const e of document.querySelectorAll("*"))
    for (const a of e.attributes)
      if (a.name.startsWith("on") || a.name === "style" || a.name === "srcdoc" || a.name === "formaction"
          || (URL_ATTRIBUTES.includes(a.name) && /^\\s*(javascript|data|vbscript):/i.test(a.value))) found.push(e.tagName.toLowerCase() + "[" + a.name + "]");
  return found.join(", ");
}"""


def xss_context(browser: Any, base: str, bypass_csp: bool) -> tuple[Any, Any, Watch]:
    """A browser tab that records everything and lets nothing leave 127.0.0.1 (a request to another host
    is recorded, then refused, so a payload that gets out fails the test without waiting on the network)."""
    context = browser.new_context(viewport=WIDTHS["desktop"], base_url=base, bypass_csp=bypass_csp)
    host = urlsplit(base).netloc

    def only_ours(route: Any) -> None:
        if urlsplit(route.request.url).netloc == host:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", only_ours)
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    watch = Watch()
    watch.attach(tab)
    return context, tab, watch


def test_the_watch_sees_a_payload_that_runs(browser: Any) -> None:
    """The checks below can fail: a payload that runs is seen (dialog, window.__xss, console, request)."""
    context = browser.new_context()
    tab = context.new_page()
    watch = Watch()
    watch.attach(tab)
    tab.set_content("<img src=x onerror=\"alert('canary')\"><script>window.__xss='canary';console.log('canary')"
                    "</script><img src='https://evil.example/canary.png'>")
    tab.wait_for_timeout(200)
    assert tab.evaluate("window.__xss") == "canary"
    assert watch.dialogs == ["alert: canary"]
    assert any("canary" in message for message in watch.console)
    assert any("evil.example" in url for url in watch.requests)
    context.close()


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "csp-bypassed"])
def test_no_payload_runs_in_the_browser(browser: Any, xss_server: str, bypass_csp: bool) -> None:
    """Every page showing the payloads, loaded in chromium: no dialog, no console message, no request to
    another host, window.__xss never set. With the CSP bypassed too: the pages must be inert because the
    payloads are text, not because the policy blocks what survived."""
    urls = hostile_urls(xss_server)
    assert len(urls) > 60
    context, tab, watch = xss_context(browser, xss_server, bypass_csp)
    watch.missing |= {urlsplit(u).path for u in urls}  # the hostile ids and names are 404s, by design
    ran = []
    for url in urls:
        tab.goto(url)
        found = tab.evaluate(ACTIVE)
        if found:
            ran.append(f"{url}: {found}")
    tab.wait_for_timeout(300)  # timers and animations a payload might have started
    context.close()
    local = [u for u in watch.requests if urlsplit(u).path not in {"/static/style.css", "/favicon.ico"}]
    ours = {urlsplit(xss_server + u).path for u in urls}
    assert not [u for u in local if urlsplit(u).path not in ours and urlsplit(u).netloc == urlsplit(xss_server).netloc], \
        "requests for something no page links to"
    problems = ran + watch.problems(xss_server)
    assert not problems, "\n".join(problems[:40])


def test_payloads_are_on_the_pages_as_text(browser: Any, xss_server: str) -> None:
    """The test above must have had something to find: the payloads reach the browser, as text."""
    import httpx

    articles = httpx.get(xss_server + "/api/list", params={"limit": 1000}).json()
    hostile = [a for a in articles if "__xss" in (a["title"] or "") or "<script>" in (a["title"] or "")]
    assert len(hostile) >= 3, [a["title"] for a in articles]
    context, tab, watch = xss_context(browser, xss_server, bypass_csp=False)
    for article in hostile:
        tab.goto(f"/articles/{article['id']}")
        assert tab.get_by_test_id("article-title").inner_text() == article["title"]
        assert tab.title() == f"{article['title']} · newsdesk"
    tab.goto("/stats")
    assert "<img src=x onerror=alert" in tab.locator("#outlet-stats").inner_text()
    tab.goto("/failures")
    assert "onerror=alert('filename')" in tab.get_by_test_id("failures").inner_text()
    context.close()
    assert not watch.problems(xss_server), watch.problems(xss_server)


@pytest.mark.parametrize("field", ["search-input", "filter-outlet", "filter-entity"])
def test_hostile_queries_typed_into_the_search_form(browser: Any, xss_server: str, field: str) -> None:
    context, tab, watch = xss_context(browser, xss_server, bypass_csp=True)
    if field == "filter-entity":
        watch.missing.add("/search")  # an entity nobody is called: a 404 page saying so
    for query in HOSTILE_QUERIES:
        tab.goto("/search")
        if field != "search-input":
            tab.locator("details.filters summary").click()
            tab.get_by_test_id("search-input").fill("布林肯")
        tab.get_by_test_id(field).fill(query)
        tab.get_by_test_id("search-submit").click()
        tab.wait_for_load_state()
        # The query comes back whole, as the value of its input (or, where it names no entity, in the error).
        if tab.get_by_test_id("error-message").count():
            message = tab.get_by_test_id("error-message").inner_text()
            assert query in message or repr(query) in message, message
        else:
            assert tab.get_by_test_id(field).input_value() == query
        assert not tab.evaluate(ACTIVE), query
    context.close()
    assert not watch.problems(xss_server), "\n".join(watch.problems(xss_server))
