"""Datelines, bylines, editor credits and source lines of Chinese (and English) news.

Each shape here is a convention of the trade, not of one file:
`【大纪元2022年02月02日讯】（大纪元记者张婷综合报导）`, `【新唐人北京时间2021年05月20日讯】`,
`新华社巴黎12月9日电（记者唐霁）`, `（记者王小明／台北报导）`, `新唐人记者毕心慈、宇微综合报导`,
`文｜杜晨`, `责任编辑：林妍`, `（特约记者：冰凌；责编：寇天力）`, `来源：新华社`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsdesk.extract.dates import MD_CN, parse_cn_date

_COLON = r"\s*[:：｜|/／]\s*"
_NAME_SPLIT = re.compile(
    r"\s*[、，,;；/／&＆]\s*|(?<=[\u4e00-\u9fff]{2})\s*[和及与與]\s*(?=[\u4e00-\u9fff]{2})|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])"
)
_PAREN = re.compile(r"[（(][^（）()]*[）)]")
# A name's original spelling in brackets: 让-路易斯‧马格林（Jean-Louis Margolin）.
_LATIN_PAREN = re.compile(r"\s*[（(][A-Za-z][A-Za-z .\-‧·']*[）)]")
_ZONE = r"(?:北京|台北|臺北|香港|美东|美東|美西|东京|東京|纽约|紐約|多伦多|多倫多|悉尼|伦敦|倫敦|巴黎|柏林)?时间|(?:北京|台北|臺北|香港|美东|美東)?時間"
DATELINE = re.compile(
    r"^\s*[【\[]\s*(?P<outlet>[^【】\[\]\d〇零○一二三四五六七八九]{2,14}?)\s*(?:" + _ZONE + r")?\s*"
    r"(?P<date>(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]|[〇零○一二三四五六七八九]{4}年[〇零一二三四五六七八九十]{1,3}月[〇零一二三四五六七八九十]{1,3}日)"
    r"\s*(?:讯|訊|电|電|报道|報道)?\s*[】\]]"
)
# 新华社巴黎12月9日电（记者唐霁）; 中新网北京1月2日电; IT之家9月30日消息
WIRE_DATELINE = re.compile(
    r"^\s*(?!(?:周|週|星期)[一二三四五六日天])(?P<outlet>新华社|新華社|中新社|中新网|中新網|人民网|人民網|央视网|央視網|法新社|路透社|美联社|美聯社|中央社|"
    r"[A-Za-z]+[\u4e00-\u9fff]{0,4}|[\u4e00-\u9fff]{2,8}?)(?P<place>[\u4e00-\u9fff]{0,6}?)\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*日\s*"
    r"(?:电|電|消息|讯|訊)(?=\s|[，,（(：:]|$)"
)
_REPORTER_WORDS = r"(?:特约记者|特約記者|驻\w{1,4}记者|駐\w{1,4}記者|实习记者|實習記者|本台记者|本台記者|记者(?!站)|記者(?!站)|通讯员|通訊員|撰稿人|特约评论员|特約評論員)"
_REPORT_VERBS = r"(?:综合报导|綜合報導|综合报道|綜合報道|采访报导|採訪報導|采访报道|採訪報道|编译报导|編譯報導|编译报道|報導|报导|报道|報道|编译|編譯|整理|撰文|摄影|攝影|撰稿|采访|採訪)"
# 明慧记者采菊纽约综合报道: the reporter's city sits between name and verb.
_CITIES = (
    "纽约|紐約|华盛顿|華盛頓|洛杉矶|洛杉磯|旧金山|舊金山|多伦多|多倫多|温哥华|溫哥華|蒙特利尔|伦敦|倫敦|巴黎|柏林|"
    "东京|東京|首尔|首爾|悉尼|墨尔本|墨爾本|台北|臺北|台湾|台灣|香港|北京|上海|广州|廣州|深圳|新加坡|日本|美国|美國|加拿大|"
    "澳洲|德国|德國|法国|法國|英国|英國|韩国|韓國|休斯顿|休士頓|芝加哥|波士顿|波士頓|费城|費城|亚特兰大|西雅图|西雅圖|达拉斯|達拉斯|"
    "奈良|大阪|曼谷|台中|臺中|高雄|台南|臺南|桃园|桃園|新北"
)
_BYLINE_PAREN = re.compile(
    r"^[（(]\s*(?:[^（）()]{0,12}?)" + _REPORTER_WORDS + r"\s*[:：]?\s*(?P<names>[^（）()]{1,40}?)\s*"
    r"(?:[/／]\s*[^（）()]{0,12}?)?\s*" + _REPORT_VERBS + r"?\s*[）)]"
)
_SIGNOFF = re.compile(
    r"^[（(]?\s*(?:[\u4e00-\u9fff]{0,8}?)" + _REPORTER_WORDS + r"\s*[:：]?\s*(?P<names>[^，。！？（）()/／]{1,40}?)\s*"
    r"(?:[/／]\s*[^，。！？（）()/／]{0,12}?)?\s*" + _REPORT_VERBS + r"?\s*[）)]?\s*$"
)
# Taiwanese papers close with `報導．攝影╱韓旭爾`, sometimes run into the last paragraph.
_TRAILING_CREDIT = re.compile(
    r"(?:^|[。！？」”])\s*(?:報導|报导|报道|報道|撰文|文字|攝影|摄影|文)(?:\s*[．・.、]\s*(?:攝影|摄影|報導|报导))?\s*[╱/／]\s*(?P<names>[\u4e00-\u9fff、]{2,12})\s*$"
)
_LEAD_CREDIT = re.compile(
    r"^[（(]?\s*(?:文|作者|撰文|执笔|執筆|整理|采写|採寫|文字|文/图|文／圖|文图|口述|编译|編譯|翻译|翻譯|记者|記者)"
    + _COLON + r"(?P<names>[^，。！？]{1,40}?)\s*[）)]?\s*$"
)
_EDITOR_LABEL = r"(?:责任编辑|責任編輯|责编|責編|编辑|編輯|本文编辑|本文編輯|编审|編審|审核|審核|主编|主編|Editor|Edited by)"
EDITOR_LINE = re.compile(
    r"^[\[\(（【]?\s*" + _EDITOR_LABEL + r"\s*[:：｜|/／]?\s*(?P<name>[^\]\)）】]{1,30}?)\s*[\]\)）】]?\s*$", re.IGNORECASE
)
# （特约记者：冰凌；责编：寇天力）
_MIXED_CREDIT = re.compile(
    r"^[（(]\s*(?:" + _REPORTER_WORDS + r"|作者)\s*[:：]?\s*(?P<names>[^；;）)/／]+?)\s*" + _REPORT_VERBS + r"?\s*[；;，,/／]\s*"
    + _EDITOR_LABEL + r"\s*[:：]\s*(?P<editor>[^）)]+?)\s*[）)]\s*$"
)
SOURCE_LINE = re.compile(
    r"^[\[\(（【]?\s*(?:文章来源|文章來源|本文来源|本文來源|新闻来源|新聞來源|来源|來源|出处|出處|稿源|转自|轉自|转载自|轉載自|Source)"
    r"\s*[:：]\s*(?P<name>[^\]\)）】]{1,40}?)\s*[\]\)）】]?\s*$",
    re.IGNORECASE,
)
_TITLE_AUTHOR = re.compile(r"^(?P<name>[\u4e00-\u9fff·‧・]{2,6})[：:]\s*\S")
# Title prefixes before a colon that are labels, sources or places, never a writer.
_TITLE_LABEL = re.compile(
    r"^(?:外媒|港媒|台媒|日媒|韩媒|美媒|俄媒|官媒|陆媒|專家|专家|学者|學者|快讯|快訊|独家|獨家|突发|突發|视频|視頻|图集|圖集|评论|評論|社论|社論|"
    r"专栏|專欄|热点|熱點|观点|觀點|分析|报告|報告|调查|調查|更新|直播|重磅|最新|今日|网传|網傳|网友|網友|消息|传闻|傳聞|禁闻|禁聞|征文|徵文)$"
    r"|(?:国|國|部|院|局|媒|社|网|網|报|報|会|會|府|厅|廳|党|黨|军|軍|省|市|州|岛|島|方|界)$"
)
_NON_NAMES = re.compile(r"编辑部|編輯部|本台|本报|本報|新闻|新聞|报道|報導|综合|綜合|网站|網站|电视台|電視台|^本网$|^本網$|记者站|記者站")


@dataclass(slots=True)
class Dateline:
    outlet: str | None = None
    date: str | None = None
    authors: list[str] = field(default_factory=list)
    # When the date is only month and day (wire datelines), the year must come from elsewhere.
    month_day: tuple[int, int] | None = None


def split_names(text: str) -> list[str]:
    names = []
    for part in _NAME_SPLIT.split(_PAREN.sub("", text).strip()):
        part = part.strip(" ·.。:：()（）【】[]「」\"'")
        part = re.sub(r"^(?:" + _CITIES + r")(?=[\u4e00-\u9fff]{2,})", "", part)
        if len(part) >= 4 and not re.search(r"[A-Za-z]", part):
            part = re.sub(r"(?:" + _CITIES + r")$", "", part)
        if part and len(part) <= 24 and not _NON_NAMES.search(part) and not re.search(r"\d", part):
            names.append(part)
    return names


_ROLE_PREFIX = re.compile(r"^(?:[\u4e00-\u9fff]{0,4}(?:特派員|特派员|特約記者|特约记者|實習記者|实习记者|記者|记者|通訊員|通讯员))\s*[:：]?\s*")


def strip_role(name: str) -> str:
    """`台灣特派員鄭智仁` → `鄭智仁`, `記者吳婉英` → `吳婉英`."""
    stripped = _ROLE_PREFIX.sub("", name.strip())
    return stripped or name.strip()


def parse_dateline(text: str) -> Dateline | None:
    """Outlet, date and reporters from the opening of an article's first paragraph."""
    m = DATELINE.match(text)
    if m:
        line = Dateline(outlet=m["outlet"].strip(), date=parse_cn_date(m["date"]))
        rest = text[m.end():].lstrip()
        byline = _BYLINE_PAREN.match(rest)
        if byline:
            line.authors = split_names(byline["names"])
        return line
    m = WIRE_DATELINE.match(text)
    if m and len(m["outlet"]) >= 2 and not m["outlet"].startswith(("据", "據", "今", "昨")):
        line = Dateline(outlet=m["outlet"], month_day=(int(m["m"]), int(m["d"])))
        rest = text[m.end():].lstrip()
        byline = _BYLINE_PAREN.match(rest)
        if byline:
            line.authors = split_names(byline["names"])
        return line
    byline = _BYLINE_PAREN.match(text.lstrip())
    if byline:
        return Dateline(authors=split_names(byline["names"]))
    return None


