"""When two captures are one article: URL keys (and the trivial addresses that are none),
MinHash signatures and LSH bands, title and date agreement, the evidence one address needs,
which revision is the latest, and the completeness score that picks the best capture. The
second half runs the policy in real archives (SQLite files) over real captures and variants
of them: the partition of captures into articles is the same for every ingest order."""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.analysis.stories import Analysis
from newsdesk.archive import Archive
from newsdesk.archive import fold as folding
from newsdesk.archive.schema import MIGRATIONS
from newsdesk.archive.store import capture_hash
from newsdesk.extract import extract_capture
from newsdesk.model import Article, Image
from tests.archive.helpers import (
    BASE,
    BASE_PARAGRAPHS,
    BRIEF,
    CAPTURES,
    SAME_DAY,
    add_in_order,
    fts_is_sound,
    ingest_into,
    read,
    revised,
    traditional,
    without_original_url,
    write,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
_PARAGRAPH = re.compile(r" <p>\n.*?\n </p>\n", re.S)
_ORIGINAL_URL = re.compile(r"(原文地址（需翻墙访问）：)(\S+)")


def flash(text: str, keep: int = 2) -> str:
    """A mirror capture as a flash (快讯) first reads: its first `keep` paragraphs, under the same
    headline and address, before the full report replaced it."""
    blocks = list(_PARAGRAPH.finditer(text))
    assert len(blocks) > keep + 2, "the capture has too few paragraphs to cut"
    return text[: blocks[keep].start()] + text[blocks[-1].end() :]


def naming(text: str, url: str) -> str:
    """A mirror capture whose `原文地址` line names `url` instead of its own address."""
    out, count = _ORIGINAL_URL.subn(lambda m: m[1] + url, text)
    assert count == 1, "the capture has no 原文地址 line"
    return out

# --- URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        "https://www.ntdtv.com/gb/2021/05/20/a103124021.html",
        "http://ntdtv.com/gb/2021/05/20/a103124021.html",
        "https://WWW.NTDTV.COM/gb/2021/05/20/a103124021.html/",
        "https://www.ntdtv.com:443/gb/2021/05/20/a103124021.html#comments",
        "https://www.ntdtv.com/gb/2021/05/20/a103124021.html?utm_source=twitter&utm_medium=social&fbclid=x",
        "  https://www.ntdtv.com/gb/2021/05/20/a103124021.html  ",
    ],
)
def test_one_page_has_one_url_key(variant: str) -> None:
    assert folding.normalize_url(variant) == "ntdtv.com/gb/2021/05/20/a103124021.html"


def test_url_keys_keep_what_names_the_page() -> None:
    # The article id in a query string is the page; its order is not.
    assert folding.normalize_url("http://news.example.com/view?id=7&lang=zh") == "news.example.com/view?id=7&lang=zh"
    assert folding.normalize_url("http://news.example.com/view?lang=zh&id=7") == "news.example.com/view?id=7&lang=zh"
    assert folding.normalize_url("http://news.example.com/view?id=7") != folding.normalize_url("http://news.example.com/view?id=8")
    # The path's case is the server's business.
    assert folding.normalize_url("http://example.com/A") != folding.normalize_url("http://example.com/a")


@pytest.mark.parametrize("junk", [None, "", "not a url", "/relative/path.html", "http://[::1"])
def test_no_key_without_a_host(junk: str | None) -> None:
    assert folding.normalize_url(junk) is None


# --- signatures --------------------------------------------------------------------------


def _article(text: str) -> Article:
    return extract_capture(text.encode("utf-8"), "capture.md")


def _similarity(a: Article, b: Article) -> float:
    return folding.similarity(
        folding.signature_bytes(folding.signature(folding.body_text(a))), folding.signature(folding.body_text(b))
    )


def test_script_and_width_do_not_change_the_body_signature() -> None:
    base = read(BASE)
    simplified, tw = _article(base), _article(without_original_url(traditional(base)))
    assert simplified.body != tw.body
    assert folding.body_text(simplified) == folding.body_text(tw)
    assert _similarity(simplified, tw) == 1.0


def test_a_revision_is_similar_but_not_the_same_text() -> None:
    base = read(BASE)
    similarity = _similarity(_article(base), _article(revised(base)))
    assert similarity < folding.SAME_REVISION


