"""Captions whose picture the capture lost (issue 8, branch body2).

Saved pages keep a lazy-loaded picture as an empty placeholder, so a caption element (its class names
it: `img-caption`, hk01.com; swissinfo.ch, stheadline.com, ltn.com.tw mark theirs the same way) has no
picture to attach to and was read as a paragraph."""

from __future__ import annotations

from newsdesk.extract import extract_text

_STORY = [
    "大埔民政事務處今日表示，已開放兩個社區會堂作臨時庇護中心，予有需要的市民使用，並設立援助站。",
    "居於附近大廈的林先生表示，約下午三時突然聞到煙味，打開門後看到濃煙，於是馬上落樓疏散。",
    "他形容住了四十多年未試過火燭，坦言感到擔心，除了銀包和手機，其他甚麼都沒帶。",
]


def _page(middle: str) -> str:
    paragraphs = [f"<p>{p}</p>" for p in _STORY]
    return (
        "<html><head><meta charset='utf-8'><title>大埔火災 庇護中心開放</title></head><body>"
        "<h1>大埔火災 庇護中心開放</h1><article class='article-content'>"
        f"{paragraphs[0]}{middle}{paragraphs[1]}{paragraphs[2]}</article></body></html>"
    )


def test_a_caption_without_its_lazy_loaded_picture_is_not_body() -> None:
    caption = (
        "<div class='media'><div class='lazyload-placeholder'></div>"
        "<span class='img-caption'>政務司司長今日下午到過渡性房屋項目，探望受火災影響的居民。（政府新聞處圖片）</span></div>"
    )
    assert extract_text(_page(caption)).body == _STORY


def test_a_long_part_with_paragraphs_named_like_a_caption_stays() -> None:
    # A container named `pic-info` that holds paragraphs is the article's, not a caption.
    part = "<div class='pic-info'><p>消防處表示，現場共出動超過一百輛消防車及救護車，約七百名消防及救護人員參與灌救。</p></div>"
    body = extract_text(_page(part)).body
    assert "消防處表示，現場共出動超過一百輛消防車及救護車，約七百名消防及救護人員參與灌救。" in body
