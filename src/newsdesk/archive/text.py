"""Folding and tokenizing Chinese text for search: one script, one width, one case.

Index and query pass through the same `fold` (NFKC for full/half width, lower case,
OpenCC traditional→simplified), so `拉夫羅夫` finds `拉夫罗夫` and `ＡＢＣ` finds `abc`.
CJK runs become overlapping character bigrams plus the run's last character on its own (a
run of one character stays a unigram), other text becomes words. bench/archive.py measures
this against jieba-style words.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import lru_cache

import opencc

_T2S = opencc.OpenCC("t2s")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TOKEN_SPLIT = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+)")
_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """The searchable form of a text. Length-preserving for CJK and ASCII (snippets rely on it)."""
    return _T2S.convert(unicodedata.normalize("NFKC", text).lower())


def fold_aligned(text: str) -> str:
    """`fold`, character for character: the i-th character of the result folds the i-th of
    `text` (characters whose NFKC form is longer, like `…`, stay as they are). For snippets."""
    chars = [unicodedata.normalize("NFKC", ch).lower() for ch in text]
    width_folded = "".join(n if len(n) == 1 else ch for n, ch in zip(chars, text, strict=True))
    folded = _T2S.convert(width_folded)
    return folded if len(folded) == len(text) else width_folded


def _bigrams(run: str, after_word: bool) -> list[str]:
    if len(run) == 1:
        return [run]
    # The run's last character also stands alone: a one-character query is `"X" OR X*`, and FTS5
    # can match tokens that start with X but not ones that end with it (`(图)`, `访俄`).
    tokens = [*(run[i : i + 2] for i in range(len(run) - 1)), run[-1]]
    # After digits or Latin the first character stands alone too, so a phrase that ends there
    # (`39楼`, `2月24日`, `18人`) is an exact phrase rather than a prefix FTS5 must expand over
    # every bigram that starts with that character.
    return [run[0], *tokens] if after_word else tokens


def _bigram_pieces(folded: str) -> list[tuple[bool, list[str]]]:
    """(is a CJK run, its tokens) for each run of CJK and each stretch of other text."""
    pieces: list[tuple[bool, list[str]]] = []
    for piece in _TOKEN_SPLIT.split(folded):
        if not piece:
            continue
        if _CJK_RUN.fullmatch(piece):
            pieces.append((True, _bigrams(piece, after_word=bool(pieces) and not pieces[-1][0])))
        elif words := _WORD.findall(piece):
            pieces.append((False, words))
    return pieces


def bigram_tokens(folded: str) -> list[str]:
    return [token for _, tokens in _bigram_pieces(folded) for token in tokens]


def _bigram_phrase(folded: str) -> tuple[list[str], bool]:
    """Tokens of a query phrase: the index's, less the final run's trailing character, so the
    phrase ends with its last bigram and matches wherever the text goes on (`美国国务卿布林肯`);
    and whether the last token is a prefix: a final run of one character after punctuation
    (`俄，俄` in `俄，俄罗斯`) may begin a longer run, whose first character is no token of its own."""
    pieces = _bigram_pieces(folded)
    if pieces and pieces[-1][0] and len(pieces[-1][1]) > 1:
        pieces[-1] = (True, pieces[-1][1][:-1])
    prefix = len(pieces) > 1 and pieces[-1][0] and pieces[-2][0] and len(pieces[-1][1]) == 1
    return [token for _, tokens in pieces for token in tokens], prefix


@lru_cache(maxsize=1)
def _rjieba() -> Callable[[str], list[str]]:
    import rjieba

    return rjieba.cut


def word_tokens(folded: str) -> list[str]:
    """jieba-style words (rjieba), for comparison with bigrams."""
    cut = _rjieba()
    # rjieba keeps `cbl-mariner` or `covid-19` whole; FTS5's unicode61 would split them at the
    # hyphen anyway, so they are split here, the same way in the index and in queries.
    return [word for token in cut(folded) for word in _WORD.findall(token)]


TOKENIZERS: dict[str, Callable[[str], list[str]]] = {"bigram": bigram_tokens, "words": word_tokens}


def index_text(text: str, tokenizer: str = "bigram") -> str:
    return " ".join(TOKENIZERS[tokenizer](fold(text)))


# --- facets: filters as index tokens ------------------------------------------------------
#
# Outlet and publication date are indexed as tokens of a third FTS5 column, so a filtered search
# is one MATCH: FTS5 intersects the query with the filter's doclists and ranks only what passes.
# Filtering after ranking instead has to rank every match of a common word (most of an archive)
# to find the twenty from one small outlet.


def outlet_token(outlet: str) -> str:
    return "o" + hashlib.blake2b(outlet.encode("utf-8"), digest_size=8).hexdigest()


def published_day(published: str | None) -> date | None:
    """The day of an ISO date or date-time, or None when there is none."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def facet_tokens(outlet: str | None, published: str | None) -> str:
    tokens = [outlet_token(outlet)] if outlet else []
    if day := published_day(published):
        tokens += [f"y{day:%Y}", f"m{day:%Y%m}", f"d{day:%Y%m%d}"]
    return " ".join(tokens)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def date_cover(first: date, last: date) -> list[str]:
    """The fewest year, month and day tokens whose days are exactly `first`..`last` (inclusive)."""
    tokens: list[str] = []
    day = first
    while day <= last:
        if day.month == 1 and day.day == 1 and date(day.year, 12, 31) <= last:
            tokens.append(f"y{day:%Y}")
            if day.year == date.max.year:
                break  # no day after 9999-12-31 to step to
            day = date(day.year + 1, 1, 1)
        elif day.day == 1 and day.month < 12 and _next_month(day) - timedelta(days=1) <= last:
            tokens.append(f"m{day:%Y%m}")
            day = _next_month(day)
        elif day.day == 1 and day.month == 12 and date(day.year, 12, 31) <= last:
            tokens.append(f"m{day:%Y%m}")
            if day.year == date.max.year:
                break
            day = date(day.year + 1, 1, 1)
        else:
            tokens.append(f"d{day:%Y%m%d}")
            if day == date.max:
                break
            day += timedelta(days=1)
    return tokens


