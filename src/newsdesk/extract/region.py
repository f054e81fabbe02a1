"""Which element of a page holds the article: text density over paragraphs.

Each paragraph-like element votes for its parent (fully) and grandparent (half) with
a score that rewards running prose (CJK and Latin sentence punctuation, length) and
punishes link text. The best-voted element, with link-heavy pages discounted, is the
article region. This is the decision readability and GNE make, tuned for Chinese prose.
"""

from __future__ import annotations

import re

from lxml import html

_SENTENCE_PUNCT = re.compile(r"[，。！？；：、“”「」,.!?;]")
_PARAGRAPH_TAGS = frozenset({"p", "pre", "blockquote", "h2", "h3", "h4", "li", "td", "div", "section", "font", "span"})
_NEGATIVE = re.compile(
    r"comment|footer|foot|sidebar|side|related|recommend|hot|rank|nav|menu|header|banner|copyright|share|"
    r"promo|sponsor|widget|links|list|tags|breadcrumb|author-info|login",
    re.I,
)
_POSITIVE = re.compile(r"article|content|text|body|post|entry|story|detail|main|con|news|zw|artibody", re.I)


def _own_text(el: html.HtmlElement) -> str:
    """Text of the element excluding nested block paragraphs (so a div is not counted twice)."""
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and child.tag in {"p", "div", "table", "ul", "ol", "section"}:
            parts.append(child.tail or "")
        else:
            parts.append(child.text_content() if isinstance(child.tag, str) else "")
            parts.append(child.tail or "")
    return "".join(parts)


def _link_text_len(el: html.HtmlElement) -> int:
    return sum(len(a.text_content()) for a in el.iter("a"))


def _class_weight(el: html.HtmlElement) -> float:
    names = f"{el.get('id') or ''} {el.get('class') or ''}"
    weight = 0.0
    if _NEGATIVE.search(names):
        weight -= 0.5
    if _POSITIVE.search(names):
        weight += 0.25
    return weight


def find_region(root: html.HtmlElement) -> tuple[html.HtmlElement | None, float]:
    """The element most likely to be the article body, and its score (0 when none)."""
    scores: dict[html.HtmlElement, float] = {}
    body = root.find("body")
    if body is None:
        body = root
    for el in body.iter(*_PARAGRAPH_TAGS):
        text = _own_text(el).strip()
        if len(text) < 20:
            continue
        links = sum(len(a.text_content()) for a in el if isinstance(a.tag, str) and a.tag == "a")
        if links > len(text) * 0.5:
            continue
        score = 1.0 + len(_SENTENCE_PUNCT.findall(text)) + min(len(text) / 100.0, 3.0)
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    best, best_score = None, 0.0
    for el, score in scores.items():
        total = len(el.text_content()) or 1
        link_density = _link_text_len(el) / total
        adjusted = score * (1.0 - link_density) * (1.0 + _class_weight(el))
        if adjusted > best_score:
            best, best_score = el, adjusted
    return best, best_score
