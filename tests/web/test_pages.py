"""The pages over HTTP (TestClient): each answers, has its title and the elements browser tests look for,
carries the security headers, and its charts' data links give exactly what is drawn."""

from __future__ import annotations

import csv
import io
import json
from urllib.parse import quote

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from lxml import html

from newsdesk.web.app import CONTENT_SECURITY_POLICY


def page(client: TestClient, url: str, status: int = 200) -> html.HtmlElement:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
    return html.fromstring(response.text)


def ids_of(doc: html.HtmlElement) -> set[str]:
    return {el.get("data-testid") for el in doc.iter() if isinstance(el.tag, str) and el.get("data-testid")}


def first_article(client: TestClient, query: str = "拉夫罗夫") -> str:
    return client.get("/api/search", params={"q": query, "limit": 1}).json()[0]["id"]


@pytest.mark.parametrize("url", ["/", "/search?q=x", "/api/list", "/api/openapi.json", "/static/style.css", "/nowhere",
                                 "/api/articles/nothing", "/stories", "/search/download?format=csv&q=普京",
                                 "/data/outlet-months.csv"])
def test_every_response_carries_the_security_headers(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "script-src 'self'"):
        assert directive in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_search_page_shows_a_page_of_results_facets_and_downloads(client: TestClient) -> None:
    total = int(client.get("/api/search", params={"q": "普京", "limit": 1}).headers["x-total-count"])
    assert total > 20, "the archive has more than one page of 普京"
    doc = page(client, "/search?q=普京")
    assert doc.findtext(".//title") == "普京 — search · newsdesk"
    assert {"search-input", "results", "facets", "facet-outlets", "facet-months", "downloads", "pagination",
            "showing"} <= ids_of(doc)
    assert doc.get_element_by_id("showing").text_content().strip() == f"showing 1–20 of {total} results"
    assert len(doc.find_class("result")) == 20
    # Snippets keep the archive's marks, as elements.
    assert doc.xpath("//p[@class='snippet']/b")
    second = page(client, "/search?q=普京&page=2")
    assert second.get_element_by_id("showing").text_content().strip().startswith("showing 21–")
    facet_total = sum(int(n.text) for n in doc.xpath("//ul[@id='facet-months']//span[@class='n']"))
    assert facet_total == total


def test_search_page_in_traditional_script_finds_what_simplified_finds(client: TestClient) -> None:
    simplified = page(client, "/search?q=拉夫罗夫").get_element_by_id("showing").text_content()
    traditional = page(client, "/search?q=拉夫羅夫").get_element_by_id("showing").text_content()
    assert simplified.split(" of ")[1].split()[0] == traditional.split(" of ")[1].split()[0]


def test_search_filters_by_entity_outlet_and_dates(client: TestClient) -> None:
    everything = client.get("/api/search", params={"q": "布林肯", "limit": 1}).headers["x-total-count"]
    doc = page(client, "/search?q=布林肯&entity=普京")
    shown = doc.get_element_by_id("showing").text_content()
    assert int(shown.split(" of ")[1].split()[0]) < int(everything)
    for row in doc.find_class("result"):
        article = client.get(f"/api/articles/{row.get('data-id')}").json()
        text = json.dumps(article["article"], ensure_ascii=False)
        assert any(name in text for name in ("普京", "普丁", "Putin", "Путин"))
    outlet = page(client, "/search?q=布林肯&outlet=GNews&since=2022-01-01&until=2022-12-31")
    for meta in outlet.xpath("//li[@class='result']/p[@class='meta']"):
        assert meta.text_content().startswith("GNews · 2022-")


def test_bad_search_input_is_an_error_page_not_a_traceback(client: TestClient) -> None:
    doc = page(client, "/search?q=" + quote("(普京"), status=400)
    assert "unbalanced parentheses" in doc.get_element_by_id("error-message").text_content()
    page(client, "/search?q=x&since=notaday", status=400)


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_downloads_hold_every_matching_article(client: TestClient, fmt: str) -> None:
    total = int(client.get("/api/search", params={"q": "普京", "limit": 1}).headers["x-total-count"])
    expected = {r["id"] for r in client.get("/api/search", params={"q": "普京", "limit": 100000}).json()}
    response = client.get("/search/download", params={"q": "普京", "format": fmt})
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    if fmt == "jsonl":
        ids = [json.loads(line)["id"] for line in response.text.splitlines()]
    elif fmt == "csv":
        assert response.content.startswith(b"\xef\xbb\xbf")
        ids = [row["id"] for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))]
    else:
        ids = pq.read_table(io.BytesIO(response.content)).column("id").to_pylist()
    assert len(ids) == total and set(ids) == expected


