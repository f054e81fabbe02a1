"""What re-publishers wrap around an article, recognised by its conventions.

Markdown mirrors of banned outlets share a layout: `### title`, a rule, a nav bar of
`#### [首页](…) | […]` links, promotion blocks (`#### [ 💌 …](…)`), the article HTML,
a QR/share block (`手机上长按并复制下列链接或二维码分享本文章`), the `原文地址` line and a
footer nav. Sites add share prompts, "related" lists and copyright appeals.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from newsdesk.extract import vocab

# A markdown heading whose content is a link, or a row of `|`-separated links: navigation or promo.
MD_NAV_LINE = re.compile(r"^\s*#{1,6}\s*(?:\[[^\]]*\]\([^)]*\)[\s|&nbsp;]*)+\s*$|^\s*#{1,6}\s*\[\s*[^\]]*\]\(")
MD_RULE = re.compile(r"^\s*(?:-{3,}|={3,}|\*{3,}|_{3,})\s*$")
SHARE_START = re.compile(r"手机上长按|手機上長按|长按并复制|長按並複製|二维码分享|二維碼分享|扫描二维码|掃描二維碼|扫码分享|分享本文")
ORIGINAL_URL = re.compile(
    r"(?:原文地址|原文網址|原文网址|原文链接|原文鏈接|本文链接|本文鏈接|原始链接|原文)[^:：︰]{0,12}[:：︰]\s*"
    r"(?:\[[^\]]*\]\()?(?P<url>https?://[^\s)<>'\"]+)"
)
class Cue:
    """A pattern of alternatives anchored at the start of a block, plus a few that may occur
    anywhere. Kept apart because a search over one big alternation of `^…` branches tries
    every branch at every position of the block."""

    def __init__(self, start: str, anywhere: str | None = None) -> None:
        # Every `start` branch begins with `^`; matched at position 0 only, they need no anchor.
        self._start = re.compile(start.replace("|^", "|").removeprefix("^"))
        self._anywhere = re.compile(anywhere) if anywhere else None

    def search(self, text: str) -> re.Match[str] | None:
        return self._start.match(text) or (self._anywhere.search(text) if self._anywhere else None)


# Blocks after which nothing is the article's any more.
TAIL_MARKER = Cue(
    r"^(?:[【\[]?\s*(?:相关新闻|相關新聞|相关文章|相關文章|相关阅读|相關閱讀|相关报道|相關報導|延伸阅读|延伸閱讀|推荐阅读|推薦閱讀|"
    r"热门新闻|熱門新聞|热点推荐|熱點推薦|更多资讯|更多資訊|更多新闻|更多新聞|猜你喜欢|猜你喜歡|往期回顾|往期回顧|"
    r"免责声明|免責聲明|版权声明|版權聲明|版权所有|版權所有|订阅|訂閱)\s*[】\]]?\s*(?:[:：︰]|$))"
    r"|^(?:\*{0,2})(?:更多资讯|更多資訊)[^。]{0,20}(?:关注|關注)"
    r"|^(?:免责声明|免責聲明)|^Copyright\s|^©|^版权所有|^版權所有"
    r"|^本文短网址|^本文短網址|^【诚征荣誉会员】|^【誠徵榮譽會員】|^特别声明$|^特別聲明$"
    r"|^[【\[](?:免责声明|免責聲明)[】\]]"
    r"|^(?:上一篇|下一篇|上一則|下一則)\s*[:：︰]",
    anywhere=r"(?:请|請)(?:关注|關注)(?:和|並|并)?(?:订阅|訂閱)|(?:欢迎|歡迎)(?:订阅|訂閱)",
)
# Source and reference notes that close reposted articles (`信息来源：…`, `参考链接：…`).
SOURCE_TAIL = re.compile(
    r"^(?:[【\[]?\s*(?:信息来源|信息來源|信息源|新闻来源|新聞來源|资讯来源|資訊來源|消息来源|消息來源|参考链接|參考鏈接|参考连结|參考連結|"
    r"参考资料|參考資料|援引连结|援引連結|文字版原文|原文标题|原文標題)\s*[】\]]?\s*(?:[:：︰]|$))"
)
# A "related" heading alone ends the article; with its links on the same line it is one junk block.
TAIL_HEADING_ONLY = re.compile(r"^[【\[]?\s*(?:相关新闻|相關新聞|相关文章|相關文章|相关阅读|相關閱讀|相关报道|相關報導|延伸阅读|延伸閱讀|推荐阅读|推薦閱讀)\s*[】\]]?\s*[:：︰]?\s*(.*)$")
# Single blocks that are furniture wherever they appear.
JUNK_BLOCK = Cue(
    r"^(?:[（(]?(?:点击|點擊)?(?:分享到|分享至|分享|转发|轉發|打印|列印|收藏|评论|評論|字号|字體|字体)[:：︰]?\s*[）)]?$)"
    r"|^(?:视频|視頻|影片)(?:截图|截圖)$"
    r"|^(?:返回|回到)(?:首页|首頁|顶部|頂部|列表)"
    r"|^(?:本文|此文)(?:转载|轉載|转自|轉自)"
    r"|^(?:相关新闻|相關新聞|相关阅读|相關閱讀|延伸阅读|延伸閱讀)\s*[:：︰]"
    r"|^(?:Advertisement|ADVERTISEMENT|广告|廣告)$"
    r"|^(?:下一页|下一頁|上一页|上一頁|\d+\s*/\s*\d+)$"
    r"|^(?:长按|長按)|^(?:扫码|掃碼|扫描|掃描)"
    r"|^(?:原文地址|原文网址|原文網址|原文链接|原文鏈接)[^:：︰]{0,12}[:：︰]"
    r"|^[─—\-]+\s*(?:转自|轉自)"
    r"|^(?:点击|點擊)(?:这里|這裡|此处|此處|查看|阅读|閱讀)"
    r"|^(?:图片|圖片)(?:均)?(?:来自|來自)(?:网络|網絡|網路)"
    r"|^(?:图集|圖集)$|^[+\-]?\d{1,3}$",
    # `本文仅代表作者…` (many reposts), `该文仅代表原作者观点和态度` (a platform's repost disclaimer, yeeyi.com).
    anywhere=r"(?:本文|该文|該文)(?:只|仅|僅)代表(?:原)?作者",
)
_PUNCT_ONLY = re.compile(r"^[\W_]+$")

# The site's notices in the article's flow (words in data/credits.toml, `notice`): a copyright notice asks
# permission and forbids copying in one breath; an app promotion is a short block inviting a download.
_NOTICE = re.compile(
    vocab.section_pattern("notice", "permission") + r"[^。！？!?]{0,8}?" + vocab.section_pattern("notice", "forbidden")
)
_APP = r"(?:(?<![A-Za-z])(?:app|APP|App)(?![A-Za-z])|" + vocab.section_pattern("notice", "app") + ")"
_APP_PROMO = re.compile(
    vocab.section_pattern("notice", "download") + r".{0,20}?" + _APP + "|" + _APP + r".{0,12}?"
    + vocab.section_pattern("notice", "download")
)
_APP_PROMO_CHARS = 80
_SUBSCRIBE_PROMO = re.compile(
    vocab.section_pattern("notice", "invite") + r".{0,4}?" + vocab.section_pattern("notice", "subscribe")
    + "|^" + vocab.section_pattern("notice", "subscribe") + r".{0,30}?" + vocab.section_pattern("notice", "subscribed")
)
# An invitation is a sentence of its own, or two (`請加入成為…訂戶，長期支持我們的工作。所有訂戶都可以…`).
_SUBSCRIBE_PROMO_CHARS = 100
# A block of hashtags (`#F-16 #戰機 #俄羅斯`, chinatimes; `#IAEA`, cna) is the page's tag list. A long
# `#`-headed line is a subheading some sites mark that way (`#中國外交部：反對美方排擠中國企業`, singpao).
_SENTENCE_END = re.compile(r"[。！？!?]\s*[”」』\"]?\s*$")
_TAG_LIST = re.compile(r"^(?:[#＃][^\s#＃：︰:，,。]{1,12}\s*)+$")


# A list's heading alone (`熱門閱讀`, `聚焦新聞`; words in data/credits.toml, `list_heading`).
LIST_HEADING = re.compile(
    r"^[【\[]?\s*" + vocab.section_pattern("list_heading", "head") + vocab.section_pattern("list_heading", "tail")
    + r"\s*[】\]]?\s*[:：︰]?$"
)
# A label over a box of other stories inside the article or after it (data/credits.toml, `inline_box`).
INLINE_BOX_LABEL = re.compile(r"^[【\[]?\s*" + vocab.section_pattern("inline_box", "label") + r"\s*[】\]]?\s*[:：︰]?$")
# A caption's picture credit closing a short block (data/credits.toml, `caption_credit`).
_CAPTION_CREDIT = re.compile(
    r"[（(]\s*" + vocab.section_pattern("caption_credit", "before") + r"[^（）()]{1,24}[）)]\s*$"
    r"|[（(][^（）()]{1,24}" + vocab.section_pattern("caption_credit", "after") + r"\s*[）)]\s*$"
    r"|[/／]\s*" + vocab.section_pattern("caption_credit", "before") + r"[^，。,]{1,24}$"
)
# Unbracketed: a credit closing the block (a full stop may follow it), or `图为` opening it.
_BARE_CAPTION_CREDIT = re.compile(r"(?<!了)\s*" + vocab.section_pattern("caption_credit", "bare") + r"\s*[。.]?$")
_CAPTION_OPENING = re.compile(r"^(?:[◎●▲△]\s*)?" + vocab.section_pattern("caption_credit", "opening"))
# A news agency credited after the caption's closed sentence (or after `图` alone): `…文化。美联社`, `…。AP圖片。`.
_AGENCY_CREDIT = re.compile(
    r"(?:[。！？!?]|^(?:图片|图|圖片|圖))\s*(?<![A-Za-z])" + vocab.section_pattern("caption_credit", "agency")
    + r"(?![A-Za-z])\s*(?:图片|圖片|照片)?\s*[。.]?$"
)
_CAPTION_CHARS = 120
# At least this much text before the credit: a credit alone (`新华社发（刘满仓摄）`) is a photo story's line.
_CAPTION_TEXT = 10
# An unbracketed credit names less (`共享充电宝。视觉中国 资料`); a word or two before it is a caption.
_BARE_CAPTION_TEXT = 4


def is_caption(block: str) -> bool:
    """A short block that closes with a picture credit: a picture's caption printed among the paragraphs."""
    if len(block) > _CAPTION_CHARS:
        return False
    m = _CAPTION_CREDIT.search(block)
    if m and m.start() >= _CAPTION_TEXT:
        return True
    bare = _BARE_CAPTION_CREDIT.search(block)
    if bare and bare.start() >= _BARE_CAPTION_TEXT:
        return True
    if _AGENCY_CREDIT.search(block):
        return True
    opening = _CAPTION_OPENING.match(block)
    return bool(opening) and len(block) - opening.end() >= _BARE_CAPTION_TEXT