def facet_query(outlets: list[str] | None, first: date | None, last: date | None) -> str | None:
    """FTS5 expression over the facets column for these filters (any of `outlets`, the day range);
    None when nothing is filtered, "" when nothing can pass (no such outlet, an empty date range)."""
    parts = []
    if outlets is not None:
        if not outlets:
            return ""
        parts.append("(" + " OR ".join(outlet_token(name) for name in outlets) + ")")
    if first is not None and last is not None:
        days = date_cover(first, last)
        if not days:
            return ""
        parts.append("(" + " OR ".join(days) + ")")
    return " AND ".join(parts) if parts else None


def fts_row(
    title: str | None, body: list[str], outlet: str | None, published: str | None, tokenizer: str
) -> tuple[str, str, str]:
    """An article's (title, body, facets) as the full-text index holds them."""
    return index_text(title or "", tokenizer), index_text("\n".join(body), tokenizer), facet_tokens(outlet, published)


# --- queries -------------------------------------------------------------------------------

# A bare word stops at a parenthesis or quote, so `(布林肯 OR 王毅)` closes its group.
_QUERY_PART = re.compile(r'"([^"]*)"|(\()|(\))|([^\s()"]+)')
_OPERATORS = {"AND", "OR", "NOT"}


class QueryError(ValueError):
    """A search query that cannot be understood."""


def _phrase(text: str, tokenizer: str) -> str | None:
    folded = fold(text)
    tokens, prefix = _bigram_phrase(folded) if tokenizer == "bigram" else (TOKENIZERS[tokenizer](folded), False)
    if not tokens:
        return None
    if len(tokens) == 1 and tokenizer == "bigram" and len(tokens[0]) == 1 and _CJK_RUN.fullmatch(tokens[0]):
        # One character: any bigram that starts with it, or the character alone.
        return f'("{tokens[0]}" OR {tokens[0]}*)'
    return '"' + " ".join(tokens) + '"' + (" *" if prefix else "")


