"""Who said what: quoted and reported statements in an article, with their speaker resolved to an entity.

Four shapes are read, on text folded to one script and width (so traditional-script captures read
the same), with the cue words of `data/quote_cues.toml`:
- “QUOTE”，SPEAKER VERB。 (`“……”，佩斯科夫告诉记者。`, `“……”他说。`)
- SPEAKER VERB：“QUOTE” and SPEAKER VERB，STATEMENT。 (`拉夫罗夫表示，……。`): a statement runs to the
  end of its sentence; one wholly in quotation marks is the quote inside them;
- 据SOURCE报道，STATEMENT。 (`據中央社報導，……`): the source speaks unless someone inside is quoted;
- English in mixed text: `"…," Lavrov said.` and `Lavrov said: "…"`.
The speaker is the person or organisation the gazetteer finds nearest the verb (not one inside
`与…`/`和…`, nor a possessor `拜登的发言人`); a pronoun (`他说`) stands for the speaker quoted just
before, or the one person named in the text before it, and is dropped when neither is safe; an
unnamed speaker (`国务院的一名高级官员`) is kept as printed, with no entity.
"""

from __future__ import annotations

import contextvars
import re
import sqlite3
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from newsdesk.analysis.entities import (
    _ROLE_WORDS,
    Gazetteer,
    _scan_form,
    fold_name,
    looks_like_a_name,
    name_vocabulary,
)

OPEN_MARKS = "“「『\""
CLOSE_FOR = {"“": "”", "「": "」", "『": "』", '"': '"'}
SENTENCE_END = "。！？!?；;"
# `︰` (a vertical two-dot leader) is the colon of Hong Kong papers (`黃思麗亦料……︰「……」`).
CLAUSE_BREAK = "。！？!?；;，,：:︰—\n"
# A speaker phrase longer than this is a clause, not a name or a title.
MAX_SPEAKER_CHARS = 16
# How far before its verb the speaker of a quotation may begin (`“……”，SPEAKER VERB`), asides in brackets included.
POST_SPEAKER_CHARS = 64
# A quotation shorter than this is a term in scare quotes (“特别军事行动”), unless a cue claims it.
MIN_QUOTE_CHARS = 6
# A speaker before a colon (`时事评论员李林一：“……”`) longer than this is a heading, not a person.
COLON_SPEAKER_CHARS = 12
# How far back (characters of the article) a pronoun may look for the speaker it stands for.
PRONOUN_REACH = 400
# How far back `这位官员`, `该公司` may look for the speaker described so.
DESCRIPTION_REACH = 1500


@dataclass(frozen=True, slots=True)
class Quote:
    """One attributed statement: `block` is the body block (paragraph) it is in, `start`/`end` the
    statement's place in that block; `speaker` is the name as printed (for a pronoun, the name it
    stands for, with the pronoun in `via`)."""

    speaker: str
    entity_id: str | None
    text: str
    block: int
    start: int
    end: int
    kind: str  # direct | indirect | source
    cue: str
    via: str | None = None

    def to_record(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Cues:
    speech: tuple[str, ...]
    source: tuple[str, ...]
    source_lead: tuple[str, ...]
    pronoun: tuple[str, ...]
    modifier: tuple[str, ...]
    english: tuple[str, ...]
    not_cue: tuple[str, ...]
    lead: tuple[str, ...]
    not_speaker: frozenset[str]
    honorific: tuple[str, ...]
    title: tuple[str, ...]
    belief: frozenset[str]
    not_subject_start: tuple[str, ...]
    not_subject_end: tuple[str, ...]
    subject_start_ok: tuple[str, ...]
    document: tuple[str, ...]
    goes_on: tuple[str, ...]
    going_on: tuple[str, ...]
    cue_before_a_mark: tuple[str, ...]
    document_part: tuple[str, ...]


# Whether the reading in progress proposes candidates with the candidate verbs too (`find_candidates`): the
# acceptance model then decides which are statements.
_WIDE: contextvars.ContextVar[bool] = contextvars.ContextVar("quote_candidates_wide", default=False)


def cues() -> Cues:
    return _cues(_WIDE.get())


@lru_cache(maxsize=1)
def _cue_data() -> dict[str, Any]:
    path = resources.files("newsdesk") / "data" / "quote_cues.toml"
    return tomllib.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=2)
def _cues(wide: bool) -> Cues:
    def words(section: str) -> tuple[str, ...]:
        return _words(section, "candidate_speech") if wide and section == "speech" else _words(section)

    return Cues(
        *(words(s) for s in ("speech", "source", "source_lead", "pronoun", "modifier", "english", "not_cue", "lead")),
        frozenset(words("not_speaker")), words("honorific"),
        # An organisation's name before a person's (`台灣酒駕防制社會關懷協會高淑真`) ends as a title does.
        tuple(sorted({*words("title"), *(fold_name(w) for w in _ROLE_WORDS.split("|")),
                      *_organisation_endings()}, key=lambda w: (-len(w), w))),
        frozenset(words("belief")),
        words("not_subject_start"), words("not_subject_end"), words("subject_start_ok"), words("document"),
        words("goes_on"), words("going_on"), words("cue_before_a_mark"), words("document_part"),
    )


@lru_cache(maxsize=64)
def _words(*sections: str) -> tuple[str, ...]:
    """The words of these sections of data/quote_cues.toml, folded, longest first."""
    found = {fold_name(w) for section in sections for entry in _cue_data().get(section, []) for w in entry["words"]}
    return tuple(sorted(found, key=lambda w: (-len(w), w)))


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in words)


def _patterns() -> dict[str, re.Pattern[str]]:
    return _patterns_for(_WIDE.get())


@lru_cache(maxsize=2)
def _patterns_for(wide: bool) -> dict[str, re.Pattern[str]]:
    c = _cues(wide)
    speech = _alternation(c.speech)
    return {
        # A speech verb followed by the punctuation or quotation mark that opens what was said.
        "pre": re.compile(rf"(?P<cue>{speech})(?P<punct>\s*[：:，,]\s*|(?=[“「『]))"),
        # `告诉CNN，` / `告訴美國之音：`: the verb, whom it was told to, then what.
        "told": re.compile(r"(?P<cue>告诉)(?P<whom>[^，,：:。“”「」\s]{1,10}?)(?P<punct>\s*[：:，,]\s*|(?=[“「『]))"),
        # After a closing mark: SPEAKER VERB then the end of the clause.
        # Room for a description and an English name in brackets (`……顧問公司的高級顧問薄邁倫(Myron Brilliant)說`).
        "post": re.compile(rf"[，,]?\s*(?P<speaker>[^。！？!?；;，,：:“”「」『』\n]{{1,{POST_SPEAKER_CHARS}}}?)"
                           rf"(?P<cue>{speech})\s*(?=[。，,：:！？!?；;]|$)"),
        "source": re.compile(rf"(?:{_alternation(c.source_lead)})(?P<speaker>[^。！？!?；;，,：:“”「」\n]{{2,40}}?)"
                             rf"(?P<cue>{_alternation(c.source)})[，,：:]\s*"),
        "modifier": re.compile(_alternation(c.modifier)),
        # A later clause opening with a pronoun or a word that goes on and another attribution (`，並強調`, `，他認為`).
        "goes_on": re.compile(rf"(?<=[，,])\s*(?:[他她](?!们)(?:{_alternation(c.going_on)})?|(?:{_alternation(c.going_on)}))"
                              rf"(?P<cue>{_alternation(c.goes_on)})"),
        # `正如古德温所指出的那样，……`, `正如习近平主席在……时所指出，……`: the statement after it is the speaker's.
        "as_said": re.compile(rf"(?:正如|诚如|如同)(?P<speaker>[^。！？!?；;，,：:“”「」\n]{{2,40}}?)所(?P<cue>{speech})"
                              rf"(?:的那样|的一样|的)?(?P<punct>[，,])"),
        # `按照人口学家梁中堂的说法，……`, `按他的话说，……`: whose account it is (data/quote_cues.toml, account).
        "account": re.compile(rf"(?:{_alternation(_words('account_lead'))})(?P<speaker>[^。！？!?；;，,：:“”「」\n]{{1,30}}?)"
                              rf"(?P<cue>{_alternation(_words('account'))})[，,：:]\s*"),
        # A sentence that opens with its speaker and a colon: `俄罗斯外长拉夫罗夫：“……”`.
        "colon": re.compile(rf"(?:^|(?<=[。！？!?\n]))(?P<speaker>[^。！？!?；;，,：:“”「」\n]{{2,{MAX_SPEAKER_CHARS + 4}}})[：:]\s*(?=[“「])"),
        "english_post": re.compile(
            rf",?\s*(?P<speaker>(?:[A-Z][\w.'’\-]+\s?){{1,4}}|he|she)\s+(?P<cue>{_alternation(c.english)})\b"
        ),
        "english_pre": re.compile(
            rf"(?P<speaker>(?:[A-Z][\w.'’\-]+\s?){{1,4}})\s+(?P<cue>{_alternation(c.english)})\s*[:,]?\s*(?=[\"“])"
        ),
    }


# Endings of a speaker that is the press (`港媒`, `外媒`, `官媒`, `多家媒体`): never what 他/她 stands for.
_MEDIA_ENDINGS = ("媒", "媒体")
_PREPOSITIONS = frozenset("与和同跟对向给被把及")
_PLACE_ENDINGS = frozenset("村镇乡县市区路街")
# Kin words that name someone (`小花母亲`, `其奶奶`), and those that say whether 他 or 她 may stand for them.
_FEMALE = ("母亲", "奶奶", "妈妈", "外婆", "姥姥", "妻子", "女儿", "姐姐", "妹妹", "女士", "太太", "小姐")
_MALE = ("父亲", "爷爷", "爸爸", "外公", "姥爷", "丈夫", "儿子", "哥哥", "弟弟", "先生")
_KIN = "|".join(w for w in (*_FEMALE, *_MALE) if w not in ("女士", "太太", "小姐", "先生"))


def _agrees(pronoun: str, surface: str) -> bool:
    """Whether 他/她 may stand for someone so named (other pronouns and unmarked names always may)."""
    name = fold_name(surface)
    return not ((pronoun.startswith("他") and name.endswith(_FEMALE)) or (pronoun.startswith("她") and name.endswith(_MALE)))


_QUANTIFIER = re.compile(r"(?:一|这|那|该|某|另一|另|多|几)(?:位|名|个|些)?")
_BYLINE = re.compile(r"[（(【\[][^（）()【】\[\]]*(?:记者|报导|报道|电|讯|综合)[^（）()【】\[\]]*[）)】\]]|\d{1,2}日电")
# `综合《经济日报》、中时电子报和联合网报道`: several sources at once are no one speaker.
_SEVERAL_SOURCES = ("综合",)
_BRACKETED = re.compile(r"[（(][^（）()]*[）)]")
# A book or report title (`《「清除思想流毒」：中國對新疆穆斯林的鎮壓行動》`) ends no clause either.
_TITLED_OR_BRACKETED = re.compile(r"[（(][^（）()]*[）)]|《[^《》]*》")
# A middle initial kept in Latin letters (`迈克尔·A·麦克福尔`) is part of the name.
_DOTTED = re.compile(r"[\u4e00-\u9fff]{1,8}(?:\s*[·‧•・]\s*(?:[A-Z]\.?\s*[·‧•・]\s*)?[\u4e00-\u9fff]{1,10})+")
_LATIN_NAME = re.compile(r"[A-Z][\w'’\-]+(?:\s+[A-Z][\w'’\-]+)+")
# `这位官员`, `该发言人`, `这些人士`: someone named before.
_ANAPHOR = re.compile(r"(?:这|该|此)(?:位|名|些|两位|几位|种|类|份|篇|项)?([\u4e00-\u9fff]{1,6})$")