def is_site_notice(block: str) -> bool:
    """A copyright notice, an app promotion or a tag list printed where the article's blocks are."""
    if _TAG_LIST.match(block) or _NOTICE.search(block):
        return True
    if len(block) <= _SUBSCRIBE_PROMO_CHARS and _SUBSCRIBE_PROMO.search(block):
        return True
    # A sentence that mentions downloading an app is the article's (`用户可在应用商店下载…APP。`).
    return len(block) <= _APP_PROMO_CHARS and not _SENTENCE_END.search(block) and bool(_APP_PROMO.search(block))


def is_punctuation_only(block: str) -> bool:
    return bool(_PUNCT_ONLY.match(block))


# Where mirrors and archives live: a link there is a copy, never the outlet's own address.
# Archives (archive.today's domains, WeChatscope) hold copies, not the outlet's own address.
_MIRROR_HOSTS = re.compile(r"github\.com|github\.io|archive\.(?:li|is|ph|today|org)|wechatscope|gitlab\.com|githubusercontent\.com|jsdelivr\.net|gfw-breaker|\d+\.\d+\.\d+\.\d+")


def is_mirror_host(url: str) -> bool:
    return bool(_MIRROR_HOSTS.search(urlsplit(url).netloc or url))


def names_an_original(url: str) -> bool:
    """Whether `url` can be an article's original address: not a mirror's host, and an address
    urllib can take apart (`http://[2J/…`, a bracketed host that is no IP address, or an unclosed
    `[`, makes it raise ValueError: such a link names no page)."""
    try:
        return not is_mirror_host(url)
    except ValueError:
        return False


