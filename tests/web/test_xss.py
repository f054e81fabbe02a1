"""Captures are untrusted HTML: tests/data/xss holds captures with script and markup payloads in every
place a capture carries text (titles, bylines, outlet names, captions, image and original addresses,
body, front matter, a capture log's URL, a file name). They are ingested with a real capture beside them,
and every page that can show them is fetched over HTTP: no element, attribute or address from a payload
survives as markup; the payloads are there as text."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from fastapi.testclient import TestClient
from lxml import html

from newsdesk.web.app import create_app
from tests.web.conftest import XSS, ingest

REPO = Path(__file__).resolve().parents[2]
# Every element our templates write; anything else in a page came from somewhere else.
OUR_TAGS = {
    "html", "head", "meta", "title", "link", "body", "header", "nav", "main", "a", "form", "input", "button", "details",
    "summary", "label", "h1", "h2", "h3", "p", "ol", "ul", "li", "aside", "span", "b", "strong", "dl", "dt", "dd",
    "article", "section", "div", "table", "thead", "tbody", "tr", "th", "td", "br", "fieldset", "legend",
    "svg", "line", "text", "rect", "polyline", "circle", "g",
}
QUERIES = ["<script>alert('q')</script>", "\"><img src=x onerror=alert('q2')>", "javascript:alert('q3')",
           "</title><svg onload=alert('q4')>"]


@pytest.fixture(scope="module")
def xss_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    folder = tmp_path_factory.mktemp("xss")
    shutil.copytree(XSS, folder / "xss")
    db = folder / "xss.db"
    ingest(db, folder / "xss", REPO / "examples")
    return TestClient(create_app(db), raise_server_exceptions=False)


def _links_of(client: TestClient) -> list[str]:
    """Every page that shows something from the captures."""
    urls = ["/", "/search?q=alert", "/search?q=外长", "/stories", "/entities", "/outlets", "/failures", "/stats",
            "/outlets?by=publication"]
    for article in client.get("/api/list", params={"limit": 1000}).json():
        urls.append(f"/articles/{article['id']}")
        if article["outlet"]:
            urls.append("/search?" + "outlet=" + quote(article["outlet"]))
            urls.append("/outlets?q=alert&compare=" + quote(article["outlet"]))
    for story in client.get("/api/stories", params={"limit": 1000}).json():
        urls.append(f"/stories/{story['id']}")
    for query in QUERIES:
        urls += [f"/search?q={quote(query)}", f"/search?q=x&outlet={quote(query)}", f"/entities/{quote(query, safe='')}",
                 f"/stories?entity={quote(query)}", f"/outlets?q={quote(query)}&compare={quote(query)}",
                 f"/articles/{quote(query, safe='')}", f"/search?q=x&entity={quote(query)}", f"/nowhere/{quote(query)}"]
    return urls


def _harmless(url: str, doc: html.HtmlElement, allowed: set[str] = OUR_TAGS) -> list[str]:
    problems = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue  # comments, processing instructions
        tag = element.tag.split("}")[-1].lower()
        if tag not in allowed:
            problems.append(f"{url}: element <{tag}>")
        for name, value in element.attrib.items():
            lowered = name.lower()
            if lowered.startswith("on") or lowered in {"style", "srcdoc", "formaction", "background", "xlink:href"}:
                problems.append(f"{url}: attribute {name}={value!r} on <{tag}>")
            if lowered in {"href", "src", "action"}:
                scheme = urlsplit(re.sub(r"[\x00-\x20]", "", value)).scheme.lower()
                if scheme not in {"", "http", "https"}:
                    problems.append(f"{url}: {name}={value!r}")
                if tag in {"link", "form"} and not value.startswith("/"):
                    problems.append(f"{url}: <{tag}> to {value!r}")
    return problems


def test_no_payload_survives_as_markup_in_any_page(xss_client: TestClient) -> None:
    problems: list[str] = []
    seen = 0
    for url in _links_of(xss_client):
        response = xss_client.get(url)
        assert response.status_code < 500, (url, response.text[:300])
        assert "Traceback" not in response.text
        if not response.headers["content-type"].startswith("text/html"):
            continue
        seen += 1
        problems += _harmless(url, html.fromstring(response.text))
        # Belt and braces: the raw text never holds an opening payload tag either.
        for needle in ("<script", "<img", "<iframe", "<svg onload", "<math", "<object", "<embed", "<ok ", "<base", "<style"):
            if needle in response.text.lower():
                problems.append(f"{url}: raw {needle!r}")
    assert seen > 20
    assert not problems, "\n".join(problems[:40])


def test_payloads_are_shown_as_text(xss_client: TestClient) -> None:
    """The test above must have something to find: the payloads reach the pages, as text."""
    titles = {a["title"]: a["id"] for a in xss_client.get("/api/list", params={"limit": 1000}).json()}
    hostile = [t for t in titles if "<script>" in (t or "")]
    assert len(hostile) >= 2, titles
    for title in hostile:
        doc = html.fromstring(xss_client.get(f"/articles/{titles[title]}").text)
        assert doc.get_element_by_id("article-title").text_content() == title
        assert doc.findtext(".//title") == f"{title} · newsdesk"
    outlets = html.fromstring(xss_client.get("/stats").text).get_element_by_id("outlet-stats").text_content()
    assert "<img src=x onerror=alert" in outlets
    failures = html.fromstring(xss_client.get("/failures").text).text_content()
    assert "onerror=alert('filename')" in failures
    searched = html.fromstring(xss_client.get("/search", params={"q": QUERIES[0]}).text)
    assert searched.get_element_by_id("q").get("value") == QUERIES[0]


def test_addresses_that_are_not_web_addresses_are_never_links(xss_client: TestClient) -> None:
    for article in xss_client.get("/api/list", params={"limit": 1000}).json():
        doc = html.fromstring(xss_client.get(f"/articles/{article['id']}").text)
        for href in doc.xpath("//a/@href"):
            assert urlsplit(href).scheme in {"", "http", "https"}, href
        for link in doc.xpath("//a[@class='external']"):
            assert "noreferrer" in link.get("rel") and "noopener" in link.get("rel")


def test_sanitiser_keeps_text_and_drops_everything_active() -> None:
    from newsdesk.web.sanitize import ALLOWED_TAGS, clean_html, snippet_html

    dirty = (XSS / "site-title.html").read_text(encoding="utf-8")
    cleaned = str(clean_html(dirty))
    doc = html.fromstring(f"<div>{cleaned}</div>")
    assert "布林肯" in doc.text_content()
    assert not _harmless("clean_html", doc, ALLOWED_TAGS | {"div"})
    for needle in ("<script", "onerror", "javascript:", "<style", "<iframe", "<form", "<img", "<svg", "<math", "<ok"):
        assert needle not in cleaned.lower(), needle
    assert str(snippet_html("&lt;img&gt; <b>普京</b><script>alert(1)</script><b onclick=x>y</b>")) == (
        "&lt;img&gt; <b>普京</b><b>y</b>"
    )
