"""People, places and organisations in Chinese (and English) news, resolved to one identity.

Candidates come from four sources, strongest first:
- the gazetteer (bundled `data/gazetteer.toml`, plus aliases users and articles add);
- bilingual pairs the articles print, `谢尔盖‧拉夫罗夫（Sergey Lavrov）`, which teach aliases;
- names after a title, `美国国务卿布林肯`, `乌克兰总统泽伦斯基` (the title is kept as the role);
- rjieba's part-of-speech tags (nr/ns/nt), for names seen at least twice in an article.
Every surface form is folded (NFKC, lower case, traditional→simplified, no spaces or
middle dots) before lookup, so 拉夫羅夫, 拉夫罗夫 and 谢尔盖·拉夫罗夫's surname meet.
"""

from __future__ import annotations

import json
import re
import sqlite3
import tomllib
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import ahocorasick
import opencc

_T2S = opencc.OpenCC("t2s")
_DOTS = re.compile(r"[\s·‧•・.．\-‐_]+")
KINDS = ("person", "place", "org")


def fold_name(surface: str) -> str:
    """The lookup key of a name: one script, one width, one case, no spaces or dots."""
    return _DOTS.sub("", _T2S.convert(unicodedata.normalize("NFKC", surface).lower()))


@dataclass
class Entity:
    id: str
    kind: str
    name: str
    en: str | None = None
    aliases: set[str] = field(default_factory=set)
    roles: Counter[str] = field(default_factory=Counter)

    def names(self) -> list[str]:
        """Every name, in a fixed order (the first spelling of a key wins, whatever the hash seed)."""
        return [self.name, *([self.en] if self.en else []), *sorted(self.aliases - {self.name, self.en})]


@dataclass(frozen=True, slots=True)
class RefusedAlias:
    """A bilingual pair an article printed whose names belong to different known entities."""

    text: str
    entity_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Mention:
    entity_id: str
    surface: str
    role: str | None = None


def bundled_gazetteer_path() -> Path:
    return Path(str(resources.files("newsdesk") / "data" / "gazetteer.toml"))


_ROLE_WORDS = (
    "国务卿|外交部长|外长|国防部长|防长|总统|副总统|总理|首相|国家主席|主席|总书记|发言人|新闻秘书|秘书长|大使|特使|"
    "外交官|最高外交官|国家安全顾问|国安顾问|顾问|部长|议长|参议员|众议员|议员|司令|总司令|王储|国王|女王|特首|行政长官|市长|州长"
)
_ROLE = re.compile(r"(?:" + _ROLE_WORDS + r")$")
_PERSON_FLAGS = frozenset({"nr", "nrt", "nrfg"})
_NAME_DOTS = frozenset("·‧•・")
# 谢尔盖‧拉夫罗夫（Sergey Lavrov）, 马克龙(Emmanuel Macron)
# A name may hold spaces around its dots (`谢尔盖 · 拉夫罗夫`), never a line break: bodies are joined a paragraph
# a line, and the end of one paragraph is no part of a name opening the next.
_BILINGUAL = re.compile(
    r"(?P<zh>[\u4e00-\u9fff][\u4e00-\u9fff·‧•・ \t\u3000]{1,15}?)[ \t\u3000]*[（(]\s*(?P<en>[A-Z][A-Za-z'’\-]+(?:\s+[A-Z][A-Za-z'’\-]+){0,3})\s*[）)]"
)
_DOTTED_NAME = re.compile(r"[\u4e00-\u9fff]{1,6}(?:\s*[·‧•・]\s*[\u4e00-\u9fff]{1,8})+$")
_NOT_NAMES = frozenset(
    ["记者", "报道", "综合", "本台", "本报", "编辑", "责任", "消息", "新闻", "官员", "人士", "政府", "当局", "国家", "总统", "外长", "发言人", "我们", "他们", "双方", "美方", "俄方", "中方", "乌方"]
)


