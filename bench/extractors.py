"""The extractors under test: how each one is called and how its output maps to the gold fields.

Every adapter is built inside its own worker subprocess (see `extraction.py`), so this module
imports only the standard library at the top: a tool's imports are made by its `build()` and
count toward that worker's memory alone.

An adapter is a callable `(capture, name) -> Prediction`. The whole call is timed, including the
small step that turns the tool's output into body blocks and fields, because a user who wants
the article's text and fields has to do that step too (for readability it means walking the
summary HTML, which is real work).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal


@dataclass(slots=True)
class Prediction:
    """One extractor's answer for one capture, in the field names of GOLD-SPEC.md."""

    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    authors: list[str] = field(default_factory=list)
    editor: str | None = None
    original_url: str | None = None
    body: list[str] = field(default_factory=list)


Extract = Callable[[Any, str], Prediction]


@dataclass(frozen=True, slots=True)
class Spec:
    """An extractor: its name on the command line, what it is fed, and which fields it can fill."""

    name: str
    dist: str  # distribution whose version is reported
    wants: Literal["bytes", "text"]  # newsdesk decodes captures itself; the peers take a str
    fields: frozenset[str]  # gold fields the adapter maps; the others are shown as "–", not scored
    build: Callable[[], Extract]
    note: str


# ---------------------------------------------------------------------------------------------
# Output → gold shape. The peers return text (or HTML) and loosely typed metadata; these helpers
# map it as favourably as the gold spec allows, so a peer is not marked wrong on formatting.

_SPACE = re.compile(r"\s+")
_DAY = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


def text_blocks(text: str | None) -> list[str]:
    """Split plain-text output into blocks on newlines, whitespace collapsed as in the gold."""
    if not text:
        return []
    return [block for line in text.splitlines() if (block := _SPACE.sub(" ", line).strip())]


def iso_day(value: object) -> str | None:
    """A date or datetime, or a string holding one ("2023-02-21 10:00", "2023年2月21日"), as YYYY-MM-DD."""
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    if not value:
        return None
    m = _DAY.search(str(value))
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def author_list(value: str | list[str] | None) -> list[str]:
    """trafilatura joins several authors with "; "; GNE gives one string; newspaper a list."""
    if not value:
        return []
    names = value if isinstance(value, list) else str(value).split(";")
    return [name.strip() for name in names if name and name.strip()]


_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})


def html_blocks(fragment: str) -> list[str]:
    """Text of an HTML fragment cut at block-element boundaries (readability returns HTML, not text).

    Text sitting directly in a <div> is kept too: readability often leaves paragraphs as bare
    text between <br>s, and dropping it would understate its recall.
    """
    from lxml import etree
    from lxml import html as lxml_html

    if not fragment or not fragment.strip():
        return []
    root = lxml_html.fromstring(fragment)
    blocks: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = _SPACE.sub(" ", "".join(buffer)).strip()
        if text:
            blocks.append(text)
        buffer.clear()

    for event, element in etree.iterwalk(root, events=("start", "end")):
        is_element = isinstance(element.tag, str)  # comments and processing instructions are not
        if event == "start":
            if is_element and element.tag in _BLOCK_TAGS:
                flush()
            if is_element and element.text:
                buffer.append(element.text)
        else:
            if is_element and element.tag in _BLOCK_TAGS:
                flush()
            if element.tail:
                buffer.append(element.tail)
    flush()
    return blocks


# ---------------------------------------------------------------------------------------------
# The adapters.


def _newsdesk() -> Extract:
    from newsdesk.extract import extract_capture

    def run(data: bytes, name: str) -> Prediction:
        article = extract_capture(data, name)
        return Prediction(
            title=article.title, published=article.published, outlet=article.outlet,
            authors=list(article.authors), editor=article.editor, original_url=article.original_url,
            body=list(article.body),
        )

    return run


