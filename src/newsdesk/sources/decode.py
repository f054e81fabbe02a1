"""Bytes to text, honestly: BOM, then declared charset, then detection.

GB2312 and GBK declarations are decoded as GB18030 (their superset) because real
pages labelled GB2312 routinely use GBK/GB18030 characters; Big5 likewise as
Big5-HKSCS. The encoding actually used is reported so callers can record it.

Captures are often cut short (a crawl stopped mid-transfer), so a multibyte
character left incomplete at the very end does not disqualify an encoding. A
declaration is trusted only while it reads as text: a page whose bytes read as
plain Chinese in GB18030 or Big5 but as mojibake under its declared charset is
mislabelled, and the Chinese reading wins.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-]+)|^<\?xml[^>]+encoding\s*=\s*["']([a-z0-9_\-]+)""",
    re.IGNORECASE,
)
# Labels Python's codec registry does not know, mapped to the codec real pages mean by them.
_ALIASES = {
    "x-gbk": "gb18030", "gb_2312-80": "gb18030", "csgb2312": "gb18030", "windows-936": "gb18030",
    "x-euc-tw": "big5hkscs", "x-mac-chinesesimp": "gb18030",
}
# Canonical codec names (as `codecs.lookup` spells them) decoded with their superset instead.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "cp950": "big5hkscs",
    "iso8859-1": "cp1252", "ascii": "utf-8",
}
# Declarations that cannot be true of bytes in which an ASCII `<meta charset=…>` was found
# (WHATWG treats a meta-declared UTF-16 as UTF-8 for the same reason).
_NOT_ASCII_COMPATIBLE = ("utf-16", "utf-32", "utf-7")
# Text with more replacement characters than this (per 1,000 characters) is not trusted.
_MAX_BAD_PER_MILLE = 5
# The 500 most frequent Chinese characters, their traditional forms and CJK punctuation. Correctly
# decoded Chinese has 60-80 % of its non-ASCII characters in this set; GB18030 read as Big5 or
# the reverse has under 15 %, which makes the set a cheap judge between Chinese readings.
_COMMON_CHINESE = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
    "十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形"
    "相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展"
    "五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战"
    "先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白"
    "教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且"
    "究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值"
    "号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞"
    "這爲個國時來們於對會發動過說產種後學經進電裏現實兩體機當點從業應開還義間樣與關線內數麼質氣變條沒結問無軍並題黨員總設長頭資邊級"
    "圖統較將組見計別論運農幾區強決幹戰則據處隊給門規熱領東導壓爭濟階術極聯認權證採轉單風帶場車務萬達積議聲報鬥類離華確張馬節話況溫"
    "傳許羣廣記觀織裝衆書覆兒須際驗連斷難礦備辦習響約勞團歷構稱準號維劃選標寫親養層卻專狀廠識適屬圓調滿縣參紅細聽該鐵價嚴龍飛裡眾"
    "復為著臺灣"
    "，。、：；！？“”‘’《》（）【】…—·「」『』"
)
# The same set as one character class, and what is never counted (ASCII, whitespace): judging a
# reading by regex runs in C, where a Python loop over 100,000 characters took ~5 ms a page.
_COMMON_CHINESE_CHAR = re.compile("[" + "".join(re.escape(ch) for ch in sorted(_COMMON_CHINESE)) + "]")
_ASCII_OR_SPACE = re.compile(r"[\x00-\x7f\s]+")
# A reading is "plainly Chinese" with at least this many common characters making up this share.
_MIN_COMMON = 12
_MIN_COMMON_SHARE = 0.3
# Judging a reading needs a sample, not the whole of a 50 MB capture.
_SAMPLE_CHARS = 100_000
_CHINESE_CODECS = ("gb18030", "big5hkscs")


_CONTROL_BYTES = bytes(b for b in range(32) if not 9 <= b <= 13)


class DecodeError(ValueError):
    """The bytes are not text in any encoding we could find."""


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def _canonical(name: str) -> str | None:
    name = name.strip().lower()
    name = _ALIASES.get(name, name)
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    return codecs.lookup(_SUPERSETS.get(name, name)).name


def _strict(data: bytes, encoding: str) -> str | None:
    """`data` in `encoding`, or None if it is not; a character cut off at the very end is forgiven."""
    try:
        return data.decode(encoding)
    except LookupError:
        return None
    except UnicodeDecodeError as exc:
        # A truncated capture ends inside a multibyte character: the bytes before it still decide.
        if exc.start < len(data) - 4:
            return None
        try:
            return data[: exc.start].decode(encoding) + "\ufffd"
        except UnicodeDecodeError:
            return None


def _chinese_score(text: str) -> tuple[int, float]:
    """Common Chinese characters in a sample of `text`, and their share of its non-ASCII characters."""
    # `\s` is str.isspace(): the non-ASCII, non-space characters are what is left.
    wide = _ASCII_OR_SPACE.sub("", text[:_SAMPLE_CHARS])
    if not wide:
        return 0, 0.0
    common = len(_COMMON_CHINESE_CHAR.findall(wide))
    return common, common / len(wide)


def _plainly_chinese(score: tuple[int, float]) -> bool:
    return score[0] >= _MIN_COMMON and score[1] >= _MIN_COMMON_SHARE


def _best_chinese(data: bytes, exclude: str | None = None) -> tuple[Decoded, tuple[int, float]] | None:
    """The strict GB18030 or Big5 reading of `data` that is plainly Chinese (the better one if both are)."""
    best: tuple[Decoded, tuple[int, float]] | None = None
    for encoding in _CHINESE_CODECS:
        if encoding == exclude:
            continue
        text = _strict(data, encoding)
        if text is None:
            continue
        score = _chinese_score(text)
        if _plainly_chinese(score) and (best is None or score[1] > best[1][1]):
            best = Decoded(text, encoding), score
    return best


