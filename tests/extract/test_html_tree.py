"""Cleaning a page: furniture names are hints, and the article's own container is never furniture."""

from __future__ import annotations

from newsdesk.extract.html_tree import clean_tree, parse_html

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