def test_unrelated_articles_are_far_apart() -> None:
    a, b = (_article(read(p)) for p in SAME_DAY)
    assert _similarity(a, b) < 0.1


def test_signature_bytes_round_trip_and_bands_are_stable() -> None:
    text = folding.body_text(_article(read(BASE)))
    first, second = folding.signature(text), folding.signature(text)
    assert folding.signature_bytes(first) == folding.signature_bytes(second)
    assert len(folding.signature_bytes(first)) == folding.NUM_PERM * 4
    keys = folding.band_keys(first)
    assert keys == folding.band_keys(second)
    assert [band for band, _ in keys] == list(range(folding.BANDS))
    assert folding.BANDS * folding.ROWS <= folding.NUM_PERM


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="布林肯拉夫罗会谈北极美俄", min_size=6, max_size=80))
def test_identical_texts_share_every_band(text: str) -> None:
    a, b = folding.signature(text), folding.signature(text)
    assert folding.similarity(folding.signature_bytes(a), b) == 1.0
    assert folding.band_keys(a) == folding.band_keys(b)


def test_shingles_of_short_text() -> None:
    assert folding.shingles("") == set()
    assert folding.shingles("普京") == {"普京".encode()}
    assert len(folding.shingles("一二三四五六")) == 2


# --- titles and dates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("北极会议登场 美俄外长首次面对面会谈", "北極會議登場 美俄外長首次面對面會談"),
        ("传杨丽萍搭档王迪跳楼去世 年仅44岁(图)", "传杨丽萍搭档王迪跳楼去世 年仅44岁"),
        ("Alexa，黑掉你自己：亚马逊Echo可能在背着你搞事", "Alexa，黑掉你自己：亞馬遜Echo可能在揹著你搞事"),
        ("ＢＢＣ：美俄外长会谈", "BBC：美俄外长会谈"),
        (None, "任何标题"),
    ],
)
def test_titles_that_agree(a: str | None, b: str) -> None:
    assert folding.titles_agree(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("7月14日国际新闻简讯", "7月15日国际新闻简讯"),
        ("《共产主义黑皮书》第四部分（65）", "《共产主义黑皮书》第四部分（66）"),
        ("卸任前最后一天 马云看望老同事被围观", "川普解雇第三任国安顾问博尔顿 分歧过大"),
    ],
)
def test_titles_that_do_not(a: str, b: str) -> None:
    assert not folding.titles_agree(a, b)


def test_dates_agree_on_the_day_or_within_slack() -> None:
    assert folding.dates_agree("2022-02-02", "2022-02-02T02:38:07+00:00")
    assert not folding.dates_agree("2022-02-01", "2022-02-02")
    assert folding.dates_agree("2022-02-01", "2022-02-02", slack_days=1)
    assert not folding.dates_agree("2022-01-31", "2022-02-02", slack_days=1)
    # Unknown or unreadable dates cannot tell two captures apart.
    assert folding.dates_agree(None, "2022-02-02")
    assert folding.dates_agree("sometime", "2022-02-02")


# --- capture score -----------------------------------------------------------------------


def test_capture_score_counts_body_and_fields_and_says_so() -> None:
    bare = Article(body=["短" * 100])
    full = Article(
        title="标题", published="2021-05-20", outlet="新唐人", authors=["毕心慈"], editor="王明",
        original_url="https://example.com/a", body=["短" * 100], images=[Image("a.jpg")], language="zh-Hans",
    )
    bare_score, bare_reason = folding.capture_score(bare)
    full_score, full_reason = folding.capture_score(full)
    assert full_score - bare_score == 80.0
    assert bare_reason == "100 body characters; 0 of 8 fields (none)"
    assert full_reason.startswith("100 body characters; 8 of 8 fields (title, published, outlet, authors")


def test_capture_score_caps_body_length() -> None:
    """A page that swallowed its comments is not better for being longer."""
    capped, _ = folding.capture_score(Article(body=["字" * 20_000]))
    longer, _ = folding.capture_score(Article(body=["字" * 90_000]))
    assert capped == longer == 200.0