# A reading of UTF-16 is text when at least this share of its characters are printable ASCII or
# common Chinese (stretches of Chinese news run 40-95 %; the wrong byte order reads under 11 %).
_MIN_UTF16_TEXT_SHARE = 0.25
_MIN_UTF16_CHARS = 16
_UTF16_SAMPLE_BYTES = 4096


def _text_share(text: str) -> float:
    sample = text[: _UTF16_SAMPLE_BYTES // 2]
    if not sample:
        return 0.0
    plain = sum(1 for ch in sample if " " <= ch <= "~" or ch in "\t\n\r" or ch in _COMMON_CHINESE)
    return plain / len(sample)


def _bomless_utf16(data: bytes) -> Decoded | None:
    """UTF-16 saved without a BOM, in whichever byte order reads as text.

    Where a NUL falls is no guide: ASCII leaves one beside every character, but Chinese leaves
    almost none (only U+xx00 characters such as 一 do, on the other side), and pure Chinese none at
    all. So each byte order is read and judged by what text is made of, printable ASCII and common
    Chinese characters: the wrong order turns ASCII into rare ideographs (`a` → U+6100) and
    Chinese into a scatter of Hangul, Yi and private-use characters, or fails on a lone surrogate.
    """
    head = data[:_UTF16_SAMPLE_BYTES]
    head = head[: len(head) // 2 * 2]
    # Fewer characters than this can pass for text in either order by chance.
    if len(head) < 2 * _MIN_UTF16_CHARS:
        return None
    best: tuple[float, str] | None = None
    for encoding in ("utf-16-le", "utf-16-be"):
        text = _strict(head, encoding)
        if text is not None:
            share = _text_share(text)
            if best is None or share > best[0]:
                best = share, encoding
    if best is None or best[0] < _MIN_UTF16_TEXT_SHARE:
        return None
    text = _strict(data, best[1])
    return Decoded(text, best[1]) if text is not None else None


def looks_binary(data: bytes) -> bool:
    """NUL bytes or mostly control characters in the first 4 KiB: not a text capture."""
    head = data[:4096]
    if not head:
        return False
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > 0.1


def _declared(data: bytes) -> str | None:
    declared = _DECLARED.search(data[:8192])
    if not declared:
        return None
    encoding = _canonical((declared.group(1) or declared.group(2)).decode("ascii", "ignore"))
    if encoding is None or encoding.startswith(_NOT_ASCII_COMPATIBLE):
        return None
    return encoding


def _readable(text: str) -> bool:
    return text.count("\ufffd") * 1000 <= len(text) * _MAX_BAD_PER_MILLE


def _transport(charset: str | None) -> str | None:
    """The charset the HTTP header (or a WARC record's) gave, as a codec name, if Python knows it."""
    if not charset:
        return None
    encoding = _canonical(charset.strip().strip("\"'"))
    # UTF-16 without a BOM was ruled out before declarations are read: a header cannot make it so.
    return None if encoding is None or encoding.startswith(_NOT_ASCII_COMPATIBLE) else encoding


def decode(data: bytes, charset: str | None = None) -> Decoded:
    """Decode capture bytes; raise `DecodeError` for binary junk. `charset` is what the transport
    (an HTTP Content-Type header) declared: like the page's own `<meta>` declaration, which it comes
    before (as in browsers), it is trusted only while the bytes read as text under it."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return Decoded(data.decode(encoding, errors="replace"), encoding)
    # UTF-16 looks binary: ASCII leaves NULs, Chinese punctuation (U+3000-U+301F) control bytes.
    binary = looks_binary(data)
    utf16 = _bomless_utf16(data) if binary else None
    if utf16 is not None:
        return utf16
    if binary:
        raise DecodeError("binary content, not a text capture")
    text = _strict(data, "utf-8")
    if text is not None:
        return Decoded(text, "utf-8")
    for declared in dict.fromkeys(d for d in (_transport(charset), _declared(data)) if d):
        text = _strict(data, declared)
        if text is not None:
            score = _chinese_score(text)
            if not _plainly_chinese(score):
                # Mislabelled: bytes that read as plain Chinese in another codec are that codec's.
                other = _best_chinese(data, exclude=declared)
                if other is not None and other[1][1] > 2 * score[1]:
                    return other[0]
            return Decoded(text, declared)
    # Undeclared (or wrongly declared) Chinese: a reading full of common characters is right, and
    # statistical detection is both slower and, on Big5, often wrong.
    chinese = _best_chinese(data)
    if chinese is not None:
        return chinese[0]
    # Pure Chinese UTF-16 has no NULs and is never UTF-8; short GB18030 or Big5 can pass for it, so
    # it comes after those, before statistical detection (which often misses it).
    utf16 = _bomless_utf16(data)
    if utf16 is not None:
        return utf16
    best = from_bytes(data[:200_000], cp_isolation=None).best()
    if best is not None:
        encoding = _canonical(best.encoding) or best.encoding
        text = data.decode(encoding, errors="replace")
        if _readable(text):
            return Decoded(text, encoding)
    # Last resort: the most plausible East Asian reading, lossy but honest about it.
    readings = [Decoded(data.decode(enc, errors="replace"), enc) for enc in ("gb18030", "big5hkscs", "utf-8")]
    readable = [r for r in readings if _readable(r.text)]
    if readable:
        # `max` keeps the first of equals, so with no Chinese at all GB18030 is still preferred.
        return max(readable, key=lambda r: _chinese_score(r.text)[0])
    raise DecodeError("could not decode: no encoding gives readable text")
