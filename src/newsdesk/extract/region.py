"""Which element of a page holds the article, and its text blocks.

`read_region` is the decision. By default it is the cascade (`_cascade_region`, `cascade_choice`):
the density rule below proposes a region; a very dense one is taken as it is; otherwise the learned
model of `learned.py` proposes its own, and where the two disagree a generic extractor's reading (the
readability port trafilatura ships) arbitrates. `NEWSDESK_REGION=rule|model` lets one decide alone.

The rule, `find_region`: each paragraph-like element votes for its parent (fully) and
grandparent (half) with a score that rewards running prose (CJK and Latin sentence
punctuation, length) and punishes link text. The best-voted element, with link-heavy pages
discounted, is the article region. This is the decision readability and GNE make.
"""

from __future__ import annotations

import copy
import itertools
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import trafilatura
from lxml import etree, html
from trafilatura.readability_lxml import Document as ReadabilityDocument

from newsdesk.extract import learned
from newsdesk.extract.blocks import collapse, extract_blocks, extract_sourced_blocks, text_blocks
from newsdesk.extract.chrome import LIST_HEADING, TAIL_HEADING_ONLY, TAIL_MARKER
from newsdesk.extract.dates import YMD_CN, YMD_NUMERIC
from newsdesk.extract.html_tree import clean_tree
from newsdesk.model import Image

_SENTENCE_PUNCT = re.compile(r"[，。！？；：、“”「」,.!?;]")
# A block that ends a sentence (or a quote closing one).
_SENTENCE_END = re.compile(r"[。！？.!?…」』”\"）)]$")
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
            parts.append(_text_of(child) if isinstance(child.tag, str) else "")
            parts.append(child.tail or "")
    return "".join(parts)


def _text_of(el: html.HtmlElement) -> str:
    """`el.text_content()`; an element without children (most inline ones: links, spans, bold) holds only its
    text, read without the XPath evaluation `text_content` runs."""
    return el.text_content() if len(el) else el.text or ""


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
    body = root.find("body")
    if body is None:
        body = root
    return _densest(body.iter(*_PARAGRAPH_TAGS))


def _densest(
    paragraphs: Iterable[html.HtmlElement], excluded: Container[html.HtmlElement] = frozenset(),
) -> tuple[html.HtmlElement | None, float]:
    """Of the elements holding `paragraphs` (their parents, and at half weight their grandparents; never one
    in `excluded`), the densest in sentences and text, discounted by its links; and its score (0 when none)."""
    scores: dict[html.HtmlElement, float] = {}
    for el in paragraphs:
        text = _own_text(el).strip()
        if len(text) < 20:
            continue
        links = sum(len(_text_of(a)) for a in el if isinstance(a.tag, str) and a.tag == "a")
        if links > len(text) * 0.5:
            continue
        score = 1.0 + len(_SENTENCE_PUNCT.findall(text)) + min(len(text) / 100.0, 3.0)
        parent = el.getparent()
        if parent is None or parent in excluded:
            continue
        scores[parent] = scores.get(parent, 0.0) + score
        grand = parent.getparent()
        if grand is not None and grand not in excluded:
            scores[grand] = scores.get(grand, 0.0) + score / 2
    # The link discount only lowers a score, so elements are visited best bound first and the walk
    # stops once no bound can win: measuring link text is the costly part. Ties go to the element
    # voted for first, as a plain scan in document order would have it.
    bounds = sorted(
        ((score * (1.0 + _class_weight(el)), -order, el, score) for order, (el, score) in enumerate(scores.items())),
        key=lambda item: (item[0], item[1]), reverse=True,
    )
    best, best_score, best_order = None, 0.0, 0
    for bound, neg_order, el, score in bounds:
        if bound < best_score or (bound == best_score and best is not None and -neg_order > best_order):
            break
        total = len(el.text_content()) or 1
        link_density = _link_text_len(el) / total
        adjusted = score * (1.0 - link_density) * (1.0 + _class_weight(el))
        if adjusted > best_score or (adjusted == best_score and best is not None and -neg_order < best_order):
            best, best_score, best_order = el, adjusted, -neg_order
    return best, best_score


