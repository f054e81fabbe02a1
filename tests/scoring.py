"""The gold-spec measures (GOLD-SPEC.md): body shingle P/R/F1 and per-field agreement.

Kept here so the eval gate runs from the project's own files.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

WORD = re.compile(r"[^\W_]+")
CJK = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ffff])")
FIELDS = ("title", "published", "outlet", "authors", "editor", "original_url")


def tokens(text: str) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for word in WORD.findall(text):
        out.extend(piece for piece in CJK.split(word) if piece)
    return out


def shingles(blocks: list[str] | None, n: int = 4) -> Counter:
    toks = tokens(" ".join(blocks or []))
    return Counter(tuple(toks[i : i + n]) for i in range(max(1, len(toks) - n + 1)) if toks)


def body_prf(gold: list[str] | None, pred: list[str] | None) -> tuple[float, float, float]:
    g, p = shingles(gold), shingles(pred)
    if not g and not p:
        return 1.0, 1.0, 1.0
    tp = sum((g & p).values())
    prec = tp / sum(p.values()) if p else 0.0
    rec = tp / sum(g.values()) if g else 0.0
    return prec, rec, (2 * prec * rec / (prec + rec) if tp else 0.0)


def _fold(value: object) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKC", str(value)).lower() if ch.isalnum())


def field_ok(name: str, gold: object, pred: object) -> bool:
    if gold in (None, "", []):
        return pred in (None, "", [])
    if pred in (None, "", []):
        return False
    if name == "published":
        return str(pred)[:10] == str(gold)[:10]
    if name == "authors":
        return {_fold(a) for a in gold} == {_fold(a) for a in pred}  # type: ignore[union-attr]
    if name == "original_url":
        def norm(u: object) -> str:
            return re.sub(r"^https?://", "", str(u).strip()).rstrip("/")
        return norm(gold) == norm(pred)
    if name == "outlet":
        # As strict as the shared scorer: a name equal to an accepted one, or differing by a short affix
        # (人民网 / 人民网站); a byline or channel glued on (证券时报网作者李在山) is wrong.
        b = _fold(pred)
        options = gold if isinstance(gold, list) else [gold]
        return any(a and b and (a in b or b in a) and abs(len(a) - len(b)) <= 2 for a in map(_fold, options))
    return _fold(gold) == _fold(pred)
