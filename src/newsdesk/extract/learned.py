"""Which part of a page is the article, decided by a small learned model over the page's structure.

One walk over the cleaned tree gives every element its own text statistics (characters, Han
characters, sentence punctuation, link text), its tag counts and the class/id categories of
itself and its ancestors (whole words from `data/region_vocab.toml`); sums up the tree give the
same for every subtree. Two ensembles of regression trees trained by `bench/train_region.py`
(`make train`) and shipped as `data/region_model.json` then decide:

- the region model scores every container element by the body F1 its text would reach; the best
  one is the article region, and its score is the extraction's confidence;
- the block model scores each text block inside that region by the chance it belongs to the
  article; related lists, share rows and disclaimers the region still holds are pruned.

The trees are evaluated by plain Python generated from the JSON once per process: no training
library is needed at run time.
"""

from __future__ import annotations

import json
import math
import re
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree, html

_DATA = resources.files("newsdesk") / "data"
MODEL_FILE = "region_model.json"
VOCAB_FILE = "region_vocab.toml"

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PUNCT = re.compile(r"[，。！？；：、“”「」『』,.!?;]")
_SPACE = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")
_SENTENCE_END = re.compile(r"[。！？.!?…」』”\"）)]$")
# Words inside id/class values: camelCase humps and runs of letters (digits and separators split).
_NAME_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")

# Elements that can hold a whole article, i.e. the region candidates.
_CONTAINERS = frozenset(
    {"div", "section", "article", "main", "td", "table", "tbody", "ul", "ol", "body", "font", "center", "span", "dd", "form", "blockquote"}
)
_TRUNCATED = ("...", "…", "…。", "...。")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# A candidate region needs at least this much text: below it a page has no article to find.
_MIN_REGION_CHARS = 10
# Own text of at least this many characters, mostly not link text, makes an element a paragraph.
_PARAGRAPH_CHARS = 20


@dataclass(frozen=True, slots=True)
class Vocabulary:
    categories: tuple[str, ...]
    word_bits: dict[str, int]


@cache
def load_vocabulary() -> Vocabulary:
    data = tomllib.loads((_DATA / VOCAB_FILE).read_text(encoding="utf-8"))["category"]
    categories = tuple(data)
    word_bits: dict[str, int] = {}
    for bit, name in enumerate(categories):
        for word in data[name]:
            word_bits[word] = word_bits.get(word, 0) | (1 << bit)
    return Vocabulary(categories, word_bits)


def name_words(value: str) -> list[str]:
    """`articleContent news-list_2` → ['article', 'content', 'news', 'list']."""
    return [w.lower() for w in _NAME_WORD.findall(value)]


def fold(text: str) -> str:
    return _NOT_ALNUM.sub("", text).lower()


def _bigrams(text: str) -> set[str]:
    text = fold(text)
    return {text[i : i + 2] for i in range(len(text) - 1)}


def title_similarity(text: str, title_grams: set[str]) -> float:
    """Share of the title's character bigrams the text holds (only short texts are compared)."""
    if not title_grams or not text or len(text) > 4 * len(title_grams) + 40:
        return 0.0
    return len(_bigrams(text) & title_grams) / len(title_grams)