@dataclass
class _Speaker:
    surface: str
    entity_id: str | None
    via: str | None = None
    # The words that named them (`国务院的一名高级官员`, `台氟公司人力資源管理師徐慧婷`), folded: what
    # `该官员`, `该公司` may refer back to.
    described: str = ""
    # For 他/她: everyone the pronoun could stand for, with what the speaker model read of them (round 5).
    options: tuple[dict[str, Any], ...] = ()


class _Reader:
    """Reads one article; remembers the speakers met so far, for pronouns."""

    def __init__(self, gazetteer: Gazetteer, blocks: list[str]) -> None:
        self.gazetteer = gazetteer
        self.blocks = blocks
        self.folded = [_scan_form(b) for b in blocks]
        # The folding turns `︰` into a space; it is a colon (same length, so offsets stay the same).
        self.folded = [
            "".join("：" if ch == "︰" else f for ch, f in zip(b, folded, strict=True)) if "︰" in b else folded
            for b, folded in zip(blocks, self.folded, strict=True)
        ]
        self.offsets = []
        at = 0
        for block in blocks:
            self.offsets.append(at)
            at += len(block) + 1
        # The article as one text (article offsets index it).
        self.whole, self.whole_folded = "\n".join(blocks), "\n".join(self.folded)
        # (article offset, speaker) of named speakers and of people named, in reading order.
        self.named: list[tuple[int, _Speaker]] = []
        self.people: list[tuple[int, str, str | None]] = []  # (article offset, surface, entity id)
        # Article offsets of the statements found so far: people named inside them are not antecedents.
        self.quoted: list[tuple[int, int]] = []
        # (quote, the options its pronoun had): what bench/quote_model.py trains the speaker model on.
        self.decisions: list[tuple[Quote, tuple[dict[str, Any], ...]]] = []
        self.collect_decisions = False
        # `谢尔盖说` after `谢尔盖·盖代`: a given name alone stands for the one full name the article gave it.
        full: dict[str, set[str]] = {}
        for block in blocks:
            for given, dot, family in re.findall(r"([\u4e00-\u9fff]{2,4})(\s*[·‧•・]\s*)([\u4e00-\u9fff]{1,10})", block):
                # Where the given name begins is not known (`州长谢尔盖·盖代`): each ending of two or more characters.
                for at in range(len(given) - 1):
                    full.setdefault(given[at:], set()).add(given[at:] + dot + family)
        self.full_names = {given: names.pop() for given, names in full.items() if len(names) == 1}
        # `汪強調` after `發言人汪文斌`: a surname alone stands for the one titled name it begins.
        # With two such names (`莊思寧`, then `負責人莊天麟`), `莊說` is the one named last before it.
        self.titled_names: dict[str, list[tuple[int, str]]] = {}
        for index, block in enumerate(self.folded):
            for m in re.finditer(rf"(?:{_alternation(cues().title)})([\u4e00-\u9fff]{{3}})", block):
                if looks_like_a_name(m.group(1)):
                    self.titled_names.setdefault(m.group(1)[0], []).append((self.offsets[index] + m.start(1), m.group(1)))
        self.surnames = {first: names[0][1] for first, names in self.titled_names.items()}
        # `侯表示`, `黎向同事表示`, `黎續稱` (Taiwan and Hong Kong papers): a surname alone, at the head of a clause,
        # stands for the one person of that surname the article names more than once (names as the tagger reads them).
        import rjieba

        whole = "\n".join(self.folded)
        by_surname: dict[str, set[str]] = {}
        # The tagged words by where they begin in the article, and the word after each (one tagging of the article).
        tagged = rjieba.tag(whole)
        word_at: dict[int, tuple[str, str, str, str]] = {}
        at = 0
        # Names as the tagger reads them (`海子是王建兵的多年好友`): people a pronoun may stand for though the gazetteer
        # does not know them.
        self.tagged_names: list[tuple[int, str]] = []
        for number, (word, tag) in enumerate(tagged):
            word_at[at] = (word, tag, *(tagged[number + 1] if number + 1 < len(tagged) else ("", "")))
            if tag == "nr" and 2 <= len(word) <= 4:
                self.tagged_names.append((at, word))
            at += len(word)
            if tag == "nr" and len(word) == 3 and looks_like_a_name(word) and whole.count(word) >= 2:
                by_surname.setdefault(word[0], set()).add(word)
        self.named_twice = {first: names.pop() for first, names in by_surname.items() if len(names) == 1}
        for index, folded in enumerate(self.folded):
            # A subheading (`拜登将向习近平说明美国在台湾……的看法`) names who the next paragraphs are about,
            # not whom their 他 stands for.
            if _is_heading(folded):
                continue
            # Someone named inside quotation marks (`「特斯拉發布會上的摩托車皮夾克」`) is talked about, not acting.
            marked = list(_quoted_spans(blocks[index]))
            for start, end, entity_id in gazetteer.scan(folded):
                if any(o < start < c for o, c in marked):
                    continue
                entity = gazetteer.entities.get(entity_id)
                # Only people who act (not `与习近平交谈`, not `拜登的发言人`) may be what a pronoun stands for.
                # `韩国现代集团`: a name before an organisation's ending is the organisation's name.
                if entity is not None and entity.kind == "person" and not (
                    (start and folded[start - 1] in _PREPOSITIONS) or folded[end : end + 1] == "的"
                    or folded.startswith(_organisation_endings(), end) or _object_of_a_verb(folded, start)
                    # `合庆镇向东村`: a name before a place's ending is the place's name.
                    or folded[end : end + 1] in _PLACE_ENDINGS
                ):
                    self.people.append((self.offsets[index] + start, blocks[index][start:end], entity_id))
            # `HONG太太`, `钟先生`: a surname and a form of address name someone as surely as a full name.
            for m in re.finditer(r"((?<![A-Za-z])[A-Z][A-Za-z\-]+|[\u4e00-\u9fff])(先生|女士|太太|小姐)", blocks[index]):
                if (m.group(1)[0].isascii() or looks_like_a_name(fold_name(m.group(1)) + "某")) and not any(
                    o < m.start() < c for o, c in marked
                ) and not _object_of_a_verb(folded, m.start()):
                    self.people.append((self.offsets[index] + m.start(), blocks[index][m.start() : m.end()], None))
            # `在新学校，小刚没再打人。他说，……`: a name (as the tagger reads it) opening a clause is its subject, someone
            # a pronoun may stand for, though the gazetteer does not know them.
            for clause in re.finditer(rf"[^{CLAUSE_BREAK}]+", folded):
                word, tag, after, after_tag = word_at.get(self.offsets[index] + clause.start(), ("", "", "", ""))
                # `养老服务管理本科专业培养……` (youth.cn), `阿尔法狗问世的时候` (lifeweek.com.cn): a word the tagger calls
                # a name, with no surname and before a noun it qualifies, is the first word of a compound, no one.
                compound = after_tag in ("n", "vn", "nz", "nt") and not looks_like_a_name(word)
                if tag == "nr" and 2 <= len(word) < len(clause.group()) and after != "的" and not compound and not any(
                    o < clause.start() < c for o, c in marked
                ):
                    self.people.append((self.offsets[index] + clause.start(), blocks[index][clause.start() : clause.start() + len(word)], None))
            # `当时不在场的小花母亲说法不同。“……”她说`: someone named by their kin (`小花母亲`, `小刚奶奶`) is someone a
            # pronoun may stand for, as a name is.
            for m in re.finditer(rf"(?:^|(?<=[，,。！？!?；;的]))([\u4e00-\u9fff]{{1,3}}(?:{_KIN}))(?![的])", folded):
                if not any(o < m.start() < c for o, c in marked) and not _object_of_a_verb(folded, m.start(1)) and not (
                    _starts_with_a_verb(m.group(1))  # `見母親為生計發愁`: whom someone saw
                ):
                    self.people.append((self.offsets[index] + m.start(1), blocks[index][m.start(1) : m.end(1)], None))
        self.people.sort(key=lambda person: person[0])
        # An interview transcript's turns (`界面新闻：……` / `李洪元：……`): block -> (name start, name end, words start).
        self.turns = _dialogue_turns(self.folded)

    # --- speakers --------------------------------------------------------------------

    def speaker(self, block: int, phrase_start: int, phrase_end: int) -> _Speaker | None:
        """The speaker named by the block's text between the two offsets (the words before a verb)."""
        found = self._speaker(block, phrase_start, phrase_end)
        if found is not None and found.via is None and not found.described:
            phrase = _TITLED_OR_BRACKETED.sub("", self.folded[block][phrase_start:phrase_end])
            found.described = re.split(f"[{CLAUSE_BREAK}]", phrase)[-1]
        return found

    def _speaker(self, block: int, phrase_start: int, phrase_end: int) -> _Speaker | None:
        text, folded = self.blocks[block][phrase_start:phrase_end], self.folded[block][phrase_start:phrase_end]
        # Only the clause right before the verb names the speaker.
        # Marks inside brackets (`蘇利文（Jake Sullivan；沙利文）`) end no clause.
        unbracketed = _TITLED_OR_BRACKETED.sub(lambda m: m.group()[0] + "\0" * (len(m.group()) - 2) + m.group()[-1], text)
        cut = max(unbracketed.rfind(mark) for mark in CLAUSE_BREAK)
        # A quotation that ended a sentence (`……。」她並提到`) ends the clause too.
        for close in re.finditer(r"[。！？!?，,][”」』]", text):
            cut = max(cut, close.end() - 1)
        while cut + 1 < len(text) and text[cut + 1] in "”」』":
            cut += 1
        # A dateline and byline (`新华社北京9月13日电（记者刘欢）`, `（中央社記者X台北23日電）`) end before the speaker.
        for byline in _BYLINE.finditer(folded):
            cut = max(cut, byline.end() - 1)
        text, folded, base = text[cut + 1 :], folded[cut + 1 :], phrase_start + cut + 1
        c = cues()
        while True:
            # A dateline in brackets (`（中央社雪梨23日綜合外電報導）`), then words that open a clause (`对此`).
            stripped = re.sub(r"^\s*(?:[（(【\[][^）)】\]]*[）)】\]]\s*)*", "", folded)
            lead = next((w for w in c.lead if stripped.startswith(w)), None)
            skip = len(folded) - len(stripped) + (len(lead) if lead else 0)
            text, folded, base = text[skip:], folded[skip:], base + skip
            if not lead:
                break
        # `X援引Y的话说`, `X引述Y说`: Y speaks.
        # `彭博社報導美國商務部表示`: the one reported on speaks.
        relay = re.search(r"(?:援引|引述|引用|转述|报道|报导)(.+?)(?:的话|的说法|说法)?$", folded)
        # `报道举例称`: a report with no source before it is the document itself, relaying no one.
        if relay and relay.start() == 0 and relay.group().startswith(("报道", "报导")):
            return None
        if relay and relay.start(1) < len(folded):
            text, folded, base = text[relay.start(1) :], folded[relay.start(1) :], base + relay.start(1)
            for tail in ("的说法", "说法", "的话", "的消息", "消息"):
                if folded.endswith(tail):
                    text, folded = text[: -len(tail)], folded[: -len(tail)]
                    break
        # `我认为，……` in an interview transcript: the one whose turn it is (bench/data/quotes/README.md, fresh4 5a and
        # corpus2: caijingefa, cnpolitics.org).
        if folded.strip() == "我" and self.turns:
            return self.turn_speaker(block)
        if folded.strip() in cues().not_speaker or (len(folded.strip()) == 1 and folded.strip() in cues().not_subject_start):
            # `据介绍，`, `据分析，`, `有報導稱，`: nobody in particular.
            return None
        bare = folded.strip()
        if bare and bare[0] in self.named_twice and (len(bare) == 1 or _patterns()["modifier"].match(bare, 1)) and (
            bare[0] not in self.surnames
        ):
            return self._named(self._surface(self.named_twice[bare[0]]))
        if len(text.strip()) < 2 and text.strip() not in cues().pronoun and folded.strip() not in self.surnames:
            # `拉夫罗夫周二抨击了西方，告诉俄罗斯国家媒体，……`, `普京宣佈……時，……，僅表示：`: the subject of an
            # earlier clause of the sentence speaks.
            return self._earlier_subject(block, phrase_start, phrase_start + cut + 1)
        at = self.offsets[block] + base
        # Asides in brackets (an English name, a date) are not part of the speaker.
        keep = [i for i, ch in enumerate(_BRACKETED.sub(lambda m: "\0" * len(m.group()), folded)) if ch != "\0"]
        text, folded = "".join(text[i] for i in keep), "".join(folded[i] for i in keep)
        # `彭博社近日的一篇文章指出`, `澎湃新聞稿指`: the outlet's document, not the outlet, is the subject (round 5);
        # `Michael Morell 在华盛顿邮报发表文章说`: someone who wrote it speaks.
        if len(folded.strip()) > 2 and re.search(r"(?:[的篇]文章|新闻稿)$", folded.strip()):
            return None
        end = self._modifier_cut(folded)
        # `王慧杰动情地说`, `一位女生激动地说`: how they spoke is not who.
        manner = re.search(r"[\u4e00-\u9fff]{2}地$", folded[:end])
        if manner and manner.start() >= 2:
            end = manner.start()
            text, folded = text[:end], folded[:end]
        head, head_folded = text[:end].strip().rstrip("0123456789 "), folded[:end].strip().rstrip("0123456789 ")
        # `根据参与会面的一位代表回忆`: whose account it is follows 根据.
        lead = next((w for w in c.source_lead if head_folded.startswith(w) and len(head_folded) > len(w)), None)
        if lead:
            text, folded = text[len(lead) :], folded[len(lead) :]
            head, head_folded = head[len(lead) :], head_folded[len(lead) :]
            if head_folded in c.not_speaker:
                return None
        # `其奶奶指出`: 其 is the possessive of whoever spoke last (`小刚称，……。不过，其奶奶指出`).
        kin = re.fullmatch(rf"其({_KIN})", head_folded)
        if kin:
            owner = self._antecedent(at, "他")
            return _Speaker(owner.surface + head[1:], None) if owner is not None else None
        # 他说, 这位官员说, 这些人士表示: someone named before.
        # `正如他們自己所說`: they are not one person named before.
        if head_folded.startswith(("他们", "她们", "它们", "它")):
            return None
        pronoun = next((p for p in c.pronoun if head_folded.startswith(p) or head_folded.endswith(p)), None)
        # `检察官却哄骗他说`: a pronoun after a verb is whom the words were said to, not who said them.
        if pronoun in ("他", "她") and not head_folded.startswith(pronoun) and _object_of_a_verb(
            head_folded, len(head_folded) - 1
        ):
            return None
        # `财政部的这位高级官员`: the words before the 这 only describe whom it points at.
        anaphor = _ANAPHOR.match(head_folded) or re.search(r"的" + _ANAPHOR.pattern, head_folded)
        if (pronoun or anaphor) and self._entity_in(head_folded) is None:
            # `这些人士` stands for the last speaker who was a 人士, if any.
            # `这位官员` is in the pronoun list too: its noun still narrows whom it stands for.
            noun = anaphor.group(1) if anaphor else None
            # `该论文称`, `这份报告指出`: a document, not someone quoted before.
            if noun and (noun in c.not_speaker or noun.lstrip("份篇项") in c.not_speaker):
                return None
            return self._antecedent(at, (pronoun or head).rstrip("还也则"), noun)
        # `对于……思索她对记者说`: a pronoun right before the verb's modifiers is its subject.
        for match in re.finditer(r"[他她](?!们)", folded):
            rest = folded[match.end() :]
            if (not rest or _patterns()["modifier"].match(rest)) and self._entity_in(rest) is None:
                if match.start() and _object_of_a_verb(folded, match.start()):
                    return None
                return self._antecedent(at, match.group())
        # A full name (`安吉特·潘達`, `Sami Jauhiainen`) with only time, place and manner words after it.
        for pattern in (_DOTTED, _LATIN_NAME):
            names = [m for m in pattern.finditer(text) if self._ends_phrase(folded[m.end() :])]
            if names:
                return self._named(_clean_name(names[-1].group()))
        found = self._entity_in(head_folded)
        if found is not None:
            start, stop, entity_id = found
            tail = head_folded[stop:].strip()
            if not tail or tail in c.honorific:
                return _Speaker(head[start:stop], entity_id)
            # `马云叮嘱新人们说`, `卢宇恳切地说`: the person, then what they did as they spoke.
            if start == 0 and _acts(tail):
                return _Speaker(head[start:stop], entity_id)
        # `人權觀察報告提到`, `相關引渡條約亦有提到`: a document, not who spoke; so is one named with where in it
        # the words stand (`通知中表示`, `公報結尾又稱`).
        document = head_folded
        for part in cues().document_part:
            document = document.removesuffix(part)
        if document in cues().document or (len(head_folded) > 2 and document.endswith(cues().document)):
            return None
        # `如果当初告诉我们`, `不需要分析说`, `……的调查结果和公开表态`, `我要严肃的告诉大家`: unless a name ends
        # them (`我很喜欢的学者、作家Tim Wu说`), the words before the verb are a clause of another kind.
        if _not_a_subject(head_folded):
            return None
        # `香港大學金融學教授陳志武`, `研究员姜浩（音）周三说`: the name after the last title, then only time,
        # place and manner words; `在澳大利亚留学的马素湘`: the name a description ends in.
        name = self._name_after_title(text, folded) or self._name_after_description(head, head_folded)
        if name:
            return self._named(name)
        # `莊說`, and `黃續指`, `張又稱` (a surname and a word of time or manner, Hong Kong and Taiwan papers).
        if head_folded[:1] in self.surnames and (
            len(head_folded) == 1 or _patterns()["modifier"].fullmatch(head_folded[1:])
        ):
            surname = head_folded[0]
            before = [name for offset, name in self.titled_names[surname] if offset < at]
            if before or len({name for _, name in self.titled_names[surname]}) == 1:
                return self._named(self._surface(before[-1] if before else self.surnames[surname]))
            return None
        if head_folded.startswith(_SEVERAL_SOURCES):
            return None
        # `海外网友纷纷表示`, `許多網友認為`: a crowd of netizens is no identifiable speaker, nor is `有村民如是说`,
        # one of the crowd (`有專家表示` is still an expert).
        if head_folded.endswith(("网友", "网民")) or re.fullmatch(r"有(?:村民|居民|市民|民众|群众|路人)", head_folded):
            return None
        # A Latin name (`航跡追蹤網站「flightradar24」`) counts as one word, not as its letters.
        length = len(re.sub(r"[A-Za-z0-9][A-Za-z0-9.\-]*", "A", head))
        if len(head) < 2 or length > MAX_SPEAKER_CHARS or not re.search(r"[\u4e00-\u9fffA-Za-z]", head):
            return None
        if fold_name(head) in c.not_speaker or re.match(r"\d", head):
            return None
        if head in self.full_names:
            return self._named(self.full_names[head])
        # `乌克兰总统说` in an article that names `乌克兰总统泽连斯基`: printed as the text names them, resolved to the person.
        # `伊朗迈赫尔通讯社和路透社`, `研究人員和政府官員`: two speakers at once are no one speaker.
        if _two_speakers(head_folded):
            return None
        # A name the gazetteer does not know stands in for the description (`州长` → `谢尔盖·盖代`).
        named = self._titled_elsewhere(head_folded)
        if named is not None:
            person = self._named(named)
            return _Speaker(head, person.entity_id) if person.entity_id is not None else person
        # `其間向下屬表示`, `於深水埗福華街站在……旁高呼`: words that open with time, place or manner and name no one have
        # no subject of their own; the sentence's does (`日本`, `月球` open with no date).
        # `他突然拍桌子，大聲的說`: how they spoke (地, or 的 as Taiwan papers write it) names no one; the subject of
        # the sentence speaks.
        if re.fullmatch(r"[\u4e00-\u9fff]{2}[地的]", head_folded) and cut >= 0:
            return self._earlier_subject(block, phrase_start, phrase_start + cut + 1)
        # `……解釋說「……。」、2019年又信誓旦旦地表示「……」`: a date alone names no one either.
        if re.fullmatch(r"[、\s]*[\d〇一二三四五六七八九十]+年(?:\d+月)?(?:\d+日)?时?", head_folded) and cut >= 0:
            return self._earlier_subject(block, phrase_start, phrase_start + cut + 1)
        opening = _patterns()["modifier"].match(head_folded)
        if opening and opening.group() not in ("日", "月") and cut >= 0 and not (
            "有" in opening.group() or head_folded.startswith("有", opening.end())
        ):
            return self._earlier_subject(block, phrase_start, phrase_start + cut + 1)
        return _Speaker(head, None)

    def _titled_elsewhere(self, description: str) -> str | None:
        """`卢甘斯克州州长说` when the article names `卢甘斯克州州长谢尔盖·盖代` elsewhere: the one name the article
        gives after the same words (the title and at least two characters before it), before or after."""
        title = next((t for t in cues().title if description.endswith(t)), None)
        # An organisation (`台灣酒駕防制社會關懷協會指出`) speaks for itself, not through the officer it names elsewhere.
        if title is None or len(description) < len(title) + 2 or description.endswith(_organisation_endings()):
            return None
        key = description[-(len(title) + 2) :]
        names = set()
        for block, folded in zip(self.blocks, self.folded, strict=True):
            for found in re.finditer(re.escape(key), folded):
                at = found.end()
                dotted = _DOTTED.match(folded, at)
                if dotted:
                    names.add(_clean_name(block[at : dotted.end()]))
                    continue
                run = re.match(r"[\u4e00-\u9fff]{2,4}", folded[at : at + self._modifier_cut(folded[at:])])
                for length in range(len(run.group()) if run else 0, 1, -1):
                    name = folded[at : at + length]
                    # `高淑真表示`: the name ends where a verb, a time word or a mark begins.
                    rest = folded[at + length :]
                    ends = not rest or rest[0] in CLAUSE_BREAK + "（(" or rest.startswith(cues().speech) or bool(
                        _patterns()["modifier"].match(rest))
                    if ends and looks_like_a_name(name) and not _patterns()["modifier"].match(name):
                        names.add(block[at : at + length])
                        break
        return names.pop() if len(names) == 1 else None

    def _name_after_title(self, text: str, folded: str) -> str | None:
        c = cues()
        # From the last title back (`大學朱岳中助理教授`: the name is between two titles).
        for titled in reversed(list(re.finditer(_alternation(c.title), folded))):
            at = titled.end()
            # `盛洪在接受采访时`: a name ends where the time, place and manner words begin.
            run = re.match(r"[\u4e00-\u9fff]{2,4}", folded[at : at + self._modifier_cut(folded[at:])])
            for length in range(len(run.group()) if run else 0, 1, -1):
                name = folded[at : at + length]
                # `国务院官员周一透露`: no name, only the time.
                if _patterns()["modifier"].match(name):
                    return None
                if (self._ends_phrase(folded[at + length :]) and name not in c.not_speaker
                        and (looks_like_a_name(name) or self.gazetteer.lookup(name) is not None)):
                    return text[at : at + length]
        return None

    def _name_after_description(self, head: str, head_folded: str) -> str | None:
        at = head_folded.rfind("的")
        name = head_folded[at + 1 :] if at != -1 else ""
        if 2 <= len(name) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", name) and name not in cues().not_speaker and (
            looks_like_a_name(name) or self.gazetteer.lookup(name) is not None
        ):
            return head[at + 1 :]
        return None

    def _earlier_subject(self, block: int, lo: int, hi: int) -> _Speaker | None:
        folded = self.folded[block]
        clauses = [m for m in re.finditer(rf"[^{CLAUSE_BREAK}]+", folded[lo:hi])]
        for clause in reversed(clauses):
            found = self._entity_in(clause.group())
            if found is not None:
                start, stop, entity_id = found
                return _Speaker(self.blocks[block][lo + clause.start() + start : lo + clause.start() + stop], entity_id)
        # No one the gazetteer knows: the subject the sentence opened with (`小刚不愿细谈此事，只称，……`,
        # `节俭国家以外的成员国领导人强调……，但警告称，……`), when it is someone.
        import rjieba

        for clause in clauses:
            subject, skipped = "", 0
            for word, tag in rjieba.tag(clause.group()):
                # `而且2013年時潘石屹面對……`: a conjunction and a date before the subject are not part of it.
                if not subject and tag in ("c", "t", "x", "m"):
                    skipped += len(word)
                    continue
                if (tag.startswith("v") and tag != "vn") or tag in ("d", "ad", "p", "t", "x"):
                    break
                subject += word
            if not subject.strip() or skipped + len(subject) == len(clause.group()):
                continue
            at = lo + clause.start() + skipped
            speaker = self._speaker(block, at, at + len(subject))
            # (the subject of a whole sentence may be a longer description than a colon's speaker)
            if speaker is not None and (_is_someone(speaker, MAX_SPEAKER_CHARS) or any(
                tag == "nr" for _, tag in rjieba.tag(fold_name(speaker.surface))
            )):
                return speaker
            return None
        return None

    def _surface(self, folded_name: str) -> str:
        """A folded name as the article prints it (its first occurrence)."""
        for block, folded in zip(self.blocks, self.folded, strict=True):
            at = folded.find(folded_name)
            if at != -1:
                return block[at : at + len(folded_name)]
        return folded_name

    def _ends_phrase(self, rest: str) -> bool:
        rest = rest.strip()
        # A title after the name (`朱岳中助理教授則`) and then the time, place and manner words.
        title = next((w for w in (*cues().honorific, *cues().title) if rest.startswith(w)), "")
        rest = rest[len(title) :].strip()
        return not rest or bool(_patterns()["modifier"].match(rest))

    def _named(self, name: str) -> _Speaker:
        entity = self.gazetteer.lookup(name) or self.gazetteer.lookup(re.split(r"[·‧•・\s]", name)[-1])
        return _Speaker(name, entity.id if entity else None)

    def _modifier_cut(self, folded: str) -> int:
        """Where the time, place and manner words before the verb begin (the speaker ends there)."""
        for match in _patterns()["modifier"].finditer(folded):
            at = match.start()
            if at < 2:
                continue
            # `日本`, `月球`: 日 and 月 are dates only after a number or a day word (`9日`, `今日`, `上月`).
            if match.group() in ("日", "月") and not re.search(r"[\d一二三四五六七八九十今昨明本上下当次前]$", folded[:at]):
                continue
            # `一位在流水线上忙碌的工人`: only a quantifier before it, the place is inside the description.
            if _QUANTIFIER.fullmatch(folded[:at]):
                continue
            # `王木所在社区的负责人`, `现存在`: part of a longer word.
            if folded[at - 1] in "所存实正" and match.group() == "在":
                continue
            return at
        return len(folded)

    def _entity_in(self, folded: str) -> tuple[int, int, str] | None:
        """The person or organisation nearest the end of the phrase, that is its subject: not after a
        preposition, not a possessor (`拜登的…`), not a place (`俄罗斯外交部` names no entity of its own)."""
        best = None
        for start, end, entity_id in self.gazetteer.scan(folded):
            entity = self.gazetteer.entities.get(entity_id)
            if entity is None or entity.kind not in ("person", "org"):
                continue
            if start and folded[start - 1] in _PREPOSITIONS:
                continue
            if folded[end : end + 1] == "的" or folded[end : end + 1] in _PREPOSITIONS - {"对", "向"}:
                continue
            best = (start, end, entity_id)
        return best

    def _antecedent(self, at: int, pronoun: str, noun: str | None = None) -> _Speaker | None:
        """The speaker a pronoun stands for: the last speaker within reach (a person, or someone unnamed:
        `这位官员`; for `这些人士`, the last one described as 人士), else the only person named within reach;
        None when that is not safe."""
        found = self._antecedent_by_rules(at, pronoun, noun)
        # The options are read only when a speaker model decides or someone collects the decisions (bench/quote_model.py).
        if noun is None and pronoun in ("他", "他还", "他也", "他则", "她", "她还", "她也", "她则") and (
            self.collect_decisions or _speaker_model_in_use()
        ):
            from newsdesk.analysis.quote_model import choose_speaker

            # The rules' answer is one thing the model reads of each option.
            options = self._pronoun_options(at, pronoun[0], found)
            chosen = choose_speaker(options)
            if chosen is not None:
                return _Speaker(chosen["surface"], chosen["entity_id"], pronoun, options=options)
            if found is not None:
                found.options = options
        return found

    def _pronoun_options(self, at: int, pronoun: str, ruled: _Speaker | None) -> tuple[dict[str, Any], ...]:
        """Everyone 他/她 at article offset `at` could stand for (people named and speakers quoted within reach), with
        what the speaker model reads of each: how near, whether they spoke, where in their clause they stand."""
        whole = self.whole_folded
        last_speaker = next((fold_name(s.surface) for offset, s in reversed(self.named) if offset < at), None)
        found: dict[str, dict[str, Any]] = {}

        def add(offset: int, surface: str, entity_id: str | None, spoke: bool, kind: str) -> None:
            if not (0 < at - offset <= PRONOUN_REACH) or any(lo <= offset < hi for lo, hi in self.quoted):
                return
            folded = fold_name(surface)
            if not folded:
                return
            key = folded
            option = found.setdefault(key, {"surface": surface, "entity_id": entity_id, "offset": offset, "spoke": False,
                                            "kinds": set()})
            option["spoke"] = option["spoke"] or spoke
            option["kinds"].add(kind)
            if offset >= option["offset"]:
                option["offset"], option["surface"] = offset, surface
                option["entity_id"] = option["entity_id"] or entity_id

        for offset, speaker in self.named:
            if speaker.via is None:
                add(offset, speaker.surface, speaker.entity_id, True, "speaker")
        for offset, surface, entity_id in self.people:
            add(offset, surface, entity_id, False, "person")
        for offset, word in self.tagged_names:
            add(offset, self.whole[offset : offset + len(word)], None, False, "tagged")
        last_spoke = max((o["offset"] for o in found.values() if o["spoke"]), default=-1)
        ruled_key = fold_name(ruled.surface) if ruled is not None else None
        options = sorted(found.values(), key=lambda o: -o["offset"])
        for rank, option in enumerate(options, 1):
            offset, folded = option["offset"], fold_name(option["surface"])
            end = offset + len(folded)
            block_start = whole.rfind("\n", 0, at) + 1
            entity = self.gazetteer.entities.get(option["entity_id"] or "")
            option.update(
                rank=rank, distance=at - offset, same_block=offset >= block_start,
                last_speaker=folded == last_speaker,
                clause_initial=offset == 0 or whole[offset - 1] in CLAUSE_BREAK + "”」』",
                sentence_initial=offset == 0 or whole[offset - 1] in SENTENCE_END + "\n",
                possessor=whole[end : end + 1] == "的", after_preposition=offset > 0 and whole[offset - 1] in _PREPOSITIONS,
                known_person=entity is not None and entity.kind == "person",
                known_other=entity is not None and entity.kind != "person",
                name_like=looks_like_a_name(folded), agrees=_agrees(pronoun, option["surface"]),
                mentions=whole.count(folded), ruled=folded == ruled_key,
                named_since_speaker=not option["spoke"] and offset > last_spoke and "person" in option["kinds"],
                tagged_only=option["kinds"] == {"tagged"}, subject_of_is=whole[end : end + 1] == "是",
            )
            option["kinds"] = sorted(option["kinds"])
        return tuple(options)

    def _antecedent_by_rules(self, at: int, pronoun: str, noun: str | None = None) -> _Speaker | None:
        if noun:
            # `这位官员`, `该公司`: the last speaker described so, within a longer reach (the noun narrows it).
            # `这位美国官员` after `美国财政部的一位高级官员`: failing the whole noun, its head (the last two
            # characters, `官员`) with the other characters inside the description.
            # `……得到了村口一位老年村民的赞同。这位村民补充道`: someone introduced with 一位 and the same noun since the
            # last speaker so described is whom it points at, though they have not spoken yet.
            introduced = [m for m in re.finditer(rf"(?:一位|一名)[^，,。！？!?；;“”「」\n]{{0,8}}?{re.escape(noun)}",
                                                 self.whole_folded) if m.end() <= at and at - m.start() <= DESCRIPTION_REACH]
            for fits in (lambda said: noun in said,
                         lambda said: len(noun) > 2 and noun[-2:] in said and all(ch in said for ch in noun[:-2])):
                for offset, speaker in reversed(self.named):
                    if offset < at and at - offset <= DESCRIPTION_REACH and (
                        fold_name(speaker.surface).endswith(noun) or fits(speaker.described)
                    ):
                        # (`美国财政部的一位高级官员谈到……` after `财政部的一位高级官员表示`: described as they were, the same one)
                        if introduced and introduced[-1].start() > offset and introduced[-1].group() not in (
                            speaker.described + fold_name(speaker.surface)
                        ):
                            break
                        return _Speaker(speaker.surface, speaker.entity_id, pronoun)
            if introduced:
                mention = introduced[-1]
                return _Speaker(self.whole[mention.start() : mention.end()], None, pronoun)
            # `该公司`, `该党` described no one quoted: not a person quoted before either.
            if noun.endswith(name_vocabulary().organisation_endings):
                return None
        last: tuple[int, _Speaker] | None = None
        for offset, speaker in reversed(self.named):
            # `小花母亲……。……他说`: 他 is not a mother, 她 not a father; the speaker before goes on.
            if not _agrees(pronoun, speaker.surface):
                continue
            if offset < at and at - offset <= PRONOUN_REACH:
                entity = self.gazetteer.entities.get(speaker.entity_id or "")
                # `港媒報導，……。……他說，`: the media or an organisation the gazetteer does not know is no 他 either.
                if (entity is None or entity.kind == "person") and not (
                    entity is None and fold_name(speaker.surface).endswith((*_organisation_endings(), *_MEDIA_ENDINGS))
                ):
                    last = (offset, speaker)
            break
        if pronoun in ("他", "她"):
            # A person named after that speaker, outside what anyone said (`王毅对美国进行了抨击。他称，`),
            # is nearer: the pronoun stands for them.
            named_since = [(offset, surface, entity_id) for offset, surface, entity_id in self.people
                           if (last[0] if last else at - PRONOUN_REACH) < offset < at
                           and not any(lo <= offset < hi for lo, hi in self.quoted) and _agrees(pronoun, surface)]
            if named_since:
                offset, surface, entity_id = named_since[-1]
                return _Speaker(surface, entity_id, pronoun)
        if last is not None:
            return _Speaker(last[1].surface, last[1].entity_id, pronoun)
        near = {entity_id or fold_name(surface): (surface, entity_id) for offset, surface, entity_id in self.people
                if 0 < at - offset <= PRONOUN_REACH}
        if len(near) == 1:
            surface, entity_id = next(iter(near.values()))
            return _Speaker(surface, entity_id, pronoun)
        return None

    def restart(self) -> None:
        """Forget what was read (speakers, statements, decisions), keeping what the article is (its folding, tagging
        and the people it names): the candidates' second reading (`find_candidates`) starts from here."""
        self.named, self.quoted, self.decisions = [], [], []
        self.collect_decisions = False

    def turn_speaker(self, block: int, own_block: bool = False) -> _Speaker | None:
        """Whose turn of an interview transcript the block is in: the speaker of the last turn opened at or before it
        (its answer goes on in the blocks after it); None outside a transcript (or, with `own_block`, when the block
        opens no turn itself)."""
        opened = [index for index in self.turns if index <= block]
        if not opened or (own_block and opened[-1] != block):
            return None
        start, end, _ = self.turns[opened[-1]]
        surface = self.blocks[opened[-1]][start:end].strip().strip("《》")
        entity = self.gazetteer.lookup(surface)
        return _Speaker(surface, entity.id if entity else None)

    def remember(self, block: int, at: int, speaker: _Speaker) -> None:
        if speaker.via is None:
            self.named.append((self.offsets[block] + at, speaker))


