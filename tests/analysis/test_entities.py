"""Entity resolution across scripts, spellings and languages."""

from __future__ import annotations

from collections import Counter

from newsdesk.analysis.entities import Entity, Gazetteer, bundled_gazetteer, extract_mentions, fold_name


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