# Below this density score a page has no clear article element; the generic extractor decides.
_MIN_REGION_SCORE = 8.0


# Elements that print a headline: heading tags, and the title/headline classes templates give them.
_HEADLINE_TAGS = frozenset({"h1", "h2", "h3"})
_HEADLINE_CLASS = re.compile(r"[Tt]itle|[Hh]eadline")


def _is_headline_element(el: html.HtmlElement) -> bool:
    return isinstance(el.tag, str) and (el.tag in _HEADLINE_TAGS or bool(_HEADLINE_CLASS.search(el.get("class") or "")))


def _preceding(el: html.HtmlElement) -> Iterator[html.HtmlElement]:
    """The elements before `el` in document order, nearest first (its ancestors excluded, as XPath's
    preceding:: has it; walked in Python, which stops where the caller does: the XPath axis does not)."""
    node: html.HtmlElement | None = el
    while node is not None:
        for sibling in node.itersiblings(preceding=True):
            yield from _reversed_subtree(sibling)
        node = node.getparent()


def _reversed_subtree(el: html.HtmlElement) -> Iterator[html.HtmlElement]:
    for child in reversed(el):
        yield from _reversed_subtree(child)
    yield el


def _following(el: html.HtmlElement) -> Iterator[html.HtmlElement]:
    """The elements after `el`'s subtree in document order, nearest first."""
    node: html.HtmlElement | None = el
    while node is not None:
        for sibling in node.itersiblings():
            yield from sibling.iter()
        node = node.getparent()


# How many elements above the region's text its headline is looked for in (a page's headline is a
# few hundred elements above its body at most; walking the whole page back would cost more).
_HEADLINE_REACH = 400
# A headline element prints a line, not a paragraph.
_HEADLINE_CHARS = 80


def _fold_line(el: html.HtmlElement) -> str:
    text = el.text_content()
    return learned.fold(text) if len(text) <= 4 * _HEADLINE_CHARS else ""


def _is_title(folded: str, key: str) -> bool:
    # (A headline element may add a channel or a date to the title: `社會事 大埔五級火｜…`.)
    return bool(folded) and key in folded and len(folded) <= len(key) + 20


def _same_kind(a: html.HtmlElement, b: html.HtmlElement) -> bool:
    return a.tag == b.tag and (a.get("class") or "") == (b.get("class") or "")


def _first_text(region: html.HtmlElement) -> html.HtmlElement:
    for el in region.iter():
        if isinstance(el.tag, str) and len((el.text or "").strip()) >= 20:
            return el
    return region


def headline_story(root: html.HtmlElement, title: str | None, region: html.HtmlElement) -> html.HtmlElement | None:
    """On a page holding several stories, the headline's own story when the densest region is another's.

    Pages that load the next stories below the one asked for, or put other stories' leads beside
    it, print a headline over each body, and the densest body may be another story's. The region is
    another story's when the headline nearest above its text is not the page's headline but one of the
    same kind (the same tag and class: the template's story headline) or a linked one (a teaser's),
    printed below the page's headline. The article is then the densest region between the page's
    headline and the next headline after it, in elements that do not hold that next headline.
    A subheading inside the article, a standfirst or a section heading above it is neither the
    headline's kind nor linked, and a region holding the headline is never another story's.
    """
    key = learned.fold(title or "")
    if len(key) < 4:
        return None
    above = filter(_is_headline_element, itertools.islice(_preceding(_first_text(region)), _HEADLINE_REACH))
    nearest = next(above, None)
    if nearest is None or _is_title(_fold_line(nearest), key):
        return None
    if len(collapse(nearest.text_content())) > _HEADLINE_CHARS:
        return None
    headline = next((h for h in above if _is_title(_fold_line(h), key)), None)
    if headline is None:
        return None
    # (A template may print the title twice over: a titled div around an h1.)
    titled = [headline, *(h for h in headline.iterancestors() if _is_headline_element(h) and _is_title(_fold_line(h), key))]
    if any(h is nearest for h in headline.iterdescendants()) or any(a is region for a in headline.iterancestors()):
        return None
    if not (any(_same_kind(nearest, h) for h in titled) or nearest.tag == "a" or nearest.find(".//a") is not None):
        return None
    # The next headline after the page's own (not the title printed again).
    after = next(
        (h for h in _following(headline) if _is_headline_element(h) and not _is_title(_fold_line(h), key)), None
    )
    if after is None:
        return None
    order = {el: i for i, el in enumerate(root.iter())}
    start, stop = order[headline], order[after]
    between = (el for el, at in order.items() if start < at < stop and el.tag in _PARAGRAPH_TAGS)
    best, best_score = _densest(between, excluded=set(after.iterancestors()))
    return best if best is not None and best_score >= _MIN_REGION_SCORE else None