class Gazetteer:
    """Entities by id and by every folded alias; learns new aliases as it reads."""

    def __init__(self) -> None:
        self.entities: dict[str, Entity] = {}
        self._by_alias: dict[str, str] = {}
        # Ids of entities added or edited since the owner last saved them (see Analysis._save_entities).
        self.changed: set[str] = set()
        # Learned aliases refused since the owner last saved them (they would have merged two entities).
        self.refused: list[RefusedAlias] = []
        # Aliases are found with two Aho-Corasick automata: `_main` of every alias known when it was
        # built, `_recent` of those learned since. Articles teach names all the time; rebuilding one
        # automaton of every alias for each (as re-compiling one regex alternation did) grows with
        # the archive, while the small one costs little, and folding it in once it outgrows
        # RECENT_ALIASES keeps the rebuilds of the large one rare.
        self._main: ahocorasick.Automaton | None = None
        self._recent_keys: list[str] = []
        self._recent: ahocorasick.Automaton | None = None

    # --- building --------------------------------------------------------------------

    def add(self, entity: Entity) -> Entity:
        existing = self.entities.get(entity.id)
        if existing is not None:
            existing.aliases |= entity.aliases
            existing.en = existing.en or entity.en
            entity = existing
        else:
            self.entities[entity.id] = entity
        self.changed.add(entity.id)
        for name in entity.names():
            self.add_alias(entity.id, name)
        return entity

    def add_alias(self, entity_id: str, surface: str) -> None:
        key = fold_name(surface)
        if len(key) < 2 or key in self._by_alias:
            return
        self._by_alias[key] = entity_id
        self.changed.add(entity_id)
        entity = self.entities[entity_id]
        if surface != entity.name:
            entity.aliases.add(surface)
        if self._main is not None and _scannable(key):
            self._recent_keys.append(key)
            self._recent = None
            if len(self._recent_keys) > RECENT_ALIASES:
                self._main = None

    def merge(self, keep_id: str, drop_id: str) -> None:
        """`drop_id` was another spelling of `keep_id`: its aliases and roles move over."""
        if keep_id == drop_id:
            return
        keep, drop = self.entities[keep_id], self.entities.pop(drop_id)
        self.changed.add(keep_id)
        keep.aliases |= set(drop.names())
        keep.roles.update(drop.roles)
        keep.en = keep.en or drop.en
        for key, owner in list(self._by_alias.items()):
            if owner == drop_id:
                self._by_alias[key] = keep_id

    @classmethod
    def from_toml(cls, *paths: str | Path) -> Gazetteer:
        gazetteer = cls()
        for path in paths:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
            for item in data.get("entity", []):
                if item.get("kind") not in KINDS or not item.get("id") or not item.get("name"):
                    raise ValueError(f"{path}: every [[entity]] needs id, name and kind ({'/'.join(KINDS)}): {item}")
                entity = Entity(item["id"], item["kind"], item["name"], item.get("en"), set(item.get("aliases", [])))
                entity.roles.update(item.get("roles", []))
                gazetteer.add(entity)
        return gazetteer

    # --- lookup ----------------------------------------------------------------------

    def lookup(self, surface: str) -> Entity | None:
        entity_id = self._by_alias.get(fold_name(surface))
        return self.entities.get(entity_id) if entity_id else None

    def _automata(self) -> list[ahocorasick.Automaton]:
        if self._main is None:
            self._main = _automaton(k for k in self._by_alias if _scannable(k))
            self._recent_keys, self._recent = [], None
        if self._recent is None and self._recent_keys:
            self._recent = _automaton(self._recent_keys)
        return [a for a in (self._main, self._recent) if a is not None and len(a)]

    def scan(self, folded_text: str) -> Iterable[tuple[int, int, str]]:
        """(start, end, entity id) of every alias in text already folded with `fold_name`'s rules:
        leftmost first; at one place the longest, Chinese aliases before Latin ones, and Latin
        aliases only as whole words (`nato`, not the `nato` of `natoxyz`) — what one regex
        alternation of all aliases, longest first, would find."""
        found = []
        for automaton in self._automata():
            for last, key in automaton.iter(folded_text):
                start = last - len(key) + 1
                latin = key.isascii()
                if latin and not _whole_word(folded_text, start, last + 1):
                    continue
                found.append((start, latin, -len(key), key))
        found.sort()
        reached = 0
        for start, _, negative_length, key in found:
            if start >= reached:
                reached = start - negative_length
                yield start, reached, self._by_alias[key]


