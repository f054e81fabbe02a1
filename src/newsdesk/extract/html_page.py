"""HTML captures: pages saved from news sites, and HTML mirror pages (table layouts, side columns)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import trafilatura
from lxml import html

from newsdesk.extract.blocks import collapse, extract_blocks
from newsdesk.extract.chrome import SHARE_START
from newsdesk.extract.dates import YMD_CN, YMD_NUMERIC
from newsdesk.extract.draft import Draft
from newsdesk.extract.html_meta import best_title, read_page_meta
from newsdesk.extract.html_tree import LIBXML_TEXT_LIMIT, clean_tree, parse_html
from newsdesk.extract.region import clean_page, find_region, generic_blocks, read_region

_MIRROR_HOSTS = re.compile(r"github\.com|gitlab\.com|githubusercontent\.com|jsdelivr\.net|gfw-breaker|\d+\.\d+\.\d+\.\d+")
_ORIGINAL_CUE = re.compile(r"(?:原文|原文地址|原文链接|原文連結|浏览原文|瀏覽原文|阅读原文|閱讀原文|原始网址)\s*[:：]?\s*$")
_REPOST_CUE = re.compile(r"(?:本文)?(?:转自|轉自|转载自|轉載自|来自|來自)\s*$")
_EDITOR_ANYWHERE = re.compile(r"(?:责任编辑|責任編輯|责编|責編)\s*[:：｜|]\s*(?P<name>[\u4e00-\u9fffA-Za-z0-9·‧]{1,20})")
_SOURCE_ANYWHERE = re.compile(r"(?:来源|來源|稿源|文章来源)\s*[:：]\s*(?P<name>[\u4e00-\u9fffA-Za-z0-9·]{2,20})")
_CREDIT_CUES = re.compile(r"原文|转自|轉自|转载|轉載|来自|來自")
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def looks_like_html(text: str) -> bool:
    head = text[:4000].lstrip().lower()
    if head.startswith("<") and re.search(r"<(?:html|body|div|p|table|a|head|meta|!doctype)\b", head):
        return True
    # Pages saved inside something else (a JS template literal, a JSON string) still carry a document head.
    return bool(re.search(r"<(?:html|head|title|meta)\b", head)) and head.count("<") >= 10


def is_full_document(text: str) -> bool:
    head = text[:4000].lower()
    return "<head" in head or "<!doctype" in head or "<meta" in head


def _is_mirror_host(url: str) -> bool:
    return bool(_MIRROR_HOSTS.search(urlsplit(url).netloc or url))


def _original_links(root: html.HtmlElement) -> tuple[str | None, list[str]]:
    """Links a mirror labels as the original (`浏览原文：<a>`), and outlets it credits (`本文转自<a>大纪元</a>`)."""
    original, outlets = None, []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href.startswith("http") or _is_mirror_host(href):
            continue
        before = _text_before(a)
        if original is None and (_ORIGINAL_CUE.search(before) or re.search(r"^(?:原文|阅读原文|閱讀原文)", a.text_content().strip())):
            original = href
        elif _REPOST_CUE.search(before) and a.text_content().strip():
            outlets.append(collapse(a.text_content()))
    return original, outlets


def _text_before(el: html.HtmlElement) -> str:
    prev = el.getprevious()
    if prev is not None:
        return (prev.tail or "")[-20:] if (prev.tail or "").strip() else collapse(prev.text_content())[-20:]
    parent = el.getparent()
    return (parent.text or "")[-20:] if parent is not None else ""


def _heading_title(root: html.HtmlElement) -> str | None:
    for tag in ("h1", "h2"):
        for el in root.iter(tag):
            text = collapse(el.text_content())
            if 4 <= len(text) <= 120:
                return text
    return None


def _page_lines(root: html.HtmlElement) -> list[str]:
    lines = []
    for el in root.iter():
        if isinstance(el.tag, str):
            for piece in (el.text, el.tail):
                if piece and piece.strip():
                    lines.append(collapse(piece))
    return lines


def _is_english(root: html.HtmlElement) -> bool:
    # Visible paragraph text only: scripts and styles are Latin whatever the page's language.
    pieces: list[str] = []
    size = 0
    for el in root.iter("p", "h1", "h2", "li"):
        piece = el.text_content()
        pieces.append(piece)
        size += len(piece)
        if size > 5000:
            break
    sample = "".join(pieces)
    return len(_LATIN.findall(sample)) > 20 * max(1, len(_CJK.findall(sample)))


_CAPTURE_COMMENT = re.compile(r"\A\s*(?:<!DOCTYPE[^>]*>\s*)?<!--\s*(?:saved from url=\(\d+\))?\s*(?P<url>https?://[^\s>]+?)\s*-->", re.I)


def _capture_url(text: str) -> str | None:
    """Saved pages name where they came from in a leading comment (`<!--https://…-->`, `saved from url=`)."""
    m = _CAPTURE_COMMENT.match(text[:2000])
    return m["url"] if m else None


_UPDATED = re.compile(r"更新|修改|編輯於|编辑于|updated", re.I)


def _before_region(root: html.HtmlElement, region: html.HtmlElement, limit: int = 60) -> list[str]:
    """The short texts just above the article body: where portals print date, source and author."""
    texts: list[str] = []
    for node in root.iter():
        if node is region:
            break
        if not isinstance(node.tag, str):
            continue
        for piece in (node.text, node.tail):
            piece = collapse(piece or "")
            if piece and len(piece) <= 60:
                texts.append(piece)
    return texts[-limit:]


def _header_date(texts: list[str]) -> str | None:
    dated = [t for t in texts if YMD_NUMERIC.search(t) or YMD_CN.search(t)]
    fresh = [t for t in dated if not _UPDATED.search(t)]
    return (fresh or dated or [None])[-1]


_META_TAG = re.compile(r"<meta\s[^>]*>", re.I)
_META_KEY = re.compile(r"""(?:property|name|itemprop)\s*=\s*["']([^"']+)["']""", re.I)
_META_CONTENT = re.compile(r"""content\s*=\s*["']([^"']*)["']""", re.I)
_TITLE_TAG = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
# Fewer Han characters than this in a page's first 200 KB: not a Chinese page.
_MIN_CJK = 30
_KANA = re.compile(r"[\u3040-\u30ff]")
_MAX_KANA_SHARE = 0.1


def _sniff_meta(text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in _META_TAG.findall(text[:100_000]):
        key, content = _META_KEY.search(tag), _META_CONTENT.search(tag)
        if key and content:
            found.setdefault(key.group(1).lower(), content.group(1).strip())
    return found


def read_generic_page(text: str) -> Draft:
    """Pages in other languages: trafilatura decides the main content; the head gives the metadata.

    Handing trafilatura the markup (not our tree) lets it use its own lean parser.
    """
    draft = Draft(format="site-html")
    # trafilatura's parser ends the tree at a text over libxml2's 10 MB limit, losing it and all after
    # it; a page long enough to hold one (4 bytes a character at most) is given our tree, which keeps it.
    source = parse_html(text) if len(text) > LIBXML_TEXT_LIMIT // 4 else text
    # Fast mode (no readability/justext second opinions) with recall favoured: on the
    # article-extraction-benchmark this is both faster and more accurate than the defaults
    # (bench/RESULTS.md).
    body = trafilatura.extract(source, include_comments=False, fast=True, favor_recall=True)
    draft.blocks = [collapse(line) for line in (body or "").splitlines() if collapse(line)]
    if not draft.blocks:
        # trafilatura found nothing (or its parser gave up on the markup): our own reading decides.
        root = clean_tree(parse_html(text))
        region, _ = find_region(root)
        body_el = root.find("body")
        target = region if region is not None else (body_el if body_el is not None else root)
        draft.blocks, draft.images = extract_blocks(target)
    meta = _sniff_meta(text)
    title = meta.get("og:title") or meta.get("twitter:title")
    if not title:
        m = _TITLE_TAG.search(text[:100_000])
        title = html.fromstring(m.group(1)).text_content() if m and m.group(1).strip() else None
    draft.title = collapse(title) if title else None
    for key in ("article:published_time", "datepublished", "pubdate", "publishdate", "date", "dc.date"):
        if meta.get(key):
            draft.published_hints.append(meta[key])
    if meta.get("author") and not meta["author"].startswith("http"):
        draft.authors = [collapse(meta["author"])]
    if meta.get("og:site_name"):
        draft.site_names.append(meta["og:site_name"])
    if (meta.get("og:url") or "").startswith("http"):
        draft.original_url = meta["og:url"]
    return draft


def read_html(text: str, mirror: bool) -> Draft:
    han = len(_CJK.findall(text[:200_000]))
    if han < _MIN_CJK:
        return read_generic_page(text)
    # The region model learned from Chinese pages only; Japanese ones (kana beside the kanji) keep the rule.
    learned_page = len(_KANA.findall(text[:200_000])) < han * _MAX_KANA_SHARE
    root = parse_html(text)
    page = read_page_meta(root)
    # Only mirrors label original links, always in Chinese: skip the anchor walk on other pages.
    original, repost_outlets = _original_links(root) if _CREDIT_CUES.search(text) else (None, [])
    draft = Draft(format="mirror-html" if mirror else "site-html", original_url=original)
    draft.outlet_hints.extend(repost_outlets)
    draft.tags = page.tags
    draft.language_hint = page.language
    draft.capture_url = _capture_url(text)
    if not mirror and page.canonical and not _is_mirror_host(page.canonical):
        # A saved page's canonical link is the outlet's own address for the story.
        draft.original_url = draft.original_url or page.canonical
    draft.title = _heading_title(root) if mirror else best_title(page)
    if _is_english(root):
        # Ordinary English news pages: the generic main-content decision is trafilatura's.
        draft.published_hints.extend(page.published)
        draft.blocks = generic_blocks(root)
        draft.authors = [a for a in page.authors if a]
        if page.site_name:
            draft.site_names.append(page.site_name)
        return draft
    clean_page(root, None if learned_page else False)
    draft.published_hints.extend(page.published)
    for line in _page_lines(root):
        editor = _EDITOR_ANYWHERE.search(line)
        if editor:
            draft.editor = editor["name"].strip()
            break
    found = read_region(root, draft.title, learned_page)
    region = found.element
    draft.confidence = found.confidence
    if region is not None:
        header = _before_region(root, region)
        date_line = _header_date(header)
        if date_line:
            draft.published_hints.append(date_line)
        for line in header:
            source = _SOURCE_ANYWHERE.search(line)
            if source:
                draft.outlet_hints.append(source["name"].strip())
    if page.site_name:
        draft.site_names.append(page.site_name)
    if page.doc_title:
        parts = [p for p in re.split(r"\s*[|｜_\-–—]\s*", page.doc_title) if p]
        if len(parts) > 1:
            draft.site_names.append(parts[-1])
    draft.blocks, draft.images = found.blocks, found.images
    if region is None or found.method == "generic":
        return draft
    if draft.title is None:
        draft.title = _heading_title(region)
    # Mirror pages put the share block inside the region: nothing after it is the article's.
    for i, block in enumerate(draft.blocks):
        if SHARE_START.search(block):
            draft.blocks = draft.blocks[:i]
            break
    return draft