class PageView:
    """Per-element statistics of a cleaned page, each a list indexed by the element's document order."""

    def __init__(self, root: html.HtmlElement, title: str | None) -> None:
        vocab = load_vocabulary()
        body = root.find("body")
        self.body = body if body is not None else root
        els: list[html.HtmlElement] = []
        tags: list[str] = []
        parent: list[int] = []
        depth: list[int] = []
        own_bits: list[int] = []
        anc_bits: list[int] = []
        in_link: list[bool] = []
        in_list: list[bool] = []
        start: list[int] = []
        end: list[int] = []
        texts: list[list[str]] = []
        index: dict[Any, int] = {}
        name_cache: dict[str, int] = {}
        word_bits = vocab.word_bits
        stack: list[int] = []
        pos = 0
        # Hot loop (every element of the page): appends and lookups bound to locals.
        add_el, add_tag, add_parent, add_depth = els.append, tags.append, parent.append, depth.append
        add_own, add_anc, add_link, add_list = own_bits.append, anc_bits.append, in_link.append, in_list.append
        add_start, add_end, add_texts = start.append, end.append, texts.append
        for event, el in etree.iterwalk(self.body, events=("start", "end")):
            if event == "start":
                tag = el.tag
                tag = tag.lower() if isinstance(tag, str) else ""
                i = len(els)
                index[el] = i
                up = stack[-1] if stack else -1
                add_el(el)
                add_tag(tag)
                add_parent(up)
                add_depth(len(stack))
                bits = 0
                if tag:
                    ident, classes = el.get("id"), el.get("class")
                    if ident or classes:
                        names = f"{ident or ''} {classes or ''}"
                        bits = name_cache.get(names, -1)
                        if bits < 0:
                            bits = 0
                            for word in name_words(names):
                                bits |= word_bits.get(word, 0)
                            name_cache[names] = bits
                add_own(bits)
                if up >= 0:
                    add_anc(bits | anc_bits[up])
                    add_link(tag == "a" or in_link[up])
                    add_list(tag == "li" or in_list[up])
                else:
                    add_anc(bits)
                    add_link(tag == "a")
                    add_list(tag == "li")
                add_start(pos)
                add_end(pos)
                pieces = []
                text = el.text if tag else None
                if text:
                    text = text.strip()
                    if text:
                        pieces.append(text)
                        pos += len(text)
                add_texts(pieces)
                stack.append(i)
            else:
                i = stack.pop()
                end[i] = pos
                tail = el.tail
                if tail and stack:
                    tail = tail.strip()
                    if tail:
                        texts[stack[-1]].append(tail)
                        pos += len(tail)
        n = len(els)
        self.els, self.tags, self.parent, self.depth = els, tags, parent, depth
        self.own_bits, self.anc_bits, self.in_link, self.in_list = own_bits, anc_bits, in_link, in_list
        self.start, self.end, self.index = start, end, index
        self.page_chars = max(pos, 1)
        self.max_depth = max(depth, default=0) or 1
        own = [" ".join(p) if p else "" for p in texts]
        self.own_text = own
        self.title = title or ""
        self.title_grams = _bigrams(self.title)
        title_key = fold(self.title)
        repeats = Counter(t for t in own if len(t) >= 6)
        zero = [0] * n
        chars, cjk, punct, link = zero[:], zero[:], zero[:], zero[:]
        list_chars, rep, paragraphs, titles, teasers = zero[:], zero[:], zero[:], zero[:], zero[:]
        p_count, h_count, a_count, img_count, li_count, br_count = zero[:], zero[:], zero[:], zero[:], zero[:], zero[:]
        child_p, child_blocks = zero[:], zero[:]
        self.title_at = -1
        for i, text in enumerate(own):
            tag = tags[i]
            if tag == "p":
                p_count[i] = 1
            elif tag in _HEADINGS:
                h_count[i] = 1
            elif tag == "a":
                a_count[i] = 1
            elif tag == "img":
                img_count[i] = 1
            elif tag == "li":
                li_count[i] = 1
            elif tag == "br":
                br_count[i] = 1
            if not text:
                continue
            c = len(text) - text.count(" ")
            chars[i] = c
            cjk[i] = len(_CJK.findall(text))
            punct[i] = len(_PUNCT.findall(text))
            if in_link[i]:
                link[i] = c
            if in_list[i]:
                list_chars[i] = c
            if repeats[text] > 1:
                rep[i] = c
            if c >= _PARAGRAPH_CHARS and not in_link[i]:
                paragraphs[i] = 1
                if text.endswith(_TRUNCATED):
                    # Cut-off summaries (`…`): a list of other articles' teasers, not prose.
                    teasers[i] = 1
            if title_key and c <= 2 * len(title_key) + 10 and title_key in fold(text):
                titles[i] = 1
                if self.title_at < 0:
                    self.title_at = start[i]
        # Subtree sums: children come after their parent in document order.
        largest_child = zero[:]
        for i in range(n - 1, 0, -1):
            up = parent[i]
            if up < 0:
                continue
            chars[up] += chars[i]
            cjk[up] += cjk[i]
            punct[up] += punct[i]
            link[up] += link[i]
            list_chars[up] += list_chars[i]
            rep[up] += rep[i]
            paragraphs[up] += paragraphs[i]
            titles[up] += titles[i]
            teasers[up] += teasers[i]
            p_count[up] += p_count[i]
            h_count[up] += h_count[i]
            a_count[up] += a_count[i]
            img_count[up] += img_count[i]
            li_count[up] += li_count[i]
            br_count[up] += br_count[i]
            if tags[i] == "p":
                child_p[up] += 1
            if chars[i] >= _PARAGRAPH_CHARS:
                child_blocks[up] += 1
            if chars[i] > largest_child[up]:
                largest_child[up] = chars[i]
        self.chars, self.cjk, self.punct, self.link = chars, cjk, punct, link
        self.list_chars, self.rep, self.paragraphs, self.titles = list_chars, rep, paragraphs, titles
        self.teasers = teasers
        self.p_count, self.h_count, self.a_count, self.img_count = p_count, h_count, a_count, img_count
        self.li_count, self.br_count, self.child_p, self.child_blocks = li_count, br_count, child_p, child_blocks
        self.largest_child = largest_child
        self.own_chars = [len(t) - t.count(" ") if t else 0 for t in own]
        self.page_paragraphs = max(paragraphs[0], 1) if n else 1

    def candidates(self) -> list[int]:
        chars, link = self.chars, self.link
        return [
            i for i, tag in enumerate(self.tags)
            if tag in _CONTAINERS and chars[i] >= _MIN_REGION_CHARS and link[i] < chars[i] * 0.9
        ]


