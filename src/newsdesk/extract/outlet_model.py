"""Which of the names a capture gives is its outlet, chosen by a small learned model.

Every reader already collects the names a page gives itself or credits (the dateline's outlet,
`来源：` credits in the header and the body, links a mirror credits, JSON-LD authors that are
outlets, og:site_name, the publisher, the title's suffix, the copyright holder, the logo's alt,
front matter, the registry's name for the host). The rules of `pipeline._resolve_outlet` pick one
of them by a fixed order of trust. Here each distinct name (after cutting channels and bylines)
becomes a candidate described by which signals name it, how many agree, whether the registry
knows it or the host, its shape (a channel, a person's credit, a platform) and where the text
prints it; a tree ensemble trained by `bench/train_outlet.py` (`make train`) scores each one, and
the best is the outlet unless none scores above the threshold ("no outlet").

The model ships as `data/outlet_model.json` and is evaluated by the same generated plain Python as
the region model (`learned.compile_ensemble`): no training library at run time.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

from newsdesk.extract import credits
from newsdesk.extract.blocks import fold
from newsdesk.extract.draft import Draft
from newsdesk.extract.learned import Ensemble, compile_ensemble
from newsdesk.extract.outlets import OutletRegistry, name_in_script

_DATA = resources.files("newsdesk") / "data"
MODEL_FILE = "outlet_model.json"
VOCAB_FILE = "outlet_vocab.toml"

# Where a candidate name was read. `rule` marks the name the hand-written rules chose.
KINDS = (
    "rule", "dateline", "credit", "header_credit", "repost_link", "ld_author_outlet", "hint", "header_unlabelled",
    "site_name", "publisher", "meta_author_outlet", "title_suffix", "meta_copyright", "footer_or_logo", "site",
    "registry_host", "registry_original", "title_part", "author_element",
)
_KIND_BIT = {kind: 1 << i for i, kind in enumerate(KINDS)}
# Kinds that credit another writer than the site (a re-post), against the site's names for itself.
_CREDIT_KINDS = frozenset({"dateline", "credit", "header_credit", "repost_link", "ld_author_outlet", "hint"})
_SITE_KINDS = frozenset(
    {"site_name", "publisher", "meta_author_outlet", "title_suffix", "meta_copyright", "footer_or_logo", "site",
     "registry_host"}
)
FORMATS = ("site-html", "mirror-html", "mirror-md", "frontmatter-post", "plain")
_CREDIT_BITS = sum(_KIND_BIT[k] for k in _CREDIT_KINDS)
_SITE_BITS = sum(_KIND_BIT[k] for k in _SITE_KINDS)

_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_ASCII_WORD = re.compile(r"[a-z0-9]{3,}")
_NOT_LETTER = re.compile(r"[^a-z]+")
_MAX_NAME_CHARS = 30



@dataclass(frozen=True, slots=True)
class Shapes:
    channel_end: tuple[str, ...]
    person_end: tuple[str, ...]
    platform: tuple[str, ...]
    generic: frozenset[str]


@cache
def load_shapes() -> Shapes:
    data = tomllib.loads((_DATA / VOCAB_FILE).read_text(encoding="utf-8"))["shape"]
    return Shapes(
        tuple(data["channel_end"]), tuple(data["person_end"]), tuple(data["platform"]), frozenset(data["generic"])
    )


@dataclass(slots=True)
class Candidate:
    name: str  # as printed (the first form seen)
    key: str
    kinds: int = 0
    first: int = 0  # order of first appearance among all signals
    cut: bool = False  # a channel, byline or label was cut off a signal to get the name
    signals: int = 0


def feature_names() -> list[str]:
    return [
        *(f"kind_{k}" for k in KINDS), "n_kinds", "n_signals", "credit_kinds", "site_kinds", "agree", "agree_kinds",
        "first", "cut", "reg_known", "reg_exact", "reg_is_host", "host_known", "host_letters", "length", "han_share",
        "latin_share", "has_digit", "looks_like_outlet", "outlet_name", "channel_end", "person_end", "platform",
        "generic", "person_shape", "pinyin_host", "initials_host", "in_tags", "in_title", "body_blocks", "first_block", "in_opening", "in_closing",
        "n_candidates", "other_credit", "only_site", "has_dateline", "is_mirror_like",
        *(f"format_{f}" for f in FORMATS),
    ]


@lru_cache(maxsize=4096)
def _syllables(name: str) -> tuple[str, ...]:
    from pypinyin import lazy_pinyin  # loaded with the first candidate: the rules alone never need it

    return tuple(s for s in lazy_pinyin(name) if s.isalpha() and s.isascii())


def pinyin_match(name: str, host: str) -> tuple[float, float]:
    """How much of a Chinese name its host spells in pinyin: the share of the name's syllables in the
    longest run of them the host holds (明日大盘网 in mingridapan.com: 4 of 5), and whether the host
    spells the name's initials (羊城晚报 in ycwb.com)."""
    letters = _NOT_LETTER.sub("", host.removeprefix("www."))
    if not letters or not _HAN.search(name):
        return 0.0, 0.0
    syllables = _syllables(name)
    n = len(syllables)
    best = 0
    for i in range(n):
        for j in range(n, i + max(best, 1), -1):
            if "".join(syllables[i:j]) in letters:
                best = j - i
                break
    initials = "".join(s[0] for s in syllables)
    return (best / n if n and best >= 2 else 0.0), float(len(initials) >= 3 and initials in letters)


