"""Metadata conventions that hold across sites (issue 8): each test is a small synthetic capture
modelled on a convention at least two sites or templates print, never a copy of one page."""

from __future__ import annotations

from newsdesk.extract import extract_text
from newsdesk.extract.chrome import headline_link, is_foreign_link, unwrap_archived

# --- original_url: the address a repost credits ----------------------------------------------

_PARAGRAPH = "这是一段足够长的正文，用来让抽取器把它当作文章的正文段落来读，而不是页面上的零碎文字。" * 2


def _post(front: str, body: str) -> str:
    return f"---\nlayout: post\n{front}\n---\n\n{body}\n\n{_PARAGRAPH}\n\n{_PARAGRAPH}\n"


def test_archive_post_links_the_original_title_after_a_source_credit() -> None:
    text = _post(
        'title: 某地工人返乡纪实 （某某网报道）\ndate: 2020-02-27',
        "原文来自某某网：~~[某地工人返乡纪实](http://news.example.com/2020-02-26/1015.html)~~",
    )
    assert extract_text(text).original_url == "http://news.example.com/2020-02-26/1015.html"


def test_feed_post_links_its_headline_over_a_rule() -> None:
    text = _post(
        'title: "[两岸] 某校学生案再触动舆论"\ndate: 2020-08-01T06:22:44.000Z',
        "[[两岸] 某校学生案再触动舆论](https://radio.example.org/news/view/id/42)\n------",
    )
    assert extract_text(text).original_url == "https://radio.example.org/news/view/id/42"


def test_a_link_labelled_original_is_the_original() -> None:
    text = _post("title: 一篇转载的评论\ndate: 2018-04-26", "本文来自某传媒，[原文](https://outlet.example.com/article/7/)为付费阅读。")
    assert extract_text(text).original_url == "https://outlet.example.com/article/7/"


def test_front_matter_from_key_names_the_item_link() -> None:
    text = _post("title: 一篇转载\ndate: 2014-11-25\nfrom: https://outlet.example.net/article/279", "正文开头。")
    assert extract_text(text).original_url == "https://outlet.example.net/article/279"


def test_a_link_to_an_archive_copy_is_not_the_original() -> None:
    body = "原文存档：[某地化工厂屡出事的原因](http://archive.li/abcde#selection-1.1)"
    assert extract_text(_post("title: 某地化工厂屡出事的原因\ndate: 2019-03-22", body)).original_url is None
    assert not is_foreign_link("https://someone.github.io/2019/03/22/post.html")
    assert unwrap_archived("https://web.archive.org/web/20210630/https://www.example.com/a/1") == "https://www.example.com/a/1"


def test_only_a_link_whose_text_agrees_with_the_title_counts() -> None:
    head = "相关阅读：[另一篇完全无关的文章标题](https://outlet.example.com/other)"
    assert headline_link(head, "某地工人返乡纪实", is_foreign_link) is None
    assert headline_link("[某地工人返乡纪实](https://outlet.example.com/a)", "某地工人返乡纪实", is_foreign_link) == "https://outlet.example.com/a"