# Aliases learned since the large automaton was built, before it is built again with them.
RECENT_ALIASES = 2000


def _scannable(key: str) -> bool:
    # Latin aliases of one or two letters (`eu`, `un`) match too much inside words and codes.
    return not key.isascii() or len(key) >= 3


def _automaton(keys: Iterable[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for key in keys:
        automaton.add_word(key, key)
    if len(automaton):
        automaton.make_automaton()
    return automaton


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _whole_word(text: str, start: int, end: int) -> bool:
    """`\\b` on both sides, as Python's re defines it for str."""
    before = start > 0 and _is_word(text[start - 1])
    after = end < len(text) and _is_word(text[end])
    return before != _is_word(text[start]) and after != _is_word(text[end - 1])


@lru_cache(maxsize=1)
def _bundled() -> tuple[Entity, ...]:
    path = bundled_gazetteer_path()
    if not path.exists():
        return ()
    return tuple(Gazetteer.from_toml(path).entities.values())


def bundled_gazetteer() -> Gazetteer:
    """A fresh gazetteer holding the bundled entities (each caller may teach it more)."""
    gazetteer = Gazetteer()
    for entity in _bundled():
        gazetteer.add(Entity(entity.id, entity.kind, entity.name, entity.en, set(entity.aliases), Counter(entity.roles)))
    return gazetteer


def apply_alias(gazetteer: Gazetteer, name: str, alias: str) -> Entity:
    """`newsdesk alias add NAME ALIAS`: ALIAS names NAME's entity (the two merge if both are known;
    an unknown NAME becomes a person)."""
    entity = gazetteer.lookup(name)
    other = gazetteer.lookup(alias)
    if entity is None and other is None:
        entity = gazetteer.add(Entity(f"person:{name}", "person", name))
    elif entity is None:
        entity = other
        gazetteer.add_alias(entity.id, name)
    if other is not None and other.id != entity.id:
        gazetteer.merge(entity.id, other.id)
    gazetteer.add_alias(entity.id, alias)
    return entity


def archive_gazetteer(conn: sqlite3.Connection) -> Gazetteer:
    """The entities an archive knows: the bundled gazetteer, the entities its articles taught
    (table `entities`, filled as `ingest` places articles) and the user's aliases (`user_aliases`)."""
    gazetteer = bundled_gazetteer()
    for entity_id, kind, name, en, aliases, roles in conn.execute(
        "SELECT id, kind, name, en, aliases, roles FROM entities"
    ):
        entity = Entity(entity_id, kind, name, en, set(json.loads(aliases)), Counter(json.loads(roles)))
        gazetteer.add(entity)
        gazetteer.entities[entity_id].roles = entity.roles
    for entity_name, alias in conn.execute("SELECT entity, alias FROM user_aliases ORDER BY rowid"):
        apply_alias(gazetteer, entity_name, alias)
    gazetteer.changed.clear()  # as stored (user aliases are applied again at every load)
    return gazetteer


def _scan_form(text: str) -> str:
    """Text folded character for character (so positions match), dots and spaces kept as spaces."""
    whole = unicodedata.normalize("NFKC", text).lower()
    if len(whole) == len(text):
        # No character changed length (the usual case): the whole-text fold is aligned already,
        # and a hundred times faster than folding character by character.
        folded = _T2S.convert(whole)
        return folded if len(folded) == len(whole) else whole
    chars = [unicodedata.normalize("NFKC", ch).lower() for ch in text]
    aligned = "".join(n if len(n) == 1 else " " for n in chars)
    folded = _T2S.convert(aligned)
    return folded if len(folded) == len(aligned) else aligned


def _new_id(kind: str, name: str) -> str:
    return f"{kind}:{fold_name(name)}"


@dataclass(frozen=True)
class NameVocabulary:
    """What a person's name is not (`data/names.toml`): a given name alone, or words glued on to a name."""

    given: frozenset[str]
    given_prefixes: frozenset[str]
    glue_before: tuple[str, ...]
    glue_after: tuple[str, ...]
    surnames: frozenset[str]
    transliteration: frozenset[str]
    descriptors: re.Pattern[str]
    english_titles: frozenset[str]
    organisation_endings: tuple[str, ...]


@lru_cache(maxsize=1)
def name_vocabulary() -> NameVocabulary:
    data = tomllib.loads((resources.files("newsdesk") / "data" / "names.toml").read_text(encoding="utf-8"))
    given = {fold_name(n) for n in data["given_names"]}
    # The part before the middle dot of every full name the gazetteer knows is a given name too.
    for entity in _bundled():
        if entity.kind == "person":
            for name in entity.names():
                first = _NAME_DOT_SPLIT.split(name)[0]
                if first != name and len(fold_name(first)) >= 2:
                    given.add(fold_name(first))
    given -= {fold_name(n) for n in data.get("surnames_too", [])}
    # A transliteration cut short by the tagger (德米特 of 德米特里) is no more a person than the whole.
    prefixes = {g[:i] for g in given if not g.isascii() for i in range(2, len(g))}
    by_length = sorted(data["glue_before"], key=len, reverse=True)
    surnames = {ch for ch in data["surnames"] if not ch.isspace()} | set(data["compound_surnames"])
    transliteration = {ch for ch in data["transliteration_chars"] if not ch.isspace()}
    descriptors = re.compile("|".join(sorted([*data["descriptors"], *_ROLE_WORDS.split("|")], key=len, reverse=True)))
    return NameVocabulary(frozenset(given), frozenset(prefixes - given), tuple(by_length),
                          tuple(sorted(data["glue_after"], key=len, reverse=True)), frozenset(surnames),
                          frozenset(transliteration), descriptors, frozenset(data["english_titles"]),
                          tuple(data["organisation_endings"]))


def looks_like_a_name(name: str) -> bool:
    """A Chinese name (a surname, then one to three characters) or a transliteration (every character
    one foreign names are written with): what a name only the tagger vouches for must look like."""
    key = _T2S.convert(name.strip())
    if len(key) >= 3 and all(ch in _transliteration_chars() for ch in key):
        return True
    surnames = name_vocabulary().surnames
    return 2 <= len(key) <= 4 and (key[0] in surnames or key[:2] in surnames) and not _ROLE.fullmatch(key)


_NAME_DOT_SPLIT = re.compile(r"\s*[·‧•・]\s*")


def is_bare_given_name(name: str) -> bool:
    """`谢尔盖`, `Sergey` or `德米特` (of 德米特里): a first name without a surname names nobody in particular."""
    vocabulary = name_vocabulary()
    key = fold_name(name)
    return key in vocabulary.given or key in vocabulary.given_prefixes


def without_glue(name: str, shortest: int = 2) -> str:
    """The name with the words glued on to it cut off: `屈服于习近平` → `习近平`, `关尚义也` → `关尚义`
    (a cut that would leave fewer than `shortest` characters is not made)."""
    vocabulary = name_vocabulary()
    name = name.strip()
    changed = True
    while changed:
        changed = False
        for word in vocabulary.glue_after:
            if name.endswith(word) and len(name) - len(word) >= max(shortest, 2):
                name, changed = name[: -len(word)], True
                break
    cut = 0
    for word in vocabulary.glue_before:
        at = name.rfind(word)
        # One character at the very start may be a surname (于, 向).
        if at == 0 and len(word) == 1 and word in vocabulary.surnames:
            at = -1
        if at >= 0 and len(name) - (at + len(word)) >= shortest:
            cut = max(cut, at + len(word))
    return name[cut:]


def may_be_person(name: str) -> bool:
    """Whether a name found by a title or the tagger may be a person of its own: not a bare given name,
    nothing glued on, not a word the archive uses for people in general."""
    name = name.strip()
    vocabulary = name_vocabulary()
    return (not is_bare_given_name(name) and without_glue(name) == name and fold_name(name) not in _NOT_NAMES
            and not any(name.endswith(word) for word in vocabulary.glue_after))


def _is_person_pair(zh: str, en: str) -> bool:
    return bool(re.search(r"[·‧•・]", zh)) or len(en.split()) >= 2


# The most common one-character Chinese surnames (simplified).
_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭"
    "陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤关"
)


def _trailing_person(text: str) -> str | None:
    """The person's name at the end of `text` (`…秘书尼古拉‧帕特鲁舍夫` → `尼古拉‧帕特鲁舍夫`)."""
    import rjieba

    text = text.strip()
    dotted = _DOTTED_NAME.search(text)
    if dotted:
        head, _, rest = dotted.group().replace(" ", "").partition(re.search(r"[·‧•・]", dotted.group())[0])
        # The given name is what follows the last title or descriptor word before the dot (…外长谢尔盖‧…,
        # …研究员菲欧娜‧…): all of it when it is written as foreign names are (rjieba cuts those short:
        # 欧娜 of 菲欧娜), else what rjieba tags as a name.
        head = after_descriptors(head, shortest=1)
        if len(head) <= 5 and _transliterated(head):
            given = head
        else:
            given = "".join(w for w, f in rjieba.tag(head) if f in _PERSON_FLAGS)
            if len(given) < 2:
                # rjieba splits unfamiliar transliterations (埃马/纽埃/尔): keep the tail of the run.
                given = head[-5:]
        return f"{given}‧{rest}" if given else rest

    # rjieba's dictionary is simplified: it tags 關尚義 as 關 + 尚義. Tag the simplified form and cut
    # the name from the text as written (OpenCC t2s keeps the length).
    tail = text[-8:]
    simplified = _T2S.convert(tail)
    if len(simplified) != len(tail):
        simplified = tail
    length = 0
    tagged = rjieba.tag(simplified)
    for i in range(len(tagged) - 1, -1, -1):
        word, flag = tagged[i]
        if flag in _PERSON_FLAGS:
            length += len(word)
            continue
        # rjieba often tags a two-character given name alone and the surname before it as another
        # word (关/v 尚义/nr): a common one-character surname right before it belongs to the name.
        if length == 2 and word in _SURNAMES:
            length += 1
        break
    return tail[len(tail) - length :] if length >= 2 else None


def _another_given_name(entity: Entity, en: str) -> bool:
    """`en` names someone else with `entity`'s surname: both English names have given names, and they differ."""
    mine, theirs = (entity.en or "").split(), en.split()
    return len(mine) >= 2 and len(theirs) >= 2 and fold_name(mine[0]) != fold_name(theirs[0])


_PINYIN_SYLLABLE = (
    r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
    r"(?:iang|iong|uang|ueng|iao|ian|ing|ang|eng|ong|uai|uan|ai|ei|ao|ou|an|en|ia|ie|iu|in|ua|uo|ui|un|ue|ve|er|a|o|e|i|u|v)"
)
_SURNAME_FIRST = re.compile(rf"{_PINYIN_SYLLABLE} {_PINYIN_SYLLABLE}(?:-?{_PINYIN_SYLLABLE}){{0,2}}", re.IGNORECASE)


def _surname_first(en: str) -> bool:
    """A Chinese name in pinyin (`Xi Jinping`, `Wang Wenbin`): the surname comes first."""
    return _SURNAME_FIRST.fullmatch(en.strip()) is not None


_PERSONAL_NAME = re.compile(r"[A-Z][a-z'’\-]+(?: [A-Z][a-z'’\-]+){1,3}")
# English words that name things, not people (`Salmagundi Art Club`, `Cook Islands`).
_THING_WORDS = re.compile(
    r"\b(?:PLC|Inc|Ltd|LLC|Corp|Club|University|College|School|Institute|Institution|Group|Party|News|Islands?|Airbase|Base|Missile|"
    r"Cosmodrome|Forward|Company|Corporation|Bank|Agency|Council|Committee|Ministry|Times|Post|Daily|Street|City)\b"
)


def after_descriptors(text: str, shortest: int = 2) -> str:
    """What follows the last title or descriptor word (`地產大亨斯雷塔` → `斯雷塔`), glue cut off."""
    written = text.strip()
    simplified = _T2S.convert(written)
    tail = name_vocabulary().descriptors.split(simplified if len(simplified) == len(written) else written)[-1]
    return without_glue(written[len(written) - len(tail) :], shortest=shortest)


def _personal_name(en: str) -> bool:
    """`Srettha Thavisin`, `Ignazio Cassis`: two to four capitalised words, none naming a thing."""
    return _PERSONAL_NAME.fullmatch(en) is not None and not _THING_WORDS.search(en)


def _transliterated(name: str) -> bool:
    vocabulary = name_vocabulary()
    return all(ch in vocabulary.transliteration or ch in _transliteration_chars() for ch in _T2S.convert(name))


def _has_identity(entity: Entity) -> bool:
    """An entity known as someone in particular: the gazetteer's, or learned with an English name."""
    return ":" not in entity.id or bool(entity.en)


def _known_tail(gazetteer: Gazetteer, raw: str, entity: Entity) -> str | None:
    """The longest end of `raw` that is already a name of `entity` (`不得不屈服于习近平` → `习近平`)."""
    raw = raw.strip()
    for start in range(max(0, len(raw) - 12), len(raw) - 1):
        found = gazetteer.lookup(raw[start:])
        if found is not None and found.id == entity.id:
            return raw[start:]
    return None


def _name_only(zh: str) -> str | None:
    """A learned Chinese name without words glued on (`名目击者乔‧萨科尼` → `乔‧萨科尼`); None if nothing
    of a name is left."""
    parts = _NAME_DOT_SPLIT.split(zh.strip())
    if _T2S.convert(parts[-1]).endswith(name_vocabulary().organisation_endings):
        return None
    if len(parts) >= 2:
        # The given name may be one character (乔); the surname is at least two.
        parts[0] = without_glue(parts[0], shortest=1)
        parts[-1] = without_glue(parts[-1])
        return "‧".join(parts) if len(parts[-1]) >= 2 else None
    name = without_glue(zh)
    return name if len(name) >= 2 else None


def learn_from_text(gazetteer: Gazetteer, text: str) -> None:
    """Aliases an article teaches: `谢尔盖‧拉夫罗夫（Sergey Lavrov）` makes Lavrov, Sergey Lavrov,
    谢尔盖‧拉夫罗夫 and 拉夫罗夫 one entity (joining an existing one when any of them is known)."""
    titles = name_vocabulary().english_titles
    for m in _BILINGUAL.finditer(text):
        en = m["en"].strip()
        words = en.split()
        while len(words) > 2 and words[0].rstrip(".") in titles:
            words = words[1:]
        en = " ".join(words)
        raw = m["zh"]
        known_by_en = gazetteer.lookup(en)
        zh = _trailing_person(raw)
        if zh is None and known_by_en is not None:
            zh = _known_tail(gazetteer, raw, known_by_en)
        if (zh is None or not _NAME_DOTS & set(zh)) and (known_by_en is not None or _personal_name(en)):
            # The tagger missed a transliteration (赛塔, 卡西斯), cut it (卡|普里) or took a word with it
            # (大亨斯雷塔): the name is what follows the last title or descriptor word, if a known English
            # name vouches for it or it is written as foreign names are.
            tail = after_descriptors(raw)
            if (2 <= len(tail) <= 5 and (zh is None or tail.endswith(zh) or zh.endswith(tail))
                    and (known_by_en is not None or _transliterated(tail))):
                zh = tail
        if zh is None:
            continue
        zh = _name_only(zh)
        if zh is None:
            continue
        if known_by_en is None and ((len(en.split()) < 2 and not _NAME_DOTS & set(zh)) or _THING_WORDS.search(en)):
            continue
        surname_zh = re.split(r"[·‧•・]", zh)[-1]
        surname_en = en.split()[-1]
        # `Xi Jinping` is written surname first: its last word is a given name, not an alias.
        forms = [zh, surname_zh, en] + ([surname_en] if len(en.split()) >= 2 and not _surname_first(en) else [])
        if fold_name(surname_zh) in _NOT_NAMES or len(surname_zh) < 2:
            continue
        known = [e for e in (gazetteer.lookup(f) for f in forms) if e is not None]
        identities = list(dict.fromkeys(e.id for e in known if _has_identity(e)))
        if len(identities) > 1:
            # The pair's names belong to two people the archive tells apart (two English names, or the
            # gazetteer's): it does not get to make them one. Reported, never applied.
            gazetteer.refused.append(RefusedAlias(m.group().strip(), tuple(identities)))
            continue
        full_names = [e for e in (gazetteer.lookup(zh), known_by_en) if e is not None]
        if known and not full_names and _another_given_name(known[0], en):
            # 亨特·拜登（Hunter Biden）is not 拜登 (Joe Biden): only the surname is shared, so the new
            # person is known by the full name, and the surname stays with the one it had.
            entity = gazetteer.add(Entity(_new_id("person", zh), "person", zh, en))
            gazetteer.add_alias(entity.id, en)
            continue
        if known:
            entity = known[0]
            # One entity can answer to several of the forms: merge each other one once.
            for other_id in dict.fromkeys(e.id for e in known[1:]):
                if other_id != entity.id and other_id.startswith("person:") and other_id in gazetteer.entities:
                    gazetteer.merge(entity.id, other_id)
        else:
            if is_bare_given_name(surname_zh):
                continue
            entity = gazetteer.add(Entity(_new_id("person", surname_zh), "person", surname_zh, en))
        for form in forms:
            if len(fold_name(form)) >= 2 and gazetteer.lookup(form) is None:
                gazetteer.add_alias(entity.id, form)


_POS_KINDS = {"nr": "person", "nrt": "person", "nrfg": "person", "ns": "place", "nt": "org"}


@lru_cache(maxsize=1)
def _transliteration_chars() -> frozenset[str]:
    """The characters foreign names are transliterated with, as the gazetteer's full names (those
    with a middle dot: 谢尔盖·拉夫罗夫) use them."""
    chars: set[str] = set()
    for entity in _bundled():
        if entity.kind == "person":
            for name in entity.names():
                if _NAME_DOTS & set(name):
                    chars |= {ch for ch in name if "\u4e00" <= ch <= "\u9fff"}
    return frozenset(_T2S.convert("".join(chars))) | chars


_LONGEST_REST = 4


def _transliteration_rest(name: str, after: str) -> str:
    """The transliteration characters right after a transliterated name, when the name goes on there
    and stops within a few characters (at a word or punctuation)."""
    chars = _transliteration_chars()
    if not name or not all(ch in chars for ch in name):
        return ""
    length = 0
    while length < len(after) and after[length] in chars:
        length += 1
    if not 0 < length <= _LONGEST_REST:
        return ""
    # The name must end where the rest ends: at punctuation, or a word that follows names (等, 和, 表示);
    # 乌克兰东部 and 马克龙提出 go on with words of their own.
    following = after[length:]
    vocabulary = name_vocabulary()
    ends = not following or not "\u4e00" <= following[0] <= "\u9fff" or any(
        following.startswith(word) for word in (*vocabulary.glue_after, *vocabulary.glue_before)
    )
    return after[:length] if ends else ""


def _tag_names(text: str) -> tuple[Counter[tuple[str, str]], dict[str, str]]:
    """Names rjieba tags (runs of person tokens merged: 布+林肯), and the role word that
    precedes each person run (`国务卿` 布林肯)."""
    import rjieba

    found: Counter[tuple[str, str]] = Counter()
    after_role: dict[str, str] = {}
    # rjieba's dictionary is simplified: traditional text is tagged as its simplified form (OpenCC t2s keeps
    # the length), or 關於 and 將於 come out as names. Names are cut from the text as written.
    simplified = _T2S.convert(text)
    tagged = rjieba.tag(simplified if len(simplified) == len(text) else text)
    # Each token as written, and where it starts in the text.
    starts = [0]
    for word, _ in tagged:
        starts.append(starts[-1] + len(word))
    tokens = [(text[starts[k] : starts[k + 1]], flag) for k, (_, flag) in enumerate(tagged)]
    i = 0
    while i < len(tokens):
        word, flag = tokens[i]
        kind = _POS_KINDS.get(flag)
        if kind == "person":
            j, parts = i, []
            while j < len(tokens) and (tokens[j][1] in _PERSON_FLAGS or (parts and tokens[j][0] in _NAME_DOTS)):
                parts.append(tokens[j][0])
                j += 1
            name = "".join(parts).strip("".join(_NAME_DOTS))
            rest = _transliteration_rest(name, text[starts[j] : starts[j] + _LONGEST_REST + 1])
            if rest:
                # rjieba ended the name inside a transliteration (切尔|内申科, 米修斯|廷): the rest belongs to it.
                name += rest
                while j < len(tokens) and starts[j] < starts[i] + len(name):
                    j += 1
            if 2 <= len(name) <= 12 and fold_name(name) not in _NOT_NAMES:
                found[(name, "person")] += 1
                previous = tokens[i - 1][0] if i else ""
                if _ROLE.search(previous):
                    after_role[name] = previous
            i = j
            continue
        if kind and 2 <= len(word) <= 8 and fold_name(word) not in _NOT_NAMES:
            found[(word, kind)] += 1
        i += 1
    return found, after_role


def extract_mentions(gazetteer: Gazetteer, title: str | None, body: list[str]) -> list[Mention]:
    """Every entity mention in an article (title first), teaching `gazetteer` as it goes."""
    text = "\n".join([title or "", *body])
    learn_from_text(gazetteer, text)
    tagged, after_role = _tag_names(text)
    # A name right after a title is a person even when seen once (乌克兰总统泽伦斯基).
    for name in after_role:
        # A given name before a dot (弗拉基米尔•普京) is not a person of its own.
        if (gazetteer.lookup(name) is None and may_be_person(name)
                and not re.search(re.escape(name) + r"\s*[·‧•・]", text)):
            gazetteer.add(Entity(_new_id("person", name), "person", name))
    folded = _scan_form(text)
    mentions: list[Mention] = []
    previous_end, previous_place = -1, ""
    for start, end, entity_id in gazetteer.scan(folded):
        entity = gazetteer.entities[entity_id]
        role = None
        role_match = _ROLE.search(text[max(0, start - 8) : start])
        if role_match:
            role = role_match.group()
            # 美国国务卿: the place just before the title belongs to it.
            if previous_place and previous_end == start - len(role):
                role = previous_place + role
            if entity.kind == "person":
                entity.roles[role] += 1
                gazetteer.changed.add(entity_id)
        mentions.append(Mention(entity_id, text[start:end], role))
        previous_end, previous_place = end, (text[start:end] if entity.kind == "place" else "")
    surfaces = [m.surface for m in mentions]
    for (name, kind), count in tagged.items():
        # Only people come from part-of-speech tags: its place and organisation tags are too noisy
        # (美俄, 唐人); those come from the gazetteer.
        if kind != "person" or count < 2 or gazetteer.lookup(name) is not None or any(name in s for s in surfaces):
            continue
        if re.search(re.escape(name) + r"\s*[·‧•・]", text) or not may_be_person(name) or not looks_like_a_name(name):
            continue
        entity = gazetteer.add(Entity(_new_id(kind, name), kind, name))
        mentions.extend(Mention(entity.id, name) for _ in range(count))
    return mentions