# --- addresses that name no one page -------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://www.soundofhope.org/",
        "http://www.soundofhope.org",
        "https://www.soundofhope.org/index.html",
        "https://news.sina.com.cn/world/index.shtml",
        "https://www.example.com/default.aspx",
        "https://www.soundofhope.org/news/",
        "https://www.soundofhope.org/gb/world",
        "https://www.bbc.com/zhongwen/simp",
        "https://www.soundofhope.org/feed/",
        "https://feeds.bbci.co.uk/zhongwen/simp/rss.xml",
        "https://www.soundofhope.org/tag/%E6%99%AE%E4%BA%AC",
        "https://www.soundofhope.org/category/world/page/2",
        "https://www.soundofhope.org/search?q=2022",
        "https://www.soundofhope.org/?page=3",
    ],
)
def test_home_section_feed_and_listing_pages_are_trivial(url: str) -> None:
    assert folding.is_trivial_address(url)
    assert folding.identity_key(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.ntdtv.com/gb/2021/05/20/a103124021.html",
        "https://gnews.org/zh-hans/2565666",
        "https://ent.ifeng.com/c/7pldiU65MNU",
        "http://news.example.com/view?id=7",
        "https://blog.example.com/?p=123",
        "https://www.example.com/2022/05/index.html",
        "https://www.example.com/putin-meets-xi-in-beijing",
        "https://www.example.com/archives/1234",
        "https://www.wealth.com.tw/articles/58979cfd-28f3-408a-bdad-28dbad4af9b0",
    ],
)
def test_article_addresses_are_identity_keys(url: str) -> None:
    assert not folding.is_trivial_address(url)
    assert folding.identity_key(url) == folding.normalize_url(url)


def test_the_real_captures_name_no_trivial_original() -> None:
    """Every original URL the dev captures name is an article's own address."""
    urls = [extract_capture(p.read_bytes(), str(p)).original_url for p in sorted(CAPTURES.iterdir())]
    named = [u for u in urls if u]
    assert len(named) >= 30
    assert [u for u in named if folding.is_trivial_address(u)] == []


# --- text evidence at one address ----------------------------------------------------------


def _body(path_or_text: Path | str) -> str:
    text = read(path_or_text) if isinstance(path_or_text, Path) else path_or_text
    return folding.body_text(_article(text))


def test_same_text_at_one_address_agrees() -> None:
    evidence = folding.compare_texts(_body(BASE), _body(traditional(read(BASE))))
    assert evidence.similarity == 1.0
    assert folding.same_address_verdict(evidence, "北极会议登场", "北極會議登場") == "same text (similarity 1.00)"


def test_a_flash_is_contained_in_its_full_text() -> None:
    evidence = folding.compare_texts(_body(flash(read(BASE))), _body(BASE))
    assert evidence.shorter <= folding.STUB_SHARE * evidence.longer
    assert evidence.similarity < folding.SIMILARITY_THRESHOLD
    verdict = folding.same_address_verdict(evidence, None, None)
    assert verdict is not None and verdict.startswith("a short version contained in the other")


def test_two_articles_of_one_outlet_do_not_agree_whatever_their_addresses() -> None:
    first, second = SAME_DAY
    evidence = folding.compare_texts(_body(first), _body(second))
    assert evidence.containment < 0.1
    titles = (_article(read(first)).title, _article(read(second)).title)
    assert folding.same_address_verdict(evidence, *titles) is None


def test_an_edit_needs_the_same_headline_and_shared_text() -> None:
    edited = folding.TextEvidence(similarity=0.4, containment=0.55, shorter=400, longer=420)
    assert folding.same_address_verdict(edited, "北极会议登场 美俄外长首次面对面会谈", "北极会议登场 美俄外长首次面对面会谈")
    assert folding.same_address_verdict(edited, "北极会议登场 美俄外长首次面对面会谈", "川普解雇第三任国安顾问博尔顿") is None
    barely = folding.TextEvidence(similarity=0.1, containment=0.2, shorter=400, longer=420)
    assert folding.same_address_verdict(barely, "同一标题", "同一标题") is None


def test_pages_without_text_at_one_address_go_by_the_headline() -> None:
    empty = folding.TextEvidence(similarity=0.0, containment=0.0, shorter=0, longer=500)
    assert folding.same_address_verdict(empty, "2022年2月26日《樱花快报》", "2022年2月26日《樱花快报》")
    assert folding.same_address_verdict(empty, "页面不存在", "2022年2月26日《樱花快报》") is None


