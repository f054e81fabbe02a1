"""Metadata a web page states about itself: JSON-LD, `og:`/`article:` meta, `<time>`, title, canonical URL.

Structure first: what a page declares in JSON-LD (`NewsArticle` and kin, inside `@graph` or lists)
and in its meta tags outranks what the text around the article suggests.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree, html

from newsdesk.extract.blocks import collapse
from newsdesk.extract.dates import names_publication

# Publication stamps, most specific first.
_DATE_META = (
    "article:published_time", "og:article:published_time", "article:published", "datepublished",
    "pubdate", "publishdate", "publish_date", "publish-date", "publishtime", "publish_time", "ptime", "pubtime",
    "dc.date.issued", "dc.date", "dcterms.created", "dcterms.date", "sailthru.date", "parsely-pub-date",
    "weibo:article:create_at", "og:release_date", "article.published", "release_date", "cxenseparse:recs:publishtime",
)
# Stamps that are only as good as nothing better: a generic `date`, creation and update times.
_WEAK_DATE_META = ("date", "created", "dateupdate", "datemodified", "article:modified_time", "og:updated_time", "lastmod")
# The site's own name, first found wins. The app-link metas (`al:ios:app_name`) name the site's app: its brand
# on 8world.com, hk01.com, hket.com, i-cable.com, now.com, tvb.com (corpus train, corpus-fresh 1-2), a slogan cut
# off (`有線新聞 - 新聞、財經及生活資訊平台`); only a page without the other three is read by them.
_SITE_META = (
    "og:site_name", "application-name", "apple-mobile-web-app-title", "al:ios:app_name", "al:android:app_name",
)
_AUTHOR_META = ("article:author", "author", "dc.creator", "byl", "sailthru.author", "parsely-author", "og:article:author")
_TAG_META = ("keywords", "news_keywords", "article:tag")
# schema.org microdata: an article's author declared a Person (`<div itemprop="author" itemscope
# itemtype="http://schema.org/Person"><meta itemprop="name" content="X">`), as explicit as JSON-LD's.
# The cheap test first: most elements carry no @itemtype, and the string tests ran on every one (a third of the time).
_MICRODATA_PERSON_NAMES = etree.XPath(
    "//*[@itemtype][contains(@itemtype, 'Person')][contains(concat(' ', normalize-space(@itemprop), ' '), ' author ')]"
    "//*[@itemprop='name']"
)
_ARTICLE_TYPES = re.compile(r"Article|Posting|Report|NewsArticle", re.IGNORECASE)
# Site suffixes: `headline_频道_网站`, `headline | Site`, `headline-新华网`, `headline--文化--人民网`. A hyphen
# splits only next to a space or a non-ASCII character (`COVID-19` stays whole).
_TITLE_SPLIT = re.compile(r"\s*(?:[|｜_–—]|：：|::)\s*|\s+-+\s*|\s*-+\s+|(?<=[^\x00-\x7f])-+|-+(?=[^\x00-\x7f])")
# A logo or masthead heading: its own class says so, or it only links home.
_LOGO = re.compile(r"logo|brand|masthead|site-?name|site-?title", re.IGNORECASE)


_SUBHEADINGS = etree.XPath(
    "//h2|//h3|//*[contains(@class,'title') or contains(@class,'Title') or contains(@id,'title')][not(self::title)]"
)


@dataclass(slots=True)
class PageMeta:
    title: str | None = None
    headline: str | None = None
    headings: list[str] = field(default_factory=list)
    # Other headline-like texts (h2, h3, elements named *title*), for pages without an `<h1>` headline: see
    # `subheadings`.
    _subheadings: list[str] | None = None
    _tree: html.HtmlElement | None = field(default=None, repr=False, compare=False)
    doc_title: str | None = None
    published: list[str] = field(default_factory=list)
    weak_published: list[str] = field(default_factory=list)
    site_name: str | None = None
    publisher: str | None = None
    # Person names from JSON-LD; names from author meta tags (less reliable: often the site).
    ld_authors: list[str] = field(default_factory=list)
    meta_authors: list[str] = field(default_factory=list)
    canonical: str | None = None
    # `<meta name="copyright">`: often the site's name (`聯合新聞網`, `证券时报网版权所有`), often its company.
    copyright: str | None = None
    tags: list[str] = field(default_factory=list)
    # The channel the page files the article under (`article:section`, JSON-LD `articleSection`).
    sections: list[str] = field(default_factory=list)
    language: str | None = None

    @property
    def subheadings(self) -> list[str]:
        """Read from the page's tree when first asked, which must be before the tree is cleaned: only pages
        whose `<h1>` does not agree with their title ask (a fifth of them), and the XPath walk is ~1 ms."""
        if self._subheadings is None:
            self._subheadings = _read_subheadings(self._tree) if self._tree is not None else []
            self._tree = None
        return self._subheadings

    @property
    def heading(self) -> str | None:
        return self.headings[0] if self.headings else None

    @property
    def authors(self) -> list[str]:
        return self.ld_authors or self.meta_authors

    def site_names(self) -> list[str]:
        return [n for n in (self.site_name, self.publisher) if n]


def _meta_map(root: html.HtmlElement) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or meta.get("http-equiv") or "").lower()
        value = meta.get("content")
        if key and value and value.strip() and key not in found:
            found[key] = value.strip()
    return found


_YEAR = re.compile(r"(?:19|20)\d\d")


def _meta_named_stamps(meta: dict[str, str]) -> list[str]:
    """Stamps in meta tags the lists above do not name, whose name says publication (data/dates.toml):
    CMS-specific keys (`firstpublishedtime`, `datecreated`, `date.available`) on sites never seen."""
    listed = set(_DATE_META) | set(_WEAK_DATE_META)
    found = []
    for key, value in meta.items():
        if key in listed or not names_publication(key):
            continue
        if _YEAR.search(value) and len(value) <= 40:
            found.append(value)
    return found


def _json_ld(root: html.HtmlElement) -> list[dict]:
    return _ld_items(
        script.text for script in root.iter("script")
        if (script.get("type") or "").lower() == "application/ld+json" and script.text
    )


def _ld_items(scripts: Iterable[str]) -> list[dict]:
    """Every object of the JSON-LD scripts, lists and `@graph`s unrolled."""
    items: list[dict] = []
    for script in scripts:
        try:
            data = json.loads(script.strip().rstrip(";"))
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(reversed(node))
            elif isinstance(node, dict):
                items.append(node)
                if "@graph" in node:
                    stack.append(node["@graph"])
    return items


def _types(item: dict) -> list[str]:
    kind = item.get("@type", "")
    return [str(k) for k in kind] if isinstance(kind, list) else [str(kind)]


def _ld_names(value: object, want_person: bool) -> list[str]:
    """Names of a JSON-LD author/publisher value: a string, an object, or a list of either."""
    names: list[str] = []
    for node in value if isinstance(value, list) else [value]:
        if isinstance(node, str):
            names.append(node)
        elif isinstance(node, dict):
            kinds = _types(node)
            if want_person and any("Organization" in k or "Organisation" in k for k in kinds):
                continue
            name = node.get("name")
            # schema.org allows several values for any property: `"name": ["马克·洛伊滕艾格"]` (swissinfo.ch).
            for value in name if isinstance(name, list) else [name]:
                if isinstance(value, str):
                    names.append(value)
    return [collapse(n) for n in names if n and n.strip() and not n.strip().startswith("http")]


def _is_logo(el: html.HtmlElement) -> bool:
    for node in (el, *el.iterancestors()):
        if _LOGO.search(f"{node.get('id') or ''} {node.get('class') or ''}"):
            return True
        if node.tag in {"header", "nav", "body"}:
            break
    links = list(el.iter("a"))
    return len(links) == 1 and (links[0].get("href") or "").rstrip("/") in {"", "/", ".", "./", "index.html"}


def _read_subheadings(root: html.HtmlElement) -> list[str]:
    texts = []
    for el in _SUBHEADINGS(root)[:60]:
        text = collapse(el.text_content())
        if 6 <= len(text) <= 120:
            texts.append(text)
    return texts


def read_page_meta(root: html.HtmlElement, source: str | None = None) -> PageMeta:
    """Read before the tree is cleaned: scripts hold JSON-LD, the head holds meta. `source`: the page's
    markup, when the caller has it; a page whose markup never says `itemtype` holds no microdata to look for."""
    meta = _meta_map(root)
    page = PageMeta()
    for key in ("og:title", "twitter:title", "title", "dc.title"):
        if meta.get(key):
            page.title = collapse(meta[key])
            break
    title_el = root.find(".//title")
    if title_el is not None and title_el.text_content().strip():
        page.doc_title = collapse(title_el.text_content())
    for h1 in root.iter("h1"):
        text = collapse(h1.text_content())
        if 4 <= len(text) <= 200 and not _is_logo(h1):
            page.headings.append(text)
    page._tree = root
    # Dublin Core's rights holder says the same as the copyright meta (ettoday.net, ltn.com.tw: the site's name).
    page.copyright = meta.get("copyright") or meta.get("dcterms.rightsholder")
    for key in _DATE_META:
        if meta.get(key):
            page.published.append(meta[key])
    for key in _WEAK_DATE_META:
        if meta.get(key):
            page.weak_published.append(meta[key])
    named = _meta_named_stamps(meta)
    if named:
        # Never-listed meta names that say publication (`firstpublishedtime`, `date.available`): weak stamps,
        # ahead of update times.
        page.weak_published[:0] = named
    for time_el in root.iter("time"):
        stamp = time_el.get("datetime") or ""
        if stamp.strip():
            # `<time pubdate>` or `itemprop=datePublished` marks the article's own; any other is a hint.
            own = time_el.get("pubdate") is not None or (time_el.get("itemprop") or "").lower() == "datepublished"
            (page.published if own else page.weak_published).append(stamp.strip())
    for key in _SITE_META:
        if meta.get(key):
            page.site_name = collapse(meta[key])
            break
    for key in _AUTHOR_META:
        value = meta.get(key)
        if value and not value.startswith("http"):
            page.meta_authors = [collapse(value)]
            break
    for key in _TAG_META:
        if meta.get(key):
            page.tags = [t.strip() for t in re.split(r"[,，;；、]", meta[key]) if t.strip()]
            break
    if meta.get("article:section"):
        page.sections.append(collapse(meta["article:section"]))
    _read_json_ld(root, page)
    if page.ld_authors:
        # A JSON-LD Person the page never prints is the publishing system's account (the web editor who
        # filed it: dotdotnews.com, atvnewsonline.com), not a byline. Microdata and meta tags are read as before.
        # The page's text less its scripts' and styles' (which hold the JSON-LD itself): four times cheaper
        # than joining every visible text node.
        text = root.text_content()
        unseen = [el.text for el in root.iter("script", "style") if el.text]
        page.ld_authors = [a for a in page.ld_authors if _printed(a, text, unseen)]
    if not page.ld_authors and (source is None or "itemtype" in source):
        # A substring test of the markup costs a twentieth of the XPath walk over every element.
        page.ld_authors = _microdata_authors(root, page)
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and (link.get("href") or "").startswith("http"):
            page.canonical = link.get("href")
            break
    if not page.canonical and (meta.get("og:url") or "").startswith("http"):
        page.canonical = meta["og:url"]
    html_el = root if root.tag == "html" else root.find(".//html")
    if html_el is not None and html_el.get("lang"):
        page.language = html_el.get("lang")
    return page


# A script's or style's text is its child: parent:: says as much as ancestor:: here, for less.
VISIBLE_TEXTS = etree.XPath("//text()[not(parent::script) and not(parent::style)]")


def _printed(author: str, text: str, unseen: list[str]) -> bool:
    """Whether the page prints an author value, or a part of one (`李立達／台北`, `胡欣男、新聞透視`): found in its
    text more often than in its scripts and styles (`unseen`), which that text includes."""
    return any(
        len(part) >= 2 and text.count(part) > sum(hidden.count(part) for hidden in unseen)
        for part in re.split(r"[^\w·‧ .'-]+", author)
    )


def _read_json_ld(root: html.HtmlElement, page: PageMeta) -> None:
    stamps: list[str] = []
    for item in _json_ld(root):
        kinds = _types(item)
        if not any(_ARTICLE_TYPES.search(k) for k in kinds):
            if not page.publisher and any("Organization" in k or k == "WebSite" for k in kinds):
                names = _ld_names(item, want_person=False)
                page.publisher = names[0] if names else None
            continue
        for key in ("datePublished", "dateCreated", "uploadDate"):
            if isinstance(item.get(key), str) and item[key].strip():
                stamps.append(item[key].strip())
                break
        if isinstance(item.get("dateModified"), str):
            page.weak_published.append(item["dateModified"])
        section = item.get("articleSection")
        for value in section if isinstance(section, list) else [section]:
            if isinstance(value, str) and value.strip():
                page.sections.append(collapse(value))
        if not page.headline and isinstance(item.get("headline"), str):
            page.headline = collapse(item["headline"])
        if not page.ld_authors and item.get("author"):
            page.ld_authors = _ld_names(item["author"], want_person=True)
        publisher = _ld_names(item.get("publisher"), want_person=False) if item.get("publisher") else []
        if publisher:
            page.publisher = publisher[0]
        if not page.canonical:
            for key in ("mainEntityOfPage", "url"):
                value = item.get(key)
                if isinstance(value, dict):
                    value = value.get("@id") or value.get("url")
                if isinstance(value, str) and value.startswith("http"):
                    page.canonical = value
                    break
    page.published[:0] = stamps
    # An author named like the publisher is the site, not a writer.
    site = {_fold(n) for n in page.site_names()}
    page.ld_authors = [a for a in page.ld_authors if not _names_the_site(_fold(a), site)]


def _names_the_site(author: str, site_names: set[str]) -> bool:
    """An author that is the site's name, or its brand inside a bilingual name (`The Witness` in
    `法庭線 The Witness`, seen on thewitnesshk.com): only a Latin brand of four letters or more counts, as a
    Chinese personal name may well be part of a column's or blog's title."""
    if author in site_names:
        return True
    return len(author) >= 4 and author.isascii() and any(author in name and name != author for name in site_names)


def _microdata_authors(root: html.HtmlElement, page: PageMeta) -> list[str]:
    """Names of the Persons microdata declares as the article's authors (the site's own name left out)."""
    site = {_fold(n) for n in page.site_names()}
    names: list[str] = []
    for el in _MICRODATA_PERSON_NAMES(root)[:6]:
        name = collapse(el.get("content") or el.text_content())
        if name and not name.startswith("http") and _fold(name) not in site and name not in names:
            names.append(name)
    return names


def _fold(text: str) -> str:
    return re.sub(r"\W+", "", text).lower()


def strip_site_name(title: str, site_names: list[str]) -> str:
    """`headline_频道_网站`, `headline | Site`: the headline without the site's (and channel's) name."""
    parts = [p for p in _TITLE_SPLIT.split(title) if p.strip()]
    if len(parts) < 2:
        return title
    folded = [_fold(n) for n in site_names if n]
    longest = max(parts, key=len)
    # The headline is the first part unless that is only a short channel or site name.
    head = parts[0]
    if len(head) < 6 or any(f and (f in _fold(head) or _fold(head) in f) for f in folded):
        head = longest
    return head


def _agrees(heading: str, candidate: str) -> bool:
    a, b = _fold(heading), _fold(candidate)
    return bool(a and b) and (a in b or b in a) and min(len(a), len(b)) >= 4


_SITE_WORDS = re.compile(r"(?:官方网站|官方網站|官网|官網|网站|網站|首页|首頁)$")


def best_title(page: PageMeta, site_names: list[str] | None = None) -> str | None:
    """The headline: an `<h1>` that agrees with the meta or document title, else the meta title,
    else the document title, each without the site's name; never the site's name itself."""
    names = [*(site_names or []), *page.site_names()]
    folded_names = {_fold(n) for n in names if n}

    def is_site(text: str) -> bool:
        # `中国地理学会官网`: the site's name calling itself the official site or home page.
        return _fold(text) in folded_names or _SITE_WORDS.sub("", _fold(text)) in folded_names

    candidates = [
        strip_site_name(t, names) for t in (page.title, page.headline, page.doc_title) if t and not is_site(t)
    ]
    for heading in page.headings:
        if is_site(heading):
            continue
        if heading.endswith(("...", "…")):
            # Portals shorten long headlines on the page; the meta title keeps them whole.
            stem = heading.rstrip(".…")
            for cand in candidates:
                if cand.startswith(stem) and len(cand) > len(stem):
                    return cand
        for cand in candidates:
            if _agrees(heading, cand):
                return heading
    raw = [t for t in (page.title, page.headline, page.doc_title) if t]
    best = next((c for c in candidates if c and not is_site(c)), None)
    # A page without an `<h1>` headline still prints it somewhere its title names: the longest such
    # text the document title contains (`栏目--headline`, `headline 来源_网站`).
    printed = [
        sub for sub in page.subheadings
        if len(_fold(sub)) >= 8 and not is_site(sub) and any(_fold(sub) in _fold(r) for r in raw)
        # A text holding the whole title with its site suffix (a share widget's) adds nothing.
        and not (best and _fold(best) in _fold(sub) and len(sub) > len(best))
    ]
    if printed:
        sub = max(printed, key=len)
        if best is None or len(sub) >= 0.6 * len(best):
            return sub
    if best:
        return best
    headings = [h for h in page.headings if not is_site(h)]
    return headings[0] if headings else None


_LD_SCRIPT = re.compile(r"<script[^>]*application/ld\+json[^>]*>(.*?)</script>", re.I | re.S)


def json_ld_authors(markup: str) -> list[str]:
    """The Persons an article's JSON-LD names as its authors, read from the markup without parsing the
    page (the generic reader of pages in other languages never builds a tree)."""
    for item in _ld_items(_LD_SCRIPT.findall(markup)):
        if any(_ARTICLE_TYPES.search(k) for k in _types(item)) and item.get("author"):
            return _ld_names(item["author"], want_person=True)
    return []