def _category_flags(bits: int, count: int) -> list[float]:
    return [float((bits >> b) & 1) for b in range(count)]


def _tag_flags(tag: str) -> list[float]:
    return [
        float(tag == "div"), float(tag in {"article", "main"}), float(tag == "section"),
        float(tag in {"td", "table", "tbody"}), float(tag in {"ul", "ol"}), float(tag == "body"),
        float(tag == "p"), float(tag in _HEADINGS), float(tag == "li"),
    ]


_TAG_FLAG_NAMES = ["tag_div", "tag_article", "tag_section", "tag_table", "tag_list", "tag_body", "tag_p", "tag_h", "tag_li"]


def region_feature_names() -> list[str]:
    cats = load_vocabulary().categories
    return [
        "log_chars", "page_share", "link_density", "cjk_ratio", "punct_ratio", "punct_per_text",
        "log_p", "log_paragraphs", "paragraph_share", "child_p", "child_blocks", "log_headings", "has_title",
        "title_before", "log_links", "links_per_100", "log_images", "log_li", "list_share", "br_per_100",
        "depth", "rel_depth", "start", "end", "repeat_share", "largest_child_share", "parent_share",
        "own_share", "parent_paragraph_share", "title_gap", "teaser_share",
        *_TAG_FLAG_NAMES,
        *(f"own_{c}" for c in cats), *(f"anc_{c}" for c in cats),
    ]