def is_foreign_link(url: str) -> bool:
    """A link that leaves the mirror or archive holding the page (so may be the original's address)."""
    return url.startswith("http") and names_an_original(url)


def find_original_url(text: str) -> str | None:
    for pattern in (ORIGINAL_URL, _ORIGINAL_LINK):
        for m in pattern.finditer(text):
            url = unwrap_archived(m["url"].rstrip(".,;，。"))
            if is_foreign_link(url):
                return url
    return None


# `[原文](https://outlet/…)`: a link whose whole text says it is the original (free-xueq-jianb's BBC
# reposts, terminus2049's `本文来自端传媒，[原文](…)`).
_ORIGINAL_LINK = re.compile(r"\[\s*(?:原文|原文链接|原文鏈接|阅读原文|閱讀原文)\s*\]\((?P<url>https?://[^\s)<>'\"]+)\)")
# The link's text may hold a bracketed rubric of its own: `[[兩岸] 標題](…)`.
_MD_LINK_TARGET = re.compile(r"(?<!!)\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\]){2,300})\]\((?P<url>https?://[^\s)<>'\"~]+)")
_ARCHIVED = re.compile(r"^https?://web\.archive\.org/web/[0-9a-z_]+/(?P<url>https?://.+)$", re.I)
_NOT_WORD = re.compile(r"[\W_]+")
# A repost names the original near its top; a title link further down is a "related" list's.
_HEADLINE_LINK_LINES = 40
_MIN_TITLE_KEY = 6


