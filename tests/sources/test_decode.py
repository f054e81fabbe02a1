"""Bytes to text under hostile conditions: no declaration, wrong declaration, truncation, junk.

The seeds are the real dev captures, re-encoded the ways Chinese pages arrive: GB18030 and Big5
with and without a `<meta charset>`, UTF-16 with and without a BOM, labels that lie, files cut
short mid-character, random bytes spliced in. `decode` must return text or raise `DecodeError`;
when the encoding is knowable, the text must be the original.
"""

from __future__ import annotations

import os
import re
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsdesk.sources.decode import _COMMON_CHINESE, Decoded, DecodeError, _chinese_score, decode
from tests.conftest import DEV

CAPTURES = sorted((DEV / "captures").iterdir())
# Hypothesis draws from these; a fixed order keeps failures reproducible.
NAMES = [p.name for p in CAPTURES]


@cache
def capture_text(name: str) -> str:
    return (DEV / "captures" / name).read_text(encoding="utf-8")


@cache
def encodable_names(encoding: str) -> list[str]:
    """Captures `encoding` can hold without loss: Big5 only traditional pages, GBK no © or emoji."""
    out = []
    for name in NAMES:
        try:
            capture_text(name).encode(encoding)
        except UnicodeEncodeError:
            continue
        out.append(name)
    return out


def safe_decode(data: bytes) -> Decoded | None:
    """decode(), with DecodeError (the documented refusal) as None; anything else propagates."""
    try:
        return decode(data)
    except DecodeError:
        return None


def with_meta(text: str, label: str) -> str:
    return f'<meta http-equiv="Content-Type" content="text/html; charset={label}">\n{text}'


# --- known phrases, each encoding on its own ---------------------------------------------------

SIMPLIFIED = "新华社北京电 国务院总理主持召开常务会议，部署进一步稳定经济的政策措施。记者从会上获悉，相关部门将加快落实。"
TRADITIONAL = "香港立法會今日三讀通過條例草案，政府發言人表示歡迎，並會盡快刊憲實施。記者在現場看到大批市民排隊。"


def test_gb18030_without_declaration_reads_right() -> None:
    page = f"<html><body><p>{SIMPLIFIED}</p></body></html>".encode("gb18030")
    decoded = decode(page)
    assert decoded.encoding == "gb18030"
    assert SIMPLIFIED in decoded.text


def test_big5_without_declaration_reads_right() -> None:
    # Big5 bytes are mostly valid GB18030 too; reading them as GB gives mojibake, not an error.
    page = f"<html><body><p>{TRADITIONAL}</p></body></html>".encode("big5")
    assert page.decode("gb18030", errors="replace") != page.decode("big5")
    decoded = decode(page)
    assert decoded.encoding == "big5hkscs"
    assert TRADITIONAL in decoded.text


@pytest.mark.parametrize("name", encodable_names("big5hkscs"))
def test_traditional_captures_in_big5_without_declaration(name: str) -> None:
    # Detection alone read hkcnews__48897 as GB18030 mojibake; the common-character judge does not.
    text = capture_text(name)
    assert decode(text.encode("big5hkscs")).text == text


def test_plain_text_big5_without_markup() -> None:
    decoded = decode(TRADITIONAL.encode("big5"))
    assert decoded.text == TRADITIONAL


def test_gb2312_label_with_gbk_only_characters() -> None:
    # 镕 (朱镕基) and 喆 are GBK, not GB2312: a strict GB2312 decoder rejects the page.
    phrase = "前总理朱镕基与陶喆出席活动，现场气氛热烈。"
    with pytest.raises(UnicodeEncodeError):
        phrase.encode("gb2312")
    page = f'<html><head><meta charset="gb2312"></head><body><p>{phrase}</p></body></html>'.encode("gbk")
    decoded = decode(page)
    assert phrase in decoded.text
    assert decoded.encoding == "gb18030"


def test_gb18030_four_byte_characters_under_gbk_label() -> None:
    phrase = "䶮是一个罕见字，𠀀在扩展区，正文照常显示。"  # U+4DAE and U+20000 need GB18030 four-byte codes
    page = f'<meta charset="gbk"><p>{phrase}</p>'.encode("gb18030")
    assert phrase in decode(page).text