def _speaker_model_in_use() -> bool:
    """Whether a speaker model decides whom 他/她 stands for (weights set for a measurement, or the shipped one in use)."""
    from newsdesk.analysis.quote_model import SPEAKER_WEIGHTS, model

    weights = SPEAKER_WEIGHTS.get()
    if weights is None:
        return bool(model().get("use_speaker_model") and model().get("speaker_weights"))
    return bool(weights)


def _not_a_subject(head: str) -> bool:
    """Words before a speech verb that cannot be its subject: a negation, a condition, `有X` (someone
    unnamed), an ordinal, or a phrase ending in a conjunction or a modal verb (`那只能说`)."""
    c = cues()
    if head.startswith(c.subject_start_ok):
        return False
    return head.startswith(c.not_subject_start) or head.endswith(c.not_subject_end) or bool(
        re.search(r"(?:不|没有|没|未)(?:跟|对|向|和|同|给)[\u4e00-\u9fff]{0,3}$", head)
    )


def _unnamed(phrase: str) -> bool:
    """Someone unnamed (`但有網友`, `有人`) before a verb."""
    phrase = phrase.strip()
    lead = next((w for w in cues().lead if phrase.startswith(w)), "")
    phrase = phrase[len(lead) :]
    return 2 <= len(phrase) <= MAX_SPEAKER_CHARS and (phrase.startswith("有") or phrase in cues().not_speaker)