# Credit and source lines are read by the pipeline (editor, outlet) even though they are not body:
# the block model never prunes them.
_CREDIT_LINE = re.compile(
    r"^[\s（(【\[]*(?:责任编辑|責任編輯|编辑|編輯|责编|責編|主编|主編|来源|來源|稿源|作者|记者|記者|撰稿|审稿|審稿|"
    r"原标题|原標題|文|图|圖|摄影|攝影|出处|出處)\s*[:：︰｜|/／]"
)
# A heading over other stories (`更多文章`, `相關新聞`) ends the article where the pipeline reads it,
# so it reaches the pipeline even when the block model prunes it: the stories below it are not the
# article, whichever of their paragraphs the block model keeps.
_LIST_HEADING_CHARS = 20
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

    For the model (and the cascade, which runs rule and model on one tree), a page keeps the text of
    its `<form>` wrappers: ASP.NET pages hold the whole body in one.
    """
    if active_model() is not None if for_model is None else for_model:
        etree.strip_tags(root, "form")
    return clean_tree(root)


def generic_blocks(root: html.HtmlElement) -> list[str]:
    """trafilatura's reading of the page (it works on its own copy of the tree)."""
    text = trafilatura.extract(root, include_comments=False, include_tables=True, favor_precision=False, deduplicate=False)
    return text_blocks(text)


def _second_opinion(root: html.HtmlElement) -> list[str]:
    text = trafilatura.extract(root, include_comments=False, include_tables=True, fast=True, deduplicate=False)
    return text_blocks(text)


# Which decides where the article is: "rule", "model" or "cascade" (with the model they agree, see
# `_cascade_region`). Overridden per block by `using_model` / `using_cascade` (evaluation, training).
_OVERRIDE: list[tuple[str, learned.RegionModel | None, CascadeParams | None, str | None]] = []
_MODE = os.environ.get("NEWSDESK_REGION", "cascade")


@contextmanager
def using_model(model: learned.RegionModel | None) -> Iterator[None]:
    """Extract with the model alone (None: the rule alone) inside the block; for evaluation and training."""
    _OVERRIDE.append(("model" if model is not None else "rule", model, None, None))
    try:
        yield
    finally:
        _OVERRIDE.pop()


@contextmanager
def using_cascade(
    model: learned.RegionModel | None, params: CascadeParams | None = None, force: str | None = None
) -> Iterator[None]:
    """Extract with the cascade over this model and these thresholds; `force` names the candidate to
    take whatever the measures say (bench/cascade.py scores every candidate of every page this way)."""
    _OVERRIDE.append(("cascade", model, params, force))
    try:
        yield
    finally:
        _OVERRIDE.pop()


def _setting() -> tuple[str, learned.RegionModel | None, CascadeParams | None, str | None]:
    if _OVERRIDE:
        return _OVERRIDE[-1]
    if _MODE == "rule":
        return ("rule", None, None, None)
    return (_MODE if _MODE == "model" else "cascade", learned.load_model(), None, None)


def active_model() -> learned.RegionModel | None:
    """The model the region decision uses (alone or in the cascade); None when the rule decides alone."""
    return _setting()[1]


# A block is a link when anchors hold this share of its text (a headline teaser, a menu item).
_LINK_BLOCK_SHARE = 0.8
# A short unlinked block that is no Chinese sentence belongs to a run of links: a teaser's date, a
# list's heading, the copyright line or an app's download prompt beyond it.
_RUN_FILLER_CHARS = 40
_SENTENCE_CLOSE = re.compile(r"[。！？…；：]\s*[”」』\"’）)】]*\s*$")


