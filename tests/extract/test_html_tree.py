"""Cleaning a page: furniture names are hints, and the article's own container is never furniture."""

from __future__ import annotations

import re

from lxml import html

from newsdesk.extract.html_tree import _JUNK_NAME, clean_tree, is_junk_container, parse_html

ARTICLE = "".join(f"<p>第{i}段：俄罗斯外长拉夫罗夫周二在莫斯科表示，谈判将继续进行，各方应当保持克制，局势仍在变化之中。</p>" for i in range(6))


def page(article_class: str) -> str:
    return (
        "<html><body><div class='nav'>首页 新闻 财经</div>"
        f"<div class='{article_class}'><h1>标题</h1>{ARTICLE}"
        "<div class='share-bar'>分享到微博 微信 QQ空间</div></div>"
        "<div class='related-list'><a href='/1'>相关新闻一</a><a href='/2'>相关新闻二</a></div>"
        "</body></html>"
    )


def test_a_furniture_word_on_the_articles_own_container_does_not_drop_the_article() -> None:
    # `print` and `ads` are junk words, but here they name the element holding the story (seen on
    # Hong Kong and mainland templates alike: print-area, ads-float article wrappers).
    for name in ("article print-area", "ads-float content", "tool-page main"):
        text = clean_tree(parse_html(page(name))).text_content()
        assert "第5段" in text, name
        assert "分享到微博" not in text and "相关新闻一" not in text, name


def test_small_furniture_is_still_dropped() -> None:
    text = clean_tree(parse_html(page("article-body"))).text_content()
    assert "第0段" in text and "分享到微博" not in text and "相关新闻一" not in text


def test_the_quick_junk_stem_check_never_clears_a_name_the_junk_pattern_matches() -> None:
    # is_junk_container skips the case-blind pattern for ASCII names holding none of _JUNK_STEM's
    # words; a word added to _JUNK_NAME without a stem would silently stop matching. Every word
    # of the pattern, in several spellings and surroundings, must come out the same either way.
    words = set(re.findall(r"[a-z]{2,}", _JUNK_NAME.pattern))
    assert {"adsbygoogle", "newsletter", "breadcrumb", "qrcode"} <= words
    for word in sorted(words):
        for name in (word, word.upper(), word.title(), f"x-{word}", f"{word}_box", f"top {word}s", f"{word}-list"):
            el = html.fromstring(f"<div class='{name}'>x</div>")
            assert is_junk_container(el) == bool(_JUNK_NAME.search(f" {name}")), name


# Real shapes (hket.com, stheadline.com): the page around the story holds more text than the story.
HKET_PARAGRAPH = (
    "<p>衞生防護中心傳染病處主任張竹君表示，他是一名機動部隊警員，沒有病徵，於粉嶺蝴蝶山訓練機地進行培訓，"
    "涉及170人。</p>"
)
TEASERS = "".join(f"<li><a href='/a/{i}'>急症室醫生遇從醫16年最痛心場景 6歲女童遭生父皮鞭抽打1小時致死 第{i}則</a></li>" for i in range(40))


def test_a_junk_named_container_holding_the_headline_and_prose_is_the_article() -> None:
    for container in (
        "<article id='article-2719226' class='print'>{}</article>",  # hket.com
        "<div class='sticky-sns-btns-content'><div id='article-container'>{}</div></div>",  # hket.com
        "<div class='main ads-rp1-float-right detail'>{}</div>",  # stheadline.com
    ):
        story = "<h1>【新冠肺炎】機動部隊23歲男警初步確診</h1>" + HKET_PARAGRAPH * 3
        markup = f"<html><body><ul class='nav'>{TEASERS}</ul>{container.format(story)}</body></html>"
        text = clean_tree(parse_html(markup)).text_content()
        assert "張竹君" in text, container


def test_furniture_without_the_headline_is_dropped_even_with_prose() -> None:
    # A related list of teasers with summaries, and a share bar: no headline of their own.
    markup = (
        f"<html><body><ul class='nav'>{TEASERS}</ul><h1>標題</h1>{HKET_PARAGRAPH}"
        f"<div class='related-news'><h3>相關新聞</h3>{HKET_PARAGRAPH.replace('張竹君', '李四')}</div>"
        "<div class='share-bar'><p>分享到 Facebook WhatsApp Telegram 複製連結 列印本頁 電郵給朋友 收藏文章 讚好</p></div>"
        "</body></html>"
    )
    text = clean_tree(parse_html(markup)).text_content()
    assert "張竹君" in text and "李四" not in text and "WhatsApp" not in text


def test_a_videojs_players_controls_are_not_text() -> None:
    # video.js renders its control bar into the saved page ("Video Player is loading.", "1x",
    # "Chapters"); seen on four Hong Kong and overseas sites in batches 1-2 of corpus-fresh.
    page = (
        "<html><body><article><h1>標題</h1>"
        "<div class='video-js vjs-default-skin'><div class='vjs-modal-dialog'>Video Player is loading.</div>"
        "<div class='vjs-control-bar'><span class='vjs-control-text'>Current Time 0:00</span>"
        "<div class='vjs-playback-rate-value'>1x</div></div></div>"
        "<p>消防處表示，大埔宏福苑火警已大致救熄，警方正進行調查。</p></article></body></html>"
    )
    text = clean_tree(parse_html(page)).text_content()
    assert "Video Player" not in text and "1x" not in text and "消防處表示" in text