@lru_cache(maxsize=1)
def _organisation_endings() -> tuple[str, ...]:
    """The endings of organisations' names that are two characters or more."""
    return tuple(w for w in name_vocabulary().organisation_endings if len(w) >= 2)


def _two_speakers(phrase: str) -> bool:
    """`北荣院方和台湾团结联盟`, `陶黎纳和崔翔`, `北京大学、南京大学`: a conjunction or an enumeration mark between
    two words of the head (`共和国`, `和平` are one word; `陶蔓菁和陶崇园的同学` is one classmate; `港大感染及傳染病
    中心總監何栢良` one director; `康京和部长` a name and a title)."""
    import rjieba

    head = phrase[phrase.rfind("的") + 1 :]
    tagged = rjieba.tag(head)
    joins = [i for i, (word, _) in enumerate(tagged) if word in ("和", "与", "及", "、", "以及") and 0 < i < len(tagged) - 1]
    if not joins:
        return False
    right = "".join(word for word, _ in tagged[joins[-1] + 1 :])
    titles = cues().title + cues().honorific
    if right.startswith(titles):
        return False
    return not any(
        looks_like_a_name(right[m.end() : m.end() + n]) and m.end() + n == len(right)
        for m in re.finditer(_alternation(titles), right) for n in (2, 3, 4)
    )