# --- which capture is the latest ------------------------------------------------------------


def test_capture_times_are_compared_as_instants() -> None:
    assert folding.capture_time("2021-05-21T08:00:00+08:00") == folding.capture_time("2021-05-21T00:00:00Z")
    assert folding.capture_time("Fri, 21 May 2021 00:00:00 GMT") == folding.capture_time("2021-05-21T00:00:00")
    assert folding.capture_time("yesterday") is None
    assert folding.capture_time(None) is None


def test_latest_revision_goes_by_crawl_time_then_ingest_order() -> None:
    # (seq, revision, captured_at): revision 2 was ingested first but captured last.
    assert folding.latest_revision([(1, 2, "2021-05-22T00:00:00Z"), (2, 1, "2021-05-20T00:00:00Z")]) == 2
    # A tie in time goes to the later ingested.
    assert folding.latest_revision([(1, 2, "2021-05-20T08:00:00+08:00"), (2, 1, "2021-05-20T00:00:00Z")]) == 1
    # A revision appears when first captured: a late copy of the first text does not bring it back.
    assert folding.latest_revision([
        (1, 1, "2021-05-20T00:00:00Z"), (2, 2, "2021-05-21T00:00:00Z"), (3, 1, "2021-05-25T00:00:00Z"),
    ]) == 2
    # A capture without a readable time cannot be placed in time: the order revisions were first ingested in decides.
    assert folding.latest_revision([(1, 2, "2021-05-22T00:00:00Z"), (2, 1, None)]) == 1
    assert folding.latest_revision([(1, 1, None), (2, 2, None), (3, 1, None)]) == 2


# --- choosing among candidates ----------------------------------------------------------------


def _candidate(article_id: str, order: int, keys: set[str], similarity: float, by_address: bool = False) -> folding.Candidate:
    return folding.Candidate(article_id, order, frozenset(keys), (float(by_address), similarity, 0.0), f"why {article_id}")


def test_a_capture_agreeing_with_two_compatible_articles_merges_them_into_the_older() -> None:
    decision = folding.choose([_candidate("b", 2, set(), 0.9), _candidate("a", 1, {"x.com/1"}, 0.7, by_address=True)], "x.com/1")
    assert decision.article_id == "a" and decision.merges == ("b",)
    assert decision.reason == "why a; the same article as b, merged into it"


def test_articles_naming_different_originals_merge_as_publications_of_one_article() -> None:
    """A capture whose text agrees with two articles that name different addresses shows they are
    one text published twice: one article (two publications), kept under the older id."""
    decision = folding.choose([_candidate("b", 2, {"y.com/2"}, 0.95), _candidate("a", 1, {"x.com/1"}, 0.9)], None)
    assert (decision.article_id, decision.merges) == ("a", ("b",))
    assert decision.reason == "why b; the same article as b, merged into it"


def test_no_candidate_is_a_new_article() -> None:
    assert folding.choose([], "x.com/1") == folding.FoldDecision(None, "new article")


# --- in the archive ---------------------------------------------------------------------------

SOH = CAPTURES / "soh_zgxw__n3169083.md", CAPTURES / "soh_rdzz__n3184014.md"


def _articles_of(db: Path) -> dict[str, str]:
    """capture file name → article id."""
    conn = sqlite3.connect(db)
    try:
        return {Path(path).name: article for path, article in conn.execute("SELECT path, article_id FROM captures")}
    finally:
        conn.close()


@pytest.mark.parametrize(
    "url",
    ["http://www.soundofhope.org/", "https://www.soundofhope.org/gb/index.html", "http://www.soundofhope.org/gb/world",
     "https://www.soundofhope.org/feed/"],
)
def test_pages_naming_a_home_section_or_feed_page_as_their_original_stay_apart(tmp_path: Path, url: str) -> None:
    """Two unrelated reports whose original link is the site's home page (or a section page, a
    feed): the address names no article, so each stays its own, with its own title and body."""
    first, second = (naming(read(p), url) for p in SOH)
    db = tmp_path / "a.db"
    summary = ingest_into(db, write(tmp_path / "in", {"a.md": first, "b.md": second}))
    assert (summary.new, summary.folded, summary.revisions) == (2, 0, 0), summary
    ids = _articles_of(db)
    with Archive(db) as archive:
        titles = {name: archive.article(article_id).title for name, article_id in ids.items()}
        reasons = [c["fold_reason"] for article_id in set(ids.values()) for c in archive.article_info(article_id)["captures"]]
    assert titles == {"a.md": _article(first).title, "b.md": _article(second).title}
    assert not any("same original URL" in reason for reason in reasons)


