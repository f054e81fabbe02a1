"""Who said what, on real captures: the shapes of attribution, speakers resolved to entities, the
archive's quotes (stored at ingest, searched by any of a speaker's names, shown with the article)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from newsdesk.analysis.entities import bundled_gazetteer, extract_mentions
from newsdesk.analysis.quotes import Quote, cues, find_quotes, pending, update_quotes
from newsdesk.archive import Archive, ingest, schema
from newsdesk.archive.schema import MIGRATIONS
from tests.console import EXAMPLES, invoke_newsdesk, needs_console_script

ROOT = Path(__file__).parents[2]
DEV_GOLD = ROOT / "tests" / "data" / "dev" / "gold"
CORPUS_GOLD = ROOT / "bench" / "data" / "corpus" / "gold"


def _quotes(gold: Path) -> list[Quote]:
    """The quotes of a labelled capture's body, read as ingest reads them (after the article taught its names)."""
    record = json.loads(gold.read_text(encoding="utf-8"))
    gazetteer = bundled_gazetteer()
    extract_mentions(gazetteer, record.get("title"), record["body"])
    return find_quotes(gazetteer, record["body"])


def _said(quotes: list[Quote], words: str) -> Quote:
    found = [q for q in quotes if words in q.text]
    assert found, f"no quote with {words!r} in {[q.text[:20] for q in quotes]}"
    return found[0]


def test_a_quotation_before_its_speaker_is_the_speakers() -> None:
    # “俄中关系是非常多方面的……”佩斯科夫告诉记者。
    quote = _said(_quotes(DEV_GOLD / "004_1de7367779586eca.txt.gold.json"), "俄中关系是非常多方面的")
    assert quote.entity_id == "dmitry-peskov"
    assert quote.kind == "direct"
    assert quote.text.startswith("俄中关系") and not quote.text.endswith(("。", "”"))


def test_a_reported_statement_runs_from_the_verb_to_the_end_of_its_sentence() -> None:
    # 布林肯表示，美国寻求和俄罗斯建立“可预测的稳定关系”，……，但也存在分歧。
    quote = _said(_quotes(DEV_GOLD / "002_583555913b494f65.txt.gold.json"), "可预测的稳定关系")
    assert quote.entity_id == "antony-blinken"
    assert quote.kind == "indirect"
    assert quote.text.startswith("美国寻求") and quote.text.endswith("但也存在分歧")


def test_a_pronoun_stands_for_the_speaker_quoted_before() -> None:
    # 欧盟委员会主席冯德莱恩告诉路透社，……。 “中国（中共）已经非常明确地站在了一边……”她说。
    quote = _said(_quotes(DEV_GOLD / "004_1de7367779586eca.txt.gold.json"), "非常明确地站在了一边")
    assert quote.entity_id == "ursula-von-der-leyen"
    assert quote.via == "她"


def test_a_report_attribution_in_traditional_script_names_its_source() -> None:
    # 據朝中社報道，金正恩由高級政府官員陪同，其中包括軍方人員。
    quote = _said(_quotes(CORPUS_GOLD / "bbc.com__66783048.html.gold.json"), "金正恩由高級政府官員陪同")
    assert quote.kind == "source"
    assert quote.speaker == "朝中社"


def test_the_source_is_not_the_speaker_when_someone_inside_is_quoted() -> None:
    # 路透社報導，日本政府昨天表示，將於24日開始將……排入海中。
    quotes = _quotes(CORPUS_GOLD / "cna.com.tw__202308230260.html.gold.json")
    quote = _said(quotes, "將於24日開始")
    assert quote.speaker == "日本政府"
    assert not [q for q in quotes if q.speaker == "路透社"]


def test_traditional_script_quotes_resolve_to_the_same_people() -> None:
    # 台灣總統蔡英文今上午出席「……」致辭時說：「斷交的決定……」
    quote = _said(_quotes(DEV_GOLD / "hkcnews__48897.md.gold.json"), "斷交的決定涉及複雜國際政治")
    assert quote.entity_id == "tsai-ing-wen"


def test_a_name_after_a_title_is_the_speaker() -> None:
    # 香港大學金融學教授陳志武稱，中國的決策者長期以來都認為，……
    quote = _said(_quotes(CORPUS_GOLD / "chinatimes.com__20230828002197.html.gold.json"), "與其把錢發給民眾")
    assert quote.speaker == "陳志武"


def test_an_english_quotation_in_mixed_text_is_attributed() -> None:
    gazetteer = bundled_gazetteer()
    quotes = find_quotes(gazetteer, ["克宫发言人佩斯科夫周一说：“We do not rule out a meeting,” Peskov told reporters."])
    assert [(q.entity_id, q.text) for q in quotes] == [("dmitry-peskov", "We do not rule out a meeting")]


def test_a_pronoun_with_nobody_named_before_it_is_left_out() -> None:
    gazetteer = bundled_gazetteer()
    assert find_quotes(gazetteer, ['"This is a dangerous moment for everyone," he said.']) == []


def test_terms_in_quotation_marks_are_not_quotes() -> None:
    # 乌克兰“国际文传电讯社”机构透露，…… : the agency's name in quotation marks is not a quote.
    quotes = _quotes(DEV_GOLD / "001_f89465e053944e23.txt.gold.json")
    assert not [q for q in quotes if q.text == "国际文传电讯社"]


def test_every_cue_entry_says_where_it_was_seen() -> None:
    import tomllib
    from importlib import resources

    data = tomllib.loads((resources.files("newsdesk") / "data" / "quote_cues.toml").read_text(encoding="utf-8"))
    for section, entries in data.items():
        for entry in entries:
            assert entry["words"] and entry["seen"], f"{section}: every entry lists its words and where they were seen"
    assert "说" in cues().speech


# --- the archive -----------------------------------------------------------------------------


@pytest.fixture()
def archive(tmp_path: Path) -> Archive:
    archive = Archive(tmp_path / "a.db")
    ingest([EXAMPLES], archive)
    archive.begin()
    update_quotes(archive, bundled_gazetteer())
    archive.commit()
    return archive


def test_quotes_are_stored_once_per_article_and_read_again_when_the_best_capture_changes(archive: Archive) -> None:
    conn = archive.conn
    articles = conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
    assert conn.execute("SELECT COUNT(*) FROM quote_scans").fetchone()[0] == articles
    assert conn.execute("SELECT COUNT(*) FROM quotes").fetchone()[0] > 20
    assert pending(conn) == []
    article_id = conn.execute("SELECT article_id FROM quotes LIMIT 1").fetchone()[0]
    conn.execute("UPDATE quote_scans SET best_capture = -1 WHERE article_id=?", (article_id,))
    assert [a for a, _ in pending(conn)] == [article_id]
    before = conn.execute("SELECT COUNT(*) FROM quotes WHERE article_id=?", (article_id,)).fetchone()[0]
    archive.begin()
    assert update_quotes(archive, bundled_gazetteer()) == 1
    archive.commit()
    assert conn.execute("SELECT COUNT(*) FROM quotes WHERE article_id=?", (article_id,)).fetchone()[0] == before


def test_the_quotes_migration_can_run_twice(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "m.db")
    migration = schema._quotes
    assert migration in MIGRATIONS
    conn.execute("CREATE TABLE articles (id TEXT PRIMARY KEY)")
    migration(conn)
    migration(conn)
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"quotes", "quote_scans"} <= tables


