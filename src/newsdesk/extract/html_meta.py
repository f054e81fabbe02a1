"""Metadata a web page states about itself: meta tags, JSON-LD, title, canonical URL."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from lxml import html

from newsdesk.extract.blocks import collapse

_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate", "publishdate",
    "publish_date", "publish-date", "date", "dc.date", "dc.date.issued", "dcterms.created", "sailthru.date",
    "parsely-pub-date", "weibo:article:create_at", "og:release_date", "article.published", "publishtime",
    "release_date", "created", "pubtime",
    # Last resort: a page's update stamp is usually its publication day on portals that show no other.
    "dateupdate", "datemodified", "article:modified_time", "lastmod",
)
_TITLE_META = ("og:title", "twitter:title", "title", "headline", "dc.title")
_SITE_META = ("og:site_name", "application-name", "apple-mobile-web-app-title", "publisher", "source", "sourcename")
_AUTHOR_META = ("author", "article:author", "dc.creator", "byl", "sailthru.author", "parsely-author")
_TAG_META = ("keywords", "news_keywords", "article:tag")
_TITLE_SPLIT = re.compile(r"\s*(?:[|｜_\-–—]|：：|::)\s*")


@dataclass(slots=True)
class PageMeta:
    title: str | None = None
    heading: str | None = None
    doc_title: str | None = None
    published: list[str] = field(default_factory=list)
    site_name: str | None = None
    authors: list[str] = field(default_factory=list)
    canonical: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None


def _meta_map(root: html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv") or "").lower()
        value = meta.get("content")
        if key and value and key not in found:
            found[key] = value.strip()
    return found


def _json_ld(root: html.HtmlElement) -> list[dict]:
    items: list[dict] = []
    for script in root.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                items.append(node)
                if "@graph" in node:
                    stack.append(node["@graph"])
    return items


def read_page_meta(root: html.HtmlElement) -> PageMeta:
    """Read before the tree is cleaned: scripts hold JSON-LD, the head holds meta."""
    meta = _meta_map(root)
    page = PageMeta()
    for key in _TITLE_META:
        if meta.get(key):
            page.title = collapse(meta[key])
            break
    title_el = root.find(".//title")
    if title_el is not None and title_el.text_content().strip():
        page.doc_title = collapse(title_el.text_content())
    for h1 in root.iter("h1"):
        text = collapse(h1.text_content())
        if 4 <= len(text) <= 200:
            page.heading = text
            break
    for key in _DATE_META:
        if meta.get(key):
            page.published.append(meta[key])
    for key in _SITE_META:
        if meta.get(key):
            page.site_name = collapse(meta[key])
            break
    for key in _AUTHOR_META:
        if meta.get(key) and not meta[key].startswith("http"):
            page.authors = [collapse(meta[key])]
            break
    for key in _TAG_META:
        if meta.get(key):
            page.tags = [t.strip() for t in re.split(r"[,，;；、]", meta[key]) if t.strip()]
            break
    for item in _json_ld(root):
        kind = str(item.get("@type", ""))
        if "Article" in kind or "Posting" in kind or kind in {"WebPage", "Report"}:
            for key in ("datePublished", "dateCreated", "uploadDate"):
                if isinstance(item.get(key), str):
                    page.published.insert(0, item[key])
            if not page.title and isinstance(item.get("headline"), str):
                page.title = collapse(item["headline"])
            publisher = item.get("publisher")
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str) and not page.site_name:
                page.site_name = collapse(publisher["name"])
    for link in root.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and (link.get("href") or "").startswith("http"):
            page.canonical = link.get("href")
            break
    if not page.canonical and (meta.get("og:url") or "").startswith("http"):
        page.canonical = meta["og:url"]
    html_el = root if root.tag == "html" else root.find(".//html")
    if html_el is not None and html_el.get("lang"):
        page.language = html_el.get("lang")
    return page


def best_title(page: PageMeta) -> str | None:
    """The headline: an `<h1>` that agrees with the meta/doc title, else the title stripped of its site suffix."""
    candidates = [t for t in (page.title, page.doc_title) if t]
    if page.heading and page.heading.endswith(("...", "…")):
        # Portals shorten long headlines on the page; the meta title keeps them whole.
        stem = page.heading.rstrip(".…")
        for cand in candidates:
            if cand.startswith(stem) and len(cand) > len(stem):
                return cand.split(" - ")[0].split("_")[0].strip()
    if page.heading:
        for cand in candidates:
            if page.heading in cand or cand in page.heading:
                return page.heading
    for cand in candidates:
        parts = [p for p in _TITLE_SPLIT.split(cand) if p]
        if len(parts) > 1:
            return max(parts, key=len) if len(parts[0]) < 6 else parts[0]
        return cand
    return page.heading
