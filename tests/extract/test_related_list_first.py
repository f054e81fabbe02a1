"""A "related news" box at the top of the article's region (issue 8, branch body2).

Some portals (a sina tech page in the corpus's train split) print `相关新闻：` and a few headline
links above the article's first paragraph, inside the same container. Ending the article at that
heading left the body nearly empty; the heading must only take the headlines it introduces.
"""

from __future__ import annotations

from newsdesk.extract import extract_text

_STORY = [
    "科技讯 北京时间9月11日凌晨消息，某公司秋季发布会开幕，新款手机为第一个出场的硬件产品，采用双摄像头，有六种配色。",
    "该公司官网显示，新款手机各容量售价分别为：64GB售5499元，128GB售5999元，256GB售6799元，本周五起接受预订。",
    "新款手机最大的变化是在设备后部的摄像头。去年的型号只有一个广角相机，而新款手机现在是双摄像头。",
    "处理器方面，新款手机采用新一代芯片，公司称其性能超过业界旗舰芯片，电池续航比上一代还能延长一小时。",
]
_RELATED = ["直播2019年秋季发布会(英文原声+中文字幕)", "秋季新品发布会：谈色彩 致创新"]


def _page(inside: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><title>新款手机发布 售5499元起</title></head><body>"
        "<div class='nav'><a href='/'>首页</a> <a href='/tech'>科技</a> <a href='/finance'>财经</a></div>"
        "<h1>新款手机发布 售5499元起</h1><div class='date'>2019年09月11日 01:22</div>"
        f"<div class='article' id='artibody'>{inside}</div>"
        "<div class='footer'><a href='/about'>关于我们</a> <a href='/contact'>联系我们</a></div></body></html>"
    )


# A promotion and a video's caption above the box, as on the sina page: the box is not at the region's edge.
_ABOVE = "<p>新品第一时间免费试玩，快来体验各领域最前沿的产品吧~！</p><p>自动播放 新款手机发布：配六种颜色</p>"


def _related_box() -> str:
    links = "".join(f"<p><a href='/tech/{i}.shtml'>{t}</a></p>" for i, t in enumerate(_RELATED))
    return f"<p>相关新闻：</p>{links}"


def test_a_related_box_above_the_article_does_not_end_it() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in _STORY)
    body = extract_text(_page(_ABOVE + _related_box() + paragraphs)).body
    assert body[-len(_STORY):] == _STORY
    assert not set(_RELATED) & set(body)


def test_a_related_list_after_the_article_still_ends_it() -> None:
    paragraphs = "".join(f"<p>{p}</p>" for p in _STORY)
    # The teasers' summaries are closed sentences too, but fewer than the article before the heading.
    teaser = "<p>另一篇文章的摘要，讲的是别的事情，与本文无关。</p>"
    body = extract_text(_page(paragraphs + _related_box() + teaser + teaser.replace("另一", "第三"))).body
    assert body == _STORY


def test_a_related_heading_before_the_next_loaded_article_still_ends_this_one() -> None:
    # Pages that load the next story below the article (singtao.ca): `延伸阅读`, a headline, then a
    # whole other article, longer than this one.
    paragraphs = "".join(f"<p>{p}</p>" for p in _STORY)
    other = "".join(f"<p>另一则新闻的第{n}段，讲述别的事情，与本文毫无关系，但篇幅比本文更长一些，足以超过本文的两倍。</p>" for n in range(12))
    body = extract_text(_page(paragraphs + "<p>延伸阅读</p><p><a href='/n/2'>另一则新闻的标题</a></p>" + other)).body
    assert body == _STORY