def to_fts_query(query: str, tokenizer: str = "bigram") -> str:
    """User syntax (words, "phrases", AND/OR/NOT, parentheses) to an FTS5 MATCH expression.

    Each word or phrase becomes an FTS5 phrase of its tokens, so a Chinese word matches
    only where its characters stand together.
    """
    parts: list[str] = []
    for m in _QUERY_PART.finditer(query):
        quoted, open_, close, bare = m.groups()
        if open_:
            parts.append("(")
        elif close:
            parts.append(")")
        elif bare is not None and bare in _OPERATORS:
            parts.append(bare)
        else:
            phrase = _phrase(quoted if quoted is not None else bare, tokenizer)
            if phrase:
                parts.append(phrase)
    # Adjacent terms mean AND; operators need terms on both sides. Mistakes are caught here, with
    # a hint, because FTS5 only says `syntax error near …`.
    out: list[str] = []
    depth = 0
    for part in parts:
        if part == ")":
            if depth == 0:
                raise QueryError(f"unbalanced parentheses in {query!r}: a ')' has no '(' before it")
            if out and out[-1] in _OPERATORS:
                raise QueryError(f"{out[-1]} needs a word on each side, as in (布林肯 {out[-1]} 王毅)")
            if not out or out[-1] == "(":
                raise QueryError(f"empty parentheses in {query!r}: put words inside, as in (布林肯 OR 王毅)")
            depth -= 1
        elif part in _OPERATORS:
            if part == "NOT" and out and out[-1] == "AND":
                out[-1] = "NOT"  # `A AND NOT B` is FTS5's `A NOT B`
                continue
            if out and out[-1] in _OPERATORS:
                raise QueryError(f"{out[-1]} {part} in {query!r}: put a word between operators")
            if part == "NOT" and out and out[-1] == "(":
                raise QueryError("NOT cannot open parentheses: say what to find first, e.g. (布林肯 NOT 王毅)")
            if out and out[-1] == "(":
                raise QueryError(f"{part} needs a word on each side, as in (布林肯 {part} 王毅)")
        elif out and out[-1] not in _OPERATORS and out[-1] != "(":
            out.append("AND")
        if part == "(":
            depth += 1
        out.append(part)
    if depth:
        raise QueryError(f"unbalanced parentheses in {query!r}: a '(' is not closed")
    while out and out[-1] in _OPERATORS:
        out.pop()
    while out and out[0] in {"AND", "OR"}:
        out.pop(0)
    if not out:
        raise QueryError(f"nothing to search for in {query!r}: give a word or a \"phrase\"")
    if out[0] == "NOT":
        raise QueryError("a query cannot start with NOT: say what to find first, e.g. 布林肯 NOT 王毅")
    return " ".join(out)


def expand_query(query: str, names_of: Callable[[str], list[str] | None]) -> tuple[str, dict[str, list[str]]]:
    """The query with each word or phrase that `names_of` knows (an entity's name) OR-ed with its other
    names, in the same user syntax: `普丁 AND 王毅` → `("普丁" OR "普京" OR "Putin") AND 王毅`. Names a
    kept one already matches are left out (`弗拉基米尔·普京` after `普京`, `Vladimir Putin` after
    `Putin`), as are spellings that fold to the same text. Returns the query and, for each expanded
    term as typed, the names added, as spelled in `names_of`."""
    to_fts_query(query)  # a query that cannot be read is reported as the user typed it
    expanded: dict[str, list[str]] = {}
    parts: list[str] = []
    for m in _QUERY_PART.finditer(query):
        quoted, _, _, bare = m.groups()
        term = quoted if quoted is not None else bare
        names = names_of(term) if term and term not in _OPERATORS else None
        added = _other_names(term, names) if term and names else []
        if not added:
            parts.append(m.group())
            continue
        expanded[term] = added
        parts.append("(" + " OR ".join(f'"{name.replace(chr(34), " ")}"' for name in [term, *added]) + ")")
    return " ".join(parts), expanded


def _other_names(term: str, names: list[str]) -> list[str]:
    """`names` less those that fold to `term` or would match only where a shorter kept name does."""
    forms: dict[str, str] = {}
    for name in names:
        if folded := _name_form(name):
            forms.setdefault(folded, name)
    kept = [_name_form(term)]
    for folded in sorted(forms, key=len):
        if not any(_covers(shorter, folded) for shorter in kept if shorter):
            kept.append(folded)
    chosen = set(kept[1:])
    return [name for folded, name in forms.items() if folded in chosen]