def _is_heading(folded: str) -> bool:
    """A short block with no punctuation of a sentence: a title or subheading."""
    text = folded.strip()
    return 0 < len(text) <= 40 and not re.search(r"[。！？!?；;，,：:]", text) and text[-1] not in "”」』\""


def _object_of_a_verb(folded: str, at: int) -> bool:
    """The word at `at` follows a verb in its clause (`这位大使没有提到特朗普`, `哄骗他`): someone acted on,
    not the one acting."""
    import rjieba

    clause = folded[_clause_start(folded, 0, at) : at]
    tagged = rjieba.tag(clause) if clause else []
    return bool(tagged) and tagged[-1][1].startswith("v")


def _starts_with_a_verb(words: str) -> bool:
    import rjieba

    tagged = rjieba.tag(words)
    return bool(tagged) and tagged[0][1].startswith("v")


def _acts(tail: str) -> bool:
    """Words after a name that say what the person did as they spoke (`叮嘱新人们`, `恳切地`), not more of
    a name (`政府`, `发言人`)."""
    import rjieba

    if "的" in tail:
        return False
    if len(tail) >= 3 and tail.endswith("地"):
        return True
    tagged = rjieba.tag(tail)
    # A verb with its object (`叮嘱|新|人们`), or an adverb of two characters; one word alone (`地檢署`, which
    # the tagger calls a verb) is more likely the rest of a name.
    return bool(tagged) and (
        (tagged[0][1] in ("v", "vd") and len(tagged) >= 2) or (tagged[0][1] in ("d", "ad", "p") and len(tagged[0][0]) >= 2)
    )


def _clean_name(name: str) -> str:
    """A full name as printed, without the title before it (`发言人德米特里‧佩斯科夫`) or the time and
    manner words after it (`佩斯科夫周一`)."""
    parts = re.split(r"(\s*[·‧•・]\s*)", name.strip())
    if len(parts) < 3:
        return name.strip()
    # Titles are matched on the folded text (`發言人` is `发言人`); `50歲的安東尼`: a description ends at 的.
    folded_given = fold_name(parts[0])
    cut_at = max((m.end() for m in re.finditer(rf"{_ROLE_WORDS}|{_alternation(cues().title)}|的", folded_given)), default=0)
    given = parts[0][cut_at:] if len(folded_given) == len(parts[0]) and cut_at < len(parts[0]) else parts[0]
    given = given[-5:]
    family = parts[-1]
    cut = next((m.start() for m in _patterns()["modifier"].finditer(family) if m.start() >= 2), len(family))
    return "".join([given, *parts[1:-1], family[:cut]]).rstrip("0123456789 ")


def _quoted_spans(text: str) -> Iterator[tuple[int, int]]:
    """(open, close) offsets of each quotation (outermost; ASCII quotes pair in turn)."""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in CLOSE_FOR:
            close = text.find(CLOSE_FOR[ch], i + 1)
            if close != -1 and "\n" not in text[i:close]:
                yield i, close
                i = close + 1
                continue
        i += 1


def _sentence_end(text: str, start: int) -> int:
    """Where the sentence that continues at `start` ends (after its final mark; quotations skipped)."""
    i = start
    while i < len(text):
        ch = text[i]
        if ch in CLOSE_FOR:
            close = text.find(CLOSE_FOR[ch], i + 1)
            if close != -1:
                i = close + 1
                # A quotation that ends with its own full stop ends the sentence too.
                if text[close - 1] in SENTENCE_END and (i >= len(text) or text[i] not in "，,"):
                    return i
                continue
        if ch in SENTENCE_END or ch == "\n":
            return i + 1 if ch != "\n" else i
        i += 1
    return len(text)