def test_another_text_at_the_same_address_is_another_article(tmp_path: Path) -> None:
    """A page whose canonical link names another report (a template bug, a reused address): the
    address is all they share, so it is not that report's version."""
    real, other = SAME_DAY
    own_url = _article(read(real)).original_url
    assert own_url
    misnamed = naming(read(other), own_url)
    db = tmp_path / "a.db"
    ingest_into(db, write(tmp_path / "in", {"a_real.md": read(real), "b_misnamed.md": misnamed}))
    ids = _articles_of(db)
    assert ids["a_real.md"] != ids["b_misnamed.md"]
    with Archive(db) as archive:
        assert archive.article(ids["a_real.md"]).title == _article(read(real)).title
        assert archive.counts()["articles"] == 2


def test_a_flash_and_its_full_report_at_one_address_are_one_article(tmp_path: Path) -> None:
    base = read(BASE)
    db = tmp_path / "a.db"
    ingest_into(db, write(tmp_path / "in", {"a_flash.md": flash(base), "b_full.md": base}))
    ids = _articles_of(db)
    assert ids["a_flash.md"] == ids["b_full.md"]
    with Archive(db) as archive:
        info = archive.article_info(ids["b_full.md"])
        assert info["revisions"] == 2
        assert "a short version contained in the other" in info["captures"][1]["fold_reason"]


def test_a_heavy_edit_under_the_same_headline_at_one_address_is_a_revision(tmp_path: Path) -> None:
    """Five of nine paragraphs rewritten: below the near-duplicate threshold, but the same
    headline at the same address with most of the rest kept is the article, edited."""
    base = read(BASE)
    edited = revised(base)
    for number, paragraph in enumerate(("不过，美国国务院周三发表的声明中，没有提及峯会。", "拉夫罗夫认为美俄存在“严重分歧”，但必须在相似利益问题上合作。")):
        assert paragraph in edited
        edited = edited.replace(paragraph, f"更正：第{number + 4}段经编辑部核实后全部重写，以反映会谈结束后双方公布的正式文件内容。" * 2)
    evidence = folding.compare_texts(_body(base), _body(edited))
    assert evidence.similarity < folding.SIMILARITY_THRESHOLD <= 1.0, evidence
    assert evidence.containment >= folding.EDIT_OVERLAP, evidence
    db = tmp_path / "a.db"
    summary = ingest_into(db, write(tmp_path / "in", {"a.md": base, "b_edited.md": edited}))
    assert (summary.new, summary.revisions) == (1, 1), summary


def _issue_triangle() -> dict[str, str]:
    """The issue's case: A, a mirror copy without an address; X, the outlet's page, captured
    without its byline (so A stays the better capture and shows the article); Y, the same text
    re-posted at another outlet's address."""
    base = read(BASE)
    byline = " <p>\n  新唐人记者毕心慈、宇微综合报导\n </p>\n"
    assert byline in base
    page = base.replace(byline, "")
    return {
        "A": without_original_url(traditional(base)),
        "X": page,
        "Y": naming(page, "https://www.epochtimes.com/gb/21/5/20/n12966789.htm"),
    }


def _publications_of(db: Path) -> dict[str, str]:
    """capture file name → publication id."""
    conn = sqlite3.connect(db)
    try:
        return {Path(path).name: pub for path, pub in conn.execute("SELECT path, publication_id FROM captures")}
    finally:
        conn.close()


