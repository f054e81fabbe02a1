"""The credit grammar's vocabulary file: every entry justified by two sites, read in both scripts."""

from __future__ import annotations

import re

from newsdesk.extract import vocab


def test_every_entry_names_at_least_two_sites_or_conventions() -> None:
    for entry in vocab.entries():
        assert len(entry.seen) >= 2, f"[[{entry.section}]] {entry.words[:3]}…: a rule needs two sites ({entry.seen})"


def test_every_word_is_in_one_entry_of_its_section_and_role() -> None:
    seen: dict[tuple[str, str | None, str], int] = {}
    for entry in vocab.entries():
        for word in entry.words:
            key = (entry.section, entry.role, word)
            assert key not in seen, f"{word} listed twice in [[{entry.section}]]"
            seen[key] = 1


def test_words_are_read_in_both_scripts() -> None:
    assert {"记者", "記者"} <= vocab.words("reporter")
    assert {"报导", "報導", "报道", "報道"} <= vocab.words("report_verb")
    assert {"台北", "臺北"} <= vocab.words("place")
    assert {"责任编辑", "責任編輯"} <= vocab.words("label", "chief_editor")


def test_alternation_tries_longer_words_first() -> None:
    pattern = re.compile(vocab.section_pattern("label", "chief_editor") + "|" + vocab.section_pattern("label", "editor"))
    assert pattern.match("责任编辑：林妍").group(0) == "责任编辑"
    assert re.compile(vocab.alternation(vocab.words("label"))).match("本文来源于北京商报").group(0) == "本文来源于"


def test_label_roles_cover_every_label() -> None:
    roles = vocab.label_roles()
    assert roles["作者"] == "author"
    assert roles["責任編輯"] == "chief_editor"
    assert roles["來源"] == "source"
    assert set(roles.values()) <= {"author", "translator", "editor", "chief_editor", "source", "photo", "date", "other"}


def test_an_empty_word_list_matches_nothing() -> None:
    assert re.search(vocab.alternation(set()), "任何文字") is None
