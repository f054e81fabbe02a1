"""Which language and script a text is written in: zh-Hans, zh-Hant, en, or None."""

from __future__ import annotations

import re

import opencc

_T2S = opencc.OpenCC("t2s")
_S2T = opencc.OpenCC("s2t")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_SAMPLE = 4000


def _changed(a: str, b: str) -> int:
    return sum(1 for x, y in zip(a, b, strict=False) if x != y)


def detect_language(text: str) -> str | None:
    sample = text[:_SAMPLE]
    han = "".join(_CJK.findall(sample))
    if len(han) >= 10 and len(han) * 4 >= len(_LATIN_WORD.findall(sample)):
        # Characters only traditional text uses change under t2s; only simplified, under s2t.
        traditional = _changed(han, _T2S.convert(han))
        simplified = _changed(han, _S2T.convert(han))
        return "zh-Hant" if traditional > simplified else "zh-Hans"
    if len(_LATIN_WORD.findall(sample)) >= 5:
        return "en"
    return None