@pytest.mark.parametrize("order", list(itertools.permutations("AXY")))
def test_one_text_at_two_addresses_is_one_article_with_a_publication_per_address_whatever_the_order(
    tmp_path: Path, order: tuple[str, ...]
) -> None:
    """X is the outlet's page and Y the same text at another address: one article, two
    publications, in every order (A, X, Y used to give one article and X, A, Y two). A names no
    address, and its outlet has two addressed publications in the article, so nothing says which
    of them it copies: it is the outlet's publication without an address."""
    captures = _issue_triangle()
    db = tmp_path / "a.db"
    with Archive(db) as archive:
        archive.begin()
        for name in order:
            article = extract_capture(captures[name].encode(), f"{name}.md")
            archive.add_capture(capture_hash(captures[name].encode()), article)
        archive.commit()
        (article_id,) = {r.id for r in archive.list()}
        urls = {Path(c).name: p["url"] for p in archive.publications(article_id) for c in p["captures"]}
    assert urls == {"A.md": None, "X.md": "https://www.ntdtv.com/gb/2021/05/20/a103124021.html",
                    "Y.md": "https://www.epochtimes.com/gb/21/5/20/n12966789.htm"}
    assert len(set(_publications_of(db).values())) == 3


# Captures with one right partition: real captures, a flash, a re-capture, a mirror copy without
# the address, a heavy correction at one address, two pages naming the home page, a page naming
# another report's address, a re-post of a report at another address with a prefixed headline
# (the same article: another publication), the next day's brief, and the two seeds that report
# one event in different words.
def _ordering_set() -> dict[str, tuple[str, bytes]]:
    base = read(BASE)
    n3169755 = read(SAME_DAY[1])
    brief = read(BRIEF)
    next_brief = without_original_url(brief).replace("7月14日国际新闻简讯", "7月15日国际新闻简讯")
    next_brief = next_brief.replace("2019年07月15日讯", "2019年07月16日讯").replace(
        "法国总统马克宏宣布，建法国太空司令部。", "德国总理默克尔宣布，将访问中国。"
    )
    repost = naming(n3169755, "https://gnews.org/zh-hans/3169755").replace("### ", "### 樱花FM┃", 1)
    items: dict[str, tuple[str, str | bytes]] = {
        "base.md": ("base", base),
        "base_flash.md": ("base", flash(base)),
        "base_tw_no_url.md": ("base", without_original_url(traditional(base))),
        "base_recapture.md": ("base", base.replace("[热点推荐](../../indexes/热点推荐.md)", "[今日要闻](../../indexes/今日要闻.md)")),
        "soh_home_a.md": ("home a", naming(read(SOH[0]), "http://www.soundofhope.org/")),
        "soh_home_b.md": ("home b", naming(read(SOH[1]), "https://www.soundofhope.org/")),
        "n3169755.md": ("n3169755", n3169755),
        "n3169755_repost.md": ("n3169755", repost),
        "n3171162_misnamed.md": ("misnamed", naming(read(SAME_DAY[0]), _article(n3169755).original_url or "")),
        "brief.md": ("brief 14", brief),
        "brief_next_day.md": ("brief 15", next_brief),
        "000.txt": ("seed 000", (EXAMPLES / "000_b8f021c9504a85f9.txt").read_bytes()),
        "001.txt": ("seed 001", (EXAMPLES / "001_f89465e053944e23.txt").read_bytes()),
    }
    return {name: (group, data.encode() if isinstance(data, str) else data) for name, (group, data) in items.items()}


def _partition(groups: dict[str, str]) -> set[frozenset[str]]:
    by: dict[str, set[str]] = {}
    for name, group in groups.items():
        by.setdefault(group, set()).add(name)
    return {frozenset(names) for names in by.values()}


class _Replay:
    """Extract each capture once; ingest them in any order into a fresh archive file, as
    `ingest()` does once a capture is extracted."""

    def __init__(self, captures: dict[str, tuple[str, bytes]], folder: Path) -> None:
        self.data = {name: data for name, (_, data) in captures.items()}
        self.truth = _partition({name: group for name, (group, _) in captures.items()})
        self.articles = {name: extract_capture(data, name) for name, data in self.data.items()}
        self.folder = folder
        self.runs = 0

    def partition(self, order: list[str]) -> set[frozenset[str]]:
        return self.partitions(order)[0]

    def partitions(self, order: list[str]) -> tuple[set[frozenset[str]], set[frozenset[str]]]:
        """The captures grouped into articles, and into publications."""
        self.runs += 1
        db = self.folder / f"order-{self.runs}.db"
        with Archive(db) as archive:
            add_in_order(archive, self.data, self.articles, order)
        return _partition(_articles_of(db)), _partition(_publications_of(db))


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> _Replay:
    return _Replay(_ordering_set(), tmp_path_factory.mktemp("orders"))