def _trafilatura() -> Extract:
    import trafilatura

    def run(html: str, name: str) -> Prediction:
        # One bare_extraction call yields the body and the metadata from a single parse; calling
        # extract() and extract_metadata() separately would parse twice and slow trafilatura down
        # for no better output. (extract(with_metadata=True) is no use: it puts a YAML header into
        # the text.)
        doc = trafilatura.bare_extraction(html, include_comments=False, with_metadata=True)
        if doc is None or isinstance(doc, dict):
            return Prediction()
        # extract() NFC-normalises its text as the last step; bare_extraction does not.
        text = unicodedata.normalize("NFC", doc.text or "")
        return Prediction(
            title=doc.title or None, published=iso_day(doc.date), outlet=doc.sitename or None,
            authors=author_list(doc.author), original_url=doc.url or None, body=text_blocks(text),
        )

    return run


def _trafilatura_body() -> Extract:
    import trafilatura

    def run(html: str, name: str) -> Prediction:
        # The call most users make, body text only: the strictest speed baseline for trafilatura.
        return Prediction(body=text_blocks(trafilatura.extract(html, include_comments=False)))

    return run


def _readability() -> Extract:
    from readability import Document

    def run(html: str, name: str) -> Prediction:
        doc = Document(html)  # not re-entrant: one Document per page, as its docstring says
        return Prediction(title=doc.short_title() or None, body=html_blocks(doc.summary()))

    return run


def _gne() -> Extract:
    from gne import GeneralNewsExtractor
    from gne.exceptions import NoContentException

    extractor = GeneralNewsExtractor()  # stateless between pages; built once like a user would

    def run(html: str, name: str) -> Prediction:
        try:
            result = extractor.extract(html)
        except NoContentException:
            # GNE's documented "no article here" answer: an empty prediction, not a crash.
            return Prediction()
        author = result.get("author")
        return Prediction(
            title=result.get("title") or None, published=iso_day(result.get("publish_time")),
            authors=[author.strip()] if author and author.strip() else [],
            body=text_blocks(result.get("content")),
        )

    return run


_DUMMY_URL = "http://example.com"


def _newspaper() -> Extract:
    import newspaper

    config = newspaper.Config()
    # The default (True) downloads candidate images over the network to pick a top image;
    # a benchmark of parsing must not fetch anything. Meta-refresh following is off by default.
    config.fetch_images = False

    def run(html: str, name: str) -> Prediction:
        article = newspaper.Article(url=_DUMMY_URL, config=config)
        article.download(input_html=html)
        article.parse()
        canonical = article.canonical_link
        return Prediction(
            title=article.title or None, published=iso_day(article.publish_date),
            outlet=article.meta_site_name or None, authors=author_list(list(article.authors)),
            original_url=canonical if canonical and canonical.rstrip("/") != _DUMMY_URL else None,
            body=text_blocks(article.text),
        )

    return run


def _resiliparse() -> Extract:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    def run(html: str, name: str) -> Prediction:
        # Parse once and hand the tree to extract_plain_text (it accepts a tree or a str), so the
        # <title> costs no second parse.
        tree = HTMLTree.parse(html)
        text = extract_plain_text(tree, main_content=True)
        return Prediction(title=tree.title or None, body=text_blocks(text))

    return run


_META = frozenset({"title", "published", "outlet", "authors", "original_url"})

SPECS: tuple[Spec, ...] = (
    Spec("newsdesk", "newsdesk", "bytes", frozenset({*_META, "editor"}), _newsdesk,
         "extract_capture(raw bytes, name)"),
    Spec("trafilatura", "trafilatura", "text", _META, _trafilatura,
         "bare_extraction(html, include_comments=False, with_metadata=True)"),
    Spec("trafilatura-body", "trafilatura", "text", frozenset(), _trafilatura_body,
         "extract(html, include_comments=False): body only"),
    Spec("readability", "readability-lxml", "text", frozenset({"title"}), _readability,
         "Document(html).summary() → block text; .short_title()"),
    Spec("gne", "gne", "text", frozenset({"title", "published", "authors"}), _gne,
         "GeneralNewsExtractor().extract(html)"),
    Spec("newspaper4k", "newspaper4k", "text", _META, _newspaper,
         "Article(url=dummy, fetch_images=False).download(input_html=html).parse()"),
    Spec("resiliparse", "resiliparse", "text", frozenset({"title"}), _resiliparse,
         "extract_plain_text(HTMLTree.parse(html), main_content=True); tree.title"),
)

BY_NAME = {spec.name: spec for spec in SPECS}
