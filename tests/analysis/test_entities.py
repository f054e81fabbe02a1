"""Entity resolution across scripts, spellings and languages."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from newsdesk.analysis import entities
from newsdesk.analysis.entities import Entity, Gazetteer, _scan_form, bundled_gazetteer, extract_mentions, fold_name
from newsdesk.extract import extract_capture
from newsdesk.sources.files import RawCapture

DATA = Path(__file__).resolve().parents[1] / "data"
DEV_CAPTURES = DATA / "dev" / "captures"
STORIES_CAPTURES = DATA / "stories-dev" / "captures"


def _names(gazetteer: Gazetteer, title: str, body: list[str]) -> Counter[str]:
    return Counter(gazetteer.entities[m.entity_id].id for m in extract_mentions(gazetteer, title, body))


def test_bundled_names_resolve_across_script_and_language() -> None:
    gazetteer = bundled_gazetteer()
    lavrov = gazetteer.lookup("拉夫罗夫")
    assert lavrov is not None
    assert gazetteer.lookup("拉夫羅夫") is lavrov
    assert gazetteer.lookup("Sergey Lavrov") is lavrov
    assert gazetteer.lookup("谢尔盖·拉夫罗夫") is lavrov
    assert gazetteer.lookup("泽伦斯基") is gazetteer.lookup("泽连斯基")
    assert gazetteer.lookup("普亭") is gazetteer.lookup("普京") is gazetteer.lookup("蒲亭")


def test_fold_name_ignores_script_width_case_and_dots() -> None:
    assert fold_name("謝爾蓋‧拉夫羅夫") == fold_name("谢尔盖·拉夫罗夫") == "谢尔盖拉夫罗夫"
    assert fold_name("Ｌａｖｒｏｖ") == "lavrov"


def test_bilingual_pair_teaches_aliases_of_an_unknown_person() -> None:
    gazetteer = Gazetteer()
    mentions = _names(gazetteer, "测试", ["外交部长约翰‧史密斯（John Smith）周二表示，史密斯将访问。"])
    smith = gazetteer.lookup("史密斯")
    assert smith is not None and smith.en == "John Smith"
    assert gazetteer.lookup("John Smith") is smith and gazetteer.lookup("Smith") is smith
    assert mentions[smith.id] >= 2


def test_bilingual_pair_joins_a_known_entity() -> None:
    gazetteer = Gazetteer()
    gazetteer.add(Entity("emmanuel-macron", "person", "马克龙", "Emmanuel Macron"))
    _names(gazetteer, "", ["法国总统马克宏(Emmanuel Macron)周一抵达。"])
    assert gazetteer.lookup("马克宏") is gazetteer.lookup("马克龙")


def test_role_is_stripped_and_kept() -> None:
    gazetteer = bundled_gazetteer()
    mentions = extract_mentions(gazetteer, "", ["美国国务卿布林肯与俄罗斯外长拉夫罗夫通话。"])
    by_id = {m.entity_id: m for m in mentions}
    blinken = gazetteer.lookup("布林肯")
    assert blinken is not None
    assert by_id[blinken.id].surface == "布林肯"
    assert by_id[blinken.id].role == "美国国务卿"


def test_new_name_after_a_title_is_a_person() -> None:
    gazetteer = Gazetteer()
    _names(gazetteer, "", ["乌克兰总统泽伦斯基表示，局势紧张。"])
    # Seen once, with no gazetteer: the title word before it marks a person (and is kept as a role).
    entity = gazetteer.lookup("泽伦斯基")
    assert entity is not None and entity.kind == "person"
    assert "总统" in entity.roles


def _regex_scan(gazetteer: Gazetteer, text: str) -> list[tuple[int, int, str]]:
    """The scan's meaning, as one regex alternation: leftmost; at a position the longest CJK alias,
    else the longest Latin alias (three letters or more) between word boundaries."""
    keys = gazetteer._by_alias
    cjk = sorted((k for k in keys if not k.isascii()), key=len, reverse=True)
    latin = sorted((k for k in keys if k.isascii() and len(k) >= 3), key=len, reverse=True)
    pattern = re.compile("(?:" + "|".join(map(re.escape, cjk)) + r")|\b(?:" + "|".join(map(re.escape, latin)) + r")\b")
    return [(m.start(), m.end(), keys[m.group()]) for m in pattern.finditer(text)]


def test_alias_scan_finds_what_an_alternation_of_all_aliases_finds() -> None:
    gazetteer = bundled_gazetteer()
    texts = []
    for folder in (DEV_CAPTURES, STORIES_CAPTURES):
        for path in sorted(folder.iterdir())[:40]:
            article = extract_capture(RawCapture(path=str(path), data=path.read_bytes()))
            extract_mentions(gazetteer, article.title, article.body)  # learns names, as placement does
            texts.append(_scan_form("\n".join([article.title or "", *article.body])))
    texts.append("lavrov putin,nato. xlavrov lavrovx 普京lavrov lavrov普京 nato_ 9nato nato9 (nato) sergeylavrov")
    assert len(gazetteer._by_alias) > 1000
    for text in texts:
        assert list(gazetteer.scan(text)) == _regex_scan(gazetteer, text)


def test_a_name_learned_between_scans_is_found_by_the_next() -> None:
    gazetteer = bundled_gazetteer()
    text = _scan_form("资深人权律师关尚义今日出庭。")
    assert not any(entity_id.endswith("关尚义") for _, _, entity_id in gazetteer.scan(text))
    gazetteer.add(Entity("person:关尚义", "person", "关尚义"))
    assert [(s, e) for s, e, entity_id in gazetteer.scan(text) if entity_id == "person:关尚义"] == [(6, 9)]


def test_names_learned_past_the_recent_limit_are_still_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """The small automaton of new names is folded into the large one when it outgrows its limit."""
    monkeypatch.setattr(entities, "RECENT_ALIASES", 3)
    gazetteer = bundled_gazetteer()
    names = ["关尚义", "谭惠珠", "魏少军", "董倩", "王小洪", "赵克志", "黄之锋"]
    text = _scan_form("，".join(names) + "与普京、lavrov会面。")
    list(gazetteer.scan(text))  # builds the automata before anything is learned
    for count, name in enumerate(names, start=1):
        gazetteer.add(Entity(f"person:{name}", "person", name))
        found = {entity_id for _, _, entity_id in gazetteer.scan(text)}
        assert {f"person:{n}" for n in names[:count]} <= found
        assert list(gazetteer.scan(text)) == _regex_scan(gazetteer, text)


def test_a_relative_with_the_same_surname_is_another_person() -> None:
    gazetteer = Gazetteer()
    extract_mentions(gazetteer, None, ["美国总统乔·拜登（Joe Biden）周四表示，他为儿子亨特·拜登（Hunter Biden）感到骄傲。"])
    hunter, joe = gazetteer.lookup("Hunter Biden"), gazetteer.lookup("Joe Biden")
    assert hunter is not None and joe is not None and hunter is not joe
    assert gazetteer.lookup("亨特·拜登") is hunter
    assert gazetteer.lookup("拜登") is joe  # the surname stays with the one who had it


def test_a_surname_tagged_apart_stays_with_the_name() -> None:
    """rjieba tags 关尚义 as 关/v 尚义/nr; the learned name keeps its surname, in either script."""
    gazetteer = bundled_gazetteer()
    extract_mentions(gazetteer, None, ["資深人權律師關尚義（John Clancey）因民主派初選被捕。"])
    clancey = gazetteer.lookup("John Clancey")
    assert clancey is not None
    assert gazetteer.lookup("關尚義") is clancey and gazetteer.lookup("关尚义") is clancey
    assert gazetteer.lookup("尚義") is None


def test_a_pair_naming_one_learned_person_by_two_forms_merges_once() -> None:
    """关尚义 and John Clancey were learned apart (two entities); a pair naming both, the English
    by its full and its surname form, merges the second into the first once."""
    gazetteer = Gazetteer()
    gazetteer.add(Entity("person:关尚义", "person", "关尚义"))
    gazetteer.add(Entity("person:尚义", "person", "尚義", "John Clancey"))
    gazetteer.add_alias("person:尚义", "Clancey")
    extract_mentions(gazetteer, None, ["律师关尚义（John Clancey）出庭。"])
    assert gazetteer.lookup("John Clancey") is gazetteer.lookup("Clancey") is gazetteer.lookup("关尚义")


# --- precision: a person is a name, and a name is nothing more -----------------------------------


def test_a_bare_given_name_after_a_title_is_nobody() -> None:
    """`外交部长谢尔盖` (Lavrov), `国防部长谢尔盖` (Shoigu) and `州长谢尔盖` (a governor) are three people:
    a given name alone becomes no entity, and takes no roles."""
    gazetteer = bundled_gazetteer()
    for text in ["俄罗斯外交部长谢尔盖表示，会谈有进展。", "国防部长谢尔盖视察部队，谢尔盖说一切正常。", "州长谢尔盖称当地遭炮击。"]:
        extract_mentions(gazetteer, None, [text])
    assert gazetteer.lookup("谢尔盖") is None
    assert gazetteer.lookup("謝爾蓋") is None


def test_a_transliteration_cut_short_by_the_tagger_is_read_whole() -> None:
    gazetteer = Gazetteer()
    extract_mentions(gazetteer, None, ["俄罗斯副总理切尔内申科等政府高级官员到场。总理米修斯廷和外长出席。"])
    assert gazetteer.lookup("切尔") is None and gazetteer.lookup("米修斯") is None
    assert gazetteer.lookup("切尔内申科") is not None and gazetteer.lookup("米修斯廷") is not None


def test_learned_aliases_have_nothing_glued_on() -> None:
    gazetteer = bundled_gazetteer()
    extract_mentions(gazetteer, None, [
        "他们最后不得不屈服于习近平 (Xi Jinping)。拉夫罗夫还说北约（NATO）提供武器。",
        "一名目击者乔‧萨科尼（Joe Sarconi）说，他听到枪声。",
    ])
    xi = gazetteer.lookup("习近平")
    assert xi is not None and not any("屈服" in alias for alias in xi.aliases)
    # Xi Jinping is written surname first: Jinping is his given name, not another name of him.
    assert gazetteer.lookup("Jinping") is None
    nato = gazetteer.lookup("NATO")
    assert nato is not None and not any("还说" in alias for alias in nato.aliases)
    sarconi = gazetteer.lookup("Joe Sarconi")
    assert sarconi is not None and gazetteer.lookup("乔‧萨科尼") is sarconi
    assert not any("目击者" in alias for alias in sarconi.names())


def test_a_pair_naming_two_known_people_is_refused_and_reported() -> None:
    """An article that prints `普京（Emmanuel Macron）` (a slip, or a caption of two people) does not
    make Putin and Macron one person: the pair is set aside with both ids."""
    gazetteer = bundled_gazetteer()
    putin, macron = gazetteer.lookup("普京"), gazetteer.lookup("马克龙")
    assert putin is not None and macron is not None
    extract_mentions(gazetteer, None, ["法国总统会见了弗拉基米尔·普京（Emmanuel Macron）。"])
    assert gazetteer.lookup("普京") is putin and gazetteer.lookup("Emmanuel Macron") is macron
    assert [r.entity_ids for r in gazetteer.refused] == [(putin.id, macron.id)]


def _archive_entities(tmp_path: Path) -> list[tuple[str, str, list[str]]]:
    from newsdesk.analysis.stories import Analysis
    from newsdesk.archive import Archive, ingest

    archive = Archive(tmp_path / "a.db")
    ingest([DATA.parent.parent / "examples", DEV_CAPTURES, STORIES_CAPTURES], archive)
    archive.begin()
    Analysis(archive).update()
    archive.commit()
    rows = [(i, name, json.loads(aliases)) for i, name, aliases in archive.conn.execute("SELECT id, name, aliases FROM entities")]
    archive.close()
    return rows


def _is_name(alias: str) -> bool:
    parts = re.split(r"\s*[·‧•・]\s*", alias)
    if len(parts) >= 2:
        return entities.without_glue(parts[0], shortest=1) == parts[0] and entities.without_glue(parts[-1]) == parts[-1]
    return entities.without_glue(alias) == alias and not any(alias.endswith(w) for w in entities.name_vocabulary().glue_after)


def test_no_entity_of_the_example_and_dev_archives_is_a_bare_given_name_or_learned_a_non_name(tmp_path: Path) -> None:
    bundled = {e.id: {fold_name(n) for n in e.names()} for e in entities._bundled()}
    rows = _archive_entities(tmp_path)
    people = [(i, name) for i, name, _ in rows if i.startswith("person:")]
    assert people, "the archives teach people"
    assert [name for _, name in people if entities.is_bare_given_name(name)] == []
    learned = [(i, a) for i, name, aliases in rows for a in [name, *aliases]
               if fold_name(a) not in bundled.get(i, set()) and not a.isascii()]
    assert learned, "the archives teach aliases"
    assert [(i, a) for i, a in learned if not _is_name(a)] == []


def test_words_the_tagger_alone_calls_names_are_not_people() -> None:
    """rjieba tags traditional text badly (關於 → 關/於 as a name) and marks common words nr (文明, 卫星):
    a name only the tagger vouches for is tagged in simplified script and must look like one (a
    surname first, or a transliteration)."""
    gazetteer = Gazetteer()
    text = "這是關於他的事，他將於明天到達。關於此事，他將於下周回應。文明城市讲文明，卫星发射了卫星。黄雪琴说，黄雪琴表示。"
    extract_mentions(gazetteer, None, [text])
    assert [e.name for e in gazetteer.entities.values()] == ["黄雪琴"]


def test_transliterations_the_tagger_misses_are_learned_whole_and_alone() -> None:
    """Captions of Thai and Western names (cna.com.tw, udn.com, bbc.com captures): the name is what
    follows the last title or descriptor, all of it, and nothing before it."""
    gazetteer = Gazetteer()
    learn_from_text = entities.learn_from_text
    for text in ["億萬富豪前總理戴克辛（Thaksin Shinawatra）", "戴克辛胞妹盈拉（Yingluck Shinawatra）",
                 "為泰黨提名地產大亨斯雷塔（Srettha Thavisin）", "商學院高級講師卡普裏（Alex Capri）",
                 "高级研究员菲欧娜·希尔（Fiona Hill）", "新興政黨前進黨（Move Forward）", "美国洛克希德‧马丁公司（Lockheed Martin）"]:
        learn_from_text(gazetteer, text)
    thaksin, yingluck = gazetteer.lookup("Thaksin Shinawatra"), gazetteer.lookup("盈拉")
    assert thaksin is not None and yingluck is not None and thaksin is not yingluck
    assert gazetteer.lookup("斯雷塔") is gazetteer.lookup("Srettha Thavisin") is not None
    assert gazetteer.lookup("大亨斯雷塔") is None
    assert gazetteer.lookup("卡普里") is gazetteer.lookup("Alex Capri") is not None
    assert gazetteer.lookup("菲欧娜·希尔") is gazetteer.lookup("Fiona Hill") is not None
    assert gazetteer.lookup("Move Forward") is None and gazetteer.lookup("Lockheed Martin") is None


def test_a_name_learned_from_a_bilingual_pair_never_reaches_back_over_a_line_break() -> None:
    """Bodies are joined a paragraph a line: the words ending the previous paragraph are no part of the
    name opening the next (`终结\n岸田` was learned as an alias of Lavrov from such a join in a generated
    archive; 岸田 alone is Kishida, so the pair names two people and is refused)."""
    gazetteer = entities.bundled_gazetteer()
    entities.learn_from_text(gazetteer, "谈判就此终结\n岸田（Lavrov）")
    assert not [a for e in gazetteer.entities.values() for a in e.aliases if "\n" in a or "终结" in a]
    assert gazetteer.lookup("岸田") is gazetteer.lookup("Fumio Kishida") is not gazetteer.lookup("Lavrov")
    assert gazetteer.refused