def _links_in_block(source: html.HtmlElement, region: html.HtmlElement) -> int:
    """How many links a link block is (0: not a link block): a teaser inside an `<a>` is one, a block whose
    anchors hold most of its text is as many as it has anchors (a list of headlines printed as one block)."""
    if source is region:
        return 0
    for ancestor in source.iterancestors():
        if ancestor is region:
            break
        if ancestor.tag == "a":
            return 1
    anchors = list(source.iter("a"))
    linked = "".join(a.text_content() for a in anchors)
    return len(anchors) if len(collapse(linked)) >= _LINK_BLOCK_SHARE * len(collapse(source.text_content())) else 0


def _link_run(links: list[int], blocks: list[str]) -> int:
    """How many blocks from the start form a run of links (short unlinked blocks between links belong to it):
    two links or more, in link blocks or in one block of headlines."""
    end = 0
    for i, (count, block) in enumerate(zip(links, blocks, strict=True)):
        if count:
            end = i + 1
        elif len(block) > _RUN_FILLER_CHARS or _SENTENCE_CLOSE.search(block):
            break
    return end if sum(links[:end]) >= 2 else 0


def rule_blocks(region: html.HtmlElement) -> tuple[list[str], list[Image]]:
    """The rule region's blocks without the runs of links at its edges.

    A density-chosen region is often a column holding the article with the site's menus above it and
    "related" teasers below (nytimes, bbc, chinatimes, thepaper, cna): each a run of two or more link
    blocks at an edge. Links inside the article (a linked phrase in a paragraph) are not blocks of
    their own, and a run must touch the region's edge, so the article's own lists stay.
    """
    return _without_link_runs(region, *extract_sourced_blocks(region, base_url=None))


def _without_link_runs(
    region: html.HtmlElement, blocks: list[str], sources: list[html.HtmlElement], images: list[Image],
) -> tuple[list[str], list[Image]]:
    """`rule_blocks` of a region already read (its blocks, the element each came from, its images)."""
    if len(blocks) < 3:
        return blocks, images
    flags = [_links_in_block(source, region) for source in sources]
    head = _link_run(flags, blocks)
    tail = _link_run(flags[::-1], blocks[::-1])
    if head + tail >= len(blocks):
        return blocks, images
    if not head and not tail:
        return blocks, images
    # Credit lines among the links (an editor signing under the page links) are the pipeline's to read.
    end = len(blocks) - tail
    return [b for i, b in enumerate(blocks) if head <= i < end or _CREDIT_LINE.match(b)], images


def _rule_region(root: html.HtmlElement, title: str | None = None) -> Region:
    region, score = find_region(root)
    if region is None or score < _MIN_REGION_SCORE:
        return Region(region, generic_blocks(root), method="generic")
    story = headline_story(root, title, region)
    if story is not None:
        region = story
    blocks, images = rule_blocks(region)
    return Region(region, blocks, images)


def _bigram_counts(blocks: list[str]) -> Counter[str]:
    text = learned.fold("".join(blocks))
    return Counter(map(str.__add__, text, text[1:]))


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
        or (i > first and len(b) <= _LIST_HEADING_CHARS and (LIST_HEADING.match(b) or TAIL_HEADING_ONLY.match(b)))
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
            blocks, images = rule_blocks(element)
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


def _model_candidate(view: learned.PageView, model: learned.RegionModel) -> Region:
    """The model's region and the blocks its block model keeps (no second opinion)."""
    choice = learned.choose_region(view, model)
    if choice is None:
        return Region(None, confidence=0.0, method="model")
    blocks, sources, images = extract_sourced_blocks(choice.element, base_url=None)
    keep = learned.keep_blocks(view, choice, model, blocks, sources)
    return Region(choice.element, _kept_blocks(blocks, keep), images, min(max(choice.score, 0.0), 1.0), "model")


def _readability_blocks(root: html.HtmlElement) -> list[str]:
    """The readability port trafilatura ships: its article element, read by our block reader."""
    summary = ReadabilityDocument(copy.deepcopy(root)).summary()
    if not summary or not summary.strip():
        return []
    return extract_blocks(html.fragment_fromstring(summary, create_parent="div"))[0]