@needs_console_script
def test_quotes_search_by_any_name_of_the_speaker(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert invoke_newsdesk("ingest", EXAMPLES, "--db", db).returncode == 0
    lines = {}
    for name in ("拉夫罗夫", "拉夫羅夫", "Sergey Lavrov"):
        result = invoke_newsdesk("quotes", "--speaker", name, "--db", db, "--format", "jsonl")
        assert result.returncode == 0, result.stderr
        lines[name] = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines["拉夫罗夫"], "the examples quote Lavrov"
    assert lines["拉夫罗夫"] == lines["拉夫羅夫"] == lines["Sergey Lavrov"]
    assert {row["entity_id"] for row in lines["拉夫罗夫"]} == {"sergey-lavrov"}
    table = invoke_newsdesk("quotes", "--speaker", "Peskov", "--db", db)
    assert table.returncode == 0 and "佩斯科夫" in table.stdout and "我们不排除会面" in table.stdout


@needs_console_script
def test_show_lists_the_articles_quotes_and_doctor_knows_the_tables(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert invoke_newsdesk("ingest", EXAMPLES, "--db", db).returncode == 0
    rows = [json.loads(line) for line in invoke_newsdesk("quotes", "--db", db, "--format", "jsonl").stdout.splitlines()]
    article_id = next(row["article_id"] for row in rows if row["speaker"] == "佩斯科夫")
    shown = invoke_newsdesk("show", article_id, "--db", db)
    assert shown.returncode == 0
    assert "## Quotes" in shown.stdout and "**佩斯科夫**" in shown.stdout
    as_json = json.loads(invoke_newsdesk("show", article_id, "--db", db, "--format", "json").stdout)
    assert any(q["entity_id"] == "dmitry-peskov" for q in as_json["quotes"])
    assert invoke_newsdesk("doctor", "--db", db).returncode == 0


@needs_console_script
def test_a_read_only_copy_of_an_archive_still_shows_quotes(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert invoke_newsdesk("ingest", EXAMPLES / "004_1de7367779586eca.txt", "--db", db).returncode == 0
    copy = tmp_path / "copy.db"
    shutil.copy(db, copy)
    sqlite3.connect(copy).execute("DELETE FROM quote_scans").connection.commit()
    copy.chmod(0o444)
    article_id = sqlite3.connect(copy).execute("SELECT id FROM articles").fetchone()[0]
    shown = invoke_newsdesk("show", article_id, "--db", copy)
    assert shown.returncode == 0, shown.stderr
    assert "**佩斯科夫**" in shown.stdout


# --- speakers the gazetteer does not know, and clauses that name no speaker (corpus train-split captures of
# sites no quote label uses: what the rules were generalised on, never the held-out parts) ---------------


def _corpus(name: str) -> list[Quote]:
    return _quotes(CORPUS_GOLD / f"{name}.gold.json")


def _speaker_of(quotes: list[Quote], words: str) -> str:
    return _said(quotes, words).speaker


UNIRULE = "terminus2049.github.io+cn.nytimes.com__2018-07-12-unirule-institute-closed.md"


def test_a_name_after_a_title_ends_where_time_and_manner_words_begin() -> None:
    quotes = _corpus(UNIRULE)
    # 在天则工作的法律和公共政策研究员姜浩（音）说。“中国正在转型的过程中，……”
    assert _speaker_of(quotes, "中国正在转型的过程中") == "姜浩"
    # ……，”经济学家盛洪在接受采访时说。“中介公司它是要挣钱的，……”
    assert _speaker_of(quotes, "中介公司它是要挣钱的") == "盛洪"


def test_a_description_that_ends_in_a_name_is_that_person() -> None:
    # 在澳大利亚墨尔本留学的马素湘说：“想不关注都难啊！……”
    assert _speaker_of(_corpus("youth.cn__rd-youth.html"), "想不关注都难啊") == "马素湘"
    # 同样在高洁干了10年的许娟说，这一切的变化都是……
    ngocn = _corpus("terminus2049.github.io+ngocn.net__2018-04-12-shanghai-huanweigong-bagong-ngocn.md")
    assert _speaker_of(ngocn, "这一切的变化都是新老总") == "许娟"


def test_a_known_person_then_what_they_did_as_they_spoke() -> None:
    # 马云叮嘱新人们说：“努力工作和会生活是不矛盾的，……”
    quote = _said(_corpus("terminus2049.github.io+tmtpost.com__2019-05-12-ma-yun.md"), "努力工作和会生活是不矛盾的")
    assert quote.speaker == "马云"
    assert quote.entity_id is not None


def test_whose_account_it_is_follows_according_to() -> None:
    # 根据参与会面的一位代表回忆，公司方面在强调 公司效益不好……
    ngocn = _corpus("terminus2049.github.io+ngocn.net__2018-04-12-shanghai-huanweigong-bagong-ngocn.md")
    assert _speaker_of(ngocn, "公司方面在强调") == "参与会面的一位代表"


def test_a_speech_verb_of_briefings_introduces_a_statement() -> None:
    # 中国海油深圳分公司深水工程建设中心总经理刘华祥介绍，“海葵一号”本身没有动力，……
    quote = _said(_corpus("southcn.com__86987bf032.html"), "本身没有动力")
    assert quote.speaker == "刘华祥"
    assert quote.text.startswith("“海葵一号”本身没有动力")


def test_clauses_that_name_no_speaker_give_no_quote() -> None:
    nhc = _corpus("terminus2049.github.io+caijingefa__2020-02-27-NHC.md")
    # 不需要分析说，有什么传播链 / 如果当初告诉我们有医务人员感染，我们肯定…… / 后来根据媒体报道，……
    for words in ("有什么传播链", "我们肯定对疫情的判断就是另一码事", "其实那时候已经发生了医务人员感染的案例"):
        assert not [q for q in nhc if words in q.text], words
    # 作为证婚人，我要严肃的告诉大家，…… (the writer) and 该论文称，…… (a document)
    assert not [q for q in _corpus("terminus2049.github.io+tmtpost.com__2019-05-12-ma-yun.md") if "证婚人的证词" in q.text]
    assert not [q for q in _corpus("terminus2049.github.io+caixin.com__2020-02-27-cai-xin.md") if "实验室中被鉴别出来" in q.text]
    # 那只能说，这次的脚本写得太差
    assert not [q for q in _corpus("nodebe4+chinadigitaltimes.net__f0ed7ff149.md") if "脚本写得太差" in q.text]


def test_they_is_not_one_person_named_before() -> None:
    # ……身穿蓝色制服的人巡回监视，他们告诉笔者，自己是高洁公司的人。
    ngocn = _corpus("terminus2049.github.io+ngocn.net__2018-04-12-shanghai-huanweigong-bagong-ngocn.md")
    assert not [q for q in ngocn if q.text.startswith("自己是高洁公司的人")]


def test_an_organisation_or_a_job_before_a_name_ends_as_a_title_does() -> None:
    # 台灣酒駕防制社會關懷協會高淑真表示，「為什麼現在的年輕人酒駕的比例越來越高，……」
    assert _speaker_of(_corpus("pts.org.tw__652946.html"), "為什麼現在的年輕人酒駕") == "高淑真"
    # 氣象局資深預報員謝佩芸說明，海葵颱風今天下午……
    assert _speaker_of(_corpus("setn.com__1348570.html"), "呈現滯留打轉的現象") == "謝佩芸"


def test_a_place_inside_a_description_and_japan_are_not_where_the_speaker_ends() -> None:
    quotes = _corpus("guancha.cn__2019_09_07_516891.html")
    # 一位在流水线上忙碌的工人告诉笔者，每天工作10小时左右，……
    assert _speaker_of(quotes, "每天工作10小时左右") == "一位在流水线上忙碌的工人"
    # 正如《日本经济新闻》近日报道，中国无惧“比拼耐力”。
    assert _speaker_of(quotes, "中国无惧") == "《日本经济新闻》"


def test_a_reports_source_is_silent_when_someone_inside_speaks_and_a_statement_is_its_authors() -> None:
    quotes = _corpus("guancha.cn__2019_09_09_517162.html")
    # 据中新网9月9日报道，针对外媒“……”的报道，苹果公司9日对记者表示，“我们调查了……”
    assert not [q for q in quotes if q.speaker == "中新网"]
    assert _speaker_of(quotes, "我们调查了中国劳工观察的说法") == "苹果公司"
    # 苹果公司声明称，相信我们供应链中的每个人都有尊严……
    assert _speaker_of(quotes, "相信我们供应链中的每个人") == "苹果公司"


def test_according_to_alone_is_nobody() -> None:
    # 根據預測，台灣本島幾乎全部處於……
    assert not [q for q in _corpus("tvbs.com.tw__2227667.html") if q.text.startswith("台灣本島幾乎全部")]


def test_a_name_ending_a_clause_that_opens_with_i_is_the_speaker() -> None:
    # 我很喜欢的学者、作家Tim Wu说：曾经，说话很难；……
    quotes = _corpus("terminus2049.github.io+newslab__2019-03-31-zheng-jian.md")
    assert _speaker_of(quotes, "曾经，说话很难") == "Tim Wu"


def test_a_quotation_before_a_long_description_and_an_english_name_in_brackets() -> None:
    # 「首席執行官們已經意識到，……，」大成全球顧問公司的高級顧問薄邁倫(Myron Brilliant)說。「……」
    quotes = _corpus("nytimes.com__20230911.html")
    assert _speaker_of(quotes, "首席執行官們已經意識到") == "薄邁倫"
    assert _speaker_of(quotes, "他們不想忽視中國市場") == "薄邁倫"
    # 「我認為，……，」RTX首席執行官格雷格·海耶斯在今年早些時候接受CNBC採訪時說。
    assert _speaker_of(quotes, "讓美國人民了解美國與中國的關係很重要") == "格雷格·海耶斯"


def test_a_full_name_is_printed_without_the_title_or_description_before_it() -> None:
    # 美國克林頓總統時期的財政部長勞倫斯·薩默斯曾表示，「……」 (a traditional-script title)
    assert _speaker_of(_corpus("bbc.com__66762882.html"), "現在世界在平行運行的默契") == "勞倫斯·薩默斯"
    # 「我們被稱為X世代時才20多歲，」50歲的安東尼·斯佩杜蒂說道
    assert _speaker_of(_corpus("nytimes.com__20230727-x.html"), "我們被稱為X世代") == "安東尼·斯佩杜蒂"


def test_a_paragraph_that_is_only_a_quotation_goes_on_with_the_speaker_before() -> None:
    # [43] 他說：「修建一條新絲綢之路的倡議，……」 [44] 「這不只是經濟。……」
    quote = _said(_corpus("bbc.com__66762882.html"), "這不只是經濟")
    assert quote.entity_id == "sigmar-gabriel"


def test_someone_named_inside_quotation_marks_is_not_what_he_stands_for() -> None:
    # [13] 洛克說，…… [14] 洛克把它比作「特斯拉發布會上的摩托車皮夾克」，…… [15] 「我可以想像，它符合伊隆·馬斯克……，」他說。
    quote = _said(_corpus("nytimes.com__20230727-x.html"), "我可以想像")
    assert (quote.speaker, quote.via) == ("洛克", "他")


def test_an_unnamed_report_and_you_are_nobody() -> None:
    # 有報導稱，莫德納曾在數月前拒絕了……
    assert not [q for q in _corpus("nytimes.com__20230911.html") if q.text.startswith("莫德納曾在數月前")]
    # 你可能會說，這是一個千禧年的字母，……
    assert not [q for q in _corpus("nytimes.com__20230727-x.html") if q.text.startswith("這是一個千禧年的字母")]


def test_brackets_titles_and_reports_around_a_name() -> None:
    quotes = _corpus("bbc.com__66748432.html")
    # 美國白宮國家安全顧問蘇利文（Jake Sullivan；沙利文）在記者會上回應說，……
    assert _said(quotes, "在獲得有關華為新手機技術的組成資料前").entity_id == "jake-sullivan"
    # 彭博社報導美國商務部表示，將對華為新機的晶片及裝配展開調查。
    assert _speaker_of(quotes, "將對華為新機的晶片及裝配展開調查") == "美國商務部"
    # 台灣南台科技大學朱岳中助理教授則告訴BBC，…… / 台灣半導體評論者許美華說，……
    assert _speaker_of(quotes, "此次華為新機的最大賣點其實是衛星通訊") == "朱岳中"
    assert _speaker_of(quotes, "接下來美國可能會對與美國有關") == "許美華"


def test_a_long_description_after_a_quotation_and_a_paragraph_after_an_attribution() -> None:
    quotes = _corpus("bbc.com__66668559.html")
    # 「在中國，房地產實際上就是你的儲蓄。」資產管理公司法盛（Natixis）的亞洲首席經濟學家艾麗西亞·加西亞-埃雷羅（…）說道。
    assert "埃雷羅" in _speaker_of(quotes, "房地產實際上就是你的儲蓄")
    # [45] 「……」法塔斯教授說。 [46] 「他們明白需要做什麼嗎？……」
    assert _speaker_of(quotes, "他們明白需要做什麼嗎") == "法塔斯"
    # 從根本上說，習近平想要增長，…… / 領導層可能會說，這毫無必要。
    assert not [q for q in quotes if q.text.startswith(("習近平想要增長", "這毫無必要"))]


def test_place_names_manner_adverbs_and_jobs_around_a_speaker() -> None:
    # 高雄地檢署指出，宋女今天經檢察官會同法醫相驗，…… (not the person the tagger took 高雄 for)
    assert _speaker_of(_corpus("cna.com.tw__202308230348.html"), "宋女今天經檢察官會同法醫相驗") == "高雄地檢署"
    # 剧中雨田的扮演者王慧杰动情地说：“……”
    assert _speaker_of(_corpus("xinhuanet.com__he-25340717.html"), "我们许多演员在排练时") == "王慧杰"
    # 台氟公司人力資源管理師徐慧婷說，……
    assert _speaker_of(_corpus("chinatimes.com__20230828003954.html"), "之前曾經有名來應徵的青年") == "徐慧婷"
    # 港鐵昨日則承認，……
    assert _speaker_of(_corpus("singpao.com.hk__2019.html"), "鄰近樓盤工程去年打樁後") == "港鐵"


def test_someone_unnamed_ends_a_statement_without_speaking_and_data_is_nobody() -> None:
    quotes = _corpus("cna.com.tw__202308230192.html")
    # 有專家表示，調查年輕人為何不婚不戀，原因包括……，但有網友直言，原因很簡單就是窮。
    assert _said(quotes, "調查年輕人為何不婚不戀").text.endswith("太宅及不喜社交")
    # 據2022年中國統計年鑑數據顯示，截至2021年，……
    assert not [q for q in quotes if q.text.startswith("截至2021年")]
    # 惟對方未有回應，而該站經檢查後雖如常運作，……
    assert not [q for q in _corpus("singpao.com.hk__2019.html") if q.text.startswith("而該站經檢查後")]


def test_he_after_a_description_of_someone_is_the_one_who_described() -> None:
    # 律師何俊仁形容，關尚義是一個有理想的行動者，……。他表示，雖然警方沒有在律師樓翻箱倒籠，……
    quotes = _quotes(DEV_GOLD / "hkcnews__37059.md.gold.json")
    assert _speaker_of(quotes, "關尚義是一個有理想的行動者") == "何俊仁"
    assert _speaker_of(quotes, "雖然警方沒有在律師樓翻箱倒籠") == "何俊仁"


def test_documents_titles_and_they_are_not_speakers() -> None:
    hrw = _quotes(DEV_GOLD / "hkcnews__14894.md.gold.json")
    # 人權觀察……的最新研究報告《 「清除思想流毒」：中國對新疆穆斯林的鎮壓行動 》指，…… (not 中國, named in the title)
    assert _speaker_of(hrw, "習近平2013年當權後") != "中國"
    # 人權觀察報告提到，官方曾列出…… (the report, a document)
    assert not [q for q in hrw if q.text.startswith("官方曾列出")]
    # 聲明說：“我們支持烏克蘭……” (a statement, a document)
    assert not [q for q in _quotes(DEV_GOLD / "gnews__2565666.md.gold.json") if q.speaker.startswith("聲明")]
    # 正如他們自己所說，是放弃了…… / 或者说，…… / 刀哥想说，……
    huanqiu = _quotes(DEV_GOLD / "huanqiu__1.html.gold.json")
    assert not [q for q in huanqiu if q.text.startswith(("是放弃了中国自我变革", "还想在国际上证明一下", "都9020年了"))]


def test_this_official_stands_for_the_speaker_described_so() -> None:
    quotes = _corpus("terminus2049.github.io+caijing.com.cn__2020-02-02-people-outside-of-statistics.md")
    # 王木所在社区的负责人告诉《财经》记者，……，“我只能尽量安慰他们，……”，该负责人说。
    first = _said(quotes, "仅30日一天")
    assert first.speaker == "王木所在社区的负责人"
    then = _said(quotes, "我只能尽量安慰他们")
    assert (then.speaker, then.via) == ("王木所在社区的负责人", "该负责人")


def test_went_on_to_say_is_said_by_the_one_before_it() -> None:
    # 天文台續稱，會視乎本地風力變化，…… / 天文台中午時預計，按照現時預測路徑，……
    quotes = _corpus("rfi.fr__r001.html")
    assert _speaker_of(quotes, "會視乎本地風力變化") == "天文台"
    assert _speaker_of(quotes, "按照現時預測路徑") == "天文台"


# --- round 3: the old held-out part (bench/data/quotes/heldout.tsv) was promoted to tuning; these are the real
# sentences of its misses and of train-split captures that showed each rule ---------------------------------


def test_this_official_is_the_official_described_before_not_the_person_talked_about() -> None:
    quotes = _corpus("gnews.org__2444749.md")
    # 财政部的这位官员在吹风会上暗示，美方不期待耶伦……。 …… 这位官员说，在耶伦部长上次访华前，……
    said = _said(quotes, "在耶伦部长上次访华前")
    assert said.via == "这位官员" and "财政部" in said.speaker and said.entity_id is None
    # 财政部的这位高级官员在吹风会上说，耶伦此次中国之行是……: the words before 这位 only describe whom it points at.
    said = _said(quotes, "耶伦此次中国之行是在拜登总统")
    assert said.via == "财政部的这位高级官员" and said.speaker == "财政部的一位高级官员"


def test_what_an_official_relays_is_the_officials_statement() -> None:
    # 高级官员说，拜登总统明确表示，两军之间的沟通在任何时候都至关重要，……
    quotes = _corpus("gnews.org__2444705.md")
    assert _speaker_of(quotes, "两军之间的沟通在任何时候都至关重要") == "高级官员"
    # 这位官员指出，另外，拜登政府正在努力争取……。 他说，中国作为提案国，…… (he is the official, not Biden)
    assert _speaker_of(quotes, "中国作为提案国") == "高级官员"
    # 路透社报导，国务院的一名高级官员在电话中对记者说，布林肯对拉夫罗夫说：“国务卿告诉拉夫罗夫外长，……”
    epoch = _quotes(DEV_GOLD / "000_b8f021c9504a85f9.txt.gold.json")
    assert _speaker_of(epoch, "国务卿告诉拉夫罗夫外长") == "国务院的一名高级官员"
    # 美国国务院表示，布林肯告诉拉夫罗夫说，俄罗斯对乌克兰的任何新占领……: an institution relays, Blinken speaks.
    assert _said(_quotes(DEV_GOLD / "001_f89465e053944e23.txt.gold.json"), "任何新占领").entity_id == "antony-blinken"


def test_a_quoted_paragraph_after_a_reported_statement_goes_on_with_its_speaker() -> None:
    rfa = _corpus("nodebe4+rfa.org__f9ae478ef3.md")
    # 陈建刚说，他发布的这些笔录……。 / “公开这些笔录对谢阳案起到了巨大的、根本性的作用。……”
    assert _speaker_of(rfa, "公开这些笔录对谢阳案") == "陈建刚"
    # 现居美国的人权律师滕彪说，……。 / “如果是与‘性’有关的，……彻底打垮。”
    assert _speaker_of(rfa, "如果是与‘性’有关的") == "滕彪"
    # 中国的烂尾楼问题 …… (gnews.org, a train-split capture of the same convention on another site)
    assert _speaker_of(_corpus("gnews.org__2444287.md"), "中国的烂尾楼问题") == "王赫"
    # ……李小姐……。 / 「日後在屋邨唱歌給老人家聽」: a quoted subheading, with no full stop, is not a statement.
    assert not [q for q in _corpus("wenweipo.com__2018big5.html") if q.text == "日後在屋邨唱歌給老人家聽"]


def test_a_name_with_a_middle_initial_is_one_name() -> None:
    quotes = _corpus("nodebe4+nytimes.com__477fd3115d.md")
    # 美国驻俄罗斯前大使迈克尔·A·麦克福尔(Michael A. McFaul)说，…… / “这确实让我想起了赫鲁晓夫，”他说。
    assert _speaker_of(quotes, "过度扩张和过份") == "迈克尔·A·麦克福尔"
    assert _speaker_of(quotes, "这确实让我想起了赫鲁晓夫") == "迈克尔·A·麦克福尔"
    # “中国很大，……，”为华盛顿战略研究中心撰写……的前美国官员詹姆斯·A·刘易斯(James A. Lewis)说。
    assert _speaker_of(quotes, "中国很大") == "詹姆斯·A·刘易斯"


def test_someone_after_a_verb_is_acted_on_not_speaking() -> None:
    # 这位大使没有提到特朗普或民主党总统候选人拜登的名字，但他说，…… (he is the ambassador quoted before)
    assert _speaker_of(_corpus("nodebe4+reuters.com__34431c5e6a.md"), "一些美国政界人士为了当选") == "刘晓明"
    # 检察官却哄骗他说，他们下次会专门来听取这些刑讯细节，…… (he is whom the prosecutors told)
    rfa = _corpus("nodebe4+rfa.org__f9ae478ef3.md")
    assert not [q for q in rfa if q.text.startswith("他们下次会专门来听取")]


def test_a_colon_opening_a_quotation_ends_the_reported_statement() -> None:
    quotes = _corpus("nodebe4+rfa.org__ded2de4ff4.md")
    # 江苏常州维权人士张建平对本台说，三峡进水量多就要泄洪：“因为上游下雨，他就要泄洪，……”
    assert _said(quotes, "三峡进水量多就要泄洪").text == "三峡进水量多就要泄洪"
    assert _speaker_of(quotes, "因为上游下雨") == "张建平"


def test_a_report_is_silent_when_the_subject_of_its_sentence_speaks() -> None:
    # 路透社報道，普京宣佈前往太空發射場時，沒有表明是否會在那裏與金正恩會面，僅表示：「等我到了那裏，你就會知道。」
    quotes = _quotes(CORPUS_GOLD / "bbc.com__66783048.html.gold.json")
    assert _said(quotes, "等我到了那裏").entity_id == "vladimir-putin"
    assert not [q for q in quotes if q.speaker == "路透社" and q.block == 14]
    # ……表示，有情报证据表明，……，并警告说，这样做会带来严重后果: 并警告说 goes on with Blinken's statement.
    dev = _quotes(DEV_GOLD / "004_1de7367779586eca.txt.gold.json")
    assert _said(dev, "有情报证据表明").text.endswith("这样做会带来严重后果")


def test_clarified_criticised_and_questioned_are_speech_verbs_unless_they_are_nouns() -> None:
    # 高雄女監今天澄清，防疫僅為例行性事務，……
    assert _speaker_of(_corpus("cna.com.tw__202308230348.html"), "防疫僅為例行性事務") == "高雄女監"
    # 民主黨主席胡志偉批評，政府昨拒絕宣佈停工，……
    assert _speaker_of(_corpus("appledaily.com__2019b.html"), "政府昨拒絕宣佈停工") == "胡志偉"
    # 台灣人權促進會對此質疑，台灣長期缺乏資料治理規範，……
    assert _speaker_of(_corpus("cna.com.tw__202308230354.html"), "台灣長期缺乏資料治理規範") == "台灣人權促進會"
    # 中國在全球的影響力，使之不易受到公開批評，而中國亦非……: a criticism received is no one speaking.
    hrw = _quotes(DEV_GOLD / "hkcnews__14894.md.gold.json")
    assert not [q for q in hrw if q.text.startswith("而中國亦非國際刑事法院")]


def test_adverbs_and_a_passive_are_not_part_of_the_speaker() -> None:
    # 黃仁偉反而說，「特別是在疫情和脫鉤的情況下，……」
    assert _speaker_of(_corpus("bbc.com__66762882.html"), "特別是在疫情和脫鉤的情況下") == "黃仁偉"
    # 陈肖平并说，…… (tests/data/dev)
    assert _speaker_of(_quotes(DEV_GOLD / "news__painting.md.gold.json"), "好的油画作品啊") == "陈肖平"
    # 金烘均表示，……: 均 ends a name, it is no adverb here.
    assert _speaker_of(_quotes(DEV_GOLD / "guojishijiao__ko-12132016093220.md.gold.json"), "共进行2次核武试验") == "金烘均"
    # ……被王攀批评，陶崇园向其作揖道歉: the one criticised, not someone speaking.
    lifeweek = _corpus("terminus2049.github.io+lifeweek.com.cn__2018-04-12-TaoChongyuanDeath-WangHaiyan-SanLianLifeWeekly.md")
    assert not [q for q in lifeweek if q.text.startswith("陶崇园向其作揖道歉")]


def test_this_view_is_no_one_quoted_before() -> None:
    # 他们认为，……。这种观点认为，世界的相互联系已经太密切，……
    quotes = _corpus("nodebe4+nytimes.com__477fd3115d.md")
    assert not [q for q in quotes if q.text.startswith("世界的相互联系已经太密切")]


def test_a_subheading_names_no_one_he_stands_for() -> None:
    # [8] 拜登将向习近平说明美国在台湾……的看法 (a subheading) / [9] ……这位高级官员提到的第一个议题就是台湾问题。他说，……
    assert _speaker_of(_corpus("gnews.org__2444705.md"), "总统将借此机会重申美国的一个中国政策") == "高级官员"


def test_a_title_is_the_person_the_article_names_after_the_same_words() -> None:
    # 乌克兰东部地区卢甘斯克州州长说，…… / (later) 卢甘斯克州州长谢尔盖·盖代周二在简报会上说
    assert _speaker_of(_quotes(DEV_GOLD / "p9__1004010.md.gold.json"), "俄罗斯军队已占领了该地区的克雷米纳市") == "谢尔盖·盖代"
    # 台灣酒駕防制社會關懷協會指出，教育面也得加把勁 / (elsewhere) 台灣酒駕防制社會關懷協會高淑真表示: an
    # organisation speaks for itself.
    assert _speaker_of(_corpus("pts.org.tw__652946.html"), "教育面也得加把勁") == "台灣酒駕防制社會關懷協會"


def test_two_speakers_at_once_are_no_one_speaker() -> None:
    # 据伊朗迈赫尔通讯社和路透社消息，…… / 研究人員和政府官員表示，…… (README: not labelled, no one speaker)
    assert not [q for q in _corpus("360kuai.com__9a0132f36c25dd0ac.html") if "路透社" in q.speaker]
    assert not [q for q in _corpus("nytimes.com__20230913-ai.html") if q.speaker == "研究人員和政府官員"]
    # 港大感染及傳染病中心總監何栢良指，……: one director, the org's name holds the 及.
    assert _speaker_of(_corpus("ulifestyle.com.hk__2020.html"), "政府確應為在宿舍居住的外傭") == "何栢良"
    # 陶蔓菁和陶崇园的同学说，……: one classmate of both.
    lifeweek = _corpus("terminus2049.github.io+lifeweek.com.cn__2018-04-12-TaoChongyuanDeath-WangHaiyan-SanLianLifeWeekly.md")
    assert _speaker_of(lifeweek, "陶崇园非常希望研究生毕业后") == "陶蔓菁和陶崇园的同学"


def test_the_hong_kong_colon_and_a_surname_after_two_names() -> None:
    quotes = _corpus("ulifestyle.com.hk__2018.html")
    # 一田百貨行政總裁黃思麗亦指，料本周末天氣轉冷，……升10%至15%︰「料火鍋相關食材銷情佳，……」 (︰ is a colon)
    assert _said(quotes, "料本周末天氣轉冷").text.endswith("升10%至15%")
    assert _speaker_of(quotes, "料火鍋相關食材銷情佳") == "黃思麗"
    # 莊思寧 (block 1) … JC Shop負責人莊天麟指，…… 莊說︰「旺角及銅鑼灣店……」: the 莊 named last before it.
    assert _speaker_of(quotes, "旺角及銅鑼灣店留了一半位供預訂") == "莊天麟"


def test_a_quotation_after_a_colon_is_the_sentences_subjects() -> None:
    # 一位安徽妇女在一段自拍的视频中，呼吁其他省份的民众善待……灾民：“2020年7月20日8时31分，……”
    rfa = _corpus("nodebe4+rfa.org__ded2de4ff4.md")
    assert _speaker_of(rfa, "千年淮河第一闸") == "一位安徽妇女"
    # 虽然赵可金有意避开新冷战的概念，但他取而代之的说法并不更让人放心：“中美关系的新现实……”
    assert _speaker_of(_corpus("nodebe4+nytimes.com__477fd3115d.md"), "中美关系的新现实并非是走向") == "赵可金"
    # 華為這款新手機在電源方面：「……」 is no one's: a clause's leftovers are not a speaker.
    assert not [q for q in _corpus("bbc.com__66748432.html") if q.speaker == "電源方面"]


def test_a_surname_with_a_form_of_address_is_whom_she_stands_for() -> None:
    # 韓國現代集團屬下的……一名干部去世了 … HONG太太动员了媒体，……。她表示，家人无法随行，……
    # (韩国现代 before 集团 names the company, not a person)
    quotes = _corpus("nodebe4+rfi.fr__45c8293251.md")
    assert _speaker_of(quotes, "家人无法随行") == "HONG太太"


def test_a_quotation_after_a_clause_opened_by_someone_and_a_speech_verb() -> None:
    # 議員郭家麒批評食環署，現時疫情嚴峻，……，「似乎係你有你講，……！」 (on.cc)
    assert _speaker_of(_corpus("on.cc__2020.html"), "似乎係你有你講") == "郭家麒"
    # 蕭先生指自己平日經常到旺角行街，……，「『殺街』是無可避免，……」 (wenweipo.com)
    assert _speaker_of(_corpus("wenweipo.com__2018big5.html"), "是無可避免") == "蕭先生"


# --- round 4: the fresh part (bench/data/quotes/fresh.tsv) was promoted to tuning; these are the real sentences of
# its misses and false finds, each class with a negative (a real sentence the rule must leave alone) ---------------


def test_official_instructions_and_other_verbs_of_chinese_news() -> None:
    # 习近平要求，无论是编制发展规划、……，都要遵照这些制度，不能有任何偏差。 (thepaper.cn)
    assert _speaker_of(_corpus("thepaper.cn__gne3.html"), "都要遵照这些制度") == "习近平"
    # 黃鉦傑事前站在超級跑車旁高呼：「錢係可以從天而降嘅！」 (mingpao.com)
    assert _speaker_of(_corpus("mingpao.com__20181217.html"), "錢係可以從天而降嘅") == "黃鉦傑"
    # 據禹州市教體局此前通报，针对此事，…… (ifeng.com): a notice's issuer is the source.
    assert _speaker_of(_corpus("ifeng.com__7rtKNyg6PU9.html"), "禹州全市开展校园安全教育活动") == "禹州市教体局"
    # 最著名的新疆問題研究人員之一鄭國恩認為「在這種背景下，……」 (bitterwinter.org)
    assert _speaker_of(_corpus("nodebe4+bitterwinter.org__24413d722c.md"), "勞動被美化為去除") == "鄭國恩"


def test_a_demand_or_an_announcement_as_a_noun_is_no_speech_verb() -> None:
    # 美国有60天的时间正式提出引渡要求，期限将在本月30日截止，……
    dev = _quotes(DEV_GOLD / "guojishijiao__0122wul01-03132015102751.md.gold.json")
    assert not [q for q in dev if q.text.startswith("期限将在本月30日截止")]
    # 孙守刚说，河南深入贯彻落实习近平总书记“共同抓好大保护，协同推进大治理”重要要求，黄河生态保护治理取得了重要进展
    people = _corpus("people.com.cn__c1004-40232587.html")
    assert _said(people, "黄河生态保护治理取得了重要进展").text.startswith("河南深入贯彻落实")
    # 明天（5日）侯友宜會有重大宣布，請大家拭目以待，「……」: the statement runs on past the announcement it names.
    assert _said(_corpus("ettoday.net__e001.html"), "請大家拭目以待").text.startswith("明天（5日）侯友宜會有重大宣布")


def test_after_a_quotation_that_ended_its_sentence_the_speaker_goes_on_reporting() -> None:
    # “党的十八大以来，……殷切期望。”河南省委副书记、省长王凯说，牢记嘱托，……“三个转变”。
    quotes = _corpus("people.com.cn__c1004-40232587.html")
    assert _speaker_of(quotes, "牢记嘱托，锚定确保高质量建设") == "王凯"
    # “我们即便长了一百张嘴，……都跟挖我的心一样。”小花母亲哭诉说，孩子受了那么大罪，……
    assert _speaker_of(_corpus("ifeng.com__7rtKNyg6PU9.html"), "孩子受了那么大罪") == "小花母亲"
    # Negative: “……里面要收费的。”有村民如是说，记者随后查看铭牌发现，……: 如是说 looks back, and a villager is no one.
    assert not [q for q in _corpus("163.com__J22CN60P0514R9KQ.html") if q.text.startswith("记者随后查看铭牌")]


def test_a_surname_alone_is_the_person_of_that_surname_the_article_names_twice() -> None:
    # 國民黨總統參選人侯友宜……，侯回應說，兩岸和平是大家追求的，…… (ltn.com.tw)
    ltn = _corpus("ltn.com.tw__l004.html")
    assert _speaker_of(ltn, "兩岸和平是大家追求的") == "侯友宜"
    assert _speaker_of(ltn, "行程很滿，時間有限") == "侯友宜"
    # 其間黎向同事表示：「好彩無被佢（執法部門）整到上大陸」 (stheadline.com)
    assert _speaker_of(_corpus("stheadline.com__std2020.html"), "好彩無被佢") == "黎智英"
    # Negative: 莊說︰「……」 after two 莊 is still the titled name named last before it, not one named twice.
    assert _speaker_of(_corpus("ulifestyle.com.hk__2018.html"), "旺角及銅鑼灣店留了一半位供預訂") == "莊天麟"


def test_a_clause_with_no_subject_of_its_own_speaks_with_its_sentences() -> None:
    # 面对澎湃新闻，小刚不愿细谈此事，只称，自己当时躲在门后，…… (ifeng.com; 小刚 is no gazetteer entity)
    assert _speaker_of(_corpus("ifeng.com__7rtKNyg6PU9.html"), "自己当时躲在门后") == "小刚"
    # 黎智英……，昨早由……返回將軍澳壹傳媒大樓，其間向下屬表示，對未遭押返內地感到慶幸，……
    assert _speaker_of(_corpus("stheadline.com__std2020.html"), "對未遭押返內地感到慶幸") == "黎智英"
    # 节俭国家以外的成员国领导人强调他们渴望达成协议，但警告称，这不能……
    assert _speaker_of(_corpus("nodebe4+ftchinese.com__0acf95af64.md"), "这不能以削弱欧洲") == "节俭国家以外的成员国领导人"
    # 他突然拍桌子，大聲的說，「總統府要我道歉，……」 (udn.com: 的 for 地)
    assert _speaker_of(_corpus("udn.com__7400449.html"), "總統府要我道歉，搞不懂") == "楊志良"
    # Negatives: 与此同时，也有案件亲历者认为，……; 在西洋菜南街表演超過10年的「Sing A Song」 負責人李小姐表示，……
    assert _speaker_of(_corpus("nodebe4+voachinese.com__5720af2fee.md"), "维权过程促使自己成长").endswith("案件亲历者")
    assert _speaker_of(_corpus("wenweipo.com__2018big5.html"), "對行人專用區被取消感到不捨") == "李小姐"


def test_crowds_editorials_and_reports_opening_a_clause_are_no_speakers() -> None:
    # 海外网友纷纷表示：这才是真实美好的中国。; 报道举例称，一位加拿大人……
    sina = _corpus("sina.com.cn__iihnzahi3275702.html")
    assert not [q for q in sina if q.text.startswith(("这才是真实美好的中国", "一位加拿大人从中国旅行回国后"))]
    # 社論還說稱，美國對中國發動貿易戰「……」，……; 許多網友認為，華為發表新機的時間點……
    upmedia = _corpus("upmedia.mg__181068.html")
    assert not [q for q in upmedia if q.speaker in ("社論", "許多網友")]
    # 另有消息稱，警務處已去信壹傳媒，……
    assert not [q for q in _corpus("stheadline.com__std2020.html") if q.text.startswith("警務處已去信壹傳媒")]
    # Negative: 環球時報在標題為「……」的社論中指出，…… is 環球時報's (the paper, not its editorial).
    assert _speaker_of(upmedia, "中國網壇對華為新機的興奮之情") == "環球時報"


def test_as_someone_pointed_out_the_statement_is_theirs() -> None:
    # 正如古德温所指出的那样，民粹主义最容易煽动的一些社会群体……受到的打击将尤为严重。
    assert _speaker_of(_corpus("nodebe4+ftchinese.com__f475004e2a.md"), "民粹主义最容易煽动") == "古德温"
    # 正如习近平主席在中法欧领导人三方会晤时所指出，中国新能源产业在开放竞争中练就了真本事，……
    assert _said(_corpus("qq.com__20240513A00GCM00.html"), "中国新能源产业在开放竞争中").entity_id == "xi-jinping"
    # Negative: “……，正如视频中所说的那样：当地政府十分重视……。” is inside a quotation, a video is no one.
    assert not [q for q in _corpus("sina.com.cn__iihnzahi3275702.html") if q.text.startswith("当地政府十分重视")]


def test_kin_words_name_someone_and_agree_with_he_or_she() -> None:
    ifeng = _corpus("ifeng.com__7rtKNyg6PU9.html")
    # 不过，当时不在场的小花母亲说法不同。“当时，我们想着……”她说。
    assert _speaker_of(ifeng, "我们想着女儿眼睛没那么严重") == "小花母亲"
    # 小刚称，……。不过，其奶奶指出，老师这是为方便监管小刚。
    assert _speaker_of(ifeng, "老师这是为方便监管小刚") == "小刚奶奶"
    # 在新学校，小刚没再打人。他说，因为想起“塞纸”这件事会害怕。 (他 is no mother, nor a grandfather named before)
    assert _speaker_of(ifeng, "因为想起") == "小刚"
    # Negative: ……每月僅收入五千多元，見母親為生計發愁，她自責地說：「……」: whom she saw is not a speaker.
    apple = _quotes(DEV_GOLD / "appledaily__30135550.html.gold.json")
    assert _speaker_of(apple, "我兩年多前原本在電子工廠擔任作業員") != "見母親"


def test_this_villager_is_the_one_introduced_since() -> None:
    quotes = _corpus("163.com__J22CN60P0514R9KQ.html")
    # 村民徐女士介绍，……。她的说法也得到了村口一位老年村民的赞同。这位村民补充道，“……”
    said = _said(quotes, "每个村的费用都不一样")
    assert said.speaker == "一位老年村民" and said.via == "这位村民"
    # 合庆镇向东村 … “我租住的房屋自带院子，……。”他认为，……: 向东 is the village's name, not whom 他 stands for.
    assert _speaker_of(quotes, "我租住的房屋自带院子") == "王先生"


def test_a_quoted_name_opens_a_statement_and_counts_as_one_word() -> None:
    ltn = _corpus("ltn.com.tw__l001.html")
    # 根據《路透》報導，「flightradar24」主編佩琴尼克（Ian Petchenik）指出，在當地時間傍晚6點19分左右，……
    assert _speaker_of(ltn, "在當地時間傍晚6點19分左右") == "佩琴尼克"
    assert not [q for q in ltn if q.speaker == "《路透》" and q.block == 1]
    # 航跡追蹤網站「flightradar24」指出，此架飛機在墜毀前30秒以前都很正常，……
    assert "flightradar24" in _speaker_of(ltn, "此架飛機在墜毀前30秒以前都很正常")


def test_paragraphs_announced_or_headed_by_a_quotation() -> None:
    udn = _corpus("udn.com__7400449.html")
    # 楊志良最新聲明如下： / 「我對於有經歷過家暴的朋友，……應予推翻。」
    assert _speaker_of(udn, "我對於有經歷過家暴的朋友") == "楊志良"
    # Negative: “无法用科学解释” (a subheading: a quotation with no full stop after a quoted paragraph)
    assert not [q for q in _corpus("ifeng.com__7rtKNyg6PU9.html") if q.text == "无法用科学解释"]
    # 2019年又信誓旦旦地表示「不要聽信謠言，我不會跑的」——這也就是為什麼……: the dash ends the quotation; what
    # follows it is the writer's.
    assert not [q for q in _corpus("udn.com__global7389296.html") if "這也就是為什麼" in q.text]


# --- round 5: the acceptance model and the speaker model (analysis/quote_model.py) ---------------------------------


def _read(body: list[str]) -> tuple[object, list[str]]:
    gazetteer = bundled_gazetteer()
    extract_mentions(gazetteer, None, body)
    return gazetteer, body


def test_a_candidate_verb_is_proposed_and_the_model_decides_on_its_statement() -> None:
    # ulifestyle.com.hk (fresh2): 天文台預料，…… — 預料 is no speech verb of the rules, a candidate verb of the model.
    # Whether the shipped model keeps it is learned from the labels (corpus2's wide candidates with a speaker the
    # gazetteer does not know taught it caution): what is pinned is that it is proposed, and that find_quotes returns
    # exactly what the acceptance model keeps.
    from newsdesk.analysis.quote_model import accepted
    from newsdesk.analysis.quotes import find_candidates, find_quotes_by_rules

    gazetteer, body = _read(["今冬第一波冷峰來襲，「急凍」香港。天文台預料，與冷峰相關的東北季候風今起影響廣東沿岸，"
                             "今日（7日）最低氣溫會降至17度，下周初中期氣溫進一步下調。"])
    assert find_quotes_by_rules(gazetteer, body) == []
    candidates = find_candidates(gazetteer, body)
    assert [(q.speaker, q.cue, origin) for q, origin in candidates] == [("天文台", "预料", "wide")]
    assert find_quotes(gazetteer, body) == accepted(gazetteer, body, candidates)
    assert accepted(gazetteer, body, candidates, threshold=0.0) == [candidates[0][0]]
    # youth.cn (fresh2): 在李博灏看来，…… is 李博灏's view; a 看来 with no 在 before it names no one.
    gazetteer, body = _read(["知识产权也是近些年来两会的热门话题。在李博灏看来，知识产权是经济可持续增长和创意创新产业发展的灵魂所在。",
                             "现在看来，这个问题还没有答案，需要进一步研究。"])
    assert [(q.speaker, q.block) for q in find_quotes(gazetteer, body)] == [("李博灏", 0)]


def test_the_rules_statements_are_candidates_and_a_wide_one_never_overlaps_them() -> None:
    from newsdesk.analysis.quotes import find_candidates, find_quotes_by_rules

    record = json.loads((CORPUS_GOLD / "ulifestyle.com.hk__2020.html.gold.json").read_text(encoding="utf-8"))
    gazetteer = bundled_gazetteer()
    extract_mentions(gazetteer, record.get("title"), record["body"])
    ruled = find_quotes_by_rules(gazetteer, record["body"])
    candidates = find_candidates(gazetteer, record["body"])
    assert [q for q, origin in candidates if origin == "rules"] == ruled
    wide = [q for q, origin in candidates if origin == "wide"]
    # 張補充，……; 她又更正，……: candidate verbs; what the rules found stays as it was.
    assert {q.cue for q in wide} >= {"补充", "更正"}
    assert not any(w.block == r.block and w.start < r.end and r.start < w.end for w in wide for r in ruled)
    assert set(find_quotes(gazetteer, record["body"])) <= {q for q, _ in candidates}


def test_the_shipped_model_is_plain_weights_and_reads_every_feature_it_was_trained_on() -> None:
    from newsdesk.analysis.quote_model import candidate_features, model, probability

    shipped = model()
    assert 0 < shipped["threshold"] < 1 and shipped["weights"] and shipped["speaker_weights"]
    record = json.loads((CORPUS_GOLD / "ulifestyle.com.hk__2020.html.gold.json").read_text(encoding="utf-8"))
    gazetteer = bundled_gazetteer()
    extract_mentions(gazetteer, record.get("title"), record["body"])
    from newsdesk.analysis.quotes import find_candidates

    candidates = find_candidates(gazetteer, record["body"])
    for names in candidate_features(gazetteer, record["body"], candidates):
        assert set(names) <= set(shipped["weights"]), set(names) - set(shipped["weights"])
        assert 0.0 <= probability(shipped["weights"], names) <= 1.0


def test_he_has_options_and_the_speaker_model_chooses_among_them() -> None:
    # ngocn.net (fresh2), a name changed to one the tagger reads: `X是王建兵的多年好友……。他说，……`.
    from newsdesk.analysis.quote_model import SPEAKER_WEIGHTS
    from newsdesk.analysis.quotes import find_quotes_by_rules

    body = ["王建兵曾担任西部阳光基金会农村教育项目主管，随后来到广州。",
            "张海涛是王建兵的多年好友，两人在2012年一个公益活动认识。他说，煎饼关注教育，源于自己从西部教育欠发达地区走出来的经历。"]
    gazetteer, body = _read(body)
    decisions: list = []
    token = SPEAKER_WEIGHTS.set({})  # no speaker model: the rules decide, and the options are recorded
    try:
        quote = _said(find_quotes_by_rules(gazetteer, body, decisions), "煎饼关注教育")
    finally:
        SPEAKER_WEIGHTS.reset(token)
    assert (quote.speaker, quote.via) == ("张海涛", "他")
    [(decided, options)] = decisions
    assert decided == quote
    by_name = {o["surface"]: o for o in options}
    assert by_name["张海涛"]["ruled"] and by_name["张海涛"]["clause_initial"] and by_name["张海涛"]["subject_of_is"]
    assert by_name["王建兵"]["possessor"] and not by_name["王建兵"]["ruled"]
    # The shipped reading agrees with the rules here; a model that trusted possessors would not: a model in use decides.
    assert _said(find_quotes(gazetteer, body), "煎饼关注教育").speaker == "张海涛"
    token = SPEAKER_WEIGHTS.set({"bias": -3.0, "possessor": 6.0})
    try:
        assert _said(find_quotes_by_rules(gazetteer, body), "煎饼关注教育").speaker == "王建兵"
    finally:
        SPEAKER_WEIGHTS.reset(token)


def test_an_article_or_a_press_release_is_no_speaker() -> None:
    # gmw.cn (fresh2): 彭博社近日的一篇文章指出，……; theinitium.com: 澎湃新聞稿指，……; cjn.cn: ……的报道，报道称，……
    gazetteer, body = _read([
        "彭博社近日的一篇文章指出，美国曾对本土钢铁行业大行保护主义措施，也未能阻止其就业岗位减少。",
        "澎湃新聞稿指，記者從阮次山在鳳凰衞視多名同事處證實消息，沒有說明死因。",
        "英国《泰晤士报》网站10月2日发表了题为《蓬勃发展的武汉再次充满欢声笑语》的报道，报道称，在武汉解除封锁约半年后，这座城市再度充满活力。",
    ])
    assert find_quotes(gazetteer, body) == []
    # ...while the outlet itself speaks (`彭博社指出，……`).
    gazetteer, body = _read(["彭博社指出，美国曾对本土钢铁行业大行保护主义措施，也未能阻止其就业岗位减少。"])
    assert _said(find_quotes(gazetteer, body), "美国曾对本土钢铁行业").speaker == "彭博社"


# --- round 6 (issue 12, branch quotes4) --------------------------------------------------------------


def test_an_order_a_judgment_or_a_circular_is_no_speaker() -> None:
    # 51.ca and chinapress.com.my (corpus-fresh batch 1, unlabelled): an executive order and a notice as subjects.
    gazetteer, body = _read([
        "川普总统的行政命令表示，美国的政策是，它不会资助、赞助、促进、协助或支持儿童从一个性别到另一个性别的所谓转变。",
        "特朗普行政命令指出，美国不会支持、资助未成年人从一种性别转换到另一种，将严格禁止所有相关医疗行为。",
        "通知中表示，川普的行政命令并未为联邦机构提供任何威胁或撤销联邦资金的依据。",
    ])
    assert find_quotes(gazetteer, body) == []
    # ...while who issued it speaks (`加州总检察长罗伯·邦塔表示，……`).
    gazetteer, body = _read(["加州总检察长罗伯·邦塔表示，他已向洛杉矶一家医院发出通知，称拒绝提供治疗可能会违反州法律。"])
    assert _said(find_quotes(gazetteer, body), "他已向洛杉矶一家医院").speaker == "罗伯·邦塔"


def test_a_surname_and_a_word_of_manner_is_the_titled_person_of_that_surname() -> None:
    # ulifestyle.com.hk (fresh2): 中西區半山業主聯會主席黃美慧……。黃續指，……
    quotes = _quotes(CORPUS_GOLD / "ulifestyle.com.hk__2019.html.gold.json")
    assert _said(quotes, "當局從未主動召開簡介會").speaker == "黃美慧"


def test_a_reported_statement_ends_where_the_same_speaker_goes_on_with_another_verb() -> None:
    # rti.org.tw (fresh2): ……表示，永遠不會……停止倡議活動，並強調建立海外聯繫……; 他說，自己……一名逃犯，他認為……
    quotes = _quotes(CORPUS_GOLD / "nodebe4+rti.org.tw__6f84cedb1c.md.gold.json")
    first = _said(quotes, "永遠不會為了逃避")
    assert first.text.endswith("停止倡議活動") and first.speaker == "黃台仰"
    second = _said(quotes, "自己從逃到德國開始")
    # 他 is 黃台仰, not the press (`港媒報導，……`) quoted just before.
    assert second.text == "自己從逃到德國開始就是一名逃犯" and second.speaker == "黃台仰"
    # A verb with a mark after it, or a longer word that only begins with a verb (`他指責`), goes on as before.
    gazetteer, body = _read(["蓬佩奥说，美国希望建立一个全球联盟来对抗中国，他指责北京利用冠状病毒大流行来谋取自身利益。"])
    assert _said(find_quotes(gazetteer, body), "美国希望建立").text.endswith("谋取自身利益")


def test_leftovers_of_a_clause_are_no_speakers_on_hong_kong_pages() -> None:
    # points-media.com (corpus-fresh batch 1, unlabelled): a passive, a case and a tragedy as subjects, Cantonese 有啲人.
    gazetteer, body = _read([
        "有傳媒向屋宇署查詢，獲回覆指「該維修工程並不需要在竹棚架上進行熱工序，棚網發生火災的風險相對為低」。",
        "過往的案例說明，其他安全措施沒有做好，才是火災發生的關鍵。",
        "有啲人：「用平嗰種啦，博冇人查。」",
    ])
    assert find_quotes(gazetteer, body) == []
    # `天文台早幾日警告`: the days are not part of the speaker's name.
    gazetteer, body = _read(["天文台早幾日警告，今個星期風勢唔細，市民要留意。"])
    assert _said(find_quotes(gazetteer, body), "今個星期風勢唔細").speaker == "天文台"


def test_a_verb_inside_a_longer_word_names_no_speaker_before_a_colon() -> None:
    # swissinfo.ch (corpus-fresh batch 1, unlabelled): 一般来说：“……” is no one's.
    gazetteer, body = _read(["一般来说：“要充分扮演男人或女人的角色，这对变性人来说是巨大的压力。”"])
    assert find_quotes(gazetteer, body) == []


def test_and_said_is_a_speech_verb_before_a_mark_and_a_document_named_by_its_part_is_no_speaker() -> None:
    # A briefing's shape (國台辦): 她並稱，…… is `and she said`; `與A並稱` (known together) stays no verb.
    gazetteer, body = _read(["國台辦發言人彭慶恩表示：「民進黨當局一再挑釁。」她並稱，兩岸同胞是一家人，應該多交流。"])
    said = _said(find_quotes(gazetteer, body), "兩岸同胞是一家人")
    assert (said.speaker, said.via) == ("彭慶恩", "她")
    # tests/data/dev hkcnews__48897: 公報結尾又稱，……; a judgment (判詞又指) as the subject.
    gazetteer, body = _read(["公報結尾又稱，中華人民共和國政府對尼加拉瓜共和國政府的上述立場表示讚賞。",
                             "判詞又指，公司須向死者家屬賠償，並承擔訴訟費用。"])
    assert find_quotes(gazetteer, body) == []


def test_a_tagged_name_with_no_surname_before_a_noun_is_the_first_word_of_a_compound() -> None:
    # youth.cn (fresh2): 在罗娟看来，……。她在课堂上告诉同学们，…… comes after `养老服务管理本科专业……`, whose 养老 the tagger
    # reads as a name: 她 is 罗娟, not 养老.
    quotes = _quotes(CORPUS_GOLD / "youth.cn__t20240513_15249693.html.gold.json")
    assert _said(quotes, "在养老产业链上的每个环节").speaker == "罗娟"
    assert all(q.speaker != "养老" for q in quotes)
    # lifeweek.com.cn (terminus2049 mirror, corpus train): 陶崇园是做人工智能研究的，阿尔法狗问世的时候，他还曾……对姐姐说，……
    quotes = _quotes(CORPUS_GOLD / "terminus2049.github.io+lifeweek.com.cn__2018-04-12-TaoChongyuanDeath-WangHaiyan-SanLianLifeWeekly.md.gold.json")
    assert _said(quotes, "想去更大的学术团队").speaker == "陶崇园"


def _rules(gold: Path) -> list[Quote]:
    """The cue rules' quotes of a labelled capture's body (no acceptance model: what the rules themselves propose)."""
    from newsdesk.analysis.quotes import find_quotes_by_rules

    record = json.loads(gold.read_text(encoding="utf-8"))
    gazetteer = bundled_gazetteer()
    extract_mentions(gazetteer, record.get("title"), record["body"])
    return find_quotes_by_rules(gazetteer, record["body"])


@pytest.mark.parametrize(("name", "block", "speaker", "words"), [
    # jiemian.com: `界面新闻：……？` / `李洪元：……。`
    ("terminus2049.github.io+jiemian.com__2019-12-02-conversation-to-huawei-former-staff.md", 12, "界面新闻",
     "这件事是你自己主动曝光的吗"),
    ("terminus2049.github.io+jiemian.com__2019-12-02-conversation-to-huawei-former-staff.md", 13, "李洪元", "不是我主动曝光"),
    # inewsweek.cn: `中国新闻周刊：……` / `王敖：……`
    ("terminus2049.github.io+inewsweek.cn__2018-04-06-GaoYan-NewsWeekly.md", 10, "王敖",
     "我们本来就要去纪念我们的同学（高岩），现在是她去世二十周年，而她又是自杀"),
    # cnpolitics.org: the names in brackets, `【马若德】……`; caijingefa: a magazine's title, `《财经》：……`
    ("terminus2049.github.io+cnpolitics.org__2019-02-11-cnpolitics-roderick-macfarquhar.md", 16, "马若德", "我不这么认为"),
    ("terminus2049.github.io+caijingefa__2020-02-27-NHC.md", 32, "财经", "“人传人”在这种传染病里是最核心的一个要素"),
])
def test_an_interview_transcripts_turn_opens_with_its_speakers_first_sentence(
    name: str, block: int, speaker: str, words: str
) -> None:
    # bench/data/quotes/README.md (corpus2, fresh4): in an interview transcript, the interviewer's and the interviewee's
    # first sentence in every block where the name and a colon (or bracket) stand. Four sites of corpus2.
    quote = next(q for q in _rules(CORPUS_GOLD / f"{name}.gold.json") if q.block == block)
    assert (quote.speaker, quote.text) == (speaker, words)


def test_a_name_and_a_colon_is_a_turn_only_in_a_dialogue() -> None:
    from newsdesk.analysis.quotes import find_quotes_by_rules

    gazetteer = bundled_gazetteer()
    # A lone `作者：` byline, a subhead-like `X：` once, and two speakers of whom only one opens two blocks: no dialogue.
    body = ["作者：王小明", "李洪元：不是我主动曝光。", "界面新闻：这件事是你自己主动曝光的吗？", "李洪元：相符。"]
    assert find_quotes_by_rules(gazetteer, body) == []
    # Links opening reference blocks (`https://…`) and a book title cut at its colon (yanjingshuping) are no speakers.
    body = ["https://example.com/a 第一篇文章。", "https://example.com/b 第二篇文章。", "《莎士比亚：天才之谜》一书将出版。",
            "《莎士比亚：天才之谜》的作者是约翰逊。"]
    assert find_quotes_by_rules(gazetteer, body) == []
    # The same words, a dialogue: each turn's first sentence.
    body = ["界面新闻：这件事是你自己主动曝光的吗？为什么？", "李洪元：不是我主动曝光。我8月被释放。", "界面新闻：赔偿是怎么谈的？",
            "李洪元：相符。"]
    assert [(q.speaker, q.text) for q in find_quotes_by_rules(gazetteer, body)] == [
        ("界面新闻", "这件事是你自己主动曝光的吗"), ("李洪元", "不是我主动曝光"), ("界面新闻", "赔偿是怎么谈的"), ("李洪元", "相符")]


@pytest.mark.parametrize(("name", "block", "speaker", "words"), [
    # caijingefa: `专家：……` then, in the answer's next block, `我认为，医务人员的感染情况，……`
    ("terminus2049.github.io+caijingefa__2020-02-27-NHC.md", 23, "专家", "医务人员的感染情况，应该一个一个地去追"),
    # cnpolitics.org: `【马若德】……` then `我认为，中国政府强调中国文化遗产，……`
    ("terminus2049.github.io+cnpolitics.org__2019-02-11-cnpolitics-roderick-macfarquhar.md", 53, "马若德",
     "中国政府强调中国文化遗产，是希望加强意识形态领导"),
])
def test_i_in_an_interview_answer_is_the_one_whose_turn_it_is(name: str, block: int, speaker: str, words: str) -> None:
    quote = _said([q for q in _rules(CORPUS_GOLD / f"{name}.gold.json") if q.block == block], words)
    assert quote.speaker == speaker


@pytest.mark.parametrize(("name", "block", "speaker", "words"), [
    ("terminus2049.github.io+daxianggonghui__2018-09-15-population-plan.md", 37, "人口学家梁中堂",
     "这一年里，全国总共1.4亿的适龄妇女有3000万被结扎或人流"),
    ("terminus2049.github.io+blog.caixin.com__2020-02-09-workers-documentary.md", 5, "张元",
     "我在外面打仗没有被敌人打死，回到家也不应该得到这种待遇"),
    ("digitimes.com.tw__d2.html", 8, "Michael Dell", "未來2~3年後所有PC都將是AI PC"),
    ("nodebe4+matters.news__6a3048c9e4.md", 6, "官方", "感染者“高度集中在康鹭片区高风险区域内”"),
])
def test_someones_account_named_as_such_is_theirs(name: str, block: int, speaker: str, words: str) -> None:
    # `按照X的说法，`, `按他的话说，`, `引述X的說法，`, `按照官方说法，`: four sites of corpus2 (README: `按他的话说，`).
    quote = _said([q for q in _rules(CORPUS_GOLD / f"{name}.gold.json") if q.block == block], words)
    assert (quote.speaker, quote.text) == (speaker, words)


def test_in_todays_words_names_no_speaker() -> None:
    from newsdesk.analysis.quotes import find_quotes_by_rules

    # `用现在的话说，` (inewsweek.cn): a manner of speaking, not someone's account (`用` is no lead of one).
    quotes = find_quotes_by_rules(bundled_gazetteer(), ["他学习很用功，用现在的话说，是非常用功，要成为学霸。"])
    assert not any(q.speaker == "现在" for q in quotes)


@pytest.mark.parametrize(("name", "block", "speaker", "words"), [
    # the sentence's first clause is its subject alone: `美国埃默里大学社会学系助理教授徐彬，在会上提出……的问题：“……”`
    ("terminus2049.github.io+qdaily.com__2018-07-05-MichelBonnin-seminar.md", 40, "徐彬", "现场很多人有自己的经历"),
    # the first clause names no one (`对此，`): the clause the colon ends does (`作者质疑道：“……”`)
    ("terminus2049.github.io+vistastory.com__2019-04-30-vista-996.md", 26, "作者", "这真的比见到自己的孩子更重要吗"),
])
def test_a_quotation_after_a_colon_is_the_words_of_the_subject_of_its_sentence_or_clause(
    name: str, block: int, speaker: str, words: str
) -> None:
    quote = _said([q for q in _rules(CORPUS_GOLD / f"{name}.gold.json") if q.block == block], words)
    assert quote.speaker == speaker


def test_a_quotation_after_a_colon_is_not_the_words_of_one_acted_on() -> None:
    from newsdesk.analysis.quotes import find_quotes_by_rules

    # `被导演羞辱：“……”` (39.net): the director spoke, not the one the clause is about.
    body = ["为了糊口，贾玲到处演出赚钱，却因身材问题被导演羞辱：“你别说话了，你像猪一样。”"]
    assert not any(q.speaker == "贾玲" for q in find_quotes_by_rules(bundled_gazetteer(), body))


@pytest.mark.parametrize(("name", "block", "speaker", "words"), [
    ("terminus2049.github.io+balingji__2019-08-11-Shiyan-torrential-flood.md", 13, "李刚", "房子塌下来，把我按到里头"),
    ("csdn.net__gne1.html", 7, "tombkeeper", "任何一个系统在没有经过攻防检验之前，都是不安全的"),
    ("baidu.com__bjh-gne4.html", 4, "彭静旋", "我的知识储备太少了，我充其量只是会弹"),
])
def test_a_quotation_followed_straight_by_a_name_is_that_persons(name: str, block: int, speaker: str, words: str) -> None:
    # README (corpus2): a quotation followed in the same sentence by its speaker without a speech verb
    # (`“……。”李刚个头高大`, `“……”tombkeeper用了这样一句话开场`); three sites.
    quote = _said([q for q in _rules(CORPUS_GOLD / f"{name}.gold.json") if q.block == block], words)
    assert quote.speaker.lower() == speaker


def test_a_quotation_followed_by_a_possessor_is_not_the_possessors() -> None:
    from newsdesk.analysis.quotes import find_quotes_by_rules

    body = ["村里的广告牌写着：“进入青龙山的道路拓宽绿化。”李刚的房子就在路边。"]
    assert not any(q.speaker == "李刚" for q in find_quotes_by_rules(bundled_gazetteer(), body))