def region_features(view: PageView, i: int) -> list[float]:
    n_cats = len(load_vocabulary().categories)
    c = view.chars[i]
    cf = float(max(c, 1))
    text = max(c - view.link[i], 0)
    up = view.parent[i]
    parent_chars = view.chars[up] if up >= 0 else c
    parent_paragraphs = view.paragraphs[up] if up >= 0 else view.paragraphs[i]
    return [
        math.log1p(c), c / view.page_chars, view.link[i] / cf, view.cjk[i] / cf, view.punct[i] / cf,
        view.punct[i] / (text + 1.0),
        math.log1p(view.p_count[i]), math.log1p(view.paragraphs[i]), view.paragraphs[i] / view.page_paragraphs,
        float(view.child_p[i]), float(view.child_blocks[i]), math.log1p(view.h_count[i]), float(view.titles[i] > 0),
        float(0 <= view.title_at <= view.start[i]), math.log1p(view.a_count[i]), 100.0 * view.a_count[i] / cf,
        math.log1p(view.img_count[i]), math.log1p(view.li_count[i]), view.list_chars[i] / cf,
        100.0 * view.br_count[i] / cf,
        float(view.depth[i]), view.depth[i] / view.max_depth, view.start[i] / view.page_chars,
        view.end[i] / view.page_chars, view.rep[i] / cf, view.largest_child[i] / cf, c / max(parent_chars, 1),
        view.own_chars[i] / cf, view.paragraphs[i] / max(parent_paragraphs, 1),
        (view.start[i] - view.title_at) / view.page_chars if view.title_at >= 0 else -1.0,
        view.teasers[i] / max(view.paragraphs[i], 1),
        *_tag_flags(view.tags[i]),
        *_category_flags(view.own_bits[i], n_cats), *_category_flags(view.anc_bits[i], n_cats),
    ]


def block_feature_names() -> list[str]:
    cats = load_vocabulary().categories
    return [
        "log_len", "cjk_ratio", "punct_ratio", "sentence_end", "el_link_density", "is_region", "depth_below",
        "position", "from_end", "chars_before", "rel_len", "repeated", "title_similarity", "in_list",
        "prev_punct", "next_punct", "prev_len", "next_len", "region_link_density",
        "el_share", "kin_share", "kin_log_len", *_TAG_FLAG_NAMES, *(f"inner_{c}" for c in cats),
    ]


def block_features(view: PageView, region: int, blocks: list[str], sources: list[Any]) -> list[list[float]]:
    """One feature row per block of the region, in order."""
    n_cats = len(load_vocabulary().categories)
    lengths = [len(b) for b in blocks]
    longest = float(max(lengths, default=1) or 1)
    total = float(sum(lengths) or 1)
    puncts = [len(_PUNCT.findall(b)) / max(len(b), 1) for b in blocks]
    region_chars = float(max(view.chars[region], 1))
    region_link = view.link[region] / region_chars
    region_anc = view.anc_bits[region]
    page_texts = Counter(t for t in view.own_text if t)
    # Blocks read from elements of one kind (tag and class) are kin: the paragraphs of the article,
    # or the items of a list of other articles' titles. How many kin a block has and how long they
    # run on average tells the two apart.
    kinds = [f"{el.tag}.{el.get('class') or ''}" if isinstance(el.tag, str) else "" for el in sources]
    kin_count: Counter[str] = Counter(kinds)
    kin_chars: Counter[str] = Counter()
    for kind, length in zip(kinds, lengths, strict=True):
        kin_chars[kind] += length
    rows: list[list[float]] = []
    before = 0
    count = len(blocks)
    for k, block in enumerate(blocks):
        el = sources[k]
        j = view.index.get(el, region)
        cj = float(max(view.chars[j], 1))
        length = lengths[k]
        cjk = len(_CJK.findall(block))
        inner = view.anc_bits[j] & ~region_anc
        rows.append([
            math.log1p(length), cjk / max(length, 1), puncts[k], float(bool(_SENTENCE_END.search(block))),
            view.link[j] / cj, float(j == region), float(view.depth[j] - view.depth[region]),
            k / count, (count - 1 - k) / count, before / total, length / longest,
            float(page_texts.get(block, 0) > 1), title_similarity(block, view.title_grams), float(view.in_list[j]),
            puncts[k - 1] if k else -1.0, puncts[k + 1] if k + 1 < count else -1.0,
            math.log1p(lengths[k - 1]) if k else -1.0, math.log1p(lengths[k + 1]) if k + 1 < count else -1.0,
            region_link, view.chars[j] / region_chars,
            kin_count[kinds[k]] / count, math.log1p(kin_chars[kinds[k]] / kin_count[kinds[k]]),
            *_tag_flags(view.tags[j]), *_category_flags(inner, n_cats),
        ])
        before += length
    return rows