@dataclass(frozen=True, slots=True)
class CascadeParams:
    """Thresholds of the cascade, fitted leave-one-site-out on the training sites by bench/cascade.py
    (under a time budget: the model and the generic reading are read only where they are needed)."""

    # A rule region scoring this much is taken without asking the model...
    rule_sure: float = 30.0
    # ... unless more than this share of its text is in blocks that do not end a sentence (lists of
    # links and titles, captions, furniture): the model is asked about those;
    rule_loose: float = 0.3
    # ... or unless more than this share of its text comes after a closing notice inside it ("相关新闻：",
    # "延伸閱讀", "訂閱", a disclaimer): the region runs on past the article (or holds a related list
    # before it), and the pipeline, which ends the article at such a notice, would keep only what precedes it.
    rule_tail: float = 0.3
    # ... and is this likely right (the mean body F1 of such regions on the training pages).
    rule_sure_confidence: float = 0.964
    # Rule and model agree at least this much (bigram Dice): the rule's reading, no second opinion.
    sure: float = 0.95
    # When they disagree, a model reading it scores at least this is taken without a second opinion.
    # Off: leave-one-site-out on the training sites preferred 0.5 (with rule_sure 80, rule_loose 0.2,
    # sure above 1, alone 0), but that setting failed the held-out gate (tests/extract/test_corpus_gate.py):
    # the model's own score overrates it on sites unlike the training ones (bench/RESULTS.md).
    model_trust: float = 2.0
    # The generic extractor asked otherwise: the readability port trafilatura ships
    # (`trafilatura`, `trafilatura-fast`: trafilatura's own extraction).
    generic: str = "readability"
    # The model's reading wins when it agrees with the generic one by this much more than the rule's
    # (negative: the model wins unless the rule agrees with the generic reading clearly better).
    prefer_model: float = -0.2
    # The generic reading replaces the chosen one when it is this many times longer and holds it.
    extend: float = 2.0
    # ... holds it: this share of the chosen reading's bigrams is in the generic one.
    contained: float = 0.8
    # Neither rule nor model agrees with the generic reading this much: the generic one is taken.
    alone: float = 0.3
    # ... but only a generic reading that is itself prose: at most this share of its text in blocks that
    # do not end a sentence. A generic reader that lost the article returns a menu or a teaser list
    # (titles, dates, "【详细】"), and a short flash item must not be replaced by one, nor extended by one.
    generic_loose: float = 0.5


class Measures:
    """What the cascade compares: the candidates' readings, sizes and agreements, each computed once
    and only when asked (`used` names the candidates that had to be read)."""

    def __init__(
        self, rule_score: float, candidates: dict[str, Callable[[], list[str]]], model_score: Callable[[], float]
    ) -> None:
        self.rule_score = rule_score
        self._model_score = model_score
        self._read = candidates
        self._blocks: dict[str, list[str]] = {}
        self._counts: dict[str, Counter[str]] = {}
        self._cache: dict[tuple[str, ...], float] = {}
        self.used: set[str] = set()

    def blocks(self, name: str) -> list[str]:
        self.used.add(name)
        if name not in self._blocks:
            self._blocks[name] = self._read[name]()
        return self._blocks[name]

    def counts(self, name: str) -> Counter[str]:
        if name not in self._counts:
            self._counts[name] = _bigram_counts(self.blocks(name))
        return self._counts[name]

    def size(self, name: str) -> float:
        return float(self.counts(name).total())

    @property
    def model_score(self) -> float:
        """The model's own score of its region (the body F1 it expects), read with the model's blocks."""
        self.blocks("model")
        return self._model_score()

    def loose(self, name: str) -> float:
        """Share of a candidate's text in blocks that do not end a sentence."""
        blocks = self.blocks(name)
        total = sum(map(len, blocks))
        return sum(len(b) for b in blocks if not _SENTENCE_END.search(b)) / total if total else 0.0

    def tail(self, name: str) -> float:
        """Share of a candidate's text in the blocks after its first closing notice (none at its start)."""
        key = ("tail", name)
        if key not in self._cache:
            blocks = self.blocks(name)
            total = sum(map(len, blocks))
            after = 0
            for i, block in enumerate(blocks[1:], start=1):
                if TAIL_HEADING_ONLY.match(block) or TAIL_MARKER.search(block[:40]):
                    after = sum(map(len, blocks[i + 1 :]))
                    break
            self._cache[key] = after / total if total else 0.0
        return self._cache[key]

    def agreement(self, a: str, b: str) -> float:
        """Dice overlap of two candidates' character bigrams (0 when either is empty)."""
        key = ("dice", a, b)
        if key not in self._cache:
            ca, cb = self.counts(a), self.counts(b)
            size = ca.total() + cb.total()
            self._cache[key] = 2 * (ca & cb).total() / size if size else 0.0
        return self._cache[key]

    def inside(self, a: str, b: str) -> float:
        """Share of candidate a's bigrams that b holds too."""
        key = ("inside", a, b)
        if key not in self._cache:
            ca = self.counts(a)
            size = ca.total()
            self._cache[key] = (ca & self.counts(b)).total() / size if size else 0.0
        return self._cache[key]