def test_the_ordering_set_in_name_order_gives_the_true_articles(replay: _Replay) -> None:
    assert replay.partition(sorted(replay.data)) == replay.truth


# The publications of the ordering set: one per address. The flash, the mirror copy without an
# address (its outlet has one addressed publication in the article) and the re-capture join the
# outlet's page; the re-post at another address is a publication of its own.
_PUBLICATIONS = {
    frozenset({"base.md", "base_flash.md", "base_tw_no_url.md", "base_recapture.md"}), frozenset({"n3169755.md"}),
    frozenset({"n3169755_repost.md"}), frozenset({"soh_home_a.md"}), frozenset({"soh_home_b.md"}),
    frozenset({"n3171162_misnamed.md"}), frozenset({"brief.md"}), frozenset({"brief_next_day.md"}),
    frozenset({"000.txt"}), frozenset({"001.txt"}),
}


def test_the_ordering_set_in_name_order_gives_the_true_publications(replay: _Replay) -> None:
    assert replay.partitions(sorted(replay.data))[1] == _PUBLICATIONS


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.data())
def test_every_ingest_order_gives_the_same_articles_and_publications(replay: _Replay, data: st.DataObject) -> None:
    order = data.draw(st.permutations(sorted(replay.data)))
    assert replay.partitions(list(order)) == (replay.truth, _PUBLICATIONS)


@pytest.mark.parametrize("order", list(itertools.permutations(["base.md", "base_flash.md", "base_tw_no_url.md"])))
def test_a_capture_that_bridges_two_articles_merges_them(replay: _Replay, order: tuple[str, ...]) -> None:
    """The flash and the mirror copy share too little text to fold on their own; the full report
    agrees with both. Whichever comes last, the three end as one article."""
    assert replay.partition(list(order)) == {frozenset(order)}


def test_the_latest_revision_is_the_latest_captured_not_the_last_ingested(tmp_path: Path) -> None:
    """A capture log holding the correction (crawled on the 21st) before the first version
    (crawled on the 20th): the article reads as corrected."""
    base = read(BASE)
    corrected = base
    for paragraph in BASE_PARAGRAPHS:
        corrected = corrected.replace(paragraph, "此段已更正。")
    url = "https://www.ntdtv.com/gb/2021/05/20/a103124021.html"
    log = "".join(json.dumps({"url": url, "fetched_at": at, "content": content}, ensure_ascii=False) + "\n" for at, content in (
        ("2021-05-21T09:00:00+08:00", corrected),
        ("2021-05-20T01:00:00Z", base),
    ))
    db = tmp_path / "a.db"
    summary = ingest_into(db, write(tmp_path / "in", {"crawl.jsonl": log}))
    assert (summary.new, summary.revisions) == (1, 1), summary
    with Archive(db) as archive:
        (article_id,) = {r.id for r in archive.list()}
        info = archive.article_info(article_id)
        assert [(c["captured_at"], c["best"]) for c in info["captures"]] == [
            ("2021-05-21T09:00:00+08:00", True), ("2021-05-20T01:00:00Z", False),
        ]
        assert "此段已更正。" in archive.article(article_id).body


