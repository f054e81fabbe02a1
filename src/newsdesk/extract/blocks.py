"""An article region (an HTML element) to text blocks and images, in reading order.

A block is what a reader sees as one paragraph: a `<p>`, a heading, a list item, a
quote, or a run of text between `<br>` breaks. Image captions are attached to their
image and kept out of the body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import html

from newsdesk.model import Image

BLOCK_TAGS = frozenset(
    ["p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "figure", "figcaption", "section", "article", "header", "footer", "aside", "nav", "center", "hr", "main", "address", "details", "summary", "caption"]
)
_CAPTION_NAME = re.compile(r"caption|imgtxt|img-?desc|pic-?(?:txt|info|desc)|photo-?(?:txt|desc)|tuzhu", re.I)
# Text right after a picture that portals mark as its caption: `▲…`, `资料图`, `…摄`, `图片来源：…`.
_LOOSE_CAPTION = re.compile(
    r"^(?:[▲△▼↑]|(?:图|圖)\s*[：:]|(?:图片|圖片)(?:来源|來源)|(?:图源|圖源)\s*[：:])"
    r"|^(?:资料图|資料圖|示意图|示意圖|资料照|資料照)(?:片)?[。.]?$"
    r"|^.{0,30}(?:摄|攝|供图|供圖|提供)[)）]?$"
)
# A caption sitting in the same paragraph as its picture is short.
_MAX_INLINE_CAPTION = 220
# An element its class names a caption holds no more than this (a longer one is not a caption).
_MAX_NAMED_CAPTION = 300


_NOT_ALNUM = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """A key for comparing names and headlines as printed: NFKC, lower case, letters and digits only."""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).lower())


def collapse(text: str) -> str:
    """Inner whitespace to single spaces, ends trimmed; zero-width and nbsp handled.

    Hong Kong pages (Big5 tables map the full-width colon there) print `︰` (U+FE30, a vertical
    presentation form) for `：`; as `：` it reads as the colon it is (`記者︰X` is a credit line).
    """
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "").replace("\u3000", " ")
    if "\ufe30" in text:
        text = text.replace("\ufe30", "\uff1a")
    # str.split() splits at exactly what `\s` matches (str.isspace): the same as replacing each run of
    # whitespace with one space and trimming, two to six times faster (this runs on every text read).
    return " ".join(text.split())



def text_blocks(text: str | None) -> list[str]:
    """Plain text (an extractor's output, a front-matter field) as blocks: one per non-blank line, collapsed."""
    return [block for line in (text or "").splitlines() if (block := collapse(line))]

def _is_caption_element(el: html.HtmlElement) -> bool:
    if not isinstance(el.tag, str):
        return False
    if el.tag in {"figcaption", "h6"}:
        return True
    return _named_so(el)


def _named_so(el: html.HtmlElement) -> bool:
    """Whether the element's id or class names a caption. Asked of every element the walker meets: most have
    neither attribute, and are answered without building a string or running the pattern."""
    name_id, name_class = el.get("id"), el.get("class")
    if not name_id and not name_class:
        return False
    return bool(_CAPTION_NAME.search(f"{name_id or ''} {name_class or ''}"))


# Share QR codes and furniture pictures, never the article's own.
_NOT_ARTICLE_IMAGE = re.compile(r"qrcode|[/_.-]qr[/_.-]|cht=qr|chart\.apis\.google|erweima|/share[/_.-]|weixin_?code|wx_?code|/ad/|/ads/|spacer|blank\.gif|pixel", re.I)


def _image_src(img: html.HtmlElement, base_url: str | None) -> str | None:
    for attr in ("data-original", "data-src", "data-lazy-src", "data-actualsrc", "src"):
        src = (img.get(attr) or "").strip()
        if src and not src.startswith("data:"):
            if _NOT_ARTICLE_IMAGE.search(src):
                return None
            return urljoin(base_url, src) if base_url else src
    return None


@dataclass
class _Walker:
    base_url: str | None
    # The region itself is never taken for a captioned picture, however short the article.
    root: html.HtmlElement | None = None
    blocks: list[str] = field(default_factory=list)
    # The innermost block element each block was read from (what the block model looks at).
    sources: list[html.HtmlElement] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    _open: list[html.HtmlElement] = field(default_factory=list)
    _buffer: list[str] = field(default_factory=list)
    # Images still waiting for a caption: the next caption element names them all.
    _uncaptioned: list[Image] = field(default_factory=list)

    def flush(self) -> None:
        if not self._buffer:
            # Every block element flushes on entry and exit: most find nothing waiting.
            return
        text = collapse("".join(self._buffer))
        self._buffer.clear()
        if text and self._uncaptioned and _LOOSE_CAPTION.match(text):
            self.caption(text)
            return
        if text:
            self.blocks.append(text)
            self.sources.append(self._open[-1] if self._open else self.root)
            self._uncaptioned.clear()

    def add_image(self, img: html.HtmlElement) -> None:
        src = _image_src(img, self.base_url)
        if src:
            image = Image(src=src, caption=None)
            self.images.append(image)
            self._uncaptioned.append(image)

    def caption(self, text: str) -> bool:
        text = collapse(text)
        if not text or not self._uncaptioned:
            return False
        for image in self._uncaptioned:
            image.caption = text
        self._uncaptioned.clear()
        return True

    def walk(self, el: html.HtmlElement) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag and el is not self.root and self._named_caption(el):
            # A caption is never body, even when its picture did not survive the capture (lazy-loaded
            # pictures are placeholders in saved pages: hk01.com, swissinfo.ch, stheadline.com, ltn.com.tw).
            if tag in BLOCK_TAGS:
                self.flush()
            for img in el.iter("img"):
                self.add_image(img)
            self.caption(el.text_content())
            self._tail(el)
            return
        if tag == "img":
            self.flush()
            self.add_image(el)
        elif tag == "br":
            self.flush()
        elif tag in BLOCK_TAGS:
            self.flush()
            is_caption = _is_caption_element(el) and (self._uncaptioned or el.tag == "figcaption")
            if is_caption and self.caption(el.text_content()):
                self._tail(el)
                return
            if tag in {"figure", "p", "center", "div", "td", "li"} and el is not self.root and self._inline_caption(el):
                self._tail(el)
                return
            self._open.append(el)
            self._children(el)
            self.flush()
            self._open.pop()
        else:
            self._children(el)
        self._tail(el)

    def _tail(self, el: html.HtmlElement) -> None:
        if el.tail:
            self._buffer.append(el.tail)

    def _children(self, el: html.HtmlElement) -> None:
        if el.text:
            self._buffer.append(el.text)
        for child in el:
            self.walk(child)

    @staticmethod
    def _named_caption(el: html.HtmlElement) -> bool:
        """An element its class or id names a caption (`img-caption`, `pic-txt`), short and without paragraphs.

        (`figcaption` and `h6` are read as before: the walker gives them to the picture before them.)
        """
        if not isinstance(el.tag, str) or el.tag in {"figcaption", "h6", "img"} or not _named_so(el):
            return False
        return len(el.text_content()) <= _MAX_NAMED_CAPTION and next(el.iter("p"), None) is None

    def _inline_caption(self, el: html.HtmlElement) -> bool:
        """`<p><img> caption</p>` or `<figure><img>caption</figure>`: picture plus its words."""
        imgs = [node for node in el.iter("img")]
        if not imgs or any(isinstance(n.tag, str) and n.tag in {"p", "li", "h2", "h3", "h4"} for n in el.iterdescendants()):
            return False
        text_before = collapse(el.text or "")
        first = imgs[0]
        for node in el.iterdescendants():
            if node is first:
                break
            if isinstance(node.tag, str):
                text_before += collapse(node.text or "") + collapse(node.tail or "")
        if text_before:
            return False
        text = collapse(el.text_content())
        if not text or len(text) > _MAX_INLINE_CAPTION:
            return False
        for img in imgs:
            self.add_image(img)
        self.caption(text)
        return True


def extract_blocks(region: html.HtmlElement, base_url: str | None = None) -> tuple[list[str], list[Image]]:
    """Text blocks and images of an already-cleaned article region."""
    blocks, _, images = extract_sourced_blocks(region, base_url)
    return blocks, images


def extract_sourced_blocks(
    region: html.HtmlElement, base_url: str | None = None
) -> tuple[list[str], list[html.HtmlElement], list[Image]]:
    """Text blocks, the block element each was read from, and images of an already-cleaned region."""
    walker = _Walker(base_url, root=region)
    walker.walk(region)
    walker.flush()
    return walker.blocks, walker.sources, walker.images
