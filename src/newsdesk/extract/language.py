"""Which language and script a text is written in: zh-Hans, zh-Hant, en, or None."""

from __future__ import annotations

import re
from functools import lru_cache

import opencc

# Han characters counted by runs: one match per run, not a string per character.
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_SAMPLE = 4000


@lru_cache(maxsize=1)
def script_sets() -> tuple[frozenset[str], frozenset[str]]:
    """(characters only traditional text uses, characters only simplified text uses), read
    off OpenCC's own tables once: converting each text would cost a call per text."""
    chars = [chr(c) for c in range(0x4E00, 0xA000)]
    joined = "\n".join(chars)
    to_simplified = opencc.OpenCC("t2s").convert(joined).split("\n")
    to_traditional = opencc.OpenCC("s2t").convert(joined).split("\n")
    traditional = frozenset(c for c, s in zip(chars, to_simplified, strict=True) if s != c)
    simplified = frozenset(c for c, t in zip(chars, to_traditional, strict=True) if t != c) - traditional
    return traditional, simplified


@lru_cache(maxsize=1)
def _script_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    # Character classes count in C what a Python loop over characters would count slowly.
    traditional, simplified = script_sets()
    return (re.compile("[" + re.escape("".join(sorted(traditional))) + "]"),
            re.compile("[" + re.escape("".join(sorted(simplified))) + "]"))


def script_counts(text: str) -> tuple[int, int]:
    """How many traditional-only and simplified-only characters `text` has."""
    traditional, simplified = _script_patterns()
    return len(traditional.findall(text)), len(simplified.findall(text))


def is_traditional(text: str) -> bool:
    trad, simp = script_counts(text)
    return trad > simp


def detect_language(text: str) -> str | None:
    sample = text[:_SAMPLE]
    han = sum(map(len, _CJK_RUN.findall(sample)))
    latin = len(_LATIN_WORD.findall(sample))
    if han >= 10 and han * 4 >= latin:
        return "zh-Hant" if is_traditional(sample) else "zh-Hans"
    if latin >= 5:
        return "en"
    return None
