"""The learned region model: its shipped JSON, its evaluator, and what it guarantees about bodies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsdesk.extract import extract_capture, extract_text, learned
from newsdesk.extract.region import using_model
from tests.conftest import DEV, load_gold

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "src" / "newsdesk" / "data" / learned.MODEL_FILE


@pytest.fixture(scope="module")
def shipped() -> dict:
    return json.loads(MODEL.read_text(encoding="utf-8"))


@pytest.mark.parametrize("part", ["region", "block"])
def test_evaluator_reproduces_sklearn_exactly(shipped: dict, part: str) -> None:
    # The checks are rows and predictions sklearn itself made when `make train` ran.
    ensemble = learned.compile_ensemble(shipped[part])
    checks = shipped["checks"][part]
    assert len(checks["rows"]) >= 10
    assert [ensemble.predict(row) for row in checks["rows"]] == checks["predictions"]


def test_model_features_match_the_code(shipped: dict) -> None:
    assert shipped["region"]["features"] == learned.region_feature_names()
    assert shipped["block"]["features"] == learned.block_feature_names()
    assert learned.load_model() is not None


def test_training_inputs_are_listed_and_unchanged() -> None:
    # Cheap stand-in for retraining: every page the model was trained on is hashed in the JSON,
    # and the feature code it was trained with is the code that runs.
    result = subprocess.run(
        [sys.executable, str(REPO / "bench" / "train_region.py"), "--check"], capture_output=True, text=True, cwd=REPO
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_inputs_never_include_heldout_gold(shipped: dict) -> None:
    for row in shipped["inputs"]:
        gold_path = REPO / Path(row["capture"]).parent.parent / "gold" / (Path(row["capture"]).name + ".gold.json")
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        assert gold.get("split", "train") == "train", row["capture"]


def test_class_names_split_into_whole_words() -> None:
    assert learned.name_words("articleContent news-list_2 TOPBar") == ["article", "content", "news", "list", "top", "bar"]
    vocab = learned.load_vocabulary()
    # `commentary` is not `comment`: only whole words count.
    assert "commentary" not in vocab.word_bits
    assert vocab.word_bits["comment"]


_MENU_ONLY = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>新闻中心</title></head><body>
<ul class="nav"><li><a href="/a">首页</a></li><li><a href="/b">国内新闻</a></li><li><a href="/c">国际新闻</a></li>
<li><a href="/d">财经频道</a></li><li><a href="/e">体育频道</a></li></ul>
<div class="footer"><a href="/about">关于我们</a> <a href="/contact">联系我们</a></div></body></html>"""

_FLASH = """<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<meta property="og:title" content="央行宣布下调存款准备金率0.25个百分点"><title>央行宣布下调存款准备金率0.25个百分点_快讯</title></head>
<body><ul class="nav"><li><a href="/">首页</a></li><li><a href="/flash">快讯</a></li></ul>
<div class="flash-detail"><h1>央行宣布下调存款准备金率0.25个百分点</h1><span class="time">2023-03-17 18:00</span></div>
<div class="footer">版权所有 财经快讯网</div></body></html>"""


def test_a_page_of_menus_gives_no_body_and_says_why() -> None:
    # With the model. (The rule hands such a page to trafilatura, which returns the menu.)
    with using_model(learned.load_model()):
        article = extract_capture(_MENU_ONLY.encode(), "menu.html")
    # A page of menus has no article: no body, and the error says so (navigation is never the body).
    assert article.body == []
    assert article.error and "no article text" in article.error


def test_flash_item_keeps_its_headline_as_body() -> None:
    # With the model: its region holds the headline alone. (The rule hands the page to trafilatura.)
    with using_model(learned.load_model()):
        article = extract_capture(_FLASH.encode(), "flash.html")
    assert article.title == "央行宣布下调存款准备金率0.25个百分点"
    assert article.body == ["央行宣布下调存款准备金率0.25个百分点"]
    assert article.error is None


def test_by_default_a_flash_item_keeps_its_headline_and_a_menu_page_says_why() -> None:
    flash = extract_capture(_FLASH.encode(), "flash.html")
    assert flash.body == ["央行宣布下调存款准备金率0.25个百分点"] and flash.error is None
    menu = extract_capture(_MENU_ONLY.encode(), "menu.html")
    assert menu.body == [] and menu.error and "no article text" in menu.error


def test_no_dev_capture_has_an_empty_body_without_error() -> None:
    for gold in load_gold():
        article = extract_capture((DEV / "captures" / gold["file"]).read_bytes(), gold["file"])
        assert article.body or article.error, gold["file"]


def test_site_pages_carry_a_confidence() -> None:
    for gold in load_gold():
        if gold["format"] != "site-html":
            continue
        with using_model(learned.load_model()):
            article = extract_capture((DEV / "captures" / gold["file"]).read_bytes(), gold["file"])
        assert article.confidence is not None and 0.0 <= article.confidence <= 1.0, gold["file"]


def test_cascade_is_the_default() -> None:
    # Rule and model (and, when they disagree, trafilatura) decide together, and say how sure they are.
    path = DEV / "captures" / "people__1.html"
    article = extract_capture(path.read_bytes(), path.name)
    assert article.confidence is not None and 0.0 <= article.confidence <= 1.0


def test_rule_alone_on_request() -> None:
    path = DEV / "captures" / "people__1.html"
    code = f"from newsdesk.extract import extract_capture; import pathlib; p = pathlib.Path({str(path)!r}); " \
        "print(extract_capture(p.read_bytes(), p.name).confidence)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env={**os.environ, "NEWSDESK_REGION": "rule"}
    )
    assert result.stdout.strip() == "None", result.stderr


def test_rule_is_used_without_a_model() -> None:
    path = DEV / "captures" / "people__1.html"
    with using_model(None):
        article = extract_capture(path.read_bytes(), path.name)
    assert article.confidence is None and article.body


_HK_PAGE = """<!DOCTYPE html><html lang="zh-HK"><head><meta charset="utf-8"><title>港鐵明起加價 乘客不滿</title></head><body>
<div class="nav"><a href="/">主頁</a> <a href="/news">新聞</a></div>
<div class="article"><h1>港鐵明起加價 乘客不滿</h1>
<p>港鐵宣布明日起車費平均上調百分之三點四，多名乘客接受訪問時表示不滿，認為港鐵去年錄得盈利，不應在此時加價。</p>
<p>港鐵發言人回應指，今次調整是按既定機制計算，公司會繼續推出各種優惠，減輕乘客負擔。</p>
<p>記者︰陳大文</p></div></body></html>"""


def test_hong_kong_colon_reads_as_a_colon() -> None:
    # `︰` (U+FE30) is how Hong Kong pages print the colon of a credit line.
    article = extract_text(_HK_PAGE, "hk.html")
    assert article.authors == ["陳大文"]


_JAPANESE = """<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>新製品の発表について</title></head><body>
<div class="main"><h1>新製品の発表について</h1>
<p>本日、当社は新しい製品を発表しました。この製品は多くの利用者の声をもとに開発されたものです。</p>
<p>発売は来月を予定しており、全国の販売店で購入できるようになります。価格は従来の製品と同じです。</p>
<p>詳しい情報については、公式サイトをご覧ください。今後ともよろしくお願いいたします。</p></div></body></html>"""


def test_japanese_pages_keep_the_rule() -> None:
    # The model learned from Chinese pages only: a page written in kana and kanji is not one.
    with using_model(learned.load_model()):
        article = extract_text(_JAPANESE, "ja.html")
    assert article.confidence is None
    assert len(article.body) == 3