def cascade_choice(m: Measures, params: CascadeParams) -> tuple[str, float]:
    """Which candidate is the article ("rule", "model", "generic" or "fallback"), and how sure that is (0..1).

    A rule region of very high density score, mostly sentences, not running on past a closing notice,
    is taken as it is (most news pages: one long run of paragraphs), with the confidence such regions
    earned on the training sites.
    Otherwise rule and model agreeing is the strongest evidence (two different readings of the page
    found the same text), and the rule's reading is taken. When they disagree the generic extractor's
    reading arbitrates: the model's region wins unless the rule's agrees with it clearly better; the
    generic reading itself replaces the choice when it holds it and is far longer (the chosen region
    is a part of the article) or when the choice hardly agrees with it, but only if it is mostly
    sentences (a generic reading of headlines and dates is a teaser list, not a fuller article).
    Confidence is the agreement the choice rests on.
    """
    has_rule = bool(m.blocks("rule"))
    if (
        has_rule and m.rule_score >= params.rule_sure and m.loose("rule") <= params.rule_loose
        and m.tail("rule") <= params.rule_tail
    ):
        return "rule", params.rule_sure_confidence
    has_model = bool(m.blocks("model"))
    if not has_rule and not has_model:
        # No dense region and no container that is not link text: a page of menus has no article
        # (a generic extractor would return the menu).
        return "model", 0.0
    sure = m.agreement("rule", "model") if has_rule and has_model else 0.0
    if has_rule and sure >= params.sure:
        return "rule", sure
    if has_model and m.model_score >= params.model_trust:
        return "model", m.model_score
    if not m.blocks("generic"):
        if not has_rule and m.blocks("fallback"):
            # No dense region and the generic reading found nothing either: trafilatura's full
            # extraction, which is what the rule alone gives such a page.
            return "fallback", m.agreement("model", "fallback") if has_model else 0.0
        # Nothing to arbitrate with: the rule when it found a region, else the model's reading.
        return ("rule" if has_rule else "model"), sure / 2
    with_rule = m.agreement("rule", "generic") if has_rule else -1.0
    with_model = m.agreement("model", "generic") if has_model else -1.0
    choice, agree = ("model", with_model) if with_model >= with_rule + params.prefer_model else ("rule", with_rule)
    if m.loose("generic") > params.generic_loose:
        # The generic reading is mostly titles and fragments: it arbitrated, it does not replace.
        return choice, max(agree, 0.0)
    if agree < params.alone:
        return "generic", max(agree, 0.0)
    if m.size("generic") >= params.extend * m.size(choice) and m.inside(choice, "generic") >= params.contained:
        return "generic", m.inside(choice, "generic")
    return choice, max(agree, 0.0)


_PARAMS = CascadeParams()


@dataclass(slots=True)
class Observation:
    """What the cascade measured on one page (bench/cascade.py reads these)."""

    rule_score: float = 0.0
    rule: list[str] = field(default_factory=list)
    model_score: float = 0.0
    model: list[str] = field(default_factory=list)
    generic: dict[str, list[str]] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    choice: str = ""


_OBSERVERS: list[list[Observation]] = []
# Pages the cascade decided, and how many of them needed the model's or the generic reading
# (bench/cascade.py --census reports it; a counter costs nothing per page).
READS: Counter[str] = Counter()