# ---------------------------------------------------------------------------------------------
# The shipped model: tree ensembles as JSON, turned into Python functions once per process.


@dataclass(frozen=True, slots=True)
class Ensemble:
    """Sum of regression trees over a feature row; `logistic` ones give a probability."""

    features: tuple[str, ...]
    logistic: bool
    raw: Any  # the compiled sum of the trees

    def predict(self, row: list[float]) -> float:
        value = self.raw(row)
        return 1.0 / (1.0 + math.exp(-value)) if self.logistic else value


def _tree_expression(tree: dict[str, list[Any]], node: int = 0) -> str:
    # Every value passes through int() or float(): the generated code holds numbers and nothing else.
    if tree["leaf"][node]:
        return repr(float(tree["value"][node]))
    feature, threshold = int(tree["feature"][node]), float(tree["threshold"][node])
    left = _tree_expression(tree, int(tree["left"][node]))
    right = _tree_expression(tree, int(tree["right"][node]))
    return f"({left} if x[{feature}] <= {threshold!r} else {right})"


def compile_ensemble(spec: dict[str, Any]) -> Ensemble:
    # Summed in sklearn's order (baseline, then tree by tree) so the result is bit for bit its own.
    lines = ["def raw(x):", f"    s = {float(spec['baseline'])!r}"]
    lines.extend(f"    s += {_tree_expression(tree)}" for tree in spec["trees"])
    lines.append("    return s")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(lines), f"<{MODEL_FILE}>", "exec"), namespace)
    return Ensemble(tuple(spec["features"]), spec["link"] == "logistic", namespace["raw"])


@dataclass(frozen=True, slots=True)
class RegionModel:
    region: Ensemble
    block: Ensemble
    block_threshold: float
    min_confidence: float
    # The density rule's region wins where the rule is sure of it; the model decides the rest.
    rule_first: bool = False


def model_from_json(data: dict[str, Any]) -> RegionModel:
    return RegionModel(
        region=compile_ensemble(data["region"]),
        block=compile_ensemble(data["block"]),
        block_threshold=float(data["block_threshold"]),
        min_confidence=float(data["min_confidence"]),
        rule_first=bool(data.get("rule_first", False)),
    )


@cache
def load_model() -> RegionModel | None:
    """The shipped model, or None when the package has none (before the first `make train`)."""
    path = _DATA / MODEL_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data["region"]["features"] != region_feature_names() or data["block"]["features"] != block_feature_names():
        raise RuntimeError(f"{MODEL_FILE} was trained on other features: run `make train`")
    return model_from_json(data)


@dataclass(slots=True)
class RegionChoice:
    element: html.HtmlElement
    index: int
    score: float


def choose_region(view: PageView, model: RegionModel) -> RegionChoice | None:
    best: RegionChoice | None = None
    predict = model.region.predict
    for i in view.candidates():
        score = predict(region_features(view, i))
        if best is None or score > best.score:
            best = RegionChoice(view.els[i], i, score)
    return best


def keep_blocks(
    view: PageView, choice: RegionChoice, model: RegionModel, blocks: list[str], sources: list[Any]
) -> list[bool]:
    """Which of the region's blocks the block model takes for the article's."""
    if not blocks:
        return []
    rows = block_features(view, choice.index, blocks, sources)
    return [model.block.predict(row) >= model.block_threshold for row in rows]