def signoff_authors(block: str) -> list[str] | None:
    """Reporters named by a closing or opening credit block that is body (`新唐人记者韩霏综合报导`)."""
    if len(block) > 60:
        return None
    block = _LATIN_PAREN.sub("", block)
    m = _SIGNOFF.match(block) or _LEAD_CREDIT.match(block)
    if not m:
        return None
    return split_names(m["names"])


def trailing_credit(block: str) -> list[str]:
    m = _TRAILING_CREDIT.search(block[-40:])
    return split_names(m["names"]) if m else []


def is_chief_editor_credit(block: str) -> bool:
    """`责任编辑`/`责编` outranks a plain `编辑` credit (thepaper: 编辑|甲 责编|乙)."""
    return bool(re.search(r"责任编辑|責任編輯|责编|責編", block))


_EDITOR_IN_LINE = re.compile(
    r"(?:^|[\s】\]）)])[\[\(（【]?\s*(?:责任编辑|責任編輯|责编|責編)\s*[:：｜|/／]\s*(?P<name>[^\s\]\)）】#＃]{1,20})"
)
# What may follow the editor's name on the same credit line: `来源: 看中国`, `采访/常春 后制/钟元`.
_CREDIT_TAIL = re.compile(r"(?P<role>来源|來源|采访|採訪|记者|記者|撰文|文字)\s*[:：/／]\s*(?P<value>[^\s/／]+)")


