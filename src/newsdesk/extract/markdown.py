"""Markdown (with embedded HTML, as mirrors and blog exporters write it) to an HTML tree."""

from __future__ import annotations

import re

from lxml import html
from markdown_it import MarkdownIt

from newsdesk.extract.html_tree import parse_html
from newsdesk.extract.nesting import flatten_markdown_nesting

# Indented code blocks are off: mirrors indent prettified HTML, which is never code.
_MD = MarkdownIt("commonmark", {"html": True, "linkify": False}).disable("code")


# Markdown constructs at the start of a line; without any, a mirror's article is plain HTML. A link's text may
# hold a bracketed rubric of its own (`[[兩岸] 標題](…)`, `[[冷戰物語]標題](…)`: feeds of rti.org.tw and matters.news).
_MARKDOWN_LINE = re.compile(
    r"^[ \t]{0,3}(?:#{1,6}\s|[-*+]\s|\d{1,9}[.)]\s|!\[|\[(?:[^\[\]\n]|\[[^\[\]\n]*\])*\]\(|>\s?\S|\*\*|__|```|\|)", re.M
)
_PARAGRAPH_TAG = re.compile(r"<(?:p|div|br|table|li|h[1-6])\b", re.I)


def _is_plain_html(text: str) -> bool:
    """HTML with no markdown in it (the article part of most mirror pages): parsing it
    directly gives the blocks the renderer would, at a fraction of the cost."""
    return not _MARKDOWN_LINE.search(text) and bool(_PARAGRAPH_TAG.search(text))


def markdown_to_tree(text: str) -> html.HtmlElement:
    # markdown-it drops the text below its nesting limit, and all that follows it: flatten first.
    text = flatten_markdown_nesting(text)
    if _is_plain_html(text):
        return parse_html(f"<html><body>{text}</body></html>")
    return parse_html(f"<html><body>{_MD.render(text)}</body></html>")