def unwrap_archived(url: str) -> str:
    """`https://web.archive.org/web/2021…/https://outlet/…` → the outlet's own address."""
    m = _ARCHIVED.match(url)
    return m["url"] if m else url


def headline_link(text: str, title: str | None, is_foreign: Callable[[str], bool]) -> str | None:
    found = headline_link_credit(text, title, is_foreign)
    return found[0] if found else None


def headline_link_credit(text: str, title: str | None, is_foreign: Callable[[str], bool]) -> tuple[str, str] | None:
    """The original's address where a repost links the headline to it.

    RSS-to-markdown mirrors print the headline as a link to the outlet's page (`[标题](https://…)`
    over a rule: nodebe4's feeds of BBC, DW, VOA, FT), and archive posts credit the original by
    linking its title (`原文来自财新网：~~[标题](http://…)~~`, `信息源自土逗公社：[标题](…)`:
    terminus2049). The link's text and the post's title agree (one holds the other: reposts add a
    rubric or the outlet's name); `is_foreign` keeps links off the mirror's own host.
    Gives the address and what its line prints before the link (`原文来自财新网：`), where reposts
    credit the outlet.
    """
    if not title:
        return None
    key = _NOT_WORD.sub("", title).lower()
    if len(key) < _MIN_TITLE_KEY:
        return None
    head = "\n".join(text.splitlines()[:_HEADLINE_LINK_LINES])
    for m in _MD_LINK_TARGET.finditer(head):
        linked = _NOT_WORD.sub("", m["text"]).lower()
        if len(linked) < _MIN_TITLE_KEY or not (linked in key or key in linked):
            continue
        url = unwrap_archived(m["url"].rstrip(".,;，。"))
        if is_foreign(url):
            line_start = head.rfind("\n", 0, m.start()) + 1
            return url, head[line_start : m.start()].strip(" ~*>")
    return None


# A markdown heading opening a text, after any HTML comments: ATX (`# 标题`) or setext (`标题` over
# `---`/`===`); its text may be a link (`[标题](url)`).
_MD_HEADING_OPEN = re.compile(
    r"\A\s*(?:<!--.*?-->\s*)*(?:#{1,3}[ \t]+(?P<atx>[^\n]+?)[ \t#]*|(?P<setext>[^\n<>]+?)[ \t]*\r?\n[ \t]*(?:-{3,}|={3,})[ \t]*)(?:\r?\n|\Z)",
    re.S,
)
_WHOLE_LINK = re.compile(r"^\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])+)\]\((?P<url>[^)\s]+)\)$")


def markdown_heading(text: str) -> tuple[str, str | None] | None:
    """The heading a markdown text opens with, and the address its text links to, if any."""
    m = _MD_HEADING_OPEN.match(text[:4000])
    if not m:
        return None
    heading = (m["atx"] or m["setext"] or "").strip()
    link = _WHOLE_LINK.match(heading)
    if link:
        heading, url = link["text"].strip(), link["url"]
    else:
        url = None
    heading = re.sub(r"\s+", " ", heading)
    return (heading, url) if len(heading) >= 4 else None