def editor_of(block: str) -> str | None:
    """The editor named by an editor credit line (`责任编辑：林妍`, `【纠错】 责任编辑： 尹世杰`)."""
    if len(block) > 60:
        return None
    m = EDITOR_LINE.match(block)
    if m and not re.search(r"[，。！？]", m["name"]):
        # `编辑/尚燕 采访/常春 后制/钟元`: the editor is the first name; the rest are other credits.
        name = m["name"].strip(" ：:#＃")
        if name and not re.fullmatch(r"[A-Za-z .'\-]+", name):
            name = name.split()[0].strip(" ：:#＃")
        if 0 < len(name) <= 12:
            return name
    m = _EDITOR_IN_LINE.search(block)
    if m:
        return m["name"].strip(" ：:#＃") or None
    return None


def credit_line_extras(block: str) -> tuple[list[str], list[str]]:
    """Reporters and sources named after the editor on one credit line."""
    authors, sources = [], []
    for m in _CREDIT_TAIL.finditer(block):
        (sources if m["role"] in {"来源", "來源"} else authors).append(m["value"])
    return authors, sources


def mixed_credit(block: str) -> tuple[list[str], str] | None:
    m = _MIXED_CREDIT.match(block)
    if not m:
        return None
    return split_names(m["names"]), m["editor"].strip()