def test_article_page_shows_the_reading_view_publications_and_story(client: TestClient) -> None:
    article_id = first_article(client)
    info = client.get(f"/api/articles/{article_id}").json()
    doc = page(client, f"/articles/{article_id}")
    assert doc.findtext(".//title") == f"{info['article']['title']} · newsdesk"
    assert doc.get_element_by_id("article-title").text_content() == info["article"]["title"]
    assert {"article-body", "publications", "captures", "article-facts"} <= ids_of(doc)
    paragraphs = [p.text_content() for p in doc.get_element_by_id("article-body").findall("p")]
    assert paragraphs == info["article"]["body"]
    assert doc.get_element_by_id("story-link").get("href").startswith("/stories/")
    entity_links = doc.xpath("//section[@id='article-entities']//a/@href")
    assert entity_links and all(href.startswith("/entities/") for href in entity_links)
    # No image is loaded from anywhere: pictures are links.
    assert not doc.xpath("//img")
    short = client.get(f"/articles/{article_id[:8]}", follow_redirects=False)
    assert short.status_code == 307 and short.headers["location"] == f"/articles/{article_id}"


def test_story_page_shows_timeline_carriers_headlines_and_related(client: TestClient) -> None:
    stories = client.get("/api/stories", params={"limit": 100000}).json()
    story = max(stories, key=lambda s: len({a["outlet"] for a in s["articles"]}))
    doc = page(client, f"/stories/{story['id']}")
    assert doc.findtext(".//title") == f"{story['label']} · newsdesk"
    assert {"story-title", "timeline", "story-timeline", "carriers", "headlines"} <= ids_of(doc)
    carriers = [row.findtext("td") for row in doc.xpath("//tr[@data-testid='carrier']")]
    assert len(carriers) >= 2 and len(set(carriers)) == len(carriers)
    drawn = doc.xpath("//*[@id='story-timeline']//*[local-name()='circle']")
    data = client.get(f"/data/story-timeline.json?id={story['id']}").json()
    assert len(drawn) == sum(1 for row in data if row["time"])
    headlines = {a.text_content() for a in doc.xpath("//section[@id='headlines']//a")}
    assert headlines == {a["title"] for a in story["articles"]}


def test_entity_page_shows_aliases_attention_and_its_data(client: TestClient) -> None:
    report = client.get("/api/entities/普京").json()
    doc = page(client, "/entities/普丁")
    assert doc.findtext(".//title") == f"{report['name']} — entity · newsdesk"
    assert {"entity-aliases", "attention", "entity-attention", "entity-stories", "co-occurring"} <= ids_of(doc)
    data = client.get("/data/entity-attention.json", params={"name": "普丁"}).json()
    assert data and {"week", "outlet", "articles", "all_articles", "share"} == set(data[0])
    assert sum(row["articles"] for row in data) == sum(row["articles"] for row in report["mentions"] if row["month"] != "unknown")
    assert all(0 < row["share"] <= 1 for row in data)
    share = page(client, "/entities/普丁?measure=share")
    assert share.xpath("//*[@id='entity-attention']")
    csv_text = client.get("/data/entity-attention.csv", params={"name": "普丁"}).content.decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(csv_text)))) == len(data)


def test_outlets_page_charts_months_compares_outlets_and_shows_the_network(client: TestClient) -> None:
    doc = page(client, "/outlets?q=普京&compare=GNews&compare=大紀元")
    assert {"outlet-months", "outlet-comparison", "network", "compare"} <= ids_of(doc)
    monthly = client.get("/data/outlet-months.json").json()
    assert monthly == [{"outlet": r["outlet"], "month": r["month"], "articles": r["articles"]}
                       for r in client.get("/api/stats").json()]
    compared = client.get("/data/outlet-comparison.json", params=[("q", "普京"), ("compare", "GNews"),
                                                                  ("compare", "大紀元")]).json()
    assert {row["outlet"] for row in compared} == {"GNews", "大紀元"}
    assert all(0 <= row["share"] <= 1 and row["matching"] <= row["articles"] for row in compared)
    assert doc.xpath("//tr[@data-testid='pair']")


@pytest.mark.parametrize("url", ["/stories", "/entities", "/failures", "/stats", "/outlets?by=publication", "/"])
def test_other_pages_answer_with_a_title(client: TestClient, url: str) -> None:
    doc = page(client, url)
    assert doc.findtext(".//title").endswith(" · newsdesk")
    assert doc.get_element_by_id("nav") is not None


def test_pages_are_laid_out_for_a_narrow_screen(client: TestClient) -> None:
    doc = page(client, "/")
    assert doc.xpath("//meta[@name='viewport']/@content") == ["width=device-width, initial-scale=1"]
    css = client.get("/static/style.css").text
    assert "@media (max-width: 720px)" in css


def test_read_only_server_refuses_uploads(client: TestClient) -> None:
    assert client.get("/ingest").status_code == 403
    assert client.post("/ingest", files={"files": ("a.md", b"# x")}).status_code == 403
    assert "nav-ingest" not in ids_of(page(client, "/"))