def _host(url: str | None) -> str:
    if not url:
        return ""
    try:
        return (urlsplit(url if "//" in url else f"//{url}").hostname or "").lower()
    except ValueError:
        return ""


def _as_outlet(raw: str) -> tuple[str | None, bool]:
    """The outlet's name in a signal's value (channels and bylines cut), and whether anything was cut."""
    raw = raw.strip()
    if not raw:
        return None, False
    name = credits.outlet_part(raw)
    if not name or credits.is_non_outlet(name) or len(name) > _MAX_NAME_CHARS:
        return None, False
    return name, fold(name) != fold(raw)


def collect(
    draft: Draft, sources: list[str], dateline_outlet: str | None, registry: OutletRegistry, language: str | None,
    text: str, rule: str | None,
) -> list[Candidate]:
    """Every distinct outlet name the capture gives, with the signals that give it."""
    signals: list[tuple[str, str]] = []
    if rule:
        signals.append(("rule", rule))
    if dateline_outlet:
        signals.append(("dateline", dateline_outlet))
    signals.extend(("credit", s) for s in sources if s)
    kinds = draft.outlet_kinds
    signals.extend((kinds.get(h, "hint"), h) for h in draft.outlet_hints if h)
    signals.extend(("header_unlabelled", h) for h in draft.header_outlets if h)
    if draft.own_name:
        signals.append((kinds.get(draft.own_name, "site_name"), draft.own_name))
    signals.extend((kinds.get(h, "site"), h) for h in draft.site_names if h)
    # Names only the readers' notes hold (every part of the document title, platform account names).
    given = {raw for _, raw in signals}
    signals.extend((kind, name) for name, kind in kinds.items() if name not in given)
    by_key: dict[str, Candidate] = {}
    order = 0

    def add(kind: str, name: str, cut: bool) -> None:
        nonlocal order
        key = fold(name)
        if not key:
            return
        found = by_key.get(key)
        if found is None:
            found = by_key[key] = Candidate(name, key, first=order)
            order += 1
        found.kinds |= _KIND_BIT[kind]
        found.cut = found.cut or cut
        found.signals += 1

    for kind, raw in signals:
        name, cut = _as_outlet(raw)
        if name:
            add(kind, name, cut)
    for kind, url in (("registry_original", draft.original_url), ("registry_host", draft.capture_url)):
        outlet = registry.by_url(url)
        if outlet is not None:
            add(kind, name_in_script(outlet, language, text), False)
    return list(by_key.values())


def _contains(a: str, b: str) -> bool:
    return a in b or b in a


def features(
    cands: list[Candidate], draft: Draft, registry: OutletRegistry, body: list[str], title: str | None,
    has_dateline: bool,
) -> list[list[float]]:
    shapes = load_shapes()
    host = _host(draft.capture_url) or _host(draft.original_url)
    host_outlet = registry.by_url(draft.capture_url) or registry.by_url(draft.original_url)
    known = [registry.find_in(c.name) for c in cands]
    n = len(cands)
    any_credit = [bool(c.kinds & _CREDIT_BITS) for c in cands]
    opening = " ".join(body[:2])[:400]
    closing = " ".join(body[-2:])[-400:]
    title_text = title or ""
    formats = [float(draft.format == f) for f in FORMATS]
    tags = {fold(t) for t in draft.tags}
    rows = []
    for i, c in enumerate(cands):
        name = c.name
        agree = [j for j in range(n) if j != i and (_contains(c.key, cands[j].key) or (known[i] is not None and known[i] is known[j]))]
        agree_kinds = c.kinds
        for j in agree:
            agree_kinds |= cands[j].kinds
        length = max(len(name), 1)
        han = len(_HAN.findall(name))
        latin = len(_LATIN.findall(name))
        blocks_with = [k for k, block in enumerate(body[:60]) if name in block]
        ascii_words = _ASCII_WORD.findall(name.lower())
        stripped = name.rstrip()
        rows.append([
            *(float(bool(c.kinds & bit)) for bit in _KIND_BIT.values()),
            float(c.kinds.bit_count()), float(c.signals), float((c.kinds & _CREDIT_BITS).bit_count()),
            float((c.kinds & _SITE_BITS).bit_count()), float(len(agree)), float(agree_kinds.bit_count()),
            c.first / max(n, 1), float(c.cut),
            float(known[i] is not None), float(registry.by_name(name) is not None),
            float(host_outlet is not None and known[i] is host_outlet), float(host_outlet is not None),
            float(bool(host) and any(w in host for w in ascii_words)),
            float(length), han / length, latin / length, float(any(ch.isdigit() for ch in name)),
            float(credits.looks_like_outlet(name)), float(credits.is_outlet_name(name)),
            float(stripped.endswith(shapes.channel_end)), float(stripped.endswith(shapes.person_end)),
            float(any(w in name for w in shapes.platform)), float(name in shapes.generic),
            float(credits._looks_like_name(name)), *pinyin_match(name, host), float(c.key in tags), float(name in title_text), float(len(blocks_with)),
            blocks_with[0] / max(len(body), 1) if blocks_with else -1.0, float(name in opening), float(name in closing),
            float(n), float(any(any_credit[j] for j in range(n) if j != i)),
            float(bool(c.kinds & _SITE_BITS) and not c.kinds & _CREDIT_BITS), float(has_dateline),
            float(draft.format != "site-html"), *formats,
        ])
    return rows


