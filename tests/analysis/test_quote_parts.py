"""The labelled quote parts of bench/quotes.py load as the bench reads them: fresh3 and fresh4 may name articles of
bench/data/corpus-fresh, no other part may, and a corpus-fresh record outside its `fresh` split is refused.
Only the loader runs here: no part is scored (fresh4 is held out, its scores are the lead's to read; fresh3
became a tuning part in round 6)."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).parents[2]
CORPUS_FRESH_GOLD = ROOT / "bench" / "data" / "corpus-fresh" / "gold"
# A real corpus-fresh article and a real sentence of it (a colon quote of a Hong Kong fire report).
FRESH_ARTICLE = "i-cable.com__414326.html"
FRESH_LABEL = f"{FRESH_ARTICLE}\t1\t黃先生\t最差的是甚麼⋯在棚架工作時吸煙\n"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_quotes", ROOT / "bench" / "quotes.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up by name while the module runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def bench(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The bench module reading its labels from an empty folder of parts (each test writes the one it needs)."""
    module = _bench()
    labels = tmp_path / "labels"
    labels.mkdir()
    for part in module.PARTS:
        (labels / f"{part}.tsv").write_text("", encoding="utf-8")
    monkeypatch.setattr(module, "LABELS", labels)
    return module


def test_fresh3_names_corpus_fresh_articles(bench: ModuleType) -> None:
    (bench.LABELS / "fresh3.tsv").write_text(FRESH_LABEL, encoding="utf-8")
    labels, articles = bench.load_labels("fresh3")
    assert [label.speaker for label in labels] == ["黃先生"]
    body = articles[FRESH_ARTICLE]["body"]
    assert body[1][labels[0].start : labels[0].end].startswith("最差的是甚麼")
    assert articles[FRESH_ARTICLE]["split"] == "fresh"


def test_other_parts_may_not_name_corpus_fresh_articles(bench: ModuleType) -> None:
    (bench.LABELS / "fresh2.tsv").write_text(FRESH_LABEL, encoding="utf-8")
    with pytest.raises(SystemExit, match="not an article of bench/data/corpus/gold"):
        bench.load_labels("fresh2")


def test_a_corpus_fresh_record_outside_the_fresh_split_is_refused(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gold = tmp_path / "gold"
    gold.mkdir()
    shutil.copy(CORPUS_FRESH_GOLD / f"{FRESH_ARTICLE}.gold.json", gold)
    record = json.loads((gold / f"{FRESH_ARTICLE}.gold.json").read_text(encoding="utf-8"))
    record["split"] = "train"
    (gold / f"{FRESH_ARTICLE}.gold.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(bench, "CORPUS_FRESH_GOLD", gold)
    (bench.LABELS / "fresh3.tsv").write_text(FRESH_LABEL, encoding="utf-8")
    with pytest.raises(SystemExit, match="split, not fresh"):
        bench.load_labels("fresh3")


def test_the_fresh3_part_loads_whole() -> None:
    """Every fresh3 span is found in its block, no article is in another part (load_labels checks both), and the
    part is as large as issue 12 asks of a quote set (>= 150 quotes)."""
    labels, articles = _bench().load_labels("fresh3")
    assert len(labels) >= 170
    assert len(articles) >= 30
    assert len({record["site"] for record in articles.values()}) >= 15


def test_the_fresh4_part_loads_whole() -> None:
    """fresh4 names only corpus-fresh batch 5 articles (sites no other part uses), every span is found in its
    block, and it holds both halves of batch 5 (5b, HK/TW/overseas, and 5a, mainland): no labelled article may go
    missing unnoticed. Only the loader runs: fresh4 is held out."""
    labels, articles = _bench().load_labels("fresh4")
    assert len(labels) >= 400
    assert len(articles) >= 50
    assert {record["batch"] for record in articles.values()} == {5}
    assert len({record["site"] for record in articles.values()}) >= 45


def test_part_all_leaves_fresh4_out() -> None:
    """`--part all` (a routine run) never scores fresh4: it is measured once, by name."""
    bench = _bench()
    assert "fresh4" not in bench.selected_parts("all")
    assert "fresh3" in bench.selected_parts("all")
    assert bench.selected_parts("fresh4") == ("fresh4",)


def test_fresh4_is_no_tuning_part() -> None:
    """The acceptance model trains on TUNING_PARTS: fresh4 must never be among them."""
    assert "fresh4" not in _bench().TUNING_PARTS


def test_the_corpus2_part_loads_whole() -> None:
    """corpus2 (a tuning part labelled by reading only) names corpus articles of the train split from sites no other
    part uses; every span is found in its block, and no labelled article may go missing unnoticed."""
    labels, articles = _bench().load_labels("corpus2")
    assert len(labels) >= 440
    assert len(articles) >= 31
    assert {record["split"] for record in articles.values()} == {"train"}
    assert len({record["site"] for record in articles.values()}) >= 30


def test_corpus2_refuses_a_held_out_article(bench: ModuleType) -> None:
    """The corpus's held-out split is the extraction measure: a tuning part may not name its articles."""
    lines = (ROOT / "bench" / "data" / "quotes" / "heldout.tsv").read_text(encoding="utf-8").splitlines()
    heldout_article = next(line for line in lines if line.strip() and not line.startswith("#")).split("\t")[0]
    (bench.LABELS / "corpus2.tsv").write_text(f"{heldout_article}\t0\tx\tx\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="heldout split, not train"):
        bench.load_labels("corpus2")


def test_corpus2_is_a_tuning_part_scored_by_part_all() -> None:
    bench = _bench()
    assert "corpus2" in bench.TUNING_PARTS
    assert "corpus2" in bench.selected_parts("all")
