"""Pages that hold several stories (issue 8, branch body2).

Portals that load the next stories below the one asked for, or list other stories' leads beside it,
print one headline and one body per story; the densest body may be another story's. Page shapes
modelled on batches 1-2 of corpus-fresh (a Hong Kong radio site's news list under the article, a
Malaysian paper's next article loaded below), never a copy of one page.
"""

from __future__ import annotations

from newsdesk.extract import extract_text

_TITLE = "保監局：協調保險業界支援受災人士"
_STORY = [
    "保險業監管局表示，正全力協調保險業界為大埔火災受影響人士提供支持及援助，已成立專責小組跟進。",
    "保監局又指，已要求保險公司簡化索償程序，盡快處理查詢和理賠申請，並設立專線解答市民疑問。",
]
_OTHER = [
    f"另一則新聞的第{n}段。駐港機構發言人批評，有人在危難時刻散播虛假信息，惡意攻擊救援工作，"
    "挑動社會分化對立，必受道德譴責和法律嚴懲。發言人又指，社會各界應團結一致，共渡難關。"
    for n in range(4)
]


def _page(other_headline: str) -> str:
    story = "".join(f"<p>{p}</p>" for p in _STORY)
    other = "".join(f"<p>{p}</p>" for p in _OTHER)
    return (
        f"<html><head><meta charset='utf-8'><title>{_TITLE} - 新聞</title></head><body>"
        "<div class='menu'><a href='/'>首頁</a> <a href='/news'>新聞</a></div>"
        "<div class='page'><div class='article'>"
        f"<div class='article-title'>{_TITLE}</div><div class='meta'>27.11.2025 15:34</div>"
        f"<div class='article-content'>{story}</div></div>"
        f"<div class='news-list'><div class='item'>{other_headline}<div class='item-body'>{other}</div></div></div>"
        "</div></body></html>"
    )


def test_the_headlines_story_is_read_not_the_denser_one_below_it() -> None:
    page = _page("<a class='news-headline' href='/news/2'>駐港機構斥有人以災亂港</a>")
    assert extract_text(page).body == _STORY


def test_an_article_with_subheadings_below_a_headline_with_a_standfirst_is_read_whole() -> None:
    # One story: the headline and a standfirst in the page's header, the body (with subheadings,
    # which print like headlines) in a sibling part. The standfirst is no body of its own.
    standfirst = "保監局成立專責小組，協調業界支援受災人士，簡化索償程序。"
    body = "".join(f"<h3>小標題{n}</h3><p>{p}</p>" for n, p in enumerate(_OTHER))
    page = (
        f"<html><head><meta charset='utf-8'><title>{_TITLE}</title></head><body>"
        f"<div class='header'><h1>{_TITLE}</h1><p class='lead'>{standfirst}</p></div>"
        f"<div class='content'>{body}</div></body></html>"
    )
    read = extract_text(page).body
    assert [b for b in read if b in _OTHER] == _OTHER