def source_of(block: str) -> str | None:
    if len(block) > 50:
        return None
    m = SOURCE_LINE.match(block)
    return m["name"].strip() if m else None


def title_author(title: str | None) -> str | None:
    """`冯睎干：…` opinion titles name their writer before the colon."""
    if not title:
        return None
    m = _TITLE_AUTHOR.match(title)
    if not m or _NON_NAMES.search(m["name"]) or _TITLE_LABEL.search(m["name"]):
        return None
    return m["name"]


def month_day_in(text: str) -> tuple[int, int] | None:
    m = MD_CN.search(text)
    return (int(m["m"]), int(m["d"])) if m else None


# Credit rosters: `素材：小红帽 翻译：Lixiao 编辑：李易通 发布：陶子`, `编辑：东京樱花团/简报小组 发布：…`.
_ROSTER_LABEL = (
    r"撰稿|作者|记者|記者|整理|编译|編譯|翻译|翻譯|翻译/整理|翻譯/整理|素材|素材采编|素材採編|审核|審核|审核/编辑/发稿|"
    r"编辑发表|編輯發表|编辑发布|編輯發布|编辑|編輯|责任编辑|責任編輯|责编|責編|发布|發布|發佈|发表|發表|发稿|發稿|音频|音頻|"
    r"文字|校对|校對|总编|總編|主编|主編|视频|視頻|配音|审校|審校|制作|製作|监制|監製|来源|來源"
)
_ROSTER_ITEM = re.compile(r"(?P<label>" + _ROSTER_LABEL + r")\s*[:：]\s*(?P<value>.+?)(?=\s*(?:" + _ROSTER_LABEL + r")\s*[:：]|$)")
_AUTHOR_ROLES = frozenset(["撰稿", "作者", "记者", "記者", "整理", "编译", "編譯", "翻译", "翻譯", "翻译/整理", "翻譯/整理"])
_EDITOR_ROLES = frozenset(["编辑", "編輯", "责任编辑", "責任編輯", "责编", "責編", "编辑发表", "編輯發表", "编辑发布", "編輯發布", "审核/编辑/发稿"])
_GROUP_PREFIX = re.compile(r"^\S*?(?:农场|農場|团|團|小组|小組|组|組|Farm|Group|Team)\s*[/／\s–—-]+\s*(?=\S)")


@dataclass(slots=True)
class Roster:
    authors: list[str] = field(default_factory=list)
    editor: str | None = None
    # A roster naming only writers opens the article and is printed as its byline (body);
    # one that credits editors or publishers is furniture.
    is_byline: bool = True


def person(value: str) -> str:
    """`东京樱花团/百花李香` → `百花李香`: the group a volunteer writes for is not the writer."""
    value = _LATIN_PAREN.sub("", value).strip(" *#＃")
    return _GROUP_PREFIX.sub("", value).strip() or value


def parse_roster(block: str) -> Roster | None:
    text = block.strip(" *")
    if len(text) > 100 or not text:
        return None
    items = list(_ROSTER_ITEM.finditer(text))
    if not items or items[0].start() != 0:
        return None
    roster = Roster()
    for item in items:
        label, value = item["label"], item["value"].strip(" *")
        if not value or re.search(r"[。！？]", value):
            return None
        if label in _AUTHOR_ROLES:
            roster.authors.append(person(value))
        else:
            roster.is_byline = False
            if label in _EDITOR_ROLES and roster.editor is None:
                roster.editor = person(value)
    return roster


# `（文／摄影：张易书，地点：台湾）`: a caption that credits the words too names the article's writer.
_CAPTION_WRITER = re.compile(r"(?:^|[（(，,\s])(?:文|撰文|文字)\s*[／/及与與、]\s*(?:摄影|攝影|图|圖|照片)\s*[:：]\s*(?P<names>[^，,。）)\s]{2,12})")


def caption_writers(caption: str) -> list[str]:
    m = _CAPTION_WRITER.search(caption)
    return split_names(m["names"]) if m else []