def _sentence_start(text: str, at: int) -> int:
    i = at
    while i > 0 and text[i - 1] not in SENTENCE_END + "\n":
        # A mark inside brackets (`蘇利文（Jake Sullivan；沙利文）`) ends no sentence.
        if text[i - 1] in "）)":
            opening = max(text.rfind("（", 0, i - 1), text.rfind("(", 0, i - 1))
            if opening != -1 and "\n" not in text[opening:i]:
                i = opening
                continue
        i -= 1
    return i


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The statement without surrounding spaces and its closing full stop (the quotation marks stay
    off a wholly quoted statement)."""
    while start < end and text[start] in " 　":
        start += 1
    while end > start and text[end - 1] in " 　。.!！?？，,；;：:︰":
        end -= 1
    if end - start >= 2 and text[start] in CLOSE_FOR and text[end - 1] == CLOSE_FOR[text[start]]:
        inner = text[start + 1 : end - 1]
        if not any(mark in inner for mark in OPEN_MARKS):
            return _strip_span(text, start + 1, end - 1)
    return start, end


class _Block:
    """The statements found in one block so far (they may not overlap)."""

    def __init__(self, reader: _Reader, index: int) -> None:
        self.reader, self.index = reader, index
        self.text = reader.blocks[index]
        self.found: list[Quote] = []
        # Verbs that attributed a quotation before them (`“……，”他说，“……”`): what follows them is
        # only taken when it is another quotation.
        self.verbs_used: set[int] = set()
        # Attributions relayed by someone (`高级官员说，拜登总统明确表示，……`): the inner verb's offset, and the
        # one who relayed it, whose statement it is.
        self.relayed_by: dict[int, _Speaker] = {}

    def add(self, speaker: _Speaker | None, start: int, end: int, kind: str, cue: str, at: int) -> bool:
        if speaker is None:
            return False
        start, end = _strip_span(self.text, start, end)
        if end - start < 2 or any(q.start < end and start < q.end for q in self.found):
            return False
        self.found.append(Quote(speaker.surface, speaker.entity_id, self.text[start:end], self.index, start, end, kind,
                                cue, speaker.via))
        if speaker.options:
            self.reader.decisions.append((self.found[-1], speaker.options))
        base = self.reader.offsets[self.index]
        self.reader.quoted.append((base + start, base + end))
        self.reader.remember(self.index, at, speaker)
        return True


def _is_cue(folded: str, start: int, end: int) -> bool:
    """A speech verb that is not part of a longer word (`相称`, `据说`, `也就是说`)."""
    for word in cues().not_cue:
        lo = max(0, start - len(word) + 1)
        at = folded.find(word, lo, end + len(word) - 1)
        while at != -1 and at < end:
            # `她並稱，……`, `他又稱：`: before a comma or a colon these are `and said`, not `known together as`.
            if at + len(word) == end and word in cues().cue_before_a_mark and folded[end : end + 1] in "，,：:":
                at = folded.find(word, at + 1, end + len(word) - 1)
                continue
            if at + len(word) > start:
                return False
            at = folded.find(word, at + 1, end + len(word) - 1)
    return True


def find_quotes(gazetteer: Gazetteer, body: list[str]) -> list[Quote]:
    """Every attributed statement in an article's body, in reading order: the candidates the cue rules propose
    (`find_candidates`) that the acceptance model (analysis/quote_model.py) takes for statements."""
    from newsdesk.analysis.quote_model import accepted

    return accepted(gazetteer, body, find_candidates(gazetteer, body))


def find_candidates(gazetteer: Gazetteer, body: list[str]) -> list[tuple[Quote, str]]:
    """The statements the cue rules find (origin `rules`), then, where none of those lies, the statements found when
    the candidate verbs of `data/quote_cues.toml` count as speech verbs too (origin `wide`), in reading order."""
    reader = _Reader(gazetteer, body)
    ruled = _read_by_rules(reader, body)
    # Most articles hold no candidate verb: they need no second reading.
    folded = fold_name("\n".join(body))
    if not any(word in folded for word in _words("candidate_speech")):
        return [(q, "rules") for q in ruled]
    # The second reading starts afresh but reuses what the first learned of the article (its tagging, the people it
    # names): neither depends on the speech verbs.
    reader.restart()
    token = _WIDE.set(True)
    try:
        wide = _read_by_rules(reader, body)
    finally:
        _WIDE.reset(token)
    extra = [q for q in wide if not any(r.block == q.block and r.start < q.end and q.start < r.end for r in ruled)]
    found = [(q, "rules") for q in ruled] + [(q, "wide") for q in extra]
    return sorted(found, key=lambda item: (item[0].block, item[0].start))


def find_quotes_by_rules(gazetteer: Gazetteer, body: list[str],
                         decisions: list[tuple[Quote, tuple[dict[str, Any], ...]]] | None = None) -> list[Quote]:
    """Every attributed statement the cue rules find, in reading order (no acceptance model); `decisions` receives
    each quote whose speaker is a 他/她 resolved, with the options it had."""
    return _read_by_rules(_Reader(gazetteer, body), body, decisions)


def _read_by_rules(reader: _Reader, body: list[str],
                   decisions: list[tuple[Quote, tuple[dict[str, Any], ...]]] | None = None) -> list[Quote]:
    if decisions is not None:
        reader.decisions, reader.collect_decisions = decisions, True
    quotes: list[Quote] = []
    patterns = _patterns()
    for index, text in enumerate(body):
        folded = reader.folded[index]
        block = _Block(reader, index)
        spans = list(_quoted_spans(text))
        # A verb inside a quotation is the speaker quoting someone (`他说，“我认为，……”`), not an attribution.
        pre = sorted(
            (m for name in ("pre", "told") for m in patterns[name].finditer(folded)
             if _is_cue(folded, m.start("cue"), m.end("cue")) and not any(o < m.start() < c for o, c in spans)
             and not _names_a_term(text, m) and not _a_demand_noun(folded, m)),
            key=lambda m: m.start(),
        )
        # An interview transcript's turn first: its first sentence is its speaker's (no rule below reads `X：` bare).
        _dialogue_turn(block, pre)
        events: list[tuple[int, int, str, Any]] = []
        for open_at, close_at in spans:
            events.append((close_at, 0, "post", (open_at, close_at)))
        for match in pre:
            events.append((match.start(), 1, "pre", match))
        for match in patterns["colon"].finditer(folded):
            events.append((match.start(), 1, "colon", match))
        for match in patterns["source"].finditer(folded):
            events.append((match.start(), 2, "source", match))
        for match in patterns["english_pre"].finditer(text):
            events.append((match.start(), 1, "english_pre", match))
        for match in patterns["as_said"].finditer(folded):
            events.append((match.start(), 1, "as_said", match))
        for match in patterns["account"].finditer(folded):
            events.append((match.start(), 1, "account", match))
        # Reading order, so a pronoun meets the speakers named before it.
        events.sort(key=lambda e: (e[0], e[1]))
        for _, _, shape, item in events:
            if shape == "post":
                _after_quote(block, item, patterns)
            elif shape == "pre":
                _after_verb(block, item, pre)
            elif shape == "colon":
                # `聲明說：“……”`: the speaker is what comes before a speech verb (`声明` is no one).
                phrase = folded[item.start("speaker") : item.end("speaker")]
                verb = next((w for w in cues().speech if phrase.endswith(w)), "")
                # `一般来说：“……”`: a verb inside a longer word (`来说`) names no speaker before it.
                if verb and not _is_cue(folded, item.end("speaker") - len(verb), item.end("speaker")):
                    continue
                speaker = reader.speaker(index, item.start("speaker"), item.end("speaker") - len(verb))
                if speaker is not None and (speaker.entity_id or speaker.via or len(item["speaker"]) <= COLON_SPEAKER_CHARS):
                    close = text.find(CLOSE_FOR[text[item.end()]], item.end() + 1)
                    if close != -1:
                        block.add(speaker, item.end(), close + 1, "direct", "：", item.start())
            elif shape == "source":
                _report(block, item, pre)
            elif shape == "account":
                _account(block, item, pre)
            elif shape == "as_said":
                speaker = reader.speaker(index, item.start("speaker"), item.end("speaker"))
                if speaker is not None and _starts_clause(folded, item.start()):
                    block.add(speaker, item.end(), _sentence_end(text, item.end()), "indirect", item["cue"], item.start())
            else:
                speaker = _english_speaker(reader, index, item)
                quote_start = item.end()
                close = text.find(CLOSE_FOR.get(text[quote_start], '"'), quote_start + 1) if quote_start < len(text) else -1
                if close != -1:
                    block.add(speaker, quote_start, close + 1, "direct", item["cue"], item.start())
        _after_a_colon(block, spans)
        _after_a_clause(block, spans)
        _named_after(block, spans)
        _continued(block, spans)
        if not block.found and quotes and quotes[-1].block == index - 1 and quotes[-1].kind in ("direct", "indirect"):
            _continued_paragraph(block, spans, quotes[-1])
        if not block.found and index:
            _announced_paragraph(block, spans)
        quotes.extend(sorted(block.found, key=lambda q: q.start))
    return quotes


# A block that opens with a speaker's name and a colon (`李洪元：不是我主动曝光。`), or the name in brackets
# (`【马若德】我不这么认为。`), with words of a sentence after it.
_TURN = re.compile(r"\s*(?:【(?P<bracketed>[^【】\n]{1,16})】|(?P<name>[^，,。！？!?；;：:“”「」『』【】()（）\s\d]"
                   r"[^，,。！？!?；;：:“”「」『』【】()（）\n]{0,13})\s*[：:])\s*(?=\S)")


def _dialogue_turns(folded: list[str]) -> dict[int, tuple[int, int, int]]:
    """The turns of an interview transcript: blocks that open with a speaker's name and a colon (or the name in 【】),
    when two speakers or more each open two blocks or more (a dialogue, not a lone `作者：` or subhead); block -> (name
    start, name end, where the words begin). An article with no such dialogue has none (bench/data/quotes/README.md:
    corpus2's interview convention, caijingefa, jiemian.com, inewsweek.cn, cnpolitics.org; fresh4's `陈焕然：…`)."""
    openings: dict[int, tuple[str, int, int, int]] = {}
    for index, text in enumerate(folded):
        match = _TURN.match(text)
        if match is None:
            continue
        group = "bracketed" if match["bracketed"] else "name"
        name = match[group].strip()
        # `《莎士比亚：天才之谜》`: a title cut at its colon is no one.
        if name.count("《") != name.count("》") or fold_name(name) in _words("dialogue_not_speaker"):
            continue
        if not re.search(r"[\u4e00-\u9fffA-Za-z]", name) or not re.search(r"[\u4e00-\u9fff]", text[match.end() :]):
            continue
        openings[index] = (fold_name(name), match.start(group), match.end(group), match.end())
    counts: dict[str, int] = {}
    for name, *_ in openings.values():
        counts[name] = counts.get(name, 0) + 1
    recurring = {name for name, count in counts.items() if count >= 2}
    if len(recurring) < 2:
        return {}
    return {index: (start, end, words) for index, (name, start, end, words) in openings.items() if name in recurring}


def _dialogue_turn(block: _Block, pre: list[re.Match[str]]) -> None:
    """A turn of an interview transcript: its first sentence is the speaker's (the name as printed, without the marks
    of a title: `《财经》` is 财经), up to where someone else's attribution begins (`【政见】不少研究中国的美国学者认为，
    ……`: the scholars' words, not the interviewer's)."""
    reader = block.reader
    speaker = reader.turn_speaker(block.index, own_block=True)
    if speaker is None:
        return
    start, _, words = reader.turns[block.index]
    end = _until_someone_else(block, pre, words, _sentence_end(block.text, words), speaker)
    block.add(speaker, words, end, "direct", "：", start)


def _after_a_colon(block: _Block, spans: list[tuple[int, int]]) -> None:
    """`一位安徽妇女在一段自拍的视频中，呼吁……：“……”`, `他还和自己家乡的公园做了一个对比：“……”`: a quotation after
    a colon that ends a clause with no speech verb of its own is the words of the sentence's subject (the words
    before its first verb), when that subject is someone."""
    import rjieba

    folded, reader = block.reader.folded[block.index], block.reader
    for open_at, close_at in spans:
        colon = _free_quotation_after(block, open_at, close_at, "：:")
        if colon is None:
            continue
        # A quotation that is a title or a term (no mark of a sentence inside, nothing after) is not what was said.
        if block.text[close_at - 1] not in SENTENCE_END + "，,…" and not re.search(r"[。！？!?，,]", block.text[open_at:close_at]):
            continue
        sentence = _sentence_start(folded, colon)
        # The sentence's subject, or, failing that, the subject of the clause the colon ends (`美国埃默里大学……助理教授
        # 徐彬，在会上提出记忆与历史的问题：“……”`, `……，他认为经济动因不是主要原因：“……”`, qdaily.com, 39.net): round 7.
        last = _clause_start(folded, sentence, colon)
        for start in dict.fromkeys((sentence, last)):
            clause_end = start
            while clause_end < colon and folded[clause_end] not in CLAUSE_BREAK:
                clause_end += 1
            # `被导演羞辱：“……”`: the one the clause is about did not say it.
            if start == last and start != sentence and "被" in folded[start:clause_end]:
                break
            subject, at = "", start
            for word, tag in rjieba.tag(folded[start:clause_end]):
                # The subject ends at its verb, or at an adverb, preposition or conjunction (`何红只`, `妇女在`).
                if ((tag.startswith("v") and tag != "vn") or tag in ("d", "p", "c")) and subject.strip():
                    break
                subject += word
            # (a sentence's first clause may be its subject alone, `……助理教授徐彬，在会上……：`)
            whole = len(subject) == clause_end - start and start == sentence and clause_end < colon
            if not subject.strip() or (len(subject) == clause_end - start and not whole):
                continue
            speaker = reader.speaker(block.index, at, at + len(subject))
            if speaker is not None and _is_someone(speaker):
                block.add(speaker, open_at, close_at + 1, "direct", "：", at)
                break


def _free_quotation_after(block: _Block, open_at: int, close_at: int, marks: str) -> int | None:
    """Where the mark (one of `marks`, spaces aside) right before a quotation stands, when the quotation is long
    enough to be a statement and no quote found already covers it; None otherwise."""
    before = open_at - 1
    while before >= 0 and block.text[before] in " 　":
        before -= 1
    if before < 0 or block.reader.folded[block.index][before] not in marks or close_at - open_at - 1 < MIN_QUOTE_CHARS:
        return None
    if any(q.start < close_at and open_at < q.end for q in block.found):
        return None
    return before


def _is_someone(speaker: _Speaker, longest: int = COLON_SPEAKER_CHARS) -> bool:
    """A known person or organisation, he or she, a name, or a description ending in a title or counted
    (`一位安徽妇女`): never the leftovers of a clause (`電源方面`, `当天`, `有一次我`)."""
    name = fold_name(speaker.surface)
    return bool(speaker.entity_id or speaker.via or looks_like_a_name(name) or (
        len(name) <= longest
        and (name.endswith(cues().title + cues().honorific) or re.match("(?:另一|一)(?:位|名|个)", name))
    ))


def _after_a_clause(block: _Block, spans: list[tuple[int, int]]) -> None:
    """`蕭先生指自己平日經常到旺角行街，……，「『殺街』是無可避免，……」`, `議員郭家麒批評食環署，……，「……」`: a
    quotation after a comma, in a sentence that opens with someone and a speech verb running on without a mark
    of its own, is that someone's words."""
    folded, reader = block.reader.folded[block.index], block.reader
    verbs = re.compile(rf"(?:{_alternation(cues().speech)})(?=[\u4e00-\u9fffA-Za-z0-9])")
    for open_at, close_at in spans:
        comma = _free_quotation_after(block, open_at, close_at, "，,")
        if comma is None:
            continue
        start = _sentence_start(folded, comma)
        # The first clause holds the verb; a quotation inside the sentence before this one belongs to others.
        first_break = start
        while first_break < comma and folded[first_break] not in CLAUSE_BREAK:
            first_break += 1
        if any(mark in block.text[start:open_at] for mark in OPEN_MARKS):
            continue
        verb = verbs.search(folded, start, first_break)
        if verb is None or not _is_cue(folded, verb.start(), verb.end()) or verb.start() == start:
            continue
        speaker = reader.speaker(block.index, start, verb.start())
        if speaker is not None and _is_someone(speaker):
            block.add(speaker, open_at, close_at + 1, "direct", verb.group(), start)


