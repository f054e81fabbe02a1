"""Which element of a page holds the article, and its text blocks.

`read_region` is the decision: the learned model of `learned.py` when the package ships one
(`data/region_model.json`), with trafilatura as the second opinion when the model is unsure;
otherwise the rule below.

The rule, `find_region`: each paragraph-like element votes for its parent (fully) and
grandparent (half) with a score that rewards running prose (CJK and Latin sentence
punctuation, length) and punishes link text. The best-voted element, with link-heavy pages
discounted, is the article region. This is the decision readability and GNE make.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import trafilatura
from lxml import etree, html

from newsdesk.extract import learned
from newsdesk.extract.blocks import extract_blocks, extract_sourced_blocks, text_blocks
from newsdesk.extract.dates import YMD_CN, YMD_NUMERIC
from newsdesk.extract.html_tree import clean_tree
from newsdesk.model import Image

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


# Below this density score a page has no clear article element; the generic extractor decides.
_MIN_REGION_SCORE = 8.0
# Credit and source lines are read by the pipeline (editor, outlet) even though they are not body:
# the block model never prunes them.
_CREDIT_LINE = re.compile(
    r"^[\s（(【\[]*(?:责任编辑|責任編輯|编辑|編輯|责编|責編|主编|主編|来源|來源|稿源|作者|记者|記者|撰稿|审稿|審稿|"
    r"原标题|原標題|文|图|圖|摄影|攝影|出处|出處)\s*[:：︰｜|/／]"
)
# Header lines (date, credits) above the article are short.
_HEADER_LINE = 60
# Two bodies agree when this share of their character bigrams is shared (Dice).
_AGREEMENT = 0.6


@dataclass(slots=True)
class Region:
    """The article part of a page: its element (None when the generic extractor decided), blocks, images."""

    element: html.HtmlElement | None
    blocks: list[str] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    # How sure the extractor is that `blocks` are the article's, 0..1; None for the rule.
    confidence: float | None = None
    method: str = "rule"


def clean_page(root: html.HtmlElement, for_model: bool | None = None) -> html.HtmlElement:
    """The page tree the region is chosen from, cleaned in place.

    With the model, a page keeps its `<form>` wrappers (ASP.NET pages hold the whole body in one)
    and its elements named like furniture (`print`, `ads-float`): their names are features the
    model weighs, not a verdict, and a whole article sat under such names on some sites.
    """
    if not (active_model() is not None if for_model is None else for_model):
        return clean_tree(root)
    etree.strip_tags(root, "form")
    return clean_tree(root, drop_junk_containers=False)


def generic_blocks(root: html.HtmlElement) -> list[str]:
    """trafilatura's reading of the page (it works on its own copy of the tree)."""
    text = trafilatura.extract(root, include_comments=False, include_tables=True, favor_precision=False, deduplicate=False)
    return text_blocks(text)


def _second_opinion(root: html.HtmlElement) -> list[str]:
    text = trafilatura.extract(root, include_comments=False, include_tables=True, fast=True, deduplicate=False)
    return text_blocks(text)


_OVERRIDE: list[learned.RegionModel | None] = []


@contextmanager
def using_model(model: learned.RegionModel | None) -> Iterator[None]:
    """Extract with another model (None: the rule) inside the block; for evaluation and training."""
    _OVERRIDE.append(model)
    try:
        yield
    finally:
        _OVERRIDE.pop()


# The model decides only when asked (NEWSDESK_REGION=model): it beats the rule leave-one-site-out on
# the training sites (bench/RESULTS.md) but not on the corpus's held-out sites, where flash items
# next to a long recommended article fooled it. Until it does, the density rule is the default.
_MODEL_ON = os.environ.get("NEWSDESK_REGION", "rule") == "model"


def active_model() -> learned.RegionModel | None:
    if _OVERRIDE:
        return _OVERRIDE[-1]
    return learned.load_model() if _MODEL_ON else None


