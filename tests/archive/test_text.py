"""Search text: folding (script, width, case), bigram tokens, the query language, snippets.

The property tests index random texts in a real FTS5 table, exactly as the archive does, and
check every query against the ground truth: a word matches where its folded characters stand
together.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.archive.schema import FTS_TABLE
from newsdesk.archive.text import (
    QueryError,
    bigram_tokens,
    date_cover,
    facet_tokens,
    fold,
    index_text,
    outlet_token,
    query_terms,
    snippet,
    to_fts_query,
)

# --- fold ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("拉夫羅夫", "拉夫罗夫"),
        ("美國國務卿", "美国国务卿"),
        ("ＢＢＣ中文網", "bbc中文网"),
        ("Ｌａｖｒｏｖ", "lavrov"),
        ("ＡＢＣ１２３", "abc123"),
        ("峯會", "峰会"),
    ],
)
def test_fold_is_one_script_one_width_one_case(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_keeps_length_for_cjk_and_ascii() -> None:
    text = "布林肯周二（2月1日）再次與俄羅斯外長謝爾蓋·拉夫羅夫（Sergey Lavrov）通話。"
    assert len(fold(text)) == len(text)


# --- tokens ----------------------------------------------------------------------------


def test_cjk_runs_become_bigrams_and_their_last_character() -> None:
    assert bigram_tokens("王毅访俄") == ["王毅", "毅访", "访俄", "俄"]
    assert bigram_tokens("俄") == ["俄"]
    # After Latin or digits a run's first character stands alone as well (see the next test).
    assert bigram_tokens("bbc中文网报道, lavrov 说") == ["bbc", "中", "中文", "文网", "网报", "报道", "道", "lavrov", "说"]


def test_a_phrase_ending_one_character_after_a_figure_is_exact() -> None:
    # Not `"39 楼" *`: a prefix over every bigram that starts with 楼 costs a scan of them all.
    assert to_fts_query("39楼") == '"39 楼"'
    assert to_fts_query("2月24日") == '"2 月 24 日"'
    assert to_fts_query("G7峰会") == '"g7 峰 峰会"'
    assert bigram_tokens("39楼层") == ["39", "楼", "楼层", "层"]


def test_words_split_hyphenated_names_as_the_index_does() -> None:
    assert to_fts_query("CBL-Mariner", "words") == '"cbl mariner"'
    assert index_text("微软CBL-Mariner系统", "words") == "微软 cbl mariner 系统"


def test_index_text_folds_first() -> None:
    assert index_text("拉夫羅夫") == index_text("拉夫罗夫") == "拉夫 夫罗 罗夫 夫"
    assert index_text("ＢＢＣ") == "bbc"


# --- the query language ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "fts"),
    [
        ("拉夫羅夫", '"拉夫 夫罗 罗夫"'),
        ('"美国国务卿"', '"美国 国国 国务 务卿"'),
        ("布林肯 王毅", '"布林 林肯" AND "王毅"'),
        ("布林肯 OR 王毅", '"布林 林肯" OR "王毅"'),
        ("布林肯 NOT 王毅", '"布林 林肯" NOT "王毅"'),
        ("布林肯 AND NOT 王毅", '"布林 林肯" NOT "王毅"'),
        ("(布林肯 OR 马云) 普京", '( "布林 林肯" OR "马云" ) AND "普京"'),
        ("俄", '("俄" OR 俄*)'),
        ("ＢＢＣ", '"bbc"'),
        ("布林肯 AND", '"布林 林肯"'),
        ("OR 布林肯", '"布林 林肯"'),
    ],
)
def test_queries_become_fts5_expressions(query: str, fts: str) -> None:
    assert to_fts_query(query) == fts


@pytest.mark.parametrize(
    ("query", "hint"),
    [
        ("", "nothing to search for"),
        ("AND", "nothing to search for"),
        ("AND OR 布林肯", "between operators"),
        ("!!!", "nothing to search for"),
        ("NOT 王毅", "cannot start with NOT"),
        ("(布林肯", "not closed"),
        ("布林肯)", "no '('"),
        ("( )", "empty parentheses"),
        ("布林肯 OR NOT 王毅", "between operators"),
        ("布林肯 (OR 王毅)", "on each side"),
        ("(NOT 王毅)", "NOT cannot open"),
        ("(布林肯 AND)", "on each side"),
    ],
)
def test_bad_queries_say_what_to_do(query: str, hint: str) -> None:
    with pytest.raises(QueryError, match=hint.replace("(", r"\(")):
        to_fts_query(query)


def test_query_terms_are_folded_words_and_phrases() -> None:
    assert query_terms('拉夫羅夫 AND "美國 國務卿" OR (ＢＢＣ)') == ["拉夫罗夫", "美国 国务卿", "bbc"]


# --- FTS5 behaviour, against the ground truth ------------------------------------------------

# Few characters, some in both scripts, so random texts share words often.
ALPHABET = "拉夫罗羅国國务務卿美俄毅王"
cjk_text = st.text(alphabet=ALPHABET + " ，。abc", min_size=0, max_size=40)


@pytest.fixture(scope="module")
def fts() -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(":memory:")
    # The archive's own table definition.
    conn.execute(FTS_TABLE.replace("article_fts", "t"))
    yield conn
    conn.close()


def _matches(conn: sqlite3.Connection, docs: list[str], query: str) -> set[int]:
    conn.execute("DELETE FROM t")
    conn.executemany("INSERT INTO t(rowid, title, body) VALUES (?, '', ?)", [(i, index_text(d)) for i, d in enumerate(docs)])
    return {rowid for (rowid,) in conn.execute("SELECT rowid FROM t WHERE t MATCH ?", (to_fts_query(query),))}


@settings(max_examples=150, deadline=None)
@given(docs=st.lists(cjk_text, min_size=1, max_size=6), word=st.text(alphabet=ALPHABET, min_size=1, max_size=4))
def test_a_cjk_word_matches_exactly_where_it_occurs(fts: sqlite3.Connection, docs: list[str], word: str) -> None:
    expected = {i for i, doc in enumerate(docs) if fold(word) in fold(doc)}
    assert _matches(fts, docs, word) == expected


@settings(max_examples=100, deadline=None)
@given(docs=st.lists(cjk_text, min_size=1, max_size=6), a=st.text(alphabet=ALPHABET, min_size=1, max_size=3),
       b=st.text(alphabet=ALPHABET, min_size=1, max_size=3))
def test_boolean_queries_match_set_algebra(fts: sqlite3.Connection, docs: list[str], a: str, b: str) -> None:
    has_a = {i for i, doc in enumerate(docs) if fold(a) in fold(doc)}
    has_b = {i for i, doc in enumerate(docs) if fold(b) in fold(doc)}
    assert _matches(fts, docs, f"{a} AND {b}") == has_a & has_b
    assert _matches(fts, docs, f"{a} OR {b}") == has_a | has_b
    assert _matches(fts, docs, f"{a} NOT {b}") == has_a - has_b


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet=ALPHABET + "，", min_size=2, max_size=30), data=st.data())
def test_phrase_tokens_sit_together_in_the_index_tokens(text: str, data: st.DataObject) -> None:
    """Any stretch of CJK characters of a text is found as a phrase in that text."""
    runs = [r for r in re.split(r"[^" + ALPHABET + "]+", fold(text)) if r]
    if not runs:
        return
    run = data.draw(st.sampled_from(runs))
    start = data.draw(st.integers(0, len(run) - 1))
    end = data.draw(st.integers(start + 1, len(run)))
    phrase = to_fts_query(f'"{run[start:end]}"')
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize = 'unicode61 remove_diacritics 0')")
    conn.execute("INSERT INTO t(body) VALUES (?)", (index_text(text),))
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (phrase,)).fetchone()[0] == 1, (text, phrase)
    conn.close()


# Figures and Latin words among the characters: their tokens are words, so a phrase must start and end
# on a word's edge (`9楼` is not in `39楼`, as `lavrov` is not in `slavrov`).
MIXED = ALPHABET + "39ab"


@settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet=MIXED + "， ", min_size=2, max_size=30), data=st.data())
def test_phrases_across_figures_and_latin_are_found(text: str, data: st.DataObject) -> None:
    folded = fold(text)

    def inside_word(i: int) -> bool:
        return 0 < i < len(folded) and all(c.isascii() and c.isalnum() for c in folded[i - 1 : i + 1])

    cuts = [i for i in range(len(folded) + 1) if not inside_word(i)]
    start = data.draw(st.sampled_from(cuts[:-1]))
    end = data.draw(st.sampled_from([c for c in cuts if c > start]))
    stretch = folded[start:end]
    try:
        phrase = to_fts_query(f'"{stretch}"')
    except QueryError:
        return  # only spaces and punctuation
    conn = sqlite3.connect(":memory:")
    conn.execute(FTS_TABLE.replace("article_fts", "t"))
    conn.execute("INSERT INTO t(body) VALUES (?)", (index_text(text),))
    assert conn.execute("SELECT count(*) FROM t WHERE t MATCH ?", (phrase,)).fetchone()[0] == 1, (text, stretch, phrase)
    conn.close()


# --- facets ------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(first=st.dates(date(1998, 1, 1), date(2030, 12, 31)), span=st.integers(-3, 2000))
def test_date_cover_is_exactly_the_range(first: date, span: int) -> None:
    last = first + timedelta(days=span)
    tokens = date_cover(first, last)
    covered = set()
    for token in tokens:
        if token.startswith("y"):
            year = int(token[1:])
            covered |= {date(year, 1, 1) + timedelta(days=i) for i in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)}
        elif token.startswith("m"):
            year, month = int(token[1:5]), int(token[5:])
            day = date(year, month, 1)
            while day.month == month:
                covered.add(day)
                day += timedelta(days=1)
        else:
            covered.add(date(int(token[1:5]), int(token[5:7]), int(token[7:])))
    assert covered == {first + timedelta(days=i) for i in range(span + 1)}
    # Whole months and years are one token each: never more than two edges of days and months.
    assert len(tokens) <= 2 * (30 + 11) + (last.year - first.year + 1)


def test_facet_tokens_are_outlet_and_day_month_year() -> None:
    tokens = facet_tokens("大纪元", "2022-02-01T08:00:00+08:00").split()
    assert tokens[0] == outlet_token("大纪元") and tokens[0].isalnum()
    assert tokens[1:] == ["y2022", "m202202", "d20220201"]
    assert facet_tokens(None, "Invalid Date") == ""


# --- snippets ----------------------------------------------------------------------------


def test_snippet_marks_the_match_in_the_texts_own_script() -> None:
    text = "美國國務卿布林肯週二再次與俄羅斯外長拉夫羅夫通話。"
    out = snippet(text, query_terms("拉夫罗夫"))
    assert "<b>拉夫羅夫</b>" in out
    assert out.replace("<b>", "").replace("</b>", "") in text


def test_snippet_marks_every_term_and_full_width_matches() -> None:
    text = "据ＢＢＣ报道，布林肯与拉夫罗夫通话。BBC 随后更新了报道。"
    out = snippet(text, query_terms("bbc 布林肯"))
    assert out.count("<b>") == out.count("</b>") == 3
    assert "<b>ＢＢＣ</b>" in out and "<b>BBC</b>" in out and "<b>布林肯</b>" in out


def test_snippet_is_a_window_around_the_first_hit() -> None:
    text = "无关的开头。" * 40 + "拉夫罗夫在会上发言。" + "无关的结尾。" * 40
    out = snippet(text, ["拉夫罗夫"], width=60)
    assert out.startswith("…") and out.endswith("…")
    assert "<b>拉夫罗夫</b>" in out
    assert len(out.replace("<b>", "").replace("</b>", "")) <= 60 + 2


def test_snippet_comes_from_the_first_block_with_a_hit() -> None:
    blocks = ["第一段没有。", "第二段提到拉夫羅夫。", "第三段也提到拉夫罗夫。"]
    assert snippet(blocks, ["拉夫罗夫"]) == "第二段提到<b>拉夫羅夫</b>。"
    assert snippet(["短文。", "第二段。"], ["王毅"]) == "短文。…"


def test_snippet_without_a_hit_is_the_start_of_the_text() -> None:
    assert snippet("短文。", ["拉夫罗夫"]) == "短文。"
    assert snippet("", ["拉夫罗夫"]) == ""


def test_snippet_text_is_html_escaped_and_only_its_marks_are_tags() -> None:
    text = "外长拉夫罗夫称 <script>alert(1)</script> 与 <b>假粗体</b> & 其他。"
    out = snippet(text, ["拉夫罗夫"])
    assert out == "外长<b>拉夫罗夫</b>称 &lt;script&gt;alert(1)&lt;/script&gt; 与 &lt;b&gt;假粗体&lt;/b&gt; &amp; 其他。"
    assert snippet("<i>没有</i>", ["拉夫罗夫"]) == "&lt;i&gt;没有&lt;/i&gt;"


def test_snippet_marks_latin_terms_as_whole_words_only() -> None:
    """As the index matches them (issue 9: `search the` highlighted inside `Cathedral`)."""
    text = "The Cathedral bells rang; then the crowd left. 布林肯访问the北京"
    assert snippet(text, ["the"]) == "<b>The</b> Cathedral bells rang; then <b>the</b> crowd left. 布林肯访问<b>the</b>北京"
    assert snippet(text, ["cathedral"]) == "The <b>Cathedral</b> bells rang; then the crowd left. 布林肯访问the北京"
    assert snippet("G20峰会 and G2", ["g2"]) == "G20峰会 and <b>G2</b>"
    assert snippet("拉夫罗夫与布林肯", ["布林"]) == "拉夫罗夫与<b>布林</b>肯"