def _name_form(name: str) -> str:
    """A name as the index reads it: folded; Latin and other alphabets as their words."""
    folded = fold(name)
    return folded.strip() if _CJK_RUN.search(folded) else " ".join(_WORD.findall(folded))


def _covers(shorter: str, longer: str) -> bool:
    """Whether every text a search for `longer` finds is found by one for `shorter`: a CJK name inside
    the other (the index cuts CJK into bigrams, not words), or words a run of the other's words."""
    if _CJK_RUN.search(shorter):
        return shorter in longer
    small, large = shorter.split(), _WORD.findall(longer)
    return any(large[i : i + len(small)] == small for i in range(len(large) - len(small) + 1))


def query_terms(query: str) -> list[str]:
    """The folded words and phrases of a query, for highlighting."""
    terms = []
    for m in _QUERY_PART.finditer(query):
        quoted, _, _, bare = m.groups()
        text = quoted if quoted is not None else bare
        if text and text not in _OPERATORS and text not in "()":
            terms.append(fold(text))
    return terms


def snippet(
    text: str | Sequence[str], terms: list[str], width: int = 90, mark: tuple[str, str] = ("<b>", "</b>")
) -> str:
    """A window around the first query term in the first block (paragraph) that has one, terms
    marked; `text` is one string or the body's blocks. The text is HTML-escaped (`&`, `<`, `>`);
    the marks are not."""
    blocks = [text] if isinstance(text, str) else [block for block in text if block]
    if not blocks or not blocks[0]:
        return ""
    for block in blocks:
        # Whole-block folding is fast; the per-character version, which keeps offsets aligned when
        # NFKC changes a length (`…`), only runs where the fast one did change it.
        folded = fold(block)
        if len(folded) != len(block):
            folded = fold_aligned(block)
        hits = [(found[0], t) for t in terms if t and (found := _occurrences(folded, t))]
        if hits:
            return _window(block, folded, hits, width, mark)
    first = blocks[0]
    return _as_text(first[:width]) + ("…" if len(first) > width or len(blocks) > 1 else "")


_WORD_CHAR = r"[0-9a-z]"


@lru_cache(maxsize=256)
def _term_pattern(term: str) -> re.Pattern[str]:
    # A Latin or numeric edge of a term is a word edge, as in the index: `the` is not inside `cathedral`.
    # CJK terms match anywhere (the index cuts them into bigrams, not words).
    before = rf"(?<!{_WORD_CHAR})" if re.match(_WORD_CHAR, term[0]) else ""
    after = rf"(?!{_WORD_CHAR})" if re.match(_WORD_CHAR, term[-1]) else ""
    return re.compile(before + re.escape(term) + after)


def _occurrences(folded: str, term: str) -> list[int]:
    """Where the folded query term stands in folded text, as whole words on its Latin edges."""
    return [m.start() for m in _term_pattern(term).finditer(folded)]


def _as_text(text: str) -> str:
    return html.escape(text, quote=False)


def _window(source: str, folded: str, hits: list[tuple[int, str]], width: int, mark: tuple[str, str]) -> str:
    first = min(at for at, _ in hits)
    start = max(0, first - width // 3)
    end = min(len(source), start + width)
    window_folded = folded[start:end]
    window = source[start:end]
    spans: list[tuple[int, int]] = []
    for term in {t for _, t in hits}:
        spans += [(at, at + len(term)) for at in _occurrences(window_folded, term)]
    # The text is HTML-escaped so that the marks are the only markup in a snippet: a capture's own
    # `<b>` or `<script>` is shown as text, never taken for a match or run by whoever renders it.
    out, last = [], 0
    for begin, finish in sorted(spans):
        if begin < last:
            continue
        out += [_as_text(window[last:begin]), mark[0], _as_text(window[begin:finish]), mark[1]]
        last = finish
    out.append(_as_text(window[last:]))
    return ("…" if start > 0 else "") + "".join(out) + ("…" if end < len(source) else "")