def _named_after(block: _Block, spans: list[tuple[int, int]]) -> None:
    """`“房子塌下来，把我按到里头。”李刚个头高大，……`, `“……都是不安全的”tombkeeper用了这样一句话开场`: a quotation that is a
    sentence of its own, followed straight by a person's name opening the next words with no speech verb, is that
    person's (bench/data/quotes/README.md, corpus2: a quotation followed in the same sentence by its speaker; round 7:
    balingji, caixin.com, qdaily.com, baidu.com, csdn.net)."""
    import rjieba

    reader, text, folded = block.reader, block.text, block.reader.folded[block.index]
    for open_at, close_at in spans:
        if close_at - open_at - 1 < MIN_QUOTE_CHARS or any(q.start < close_at and open_at < q.end for q in block.found):
            continue
        if open_at and text[open_at - 1] not in SENTENCE_END + "\n" + "".join(CLOSE_FOR.values()):
            continue
        at = close_at + 1
        while at < len(text) and text[at] in " 　":
            at += 1
        rest = folded[at : at + 12]
        if not rest or rest[0] in CLAUSE_BREAK:
            continue
        name = ""
        known = next(((s, e, i) for s, e, i in reader.gazetteer.scan(rest) if s == 0), None)
        if known is not None and reader.gazetteer.entities.get(known[2]) is not None and (
            reader.gazetteer.entities[known[2]].kind == "person"
        ):
            name = rest[: known[1]]
        else:
            word, tag = (rjieba.tag(rest) or [("", "")])[0]
            if (tag == "nr" and 2 <= len(word) <= 4 and looks_like_a_name(word)) or re.fullmatch(r"[A-Za-z][\w\-]{2,}", word):
                name = word
        # `“……”李刚的房子`: a possessor is talked about, not speaking.
        if not name or folded[at + len(name) : at + len(name) + 1] in ("的", "和", "与", "、"):
            continue
        speaker = reader._named(text[at : at + len(name)])
        block.add(speaker, open_at, close_at + 1, "direct", "", at)


_AS_FOLLOWS = re.compile(r"(?:最新|全文)?(?:声明|表示|说|指出|写道|回应)?如下\s*[：:]\s*$")


def _announced_paragraph(block: _Block, spans: list[tuple[int, int]]) -> None:
    """`楊志良最新聲明如下：` then a paragraph that is only a quotation: the one who announced it speaks."""
    reader, previous = block.reader, block.index - 1
    folded = reader.folded[previous]
    announced = _AS_FOLLOWS.search(folded)
    text = block.text.strip()
    if announced is None or len(spans) != 1 or not text or text[0] not in OPEN_MARKS:
        return
    open_at, close_at = spans[0]
    if block.text[close_at + 1 :].strip(" 。.") or close_at - open_at - 1 < MIN_QUOTE_CHARS:
        return
    speaker = reader.speaker(previous, _sentence_start(folded, announced.start()), announced.start())
    if speaker is not None and _is_someone(speaker):
        block.add(speaker, open_at, close_at + 1, "direct", "如下", open_at)


def _continued_paragraph(block: _Block, spans: list[tuple[int, int]], last: Quote) -> None:
    """A paragraph that is only a quotation, right after a paragraph that ended with a quotation: the same
    speaker goes on (`他說：「……」` then `「這不只是經濟。……」`)."""
    # The previous paragraph ends with the quotation, or with its attribution (`「……」法塔斯教授說。`).
    after = block.reader.blocks[last.block][last.end :].strip(" 。.」”』\"")
    text = block.text.strip()
    if len(spans) != 1 or len(after) > 24 or any(mark in after for mark in OPEN_MARKS) or not text or text[0] not in OPEN_MARKS:
        return
    open_at, close_at = spans[0]
    if block.text[:open_at].strip() or block.text[close_at + 1 :].strip(" 。.") or close_at - open_at - 1 < MIN_QUOTE_CHARS:
        return
    # Only a quotation that is a sentence goes on (`陈建刚说，……。` then `“公开这些笔录……作用。”`): one without its full
    # stop is a subheading (`「日後在屋邨唱歌給老人家聽」`, `“无法用科学解释”` after a quotation, ifeng.com).
    if block.text[close_at - 1] not in SENTENCE_END + "…":
        return
    block.add(_Speaker(last.speaker, last.entity_id, last.via), open_at, close_at + 1, "direct", "", open_at)


def _after_quote(block: _Block, span: tuple[int, int], patterns: dict[str, re.Pattern[str]]) -> None:
    """“QUOTE”，SPEAKER VERB。"""
    open_at, close_at = span
    if close_at - open_at - 1 < MIN_QUOTE_CHARS:
        return
    folded = block.reader.folded[block.index]
    match = patterns["post"].match(folded, close_at + 1)
    # `“国际文传电讯社”机构透露`: a quotation straight before a name, with no punctuation of its own, is a name.
    ends_itself = block.text[close_at - 1] in SENTENCE_END + "，,…"
    if match is not None and not ends_itself and not folded.startswith(("，", ","), close_at + 1):
        match = None
    # `針對「乾淨應用程式」，蓬佩奧說`: a quotation inside a clause, with no punctuation of its own, is a term.
    if match is not None and not ends_itself and not _starts_clause(folded, open_at):
        match = None
    if match is not None and _is_cue(folded, match.start("cue"), match.end("cue")):
        # `“我可以想像，它符合伊隆·馬斯克的形象，”他說`: someone named inside the quotation is not its speaker.
        base = block.reader.offsets[block.index]
        block.reader.quoted.append((base + open_at, base + close_at + 1))
        speaker = block.reader.speaker(block.index, match.start("speaker"), match.end("speaker"))
        # `“……。”河南省委副书记、省长王凯说，牢记嘱托，……`: after a quotation that ended its sentence, the speaker goes
        # on in reported words (mainland papers' convention); after `“……，”他说，` only another quotation is theirs.
        if block.add(speaker, open_at, close_at + 1, "direct", match["cue"], match.start("speaker")) and (
            block.text[close_at - 1] not in "。！？!?"
        ):
            block.verbs_used.add(match.start("cue"))
        return
    english = patterns["english_post"].match(block.text, close_at + 1)
    if english is not None:
        speaker = _english_speaker(block.reader, block.index, english)
        block.add(speaker, open_at, close_at + 1, "direct", english["cue"], english.start("speaker"))


def _after_verb(block: _Block, match: re.Match[str], pre: list[re.Match[str]]) -> None:
    """SPEAKER VERB：“QUOTE” and SPEAKER VERB，STATEMENT。"""
    text, folded, reader = block.text, block.reader.folded[block.index], block.reader
    speaker = reader.speaker(block.index, _sentence_start(folded, match.start()), match.start())
    # `在李博灏看来，……` (a candidate verb): the one in whose view it is, after the 在 of their clause.
    if match["cue"] == "看来":
        clause = _clause_start(folded, 0, match.start())
        at = folded.find("在", clause, match.start())
        speaker = reader.speaker(block.index, at + 1, match.start()) if at != -1 else None
    if speaker is not None and match.start() in block.relayed_by:
        speaker = block.relayed_by[match.start()]
    start = match.end()
    if speaker is None or start >= len(text) or text[start] in "”」』":
        return
    if match.start("cue") in block.verbs_used and text[start] not in OPEN_MARKS:
        return
    # `根據《路透》報導，「flightradar24」主編佩琴尼克指出，……`: a quotation with words after it (a name, a term) opens a
    # reported statement, which may hold another attribution, not a quotation of its own.
    close = text.find(CLOSE_FOR[text[start]], start + 1) if text[start] in OPEN_MARKS else -1
    opens_statement = close != -1 and close + 1 < len(text) and text[close + 1] not in SENTENCE_END + "，,。—" + OPEN_MARKS
    if text[start] in OPEN_MARKS and not opens_statement:
        _quotations(block, speaker, start, match, pre)
        return
    end = _sentence_end(text, start)
    # `据中新网报道，针对……，苹果公司对记者表示，……`: a report's source does not speak when someone inside does.
    opening = folded[_sentence_start(folded, match.start()) : match.start()].lstrip(" （(")
    if opening.startswith(cues().source_lead) and any(start <= inner.start() < end for inner in pre):
        return
    for inner in pre if text[start] not in OPEN_MARKS or opens_statement else ():
        if not start <= inner.start() < end:
            continue
        clause = _clause_start(folded, start, inner.start())
        if clause == start:
            # `美国国务院表示，布林肯告诉拉夫罗夫说，……`: the one quoted inside speaks (not one who only
            # believes: `陳志武稱，決策者都認為，……` is still 陳志武's).
            if inner["cue"] not in cues().belief and reader.speaker(block.index, start, inner.start()) is not None:
                # ...but what a person or an unnamed official relays (`高级官员说，拜登总统明确表示，……`, `官员对记者
                # 说，布林肯对拉夫罗夫说：“……”`) is their statement; a report (`路透社报导，`) or an institution
                # (`美国国务院表示，布林肯告诉拉夫罗夫说，……`) relays another's words, not its own.
                if match["cue"] not in _REPORT_VERBS and (speaker.entity_id is None or _is_person(reader, speaker)):
                    block.relayed_by[inner.start()] = speaker
                return
            continue
        # `……，他补充说，……`: another attribution begins; this statement ends before it (also when it is
        # someone unnamed: `……，但有網友直言，……`). A verb with no subject of its own (`……，并警告说，……`) goes on
        # with the statement's speaker; inside a report it is the subject of the report's sentence that speaks
        # (`路透社報道，普京宣佈……時，……，僅表示：「……」`).
        lo = start if match["cue"] in _REPORT_VERBS else clause
        if reader.speaker(block.index, lo, inner.start()) is not None or _unnamed(folded[clause : inner.start()]):
            # `路透社報道，普京……，僅表示：「……」`: a report is silent when someone inside its sentence speaks.
            if match["cue"] in _REPORT_VERBS:
                return
            end = clause
            break
    # `……停止倡議活動，並強調……`, `……一名逃犯，他認為……`: another attribution of the same speaker, with no mark after
    # its verb, ends the reported statement too (the labelling rules; rti.org.tw in fresh2).
    if text[start] not in OPEN_MARKS:
        end = _another_attribution(text, folded, start, end)
    # `钟先生……说，淮河王家坝开闸泄洪，……损失惨重：“该淹的都淹了，……”`: a colon that opens a quotation ends
    # the reported statement, and the quotation is the same speaker's words.
    colon = re.search(r"[：:]\s*(?=[“「『])", folded[start:end])
    if colon is not None and _kind(text, start) == "indirect":
        block.add(speaker, start, start + colon.start(), "indirect", match["cue"], match.start())
        _quotations(block, speaker, start + colon.end(), match, pre)
        return
    block.add(speaker, start, end, _kind(text, start), match["cue"], match.start())


def _account(block: _Block, match: re.Match[str], pre: list[re.Match[str]]) -> None:
    """`按照人口学家梁中堂的说法，……`, `按他的话说，……`: the statement is the account's owner's, to the end of its sentence
    or to where another speaker's attribution begins."""
    reader, text = block.reader, block.text
    speaker = reader.speaker(block.index, match.start("speaker"), match.end("speaker"))
    if speaker is None or match.end() >= len(text):
        return
    end = _until_someone_else(block, pre, match.end(), _sentence_end(text, match.end()))
    block.add(speaker, match.end(), end, "indirect", match["cue"], match.start())


def _until_someone_else(block: _Block, pre: list[re.Match[str]], start: int, end: int,
                        speaker: _Speaker | None = None) -> int:
    """Where a statement from `start` to `end` stops: at the clause where someone's own attribution begins (someone
    other than `speaker`, when given), else at `end`."""
    reader, folded = block.reader, block.reader.folded[block.index]
    for inner in pre:
        if start <= inner.start() < end:
            clause = _clause_start(folded, start, inner.start())
            other = reader.speaker(block.index, clause, inner.start())
            if other is not None and (speaker is None or fold_name(other.surface) != fold_name(speaker.surface)):
                return clause
    return end


