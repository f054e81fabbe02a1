"""When two captures are one article: URL keys, MinHash signatures and LSH bands, title and
date agreement, and the completeness score that picks the best capture."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsdesk.archive import fold as folding
from newsdesk.extract import extract_capture
from newsdesk.model import Article, Image
from tests.archive.helpers import BASE, SAME_DAY, read, revised, traditional, without_original_url

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
