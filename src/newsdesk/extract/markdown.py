"""Markdown (with embedded HTML, as mirrors and blog exporters write it) to an HTML tree."""

from __future__ import annotations

from lxml import html
from markdown_it import MarkdownIt

from newsdesk.extract.html_tree import parse_html

# Indented code blocks are off: mirrors indent prettified HTML, which is never code.
_MD = MarkdownIt("commonmark", {"html": True, "linkify": False}).disable("code")


def markdown_to_tree(text: str) -> html.HtmlElement:
    return parse_html(f"<html><body>{_MD.render(text)}</body></html>")