# ---------------------------------------------------------------------------------------------
# The shipped model, and the hooks training and evaluation use.


@dataclass(frozen=True, slots=True)
class OutletModel:
    ensemble: Ensemble
    threshold: float
    # Whether the rules' choice is one of the features (else the model decides from the signals alone).
    use_rule: bool = True
    # Where no name scores above the threshold, the rules' choice stands (else: no outlet).
    fallback_to_rule: bool = False


def model_from_json(data: dict[str, Any]) -> OutletModel:
    return OutletModel(
        compile_ensemble(data["model"]), float(data["threshold"]), bool(data.get("use_rule", True)),
        bool(data.get("fallback_to_rule", False)),
    )


@cache
def load_model() -> OutletModel | None:
    """The shipped model, or None when the package has none (the rules decide)."""
    path = _DATA / MODEL_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data["model"]["features"] != feature_names():
        raise RuntimeError(f"{MODEL_FILE} was trained on other features: run `make train`")
    return model_from_json(data)


@dataclass(slots=True)
class Recorded:
    """One capture's candidates and feature rows, as `choose_outlet` saw them (for training)."""

    names: list[str]
    rows: list[list[float]]
    rule: str | None
    chosen: str | None = None


@dataclass(slots=True)
class _State:
    override: list[tuple[OutletModel | None]] = field(default_factory=list)
    recorder: list[list[Recorded]] = field(default_factory=list)


_STATE = _State()
# The rules stay the default: leave-one-site-out on the corpus's train split, the model only ties them
# (bench/RESULTS.md, "Outlet chooser learned from the corpus"). NEWSDESK_OUTLET=model turns it on.
_MODE = os.environ.get("NEWSDESK_OUTLET", "rule")


@contextmanager
def using_model(model: OutletModel | None) -> Iterator[None]:
    """Choose outlets with this model (None: the rules alone) inside the block; for training and evaluation."""
    _STATE.override.append((model,))
    try:
        yield
    finally:
        _STATE.override.pop()


@contextmanager
def recording() -> Iterator[list[Recorded]]:
    """Collect every capture's candidates and features inside the block."""
    seen: list[Recorded] = []
    _STATE.recorder.append(seen)
    try:
        yield seen
    finally:
        _STATE.recorder.pop()


def best_name(model: OutletModel, names: list[str], rows: list[list[float]], rule: str | None) -> str | None:
    """The name the model scores highest above its threshold; else the rules' choice or none."""
    chosen, best = None, model.threshold
    for name, row in zip(names, rows, strict=True):
        # The rules' choice is feature 0; a model trained without it sees it unset.
        score = model.ensemble.predict(row if model.use_rule else [0.0, *row[1:]])
        if score > best:
            best, chosen = score, name
    if chosen is None and model.fallback_to_rule:
        return rule
    return chosen


def choose_outlet(
    draft: Draft, sources: list[str], dateline_outlet: str | None, body: list[str], title: str | None,
    registry: OutletRegistry, language: str | None, text: str, rule: str | None,
) -> str | None:
    """The outlet the model prefers among the capture's names; the rules' choice without a model."""
    model = _STATE.override[-1][0] if _STATE.override else load_model() if _MODE == "model" else None
    recorder = _STATE.recorder[-1] if _STATE.recorder else None
    if model is None and recorder is None:
        return rule
    cands = collect(draft, sources, dateline_outlet, registry, language, text, rule)
    rows = features(cands, draft, registry, body, title, dateline_outlet is not None)
    chosen = rule if model is None else best_name(model, [c.name for c in cands], rows, rule)
    if recorder is not None:
        recorder.append(Recorded([c.name for c in cands], rows, rule, chosen))
    return chosen
