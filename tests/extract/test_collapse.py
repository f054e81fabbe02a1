"""`blocks.collapse` joins `str.split()` pieces: it must treat whitespace exactly as `\\s+` did."""

import re

from newsdesk.extract.blocks import collapse

_EVERY_CHARACTER = "".join(chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000)
_WHITESPACE = [c for c in _EVERY_CHARACTER if re.fullmatch(r"\s", c)]


def _by_pattern(text: str) -> str:
    text = text.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "").replace("\u3000", " ")
    return re.sub(r"\s+", " ", text.replace("\ufe30", "\uff1a")).strip()


def test_every_whitespace_character_is_a_space_run() -> None:
    assert len(_WHITESPACE) > 20  # tab, newline, the Unicode spaces, the separators \x1c-\x1f
    for space in _WHITESPACE:
        text = f"{space}记者{space}{space}张三{space}"
        assert collapse(text) == _by_pattern(text) == "记者 张三"


def test_no_other_character_is_touched() -> None:
    assert collapse(_EVERY_CHARACTER) == _by_pattern(_EVERY_CHARACTER)


def test_zero_width_and_presentation_forms() -> None:
    assert collapse("\u3000記者\ufe30王\u200b明\ufeff\u00a0 ") == "記者：王明"