@pytest.mark.parametrize(
    ("label", "encoding", "text"),
    [
        ("gb2312", "big5", TRADITIONAL),  # portal templates say GB2312 whatever the bytes are
        ("big5", "gb18030", SIMPLIFIED),
        ("iso-8859-1", "gb18030", SIMPLIFIED),
        ("windows-1252", "big5", TRADITIONAL),
        ("shift_jis", "gb18030", SIMPLIFIED),
        ("utf-16", "gb18030", SIMPLIFIED),  # cannot be true of bytes with an ASCII meta tag
        ("utf-8", "gb18030", SIMPLIFIED),
        ("no-such-charset", "big5", TRADITIONAL),
    ],
)
def test_mislabelled_charset_reads_the_real_encoding(label: str, encoding: str, text: str) -> None:
    page = f'<html><head><meta charset="{label}"></head><body><p>{text}</p></body></html>'.encode(encoding)
    assert text in decode(page).text


def test_latin1_page_stays_latin1() -> None:
    # The Chinese plausibility check must not capture Western pages whose bytes happen to be valid GB.
    text = "Café déjà vu: naïve résumé of the Zürich señor's façade. " * 40
    page = f'<meta charset="iso-8859-1"><p>{text}</p>'.encode("latin-1")
    decoded = decode(page)
    assert text in decoded.text
    assert decoded.encoding == "cp1252"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_unicode_encodings_with_or_without_bom(encoding: str) -> None:
    page = f'<html><head><meta charset="{encoding}"></head><body><p>{SIMPLIFIED}</p></body></html>'
    decoded = decode(page.encode(encoding))
    assert SIMPLIFIED in decoded.text
    assert "\x00" not in decoded.text


@cache
def chinese_only(name: str) -> str:
    """The Chinese characters and punctuation of a real capture, nothing else: no ASCII at all."""
    return "".join(re.findall(r"[\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]+", capture_text(name)))


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("name", NAMES)
def test_utf16_without_bom_or_ascii_is_read(name: str, encoding: str) -> None:
    # Pure Chinese in UTF-16 has no NUL beside each character, and a NUL only for U+xx00 (一, 丐…)
    # on the side ASCII never puts one: it was refused as binary or read in the wrong byte order.
    text = chinese_only(name)
    assert len(text) >= 30 and not re.search(r"[\x00-\x7f]", text)
    decoded = decode(text.encode(encoding))
    assert decoded.encoding == encoding
    assert decoded.text == text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_short_traditional_headline_is_read(encoding: str) -> None:
    # Rare characters in a short stretch: under half of them are among the common ones.
    text = chinese_only("appledaily__30135550.html")[:40]
    decoded = decode(text.encode(encoding))
    assert (decoded.encoding, decoded.text) == (encoding, text)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_mostly_chinese_with_a_little_ascii(encoding: str) -> None:
    text = f"第一章\n{SIMPLIFIED}\n一一一\n{SIMPLIFIED}\n"
    decoded = decode(text.encode(encoding))
    assert (decoded.encoding, decoded.text) == (encoding, text)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(NAMES), st.floats(0.0, 1.0), st.integers(40, 2000), st.sampled_from(["utf-16-le", "utf-16-be"]))
def test_any_stretch_of_real_chinese_in_bomless_utf16_round_trips(name: str, start: float, size: int, encoding: str) -> None:
    text = chinese_only(name)
    at = int(max(0, len(text) - size) * start)
    text = text[at : at + size]
    decoded = decode(text.encode(encoding))
    assert (decoded.encoding, decoded.text) == (encoding, text)


def test_utf16_reading_does_not_take_other_chinese_encodings() -> None:
    for encoding in ("gb18030", "big5hkscs", "utf-8"):
        for name in encodable_names(encoding)[:20]:
            text = chinese_only(name)
            if text.encode(encoding, errors="ignore"):
                assert decode(text.encode(encoding)).encoding == encoding, (name, encoding)


def test_truncated_mid_character_is_forgiven() -> None:
    # "。" is two bytes in GB18030 and three in UTF-8: cutting one byte leaves half a character.
    for encoding in ("gb18030", "utf-8"):
        decoded = decode(SIMPLIFIED.encode(encoding)[:-1])
        assert decoded.encoding == encoding
        assert decoded.text == SIMPLIFIED[:-1] + "\ufffd"


@pytest.mark.parametrize(
    "junk",
    [
        bytes(range(256)) * 16,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(4000),
        b"PK\x03\x04" + os.urandom(5000),
        b"\x7fELF\x02\x01\x01\x00" + os.urandom(5000),
        bytes(10_000),
    ],
    ids=["all-bytes", "png", "zip", "elf", "nuls"],
)
def test_binary_is_refused(junk: bytes) -> None:
    with pytest.raises(DecodeError):
        decode(junk)


def test_empty_and_ascii() -> None:
    assert decode(b"").text == ""
    assert decode(b"hello").text == "hello"


# --- properties over the real captures -------------------------------------------------------