@contextmanager
def observing() -> Iterator[list[Observation]]:
    """Collect the cascade's measures of every page extracted inside the block."""
    seen: list[Observation] = []
    _OBSERVERS.append(seen)
    try:
        yield seen
    finally:
        _OBSERVERS.pop()


def _generic_candidate(name: str, root: html.HtmlElement) -> list[str]:
    if name == "readability":
        return _readability_blocks(root)
    if name == "trafilatura-fast":
        return _second_opinion(root)
    return generic_blocks(root)


def _cascade_region(
    root: html.HtmlElement, title: str | None, model: learned.RegionModel, params: CascadeParams, force: str | None
) -> Region:
    """Rule, model and (when they disagree) a generic extractor's reading; the one they agree on wins."""
    observed = Observation() if _OBSERVERS else None
    clock = time.perf_counter
    t0 = clock()
    element, score = find_region(root)
    if element is not None and score >= _MIN_REGION_SCORE:
        story = headline_story(root, title, element)
        if story is not None and force is None:
            # Another story's body was the densest: the headline's own, by the rule (the cascade's
            # measures were fitted on regions found by density alone).
            READS.update(["pages", "chose story"])
            return Region(story, *rule_blocks(story), confidence=params.rule_sure_confidence, method="rule")
        rule_reading = extract_sourced_blocks(element, base_url=None)
        by_rule = Region(element, rule_reading[0], rule_reading[2])
    else:
        by_rule = Region(None, method="rule")
    t1 = clock()
    found: dict[str, Region] = {"rule": by_rule}

    def read_model() -> list[str]:
        t = clock()
        found["model"] = _model_candidate(learned.PageView(root, title), model)
        if observed is not None:
            observed.seconds["model"] = clock() - t
        return found["model"].blocks

    measures = Measures(score, {
        "rule": lambda: by_rule.blocks, "model": read_model,
        "generic": lambda: _generic_candidate(params.generic, root),
        "fallback": lambda: generic_blocks(root),
    }, lambda: found["model"].confidence or 0.0)
    if observed is not None:
        observed.seconds["rule"] = t1 - t0
        observed.rule_score, observed.rule = score, by_rule.blocks
        observed.model = measures.blocks("model")
        observed.model_score = found["model"].confidence or 0.0
        for name in ("trafilatura", "trafilatura-fast", "readability"):
            t = clock()
            observed.generic[name] = _generic_candidate(name, root)
            observed.seconds[name] = clock() - t
        _OBSERVERS[-1].append(observed)
    choice, confidence = cascade_choice(measures, params) if force is None else (force, 0.0)
    READS.update(["pages", *measures.used, f"chose {choice}"])
    if observed is not None:
        observed.choice = choice
    if choice == "model":
        measures.blocks("model")
    if choice == "rule" and by_rule.element is not None:
        # The cascade weighs the region as the rule read it (its measures were fitted so); the
        # region given is without the runs of links at its edges.
        chosen = Region(by_rule.element, *_without_link_runs(by_rule.element, *rule_reading))
    elif choice in found:
        chosen = found[choice]
    else:
        generic = measures.blocks(choice) if choice in ("generic", "fallback") else _generic_candidate(choice, root)
        # The generic text has no pictures: those of the region the page's own reading found.
        anchor = by_rule if by_rule.element is not None else found.get("model", by_rule)
        chosen = Region(anchor.element, generic, anchor.images, None, "generic")
    chosen.confidence = round(min(max(confidence, 0.0), 1.0), 3)
    return chosen


def read_region(root: html.HtmlElement, title: str | None, learned_page: bool = True) -> Region:
    """The article region of a cleaned page and its blocks: by the rule, the model or the cascade.

    `learned_page` False: a page unlike those the model learned from; the rule decides.
    """
    mode, model, params, force = _setting()
    if model is None or not learned_page or mode == "rule":
        # (clean_page cleaned such a page for the rule: the model was not going to read it.)
        return _rule_region(root, title)
    if mode == "model":
        return _model_region(root, title, model)
    return _cascade_region(root, title, model, params or _PARAMS, force)
