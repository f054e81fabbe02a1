"""Pages that hold several stories (issue 8, branch body3).

Portals that load the next stories below the one asked for, or print other stories' leads beside it,
put a headline over each body; the densest body may be another story's. The region is then the
headline's own story when the headline nearest above the dense body is another one of the template's
story headlines (same tag and class as the page's headline) or a linked teaser headline. Page shapes
modelled on batches 1-2 of corpus-fresh (a Hong Kong radio site's news grid under the article, two
Malaysian papers' next article loaded below), never a copy of one page.
"""

from __future__ import annotations

from newsdesk.extract import extract_text
from newsdesk.extract.region import _kept_blocks

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


def _page(headline: str, other_headline: str) -> str:
    story = "".join(f"<p>{p}</p>" for p in _STORY)
    other = "".join(f"<p>{p}</p>" for p in _OTHER)
    return (
        f"<html><head><meta charset='utf-8'><title>{_TITLE} - 新聞</title></head><body>"
        "<div class='menu'><a href='/'>首頁</a> <a href='/news'>新聞</a></div>"
        "<div class='page'><div class='article'>"
        f"{headline}<div class='meta'>27.11.2025 15:34</div>"
        f"<div class='article-content'>{story}</div></div>"
        f"<div class='next'>{other_headline}<div class='article-content'>{other}</div></div>"
        "</div></body></html>"
    )


def test_a_denser_story_under_a_linked_teaser_headline_is_not_the_article() -> None:
    page = _page(
        f"<div class='article-title'>{_TITLE}</div>",
        "<div class='grid-headline'><a href='/news/2'>駐港機構斥有人以災亂港</a></div>",
    )
    assert extract_text(page).body == _STORY


def test_the_next_story_loaded_below_under_the_templates_own_headline_is_not_the_article() -> None:
    page = _page(f"<h1 class='story-title'>{_TITLE}</h1>", "<h1 class='story-title'>駐港機構斥有人以災亂港</h1>")
    assert extract_text(page).body == _STORY


def test_an_article_under_a_section_heading_of_another_kind_is_read_whole() -> None:
    # The heading above the body is not the template's story headline, nor linked: a section
    # heading, a standfirst. The dense body is the article's.
    body = "".join(f"<p>{p}</p>" for p in _OTHER)
    page = (
        f"<html><head><meta charset='utf-8'><title>{_TITLE}</title></head><body>"
        f"<div class='header'><h1>{_TITLE}</h1><p class='lead'>保監局成立專責小組，協調業界支援受災人士，簡化索償程序。</p></div>"
        f"<div class='content'><h2 class='section-title'>事件經過</h2>{body}</div></body></html>"
    )
    read = extract_text(page).body
    assert [b for b in read if b in _OTHER] == _OTHER


def test_an_article_with_subheadings_is_read_whole() -> None:
    body = "".join(f"<h3>小標題{n}</h3><p>{p}</p>" for n, p in enumerate(_OTHER))
    page = (
        f"<html><head><meta charset='utf-8'><title>{_TITLE}</title></head><body>"
        f"<div class='header'><h1>{_TITLE}</h1></div><div class='content'>{body}</div></body></html>"
    )
    read = extract_text(page).body
    assert [b for b in read if b in _OTHER] == _OTHER


def test_a_list_heading_the_block_model_pruned_still_reaches_the_pipeline() -> None:
    # The pipeline ends the article at such a heading; pruned, the stories below it ran on as body.
    blocks = [*_STORY, "更多文章", "駐港機構斥有人以災亂港", *_OTHER[:2]]
    keep = [True, True, False, False, True, True]
    assert _kept_blocks(blocks, keep) == [*_STORY, "更多文章", *_OTHER[:2]]
    # A short pruned line that is no such heading stays pruned.
    assert _kept_blocks([*_STORY, "熱門話題標籤", _OTHER[0]], [True, True, False, True]) == [*_STORY, _OTHER[0]]