def test_a_new_best_capture_is_searched_and_placed_in_stories_again(tmp_path: Path) -> None:
    """The article is placed in a story; then a correction becomes its best capture. Search finds
    the corrected text and no longer the replaced one, and the article is placed again (its old
    mentions and story membership were its old text's)."""
    base = read(BASE)
    replaced = BASE_PARAGRAPHS[1]
    correction = base.replace(replaced, "拜登与普京将于六月在日内瓦举行峰会，白宫周二正式宣布了这一安排。")
    db = tmp_path / "a.db"
    ingest_into(db, write(tmp_path / "one", {"a.md": base}))
    with Archive(db) as archive:
        analysis = Analysis(archive)
        assert analysis.update() == 1
        (article_id,) = {r.id for r in archive.list()}
        assert [r.id for r in archive.search("日内瓦")] == []
        before_people = {e for (e,) in archive.conn.execute("SELECT entity_id FROM mentions WHERE article_id=?", (article_id,))}
    ingest_into(db, write(tmp_path / "two", {"b_correction.md": correction}))
    assert fts_is_sound(db)
    with Archive(db) as archive:
        assert [r.id for r in archive.search("日内瓦")] == [article_id]
        assert [r.id for r in archive.search('"美俄峯会做准备"')] == []
        analysis = Analysis(archive)
        assert analysis.pending() == [article_id]
        assert analysis.update() == 1
        placed = archive.conn.execute("SELECT COUNT(*) FROM story_articles WHERE article_id=?", (article_id,)).fetchone()[0]
        assert placed == 1
        empty = archive.conn.execute(
            "SELECT COUNT(*) FROM stories s WHERE NOT EXISTS (SELECT 1 FROM story_articles sa WHERE sa.story_id = s.id)"
        ).fetchone()[0]
        assert empty == 0
        after_people = {e for (e,) in archive.conn.execute("SELECT entity_id FROM mentions WHERE article_id=?", (article_id,))}
        assert before_people and after_people != before_people, "the mentions are read from the new text"


def test_an_archive_from_schema_4_is_migrated_and_trivial_keys_dropped(tmp_path: Path) -> None:
    """Schema 4 kept one `url_key` per article, home pages included, and none per capture.
    Opening such an archive records every capture's identity key and drops the trivial ones."""
    home = naming(read(SOH[0]), "http://www.soundofhope.org/")
    db = tmp_path / "old.db"
    ingest_into(db, write(tmp_path / "one", {"a_home.md": home, "b.md": read(BASE)}))
    conn = sqlite3.connect(db, isolation_level=None)
    conn.executescript(
        "DROP INDEX captures_url_key; ALTER TABLE captures DROP COLUMN url_key;"
        " UPDATE articles SET url_key = 'soundofhope.org/' WHERE title LIKE '人权组织%';"
        " PRAGMA user_version = 4;"
    )
    conn.close()
    with Archive(db) as archive:
        assert archive.conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        keys = dict(archive.conn.execute("SELECT path, url_key FROM captures").fetchall())
        assert {Path(p).name: k for p, k in keys.items()} == {
            "a_home.md": None, "b.md": "ntdtv.com/gb/2021/05/20/a103124021.html",
        }
        assert sorted(k or "" for (k,) in archive.conn.execute("SELECT url_key FROM articles")) == [
            "", "ntdtv.com/gb/2021/05/20/a103124021.html",
        ]
    # Another report naming the home page is its own article now.
    summary = ingest_into(db, write(tmp_path / "two", {"c_home.md": naming(read(SOH[1]), "http://www.soundofhope.org/")}))
    assert summary.new == 1, summary


def test_a_signature_hashed_in_slices_is_the_signature_of_the_whole_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long bodies are hashed a slice of shingles at a time (bounded memory); the MinHash is the same."""
    text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(30_000))
    whole = folding.signature_bytes(folding.signature(text))
    monkeypatch.setattr(folding, "SIGNATURE_SLICE", 1_000)
    assert folding.signature_bytes(folding.signature(text)) == whole


def _datasketch_signature(text: str) -> bytes:
    """The signature as datasketch's MinHash computes it when given the shingles one by one (its own hashing)."""
    from datasketch import MinHash

    minhash = MinHash(num_perm=folding.NUM_PERM)
    minhash.update_batch(list(folding.shingles(text)))
    return folding.signature_bytes(minhash)


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.sampled_from("布林肯拉夫罗会谈北极美俄ａbC1 é\U0001f600"), max_size=400))
def test_the_signature_is_datasketchs_minhash_bit_for_bit(text: str) -> None:
    """Signatures are hashed in bulk with the permutations drawn once; what is stored (and compared with
    signatures already in archives and shards) must stay what datasketch's MinHash gives."""
    assert folding.signature_bytes(folding.signature(text)) == _datasketch_signature(text)


def test_the_signature_of_real_bodies_is_datasketchs_minhash(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [folding.body_text(_article(read(path))) for path in (BASE, *SAME_DAY)]
    assert all(len(text) > 200 for text in texts)
    monkeypatch.setattr(folding, "SIGNATURE_SLICE", 50)  # several slices per body
    for text in texts:
        assert folding.signature_bytes(folding.signature(text)) == _datasketch_signature(text)
