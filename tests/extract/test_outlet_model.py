"""The learned outlet chooser: its shipped JSON, its evaluator, the candidates it reads from real captures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.extract import extract_capture, learned, outlet_model
from tests.conftest import DEV, load_gold
from tests.scoring import field_ok

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "src" / "newsdesk" / "data" / outlet_model.MODEL_FILE


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads(MODEL.read_text(encoding="utf-8"))


def test_evaluator_reproduces_sklearn_exactly(shipped: dict) -> None:
    # Rows and predictions sklearn itself made when `make train` ran.
    ensemble = learned.compile_ensemble(shipped["model"])
    checks = shipped["checks"]
    assert len(checks["rows"]) >= 10
    assert [ensemble.predict(row) for row in checks["rows"]] == checks["predictions"]


def test_model_features_match_the_code(shipped: dict) -> None:
    assert shipped["model"]["features"] == outlet_model.feature_names()
    assert outlet_model.load_model() is not None


def test_training_inputs_and_feature_code_are_the_shipped_models() -> None:
    # Cheap stand-in for retraining (`bench/train_outlet.py --reproduce` retrains and compares bytes).
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "train_outlet.py"), "--check"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_covers_the_code_that_gives_the_candidates() -> None:
    # The candidates come from html_page, credits, outlets, pipeline … and their data, not outlet_model.py alone:
    # a change in any of them must make `--check` ask for retraining.
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import train_outlet
    finally:
        sys.path.remove(str(REPO / "bench"))
    names = {path.name for path in train_outlet.feature_sources()}
    for name in ("outlet_model.py", "html_page.py", "html_meta.py", "credits.py", "outlets.py", "pipeline.py",
                 "frontmatter.py", "mirror_markdown.py", "outlets.toml", "credits.toml", "outlet_vocab.toml"):
        assert name in names, name
    assert all(path.is_file() for path in train_outlet.feature_sources())


def test_inputs_never_include_heldout_gold(shipped: dict) -> None:
    assert shipped["inputs"]
    for row in shipped["inputs"]:
        gold_path = REPO / Path(row["capture"]).parent.parent / "gold" / (Path(row["capture"]).name + ".gold.json")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        assert gold.get("split", "train") == "train", row["capture"]


def test_a_name_spelled_by_its_host_in_pinyin() -> None:
    assert outlet_model.pinyin_match("明日大盘网", "www.mingridapan.com") == (0.8, 0.0)
    assert outlet_model.pinyin_match("泡泡", "pao-pao.net") == (1.0, 0.0)
    # Initials (羊城晚报: ycwb) count from three letters on.
    assert outlet_model.pinyin_match("羊城晚报", "www.ycwb.com") == (0.0, 1.0)
    assert outlet_model.pinyin_match("人民网", "people.com.cn") == (0.0, 0.0)
    # A single syllable in a host is no evidence (网 = wang is in many hosts).
    assert outlet_model.pinyin_match("某网", "wang.example.com")[0] == 0.0
    assert outlet_model.pinyin_match("Readhub", "readhub.cn") == (0.0, 0.0)


def _recorded(name: str) -> outlet_model.Recorded:
    with outlet_model.using_model(None), outlet_model.recording() as seen:
        extract_capture((DEV / "captures" / name).read_bytes(), name)
    assert len(seen) == 1
    return seen[0]


def test_candidates_carry_the_signals_that_name_them() -> None:
    # A hexun page re-posting 证券时报网: the credit and the site's own names are both candidates.
    rec = _recorded("hexun__1.html")
    kinds = dict(zip(rec.names, rec.rows, strict=True))
    names = outlet_model.feature_names()
    credited = kinds["证券时报网"]
    assert credited[names.index("kind_rule")] == 1.0
    assert any(credited[names.index(f"kind_{k}")] for k in ("credit", "header_credit", "header_unlabelled", "hint"))
    # No candidate keeps a byline glued on (`证券时报网作者：李在山` is cut to the outlet).
    assert not any("作者" in n for n in rec.names)
    site = [n for n in rec.names if "和讯" in n]
    assert site, rec.names


def test_the_rules_decide_by_default() -> None:
    # Leave-one-site-out the model only ties the rules, so it is not on unless asked for.
    rec_rule = _recorded("people__1.html")
    with outlet_model.recording() as seen:
        article = extract_capture((DEV / "captures" / "people__1.html").read_bytes(), "people__1.html")
    assert seen and seen[0].chosen == seen[0].rule == article.outlet == rec_rule.rule


def test_every_dev_outlet_stays_right_with_the_model() -> None:
    model = outlet_model.load_model()
    assert model is not None
    wrong = []
    with outlet_model.using_model(model):
        for gold in load_gold():
            article = extract_capture((DEV / "captures" / gold["file"]).read_bytes(), gold["file"])
            if not field_ok("outlet", gold.get("outlet"), article.outlet):
                wrong.append((gold["file"], article.outlet, gold.get("outlet")))
    assert wrong == []
