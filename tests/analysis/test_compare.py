"""`newsdesk story ID --compare` on a real multi-outlet story: four reports (大纪元 three times, 新唐人) of
Blinken meeting Wang Yi in Munich (stories-dev event E28), as the user's terminal and JSON see them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from newsdesk.analysis.compare import align, sentence_facts
from newsdesk.analysis.entities import bundled_gazetteer
from tests.console import invoke_newsdesk, needs_console_script

CAPTURES = Path(__file__).parents[2] / "tests" / "data" / "stories-dev" / "captures"
E28 = ("et_n13932907.md", "et_n13933006.md", "ntd_a103653127.md", "et_n13933810.md")


@pytest.fixture(scope="module")
def story_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("e28")
    for name in E28:
        shutil.copy(CAPTURES / name, folder / name)
    db = folder / "a.db"
    assert invoke_newsdesk("ingest", folder, "--db", db).returncode == 0
    stories = [json.loads(line) for line in invoke_newsdesk("stories", "--db", db, "--format", "jsonl").stdout.splitlines()]
    biggest = max(stories, key=lambda s: len(s["articles"]))
    assert len(biggest["articles"]) == 4, "the four reports are one story"
    return db, biggest["id"]


@needs_console_script
def test_the_json_comparison_is_complete(story_db: tuple[Path, str]) -> None:
    db, story_id = story_db
    result = invoke_newsdesk("story", story_id, "--compare", "--format", "json", "--db", db)
    assert result.returncode == 0, result.stderr
    comparison = json.loads(result.stdout)
    reports = comparison["reports"]
    ids = [r["id"] for r in reports]
    assert len(ids) == 4 and {r["outlet"] for r in reports} == {"大纪元", "新唐人"}
    # Earliest first, and the first reporter is the earliest.
    times = [r["time"] for r in reports]
    assert times == sorted(times) and comparison["first"]["id"] == ids[0]
    assert comparison["first"]["time"].startswith("2023-02-19")
    # Every fact and row says who carries it and who omits it, between them every report.
    for item in comparison["facts"] + comparison["rows"] + comparison["quotes"]:
        assert sorted(item["carried_by"] + item["omitted_by"]) == sorted(ids)
    assert any(f["kind"] == "person" and f["value"] == "布林肯" and not f["omitted_by"] for f in comparison["facts"])
    assert any(f["omitted_by"] for f in comparison["facts"]), "the reports differ"
    # Sentences aligned across reports: the meeting in Munich is told by all four.
    shared = [r for r in comparison["rows"] if len(r["carried_by"]) >= 2]
    assert shared
    assert any(len(r["carried_by"]) == 4 and all("慕尼黑" in s["text"] or "布林肯" in s["text"] for s in r["sentences"])
               for r in shared)
    for row in comparison["rows"]:
        assert row["first"] == row["carried_by"][0]
        assert {s["report"] for s in row["sentences"]} == set(row["carried_by"])
    # Quoted statements, with their speakers, compared across the reports.
    assert any(q["entity_id"] == "antony-blinken" for q in comparison["quotes"])
    assert any(len(q["carried_by"]) >= 2 for q in comparison["quotes"])


@needs_console_script
def test_the_terminal_comparison_shows_what_differs(story_db: tuple[Path, str]) -> None:
    db, story_id = story_db
    result = invoke_newsdesk("story", story_id, "--compare", "--db", db)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "reports, earliest first" in out and "first reported by 大纪元" in out
    assert "facts some reports carry and others omit" in out
    assert "quoted statements" in out
    assert "sentences told by more than one report" in out
    assert "新唐人" in out and "R4" in out


@needs_console_script
def test_a_story_without_compare_is_unchanged_and_json_is_indented(story_db: tuple[Path, str]) -> None:
    db, story_id = story_db
    line = invoke_newsdesk("story", story_id, "--format", "jsonl", "--db", db).stdout
    assert len(line.strip().splitlines()) == 1 and json.loads(line)["id"] == story_id
    pretty = invoke_newsdesk("story", story_id, "--format", "json", "--db", db).stdout
    assert json.loads(pretty)["id"] == story_id and "\n  " in pretty


def test_sentences_saying_one_thing_in_other_words_are_aligned() -> None:
    from newsdesk.analysis.compare import Report, Sentence, _bigrams, _fold

    gazetteer = bundled_gazetteer()
    texts = [
        ["布林肯强调，（俄罗斯）对乌克兰的进一步入侵将面临迅速和严重的后果，并敦促俄罗斯走外交途径。", "俄罗斯方面否认这一消息。"],
        ["另一方面，美国国务院表示，国务卿安东尼·布林肯告诉俄罗斯外长拉夫罗夫说，俄罗斯对乌克兰的任何新占领都将面临迅速而严重的后果。"],
    ]
    reports = []
    for number, sentences in enumerate(texts):
        report = Report(str(number), None, None, None, None, None, [])
        report.sentences = [Sentence(number, 0, 0, t, _bigrams(_fold(t)), sentence_facts(gazetteer, t)) for t in sentences]
        reports.append(report)
    rows = align(reports)
    assert [[s.report for s in row] for row in rows] == [[0, 1], [0]]


def test_figures_dates_and_names_are_facts() -> None:
    facts = sentence_facts(bundled_gazetteer(), "华盛顿在两周内向基辅提供的军事援助数量约为400吨，美方2月1日宣布，布林肯将访问北京。")
    kinds = {(f.kind, f.label) for f in facts}
    assert ("figure", "400吨") in kinds and ("date", "2月1日") in kinds
    assert ("person", "布林肯") in kinds and ("place", "北京") in kinds