ENCODINGS = ["utf-8", "gb18030", "gbk", "big5hkscs", "utf-16", "utf-16-le", "utf-16-be"]
CORRECT_LABEL = {"utf-8": "utf-8", "gb18030": "gb18030", "gbk": "gbk", "big5hkscs": "big5"}
WRONG_LABELS = ["gb2312", "big5", "iso-8859-1", "utf-8", "shift_jis", "euc-kr", "utf-16", "bogus"]


@st.composite
def encoded_capture(draw: st.DrawFn) -> tuple[str, bytes, str]:
    """(original text, its bytes, codec) for a real capture in a drawn encoding and labelling."""
    encoding = draw(st.sampled_from(ENCODINGS))
    text = capture_text(draw(st.sampled_from(encodable_names(encoding))))
    label = draw(st.sampled_from(["none", "correct", "wrong"])) if encoding in CORRECT_LABEL else "none"
    if label == "correct":
        text = with_meta(text, CORRECT_LABEL[encoding])
    elif label == "wrong":
        text = with_meta(text, draw(st.sampled_from(WRONG_LABELS)))
    return text, text.encode(encoding), encoding


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(encoded_capture())
def test_reencoded_capture_decodes_to_the_original(case: tuple[str, bytes, str]) -> None:
    text, data, _ = case
    decoded = decode(data)
    assert decoded.text.lstrip("\ufeff") == text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(encoded_capture(), st.floats(min_value=0.0, max_value=1.0))
def test_truncated_capture_decodes_to_a_prefix(case: tuple[str, bytes, str], fraction: float) -> None:
    text, data, encoding = case
    cut = data[: int(len(data) * fraction)]
    decoded = safe_decode(cut)
    if decoded is None:
        return
    got = decoded.text.lstrip("\ufeff").rstrip("\ufffd")
    # With enough Chinese in the prefix the reading is unambiguous: it must be the original's.
    if sum(1 for ch in got if "\u4e00" <= ch <= "\u9fff") >= 200 or encoding.startswith("utf"):
        assert text.startswith(got)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(encoded_capture(), st.lists(st.tuples(st.floats(0.0, 1.0), st.binary(min_size=1, max_size=64)), max_size=5))
def test_spliced_junk_never_raises_anything_but_decode_error(
    case: tuple[str, bytes, str], splices: list[tuple[float, bytes]]
) -> None:
    _, data, _ = case
    for fraction, junk in splices:
        at = int(len(data) * fraction)
        data = data[:at] + junk + data[at:]
    decoded = safe_decode(data)
    assert decoded is None or isinstance(decoded.text, str)


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=5000))
def test_random_bytes_give_text_or_decode_error(data: bytes) -> None:
    decoded = safe_decode(data)
    assert decoded is None or isinstance(decoded.text, str)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=3000).filter(lambda b: b"\x00" not in b))
def test_random_bytes_without_nuls_give_text_or_decode_error(data: bytes) -> None:
    # No NULs gets past the binary sniff into the detection paths.
    decoded = safe_decode(data)
    assert decoded is None or isinstance(decoded.text, str)


TEXT_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff") | st.sampled_from("\n\t")


@settings(max_examples=60, deadline=None)
@given(st.text(TEXT_CHARS, max_size=400))
def test_any_utf8_text_round_trips(text: str) -> None:
    assert decode(text.encode("utf-8")).text == text


@settings(max_examples=40, deadline=None)
@given(st.text(st.sampled_from(SIMPLIFIED + TRADITIONAL + "<p></p>abc \n"), min_size=30, max_size=400))
def test_chinese_text_in_any_chinese_codec_never_raises(text: str) -> None:
    for encoding in ("gb18030", "big5hkscs", "utf-16-le"):
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue
        decoded = safe_decode(data)
        assert decoded is None or isinstance(decoded.text, str)


def test_captures_are_there() -> None:
    assert len(CAPTURES) == 54
    assert encodable_names("big5hkscs"), "some dev captures should be Big5-encodable (traditional Chinese)"
    assert len(encodable_names("gb18030")) == len(CAPTURES)


@given(st.text(alphabet=st.sampled_from("a1 \t\n\x1c\x85\xa0\u3000\u2028中文的國臺，。「」丂亐乛龘\ufffd😀"), max_size=60))
def test_the_chinese_score_counts_what_its_definition_says(text: str) -> None:
    # _chinese_score counts with two regexes for speed; the definition is per character: among the
    # non-ASCII, non-whitespace characters (str.isspace), how many are common Chinese ones.
    wide = [ch for ch in text if ord(ch) > 127 and not ch.isspace()]
    common = sum(1 for ch in wide if ch in _COMMON_CHINESE)
    assert _chinese_score(text) == ((common, common / len(wide)) if wide else (0, 0.0))
