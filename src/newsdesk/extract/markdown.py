"""Markdown (with embedded HTML, as mirrors and blog exporters write it) to an HTML tree."""

from __future__ import annotations

import re

from lxml import html
from markdown_it import MarkdownIt

from newsdesk.extract.html_tree import parse_html

# Indented code blocks are off: mirrors indent prettified HTML, which is never code.
_MD = MarkdownIt("commonmark", {"html": True, "linkify": False}).disable("code")


# markdown-it stops nesting blocks at its limit and drops the text below it; flatten deep quotes first.
_DEEP_QUOTE = re.compile(r"^[ \t]*(?:>[ \t]*){16,}", re.M)
_DEEP_LIST = re.compile(r"^[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+){16,}", re.M)


def markdown_to_tree(text: str) -> html.HtmlElement:
    text = _DEEP_LIST.sub("- ", _DEEP_QUOTE.sub("> ", text))
    return parse_html(f"<html><body>{_MD.render(text)}</body></html>")