def _another_attribution(text: str, folded: str, start: int, end: int) -> int:
    """Where a clause of the statement between `start` and `end` opens with a pronoun or a word that goes on
    (`並`, `又`, `他`) and a verb of `data/quote_cues.toml`'s `goes_on` (`並強調`, `他認為`, `又指`): the statement ends
    before it; else `end`."""
    for clause in _patterns()["goes_on"].finditer(folded, start, end):
        at = clause.start()
        # The verb as the longest speech word there reads it (`指责` is not `指`); one with a mark after it is an
        # attribution the other rules read.
        verb = next((w for w in cues().speech if folded.startswith(w, clause.start("cue"))), clause["cue"])
        after = folded[clause.start("cue") + len(verb) : clause.start("cue") + len(verb) + 1]
        if verb not in cues().goes_on or not after or after in "，,：:︰“「『" or not _is_cue(
            folded, clause.start("cue"), clause.start("cue") + len(verb)
        ):
            continue
        if not any(o < at < c for o, c in _quoted_spans(text)):
            return at
    return end


_REPORT_VERBS = frozenset(("报道", "报导", "报道说", "报导说", "报道称", "报导称"))


def _is_person(reader: _Reader, speaker: _Speaker) -> bool:
    entity = reader.gazetteer.entities.get(speaker.entity_id or "")
    return entity is not None and entity.kind == "person"


def _a_demand_noun(folded: str, match: re.Match[str]) -> bool:
    """要求 is a speech verb only as `习近平要求，……` (a mark right after it): `提出引渡要求，`, `按照长江委要求，`,
    `在美国要求下` make it a noun, and `要求“确保……”` runs it into the words of a policy, not a statement."""
    if match["cue"] != "要求":
        return False
    clause = folded[_clause_start(folded, 0, match.start("cue")) : match.start("cue")]
    return not match["punct"] or bool(re.search(r"提出|按照|依照|根据|遵照|落实|应|的$|重要$", clause))


def _names_a_term(text: str, match: re.Match[str]) -> bool:
    """A verb running straight into a short quotation with no punctuation of its own (`警告「不感興趣」`):
    the quotation is a term in the sentence, not what was said."""
    if match["punct"] or match.end() >= len(text) or text[match.end()] not in CLOSE_FOR:
        return False
    close = text.find(CLOSE_FOR[text[match.end()]], match.end() + 1)
    inner = text[match.end() + 1 : close] if close != -1 else text[match.end() + 1 :]
    return len(inner) < MIN_QUOTE_CHARS and not re.search(r"[。！？!?，,]$", inner)


def _quotations(block: _Block, speaker: _Speaker, start: int, match: re.Match[str], pre: list[re.Match[str]]) -> None:
    """SPEAKER VERB：“……”，“……”: each quotation in turn; a verb that runs straight into a quotation
    (`警告「不感興趣」`) takes a quotation only if it is a statement, not a term."""
    text = block.text
    bare = not match["punct"]
    while start < len(text) and text[start] in OPEN_MARKS:
        close = text.find(CLOSE_FOR[text[start]], start + 1)
        if close == -1:
            # An unclosed quotation runs to the end of the block (it goes on in the next one), or to where
            # another attribution begins (`「我們保護……包括。他說，……`).
            close = len(text)
            for inner in pre:
                if inner.start() > start and block.reader.speaker(block.index, _sentence_start(block.reader.folded[block.index], inner.start()), inner.start()) is not None:
                    close = _sentence_start(block.reader.folded[block.index], inner.start())
                    break
        inner = text[start + 1 : close]
        if bare and len(inner) < MIN_QUOTE_CHARS and not re.search(r"[。！？!?，,]$", inner):
            return
        end = _sentence_end(text, start)
        # A quotation with words after it in its sentence (`“特别军事行动”是……`) is part of a statement.
        # `「……」——這也就是為什麼……`: a dash after it ends the quotation; the writer's words follow.
        if close + 1 < len(text) and text[close + 1] not in SENTENCE_END + "，,。—" and end > close + 1:
            block.add(speaker, start, end, "indirect", match["cue"], match.start())
            return
        if text.find(CLOSE_FOR[text[start]], start + 1) == -1:
            block.add(speaker, start + 1, close, "direct", match["cue"], match.start())
            return
        block.add(speaker, start, close + 1, "direct", match["cue"], match.start())
        after = close + 1
        while after < len(text) and text[after] in "，, ":
            after += 1
        if after == close + 1:
            return
        start = after


def _report(block: _Block, match: re.Match[str], pre: list[re.Match[str]]) -> None:
    """据SOURCE报道，STATEMENT: the source speaks unless someone inside is quoted."""
    text, folded, reader = block.text, block.reader.folded[block.index], block.reader
    if not _starts_clause(folded, match.start()):
        return
    end = _sentence_end(text, match.end())
    if any(match.end() <= inner.start() < end for inner in pre):
        return
    # `根據CTWANT網站今天報導`: the time and manner words are not the source's name.
    cut = reader._modifier_cut(folded[match.start("speaker") : match.end("speaker")])
    surface = text[match.start("speaker") : match.start("speaker") + cut].strip()
    # `據2022年中國統計年鑑數據顯示`, `根据赛迪顾问研究显示`: a document, not who spoke.
    if fold_name(surface) in cues().not_speaker or fold_name(surface).endswith(cues().document):
        return
    entity = reader.gazetteer.lookup(surface)
    found = reader._entity_in(fold_name(surface)) if entity is None else None
    entity_id = entity.id if entity else (found[2] if found else None)
    block.add(_Speaker(surface, entity_id), match.end(), end, "source", match["cue"], match.start())


def _continued(block: _Block, spans: list[tuple[int, int]]) -> None:
    """A quotation that is a sentence of its own, after a statement in the same block: the same speaker
    goes on (`朱立倫說，……。「……」`)."""
    for open_at, close_at in spans:
        # After a full stop, or straight after a quotation taken (`“……”，“……”`).
        after_quote = open_at >= 2 and block.text[open_at - 1] in "，," and any(q.end in (open_at - 2, open_at - 1) for q in block.found)
        if close_at - open_at - 1 < MIN_QUOTE_CHARS or (open_at and block.text[open_at - 1] not in SENTENCE_END and not after_quote):
            continue
        before = [q for q in block.found if q.end <= open_at]
        if not before or any(q.start < close_at and open_at < q.end for q in block.found):
            continue
        last = max(before, key=lambda q: q.end)
        block.add(_Speaker(last.speaker, last.entity_id, last.via), open_at, close_at + 1, "direct", "", open_at)


def _clause_start(folded: str, lo: int, at: int) -> int:
    """Where the clause holding `at` begins (not before `lo`)."""
    i = at
    while i > lo and folded[i - 1] not in CLAUSE_BREAK:
        i -= 1
    return i


def _starts_clause(folded: str, at: int) -> bool:
    return at == 0 or folded[at - 1] in CLAUSE_BREAK + "”」』 （("


def _kind(text: str, start: int) -> str:
    return "direct" if text[start] in OPEN_MARKS else "indirect"


def _english_speaker(reader: _Reader, block: int, match: re.Match[str]) -> _Speaker | None:
    surface = match["speaker"].strip()
    if surface.lower() in ("he", "she"):
        return reader._antecedent(reader.offsets[block] + match.start("speaker"), surface)
    entity = reader.gazetteer.lookup(surface) or reader.gazetteer.lookup(surface.split()[-1])
    return _Speaker(surface, entity.id if entity else None)


# --- the archive ---------------------------------------------------------------------------

def speaker_key(surface: str) -> str:
    return fold_name(surface)


def store_quotes(conn: sqlite3.Connection, article_id: str, quotes: list[Quote], best_capture: int | None) -> None:
    """An article's quotes, replacing those found in an earlier reading of it."""
    conn.execute("DELETE FROM quotes WHERE article_id=?", (article_id,))
    conn.executemany(
        "INSERT INTO quotes(article_id, n, block, start, end, speaker, speaker_key, entity_id, via, kind, cue, text)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(article_id, n, q.block, q.start, q.end, q.speaker, speaker_key(q.speaker), q.entity_id, q.via, q.kind, q.cue,
          q.text) for n, q in enumerate(quotes)],
    )
    conn.execute("INSERT OR REPLACE INTO quote_scans(article_id, best_capture) VALUES (?, ?)", (article_id, best_capture))


def pending(conn: sqlite3.Connection) -> list[tuple[str, int | None]]:
    """Articles whose quotes are not read yet, or were read from a capture that is no longer their best."""
    return conn.execute(
        "SELECT a.id, a.best_capture FROM articles a LEFT JOIN quote_scans q ON q.article_id = a.id"
        " WHERE q.article_id IS NULL OR q.best_capture IS NOT a.best_capture ORDER BY a.seq"
    ).fetchall()


def update_quotes(archive: Any, gazetteer: Gazetteer) -> int:
    """Read the quotes of every article not read yet (inside the caller's write transaction); returns how many."""
    todo = pending(archive.conn)
    for article_id, best_capture in todo:
        article = archive.article(article_id)
        store_quotes(archive.conn, article_id, find_quotes(gazetteer, article.body), best_capture)
    return len(todo)


def stored_quotes(conn: sqlite3.Connection, article_id: str) -> list[Quote] | None:
    """An article's stored quotes; None when they have not been read yet (or the archive predates them)."""
    try:
        if conn.execute("SELECT 1 FROM quote_scans WHERE article_id=?", (article_id,)).fetchone() is None:
            return None
    except sqlite3.OperationalError:  # an archive opened read-only before its quotes migration
        return None
    return [
        Quote(speaker, entity_id, text, block, start, end, kind, cue, via)
        for block, start, end, speaker, entity_id, via, kind, cue, text in conn.execute(
            "SELECT block, start, end, speaker, entity_id, via, kind, cue, text FROM quotes WHERE article_id=? ORDER BY n",
            (article_id,),
        )
    ]


def speaker_keys(gazetteer: Gazetteer, name: str) -> tuple[str | None, set[str]]:
    """The entity a name is (if known) and every folded name it goes by: `Sergey Lavrov` finds 拉夫罗夫."""
    entity = gazetteer.lookup(name)
    if entity is None:
        return None, {fold_name(name)}
    return entity.id, {fold_name(n) for n in entity.names()}


def search_quotes(
    conn: sqlite3.Connection, gazetteer: Gazetteer, speaker: str | None = None, article_id: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Stored quotes, newest article first: by speaker (any of the entity's names, or words of an unnamed
    speaker) and/or article."""
    where, params = [], []
    if speaker:
        entity_id, keys = speaker_keys(gazetteer, speaker)
        marks = ",".join("?" * len(keys))
        clause = f"q.speaker_key IN ({marks}) OR instr(q.speaker_key, ?) > 0"
        params += [*sorted(keys), fold_name(speaker)]
        if entity_id:
            clause += " OR q.entity_id = ?"
            params.append(entity_id)
        where.append(f"({clause})")
    if article_id:
        where.append("q.article_id = ?")
        params.append(article_id)
    sql = (
        "SELECT q.article_id, q.n, q.block, q.start, q.end, q.speaker, q.entity_id, q.via, q.kind, q.cue, q.text,"
        " a.title, a.outlet, a.published FROM quotes q JOIN articles a ON a.id = q.article_id"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.published IS NULL, a.published DESC, a.seq, q.n"
        + (" LIMIT ?" if limit else "")
    )
    if limit:
        params.append(limit)
    names = ("article_id", "n", "block", "start", "end", "speaker", "entity_id", "via", "kind", "cue", "text", "title",
             "outlet", "published")
    rows = [dict(zip(names, row, strict=True)) for row in conn.execute(sql, params)]
    for row in rows:
        entity = gazetteer.entities.get(row["entity_id"] or "")
        row["entity"] = entity.name if entity else None
    return rows