def _rule_region(root: html.HtmlElement) -> Region:
    region, score = find_region(root)
    if region is None or score < _MIN_REGION_SCORE:
        return Region(region, generic_blocks(root), method="generic")
    blocks, images = extract_blocks(region, base_url=None)
    return Region(region, blocks, images)


def _bigram_counts(blocks: list[str]) -> Counter[str]:
    text = learned.fold("".join(blocks))
    return Counter(text[i : i + 2] for i in range(len(text) - 1))


def agreement(a: list[str], b: list[str]) -> float:
    """Dice overlap of two bodies' character bigrams (0 when either is empty)."""
    ca, cb = _bigram_counts(a), _bigram_counts(b)
    size = sum(ca.values()) + sum(cb.values())
    return 2 * sum((ca & cb).values()) / size if size else 0.0


def _kept_blocks(blocks: list[str], keep: list[bool]) -> list[str]:
    """The blocks the block model keeps, plus the lines the pipeline still has to read.

    Credit and source lines name the editor and the outlet; a short dated line above the article
    (`發佈時間: 2020/08/07`) is its date. Neither is body, and the pipeline removes both, but
    only if they reach it. Pruning thins a region, never empties it: a flash item's only block may
    be its headline, and a region pruned down to its credit lines was a doubtful verdict.
    """
    if not any(keep):
        # The model found no prose at all in its own region: it is unsure, not the page empty.
        return blocks
    first = keep.index(True)
    kept = [
        b for i, (b, k) in enumerate(zip(blocks, keep, strict=True))
        if k or _CREDIT_LINE.match(b) or (i < first and len(b) <= _HEADER_LINE and (YMD_NUMERIC.search(b) or YMD_CN.search(b)))
    ]
    return kept


def _model_region(root: html.HtmlElement, title: str | None, model: learned.RegionModel) -> Region:
    view = learned.PageView(root, title)
    if model.rule_first:
        element, score = find_region(root)
        if element is not None and score >= _MIN_REGION_SCORE and element in view.index:
            # The rule is sure: its region, as the rule reads it; the model only says how sure it is.
            at = view.index[element]
            confidence = model.region.predict(learned.region_features(view, at))
            blocks, images = extract_blocks(element, base_url=None)
            return Region(element, blocks, images, min(max(confidence, 0.0), 1.0), "rule")
    choice = learned.choose_region(view, model)
    found = Region(None, confidence=0.0, method="model")
    if choice is not None:
        blocks, sources, images = extract_sourced_blocks(choice.element, base_url=None)
        keep = learned.keep_blocks(view, choice, model, blocks, sources)
        kept = _kept_blocks(blocks, keep)
        found = Region(choice.element, kept, images, min(max(choice.score, 0.0), 1.0), "model")
    if choice is None:
        # Every text on the page is link text (menus, lists): there is no article to give.
        return found
    if found.confidence is not None and found.confidence >= model.min_confidence and found.blocks:
        return found
    # Unsure (or nothing found): trafilatura's reading is the second opinion (its fast mode: this
    # is one vote of two, and its own fallbacks would cost more than the whole model).
    second = _second_opinion(root)
    if not found.blocks:
        return Region(found.element, second, [], 0.5 if second else 0.0, "generic")
    if not second:
        return found
    agree = agreement(found.blocks, second)
    if agree >= _AGREEMENT:
        found.confidence = max(found.confidence or 0.0, agree)
        return found
    return Region(found.element, second, [], found.confidence, "generic")


def read_region(root: html.HtmlElement, title: str | None, learned_page: bool = True) -> Region:
    """The article region of a cleaned page and its blocks: by the shipped model, else by the rule.

    `learned_page` False: a page unlike those the model learned from; the rule decides.
    """
    model = active_model() if learned_page else None
    if model is None:
        return _rule_region(root)
    return _model_region(root, title, model)
